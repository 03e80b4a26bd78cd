variable "alias_name" {
  description = "Alias of the key, without the \"alias/\" prefix (1-250 characters)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9/_-]{1,250}$", var.alias_name)) && !startswith(var.alias_name, "aws/")
    error_message = "alias_name must be 1-250 characters of letters, digits, '/', '_' or '-', and must not start with \"aws/\" (reserved for AWS-managed keys)."
  }
}

variable "description" {
  description = "Description of the key."
  type        = string
  default     = "dms-auto-recovery: notification topic, dead-letter queue, lease table and log groups"
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov), from data.aws_partition in the caller."
  type        = string
}

variable "dns_suffix" {
  description = "DNS suffix of the partition (amazonaws.com, amazonaws.com.cn), for the regional service principals and kms:ViaService values."
  type        = string
}

variable "region" {
  description = "AWS region of the key."
  type        = string
}

variable "account_id" {
  description = "AWS account id of the key (the only account whose principals and services may use it)."
  type        = string
}

variable "event_rule_arn_pattern" {
  description = "aws:SourceArn pattern (ArnLike) of the EventBridge rules allowed to use the key, e.g. arn:aws:events:us-east-1:123456789012:rule/orders-task-state-*."
  type        = string
}

variable "log_group_arns" {
  description = "ARNs (ArnLike patterns allowed, without \":*\") of the CloudWatch Logs log groups CloudWatch Logs may encrypt with the key."
  type        = list(string)
}

variable "deletion_window_in_days" {
  description = "Waiting period before a deleted key is destroyed (7-30 days)."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be from 7 to 30."
  }
}

variable "tags" {
  description = "Tags for the key."
  type        = map(string)
  default     = {}
}
