variable "task_arns" {
  description = "ARNs of the DMS replication tasks whose failed/stopped events start a recovery."
  type        = list(string)

  validation {
    condition     = length(var.task_arns) > 0
    error_message = "task_arns must hold at least one replication task ARN."
  }
}

variable "shard_size" {
  description = "Task ARNs per rule, so that no event pattern exceeds 2,048 characters."
  type        = number
  default     = 15

  validation {
    condition     = var.shard_size >= 1 && var.shard_size <= 25 && floor(var.shard_size) == var.shard_size
    error_message = "shard_size must be a whole number from 1 to 25."
  }
}

variable "rule_name_prefix" {
  description = "Prefix of the rule names; rules are named <prefix>-00, <prefix>-01, ... (at most 61 characters)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,61}$", var.rule_name_prefix))
    error_message = "rule_name_prefix must be 1-61 characters of letters, digits, '.', '-' or '_'."
  }
}

variable "role_name" {
  description = "Name of the IAM role EventBridge uses to start executions (1-64 characters)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "dlq_name" {
  description = "Name of the SQS dead-letter queue for events EventBridge could not deliver (1-80 characters)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.dlq_name))
    error_message = "dlq_name must be 1-80 characters of letters, digits, '-' or '_'."
  }
}

variable "state_machine_arn" {
  description = "ARN of the recovery state machine (the target; the role may start executions of it only)."
  type        = string
}

variable "state_machine_name" {
  description = "Name of the recovery state machine (for descriptions and the alert text)."
  type        = string
}

variable "alert_enabled" {
  description = "Also send a readable alert for each matched event to alert_topic_arn."
  type        = bool
  default     = false
}

variable "alert_topic_arn" {
  description = "ARN of the SNS topic for the readable alert (required when alert_enabled)."
  type        = string
  default     = null
}

variable "console_domain" {
  description = "AWS console domain of the partition, for links in the alert (console.aws.amazon.com, console.amazonaws.cn, console.amazonaws-us-gov.com)."
  type        = string
  default     = "console.aws.amazon.com"
}

variable "maximum_retry_attempts" {
  description = "EventBridge retry attempts for a target before the event goes to the dead-letter queue (0-185)."
  type        = number
  default     = 185

  validation {
    condition     = var.maximum_retry_attempts >= 0 && var.maximum_retry_attempts <= 185
    error_message = "maximum_retry_attempts must be from 0 to 185."
  }
}

variable "maximum_event_age_seconds" {
  description = "Longest time EventBridge keeps retrying an event, in seconds (60-86400)."
  type        = number
  default     = 86400

  validation {
    condition     = var.maximum_event_age_seconds >= 60 && var.maximum_event_age_seconds <= 86400
    error_message = "maximum_event_age_seconds must be from 60 to 86400."
  }
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov), from data.aws_partition in the caller."
  type        = string
}

variable "region" {
  description = "AWS region of the rules."
  type        = string
}

variable "account_id" {
  description = "AWS account id of the rules."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key ARN for the dead-letter queue; null for SSE-SQS."
  type        = string
  default     = null
}

variable "kms_key_enabled" {
  description = "Whether kms_key_arn is set, when its value is only known after apply (a key created in the same configuration); null decides from kms_key_arn."
  type        = bool
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
  description = "Tags for every taggable resource of this module."
  type        = map(string)
  default     = {}
}
