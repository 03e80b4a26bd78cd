variable "table_name" {
  description = "Name of the DynamoDB lease table (3-255 characters: letters, digits, '_', '-', '.')."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.table_name))
    error_message = "table_name must be 3-255 characters of letters, digits, '_', '-' or '.'."
  }
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov), from data.aws_partition in the caller."
  type        = string
}

variable "region" {
  description = "AWS region the table is created in."
  type        = string
}

variable "account_id" {
  description = "AWS account id the table is created in."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key ARN for server-side encryption. null uses the AWS owned key (still encrypted at rest)."
  type        = string
  default     = null
}

variable "kms_key_enabled" {
  description = "Whether kms_key_arn is set, when its value is only known after apply (a key created in the same configuration); null decides from kms_key_arn."
  type        = bool
  default     = null
}

variable "point_in_time_recovery" {
  description = "Enable point-in-time recovery. Leases are short-lived, so it is off by default."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Enable DynamoDB deletion protection on the lease table."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the table."
  type        = map(string)
  default     = {}
}
