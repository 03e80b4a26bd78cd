variable "region" {
  description = "AWS region of the DMS task."
  type        = string
  default     = "eu-west-1"
}

variable "replication_task_arn" {
  description = "ARN of the DMS replication task to recover, e.g. aws_dms_replication_task.orders.replication_task_arn."
  type        = string
}

variable "notification_emails" {
  description = "Who is told what the recovery did."
  type        = list(string)
  default     = []
}
