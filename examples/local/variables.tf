variable "endpoint" {
  description = "URL of the local AWS endpoint (the moto server `make demo` starts), e.g. http://127.0.0.1:4566."
  type        = string

  validation {
    condition     = can(regex("^https?://[^/]+/?$", var.endpoint))
    error_message = "endpoint must be a URL such as http://127.0.0.1:4566 (scheme, host and port, no path)."
  }
}

variable "replication_task_arn" {
  description = "ARN of the DMS replication task (created on the local endpoint) to watch and recover."
  type        = string
}

variable "region" {
  description = "Region of the local endpoint and of the task."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Base name of every resource."
  type        = string
  default     = "demo"
}
