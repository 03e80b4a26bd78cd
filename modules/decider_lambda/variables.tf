variable "function_name" {
  description = "Name of the Lambda function (1-64 characters: letters, digits, '-', '_')."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1-64 characters of letters, digits, '-' or '_'."
  }
}

variable "role_name" {
  description = "Name of the Lambda execution role (1-64 characters)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "package_path" {
  description = "Path to the Lambda deployment package (zip) with handler dms_recovery.handler.lambda_handler."
  type        = string
}

variable "environment_variables" {
  description = "Environment of the decider (its recovery policy settings)."
  type        = map(string)
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov), from data.aws_partition in the caller."
  type        = string
}

variable "region" {
  description = "AWS region of the function."
  type        = string
}

variable "account_id" {
  description = "AWS account id of the function."
  type        = string
}

variable "architecture" {
  description = "Instruction set of the function: x86_64 or arm64 (the package is pure Python)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be \"x86_64\" or \"arm64\"."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB."
  type        = number
  default     = 256
}

variable "timeout_seconds" {
  description = "Timeout of one invocation in seconds (the decider is a pure function and returns in milliseconds)."
  type        = number
  default     = 30
}

variable "log_retention_days" {
  description = "Retention of the function's CloudWatch log group in days."
  type        = number
  default     = 30
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key ARN to encrypt the log group; null for the CloudWatch Logs default encryption."
  type        = string
  default     = null
}

variable "permissions_boundary" {
  description = "ARN of the IAM policy used as permissions boundary of the role; null for none."
  type        = string
  default     = null
}

variable "iam_path" {
  description = "IAM path of the role."
  type        = string
  default     = "/"
}

variable "tags" {
  description = "Tags for every resource of this module."
  type        = map(string)
  default     = {}
}
