variable "create_topic" {
  description = "Create the topic (true) or use existing_topic_arn (false). A separate flag because existing_topic_arn may be unknown until apply."
  type        = bool
  default     = true
}

variable "topic_name" {
  description = "Name of the SNS topic to create (ignored when create_topic is false)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,256}$", var.topic_name))
    error_message = "topic_name must be 1-256 characters of letters, digits, '-' or '_'."
  }
}

variable "existing_topic_arn" {
  description = "ARN of the SNS topic to use when create_topic is false. Its policy is left alone: add the statements of the topic_policy_statements output to it."
  type        = string
  default     = null
}

variable "email_addresses" {
  description = "E-mail addresses to subscribe to the topic (each confirms by e-mail)."
  type        = list(string)
  default     = []
}

variable "event_rule_arns" {
  description = "ARNs of the EventBridge rules allowed to publish to the topic (aws:SourceArn); empty when no rule targets the topic."
  type        = list(string)
  default     = []
}

variable "allow_cloudwatch_alarms" {
  description = "Admit CloudWatch alarms of this account (aws:SourceAccount) to publish to the topic."
  type        = bool
  default     = true
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov), from data.aws_partition in the caller."
  type        = string
}

variable "region" {
  description = "AWS region of the topic."
  type        = string
}

variable "account_id" {
  description = "AWS account id of the topic."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key ARN for the topic; null for an unencrypted topic. Never the AWS-managed aws/sns key."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the topic."
  type        = map(string)
  default     = {}
}
