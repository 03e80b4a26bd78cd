variable "name" {
  description = "Name of the state machine (1-80 characters)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.name))
    error_message = "name must be 1-80 characters of letters, digits, '-' or '_'."
  }
}

variable "role_name" {
  description = "Name of the state machine's IAM role (1-64 characters)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "definition_template_path" {
  description = "Path of the rendered ASL Terraform template (asl_templates/rendered/dms_recovery.asl.json.tftpl)."
  type        = string
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov), from data.aws_partition in the caller."
  type        = string
}

variable "region" {
  description = "AWS region of the state machine."
  type        = string
}

variable "account_id" {
  description = "AWS account id of the state machine."
  type        = string
}

variable "decider_function_arn" {
  description = "ARN of the decider Lambda function (unqualified)."
  type        = string
}

variable "notification_topic_arn" {
  description = "ARN of the SNS topic the workflow publishes its notifications to."
  type        = string
}

variable "lease_table_name" {
  description = "Name of the DynamoDB lease table (in the same account and region)."
  type        = string
}

variable "watched_task_arns" {
  description = "ARNs of the DMS replication tasks this machine may restart."
  type        = list(string)
}

variable "log_level" {
  description = "Step Functions log level: ALL, ERROR, FATAL or OFF."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL", "OFF"], var.log_level)
    error_message = "log_level must be one of ALL, ERROR, FATAL, OFF."
  }
}

variable "include_execution_data" {
  description = "Include execution input/output in the state machine logs."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the state machine log group in days."
  type        = number
  default     = 30
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key ARN: encrypts the log group, and the role may use it to publish to an encrypted topic and write an encrypted table. null for none."
  type        = string
  default     = null
}

variable "kms_key_enabled" {
  description = "Whether kms_key_arn is set, when its value is only known after apply (a key created in the same configuration); null decides from kms_key_arn."
  type        = bool
  default     = null
}

variable "tracing_enabled" {
  description = "Enable AWS X-Ray tracing of executions (adds the X-Ray actions to the role)."
  type        = bool
  default     = false
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
