variable "name" {
  description = "Base name of the alarms (\"<name>-executions-failed\", ...) and the dashboard's name (1-128 letters, digits, '-', '_')."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.name))
    error_message = "name must be 1-128 characters of letters, digits, '-' or '_'."
  }
}

variable "create_alarms" {
  description = "Create the alarms."
  type        = bool
  default     = true
}

variable "create_dashboard" {
  description = "Create the dashboard."
  type        = bool
  default     = true
}

variable "alarm_topic_arn" {
  description = "ARN of the SNS topic the alarms notify (its policy, and its key's policy if encrypted, must admit cloudwatch.amazonaws.com)."
  type        = string
}

variable "state_machine_arn" {
  description = "ARN of the recovery state machine (AWS/States StateMachineArn dimension)."
  type        = string
}

variable "function_name" {
  description = "Name of the decider Lambda function (AWS/Lambda FunctionName dimension)."
  type        = string
}

variable "decider_log_group" {
  description = "Log group of the decider, for the dashboard's decisions query."
  type        = string
}

variable "rule_names" {
  description = "Names of the EventBridge rules (one FailedInvocations alarm each)."
  type        = list(string)
}

variable "dlq_name" {
  description = "Name of the SQS dead-letter queue of the EventBridge targets."
  type        = string
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov), for the alarm ARNs."
  type        = string
}

variable "region" {
  description = "AWS region of the metrics and alarms."
  type        = string
}

variable "account_id" {
  description = "AWS account id of the alarms."
  type        = string
}

variable "period_seconds" {
  description = "Period of the alarms in seconds (60, or a multiple of 60 up to 86400)."
  type        = number
  default     = 300

  validation {
    condition     = var.period_seconds >= 60 && var.period_seconds <= 86400 && var.period_seconds % 60 == 0
    error_message = "period_seconds must be a multiple of 60 from 60 to 86400."
  }
}

variable "tags" {
  description = "Tags for the alarms (dashboards take none)."
  type        = map(string)
  default     = {}
}
