variable "region" {
  description = "AWS region of the DMS tasks."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Base name of every resource."
  type        = string
  default     = "dms-recovery-complete"
}

variable "replication_task_arns" {
  description = "ARNs of the DMS replication tasks to recover (up to 100)."
  type        = list(string)
}

variable "notification_emails" {
  description = "Who is told what the recovery did."
  type        = list(string)
  default     = []
}

variable "iam_path" {
  description = "IAM path of the roles and the boundary policy."
  type        = string
  default     = "/dms-recovery/"
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default = {
    "team"    = "data-platform"
    "service" = "dms-auto-recovery"
  }
}
