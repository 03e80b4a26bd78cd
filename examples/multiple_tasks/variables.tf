variable "region" {
  description = "AWS region of the DMS tasks."
  type        = string
  default     = "eu-west-1"
}

variable "name_prefix" {
  description = "Prefix of every module instance's name."
  type        = string
  default     = "dms"
}

variable "tasks" {
  description = "DMS tasks to recover, by short name: the task ARN and per-task settings."
  type = map(object({
    arn          = string
    max_attempts = optional(number, 5)
    dry_run      = optional(bool, false)
  }))
}

variable "notification_emails" {
  description = "Addresses subscribed to the shared topic."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
