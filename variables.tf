variable "name" {
  description = "Base name of every resource (letters, digits, '-', '_'; up to 128 characters). Names AWS caps at 64 or 80 characters are shortened with a hash suffix, so they stay unique."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$", var.name))
    error_message = "name must start with a letter or digit and hold 1-128 letters, digits, '-' or '_' (for example \"dms-recovery-orders\")."
  }
}

variable "replication_task_arns" {
  description = "ARNs of the DMS replication tasks to watch and recover (1 to 100 per module instance), e.g. arn:aws:dms:eu-west-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ. They must be in the provider's account and region."
  type        = list(string)

  validation {
    condition     = length(var.replication_task_arns) >= 1
    error_message = "replication_task_arns must hold at least one DMS replication task ARN."
  }

  validation {
    condition     = length(var.replication_task_arns) <= 100
    error_message = "replication_task_arns holds more than 100 ARNs, the most one module instance supports (IAM's 10,240-character limit on the state machine role's policies): split the tasks over several instances of the module, e.g. one per team or per replication instance, each with its own name."
  }

  validation {
    condition     = alltrue([for arn in var.replication_task_arns : !can(regex("^arn:[a-z-]+:dms:[^:]*:[^:]*:replication-config:", arn))])
    error_message = "replication_task_arns contains a DMS Serverless replication-config ARN: DMS Serverless is not supported yet (it sends different events and has no StartReplicationTask). Pass only task ARNs (arn:<partition>:dms:<region>:<account>:task:<id>)."
  }

  validation {
    condition     = alltrue([for arn in var.replication_task_arns : can(regex("^arn:aws(-cn|-us-gov|-iso|-iso-b|-iso-e|-iso-f)?:dms:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:task:[A-Za-z0-9][A-Za-z0-9-]{0,62}$", arn))])
    error_message = "replication_task_arns must hold DMS replication task ARNs of the form arn:<partition>:dms:<region>:<12-digit account>:task:<identifier of up to 63 letters, digits and hyphens>. Copy them from `aws dms describe-replication-tasks --query 'ReplicationTasks[].ReplicationTaskArn'` or aws_dms_replication_task.<name>.replication_task_arn."
  }

  validation {
    condition     = length(distinct(var.replication_task_arns)) == length(var.replication_task_arns)
    error_message = "replication_task_arns contains duplicates: list each task ARN once."
  }
}

variable "notification_emails" {
  description = "E-mail addresses subscribed to the notification topic (each must confirm the subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.notification_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "notification_emails must hold e-mail addresses such as ops@example.com; fix or remove the malformed entries."
  }
}

variable "existing_sns_topic_arn" {
  description = "ARN of an existing SNS topic to notify instead of creating one. Its policy is not changed: add the statements of the sns_topic_policy_statements output to it."
  type        = string
  default     = null

  validation {
    condition     = var.existing_sns_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$", var.existing_sns_topic_arn))
    error_message = "existing_sns_topic_arn must be an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<topic>) or null to let the module create a topic."
  }
}

variable "create_sns_topic" {
  description = "Whether the module creates the notification topic. null decides from existing_sns_topic_arn (create when it is null); set false when existing_sns_topic_arn is only known after apply (a topic created in the same configuration), since Terraform must know at plan time whether to create one."
  type        = bool
  default     = null
}

variable "max_attempts" {
  description = "Restarts one recovery execution may make before it gives up (1-20)."
  type        = number
  default     = 5

  validation {
    condition     = var.max_attempts >= 1 && var.max_attempts <= 20 && floor(var.max_attempts) == var.max_attempts
    error_message = "max_attempts must be a whole number from 1 to 20."
  }
}

variable "backoff_base_seconds" {
  description = "Wait after the first restart in seconds; it doubles with each attempt (5-900)."
  type        = number
  default     = 60

  validation {
    condition     = var.backoff_base_seconds >= 5 && var.backoff_base_seconds <= 900 && floor(var.backoff_base_seconds) == var.backoff_base_seconds
    error_message = "backoff_base_seconds must be a whole number from 5 to 900."
  }
}

variable "backoff_max_seconds" {
  description = "Longest wait between restarts in seconds (backoff_base_seconds to 3600)."
  type        = number
  default     = 900

  validation {
    condition     = var.backoff_max_seconds >= 5 && var.backoff_max_seconds <= 3600 && floor(var.backoff_max_seconds) == var.backoff_max_seconds
    error_message = "backoff_max_seconds must be a whole number from backoff_base_seconds to 3600."
  }
}

variable "stable_seconds" {
  description = "How long a restarted task must stay running before the recovery counts as a success, in seconds (0-3600)."
  type        = number
  default     = 120

  validation {
    condition     = var.stable_seconds >= 0 && var.stable_seconds <= 3600 && floor(var.stable_seconds) == var.stable_seconds
    error_message = "stable_seconds must be a whole number from 0 to 3600."
  }
}

variable "poll_seconds" {
  description = "Wait between looks at a task in a transitional state, in seconds (5-300)."
  type        = number
  default     = 30

  validation {
    condition     = var.poll_seconds >= 5 && var.poll_seconds <= 300 && floor(var.poll_seconds) == var.poll_seconds
    error_message = "poll_seconds must be a whole number from 5 to 300."
  }
}

variable "recovery_budget_minutes" {
  description = "Time budget of one recovery execution in minutes (10-1440); it then gives up and says what it tried."
  type        = number
  default     = 120

  validation {
    condition     = var.recovery_budget_minutes >= 10 && var.recovery_budget_minutes <= 1440 && floor(var.recovery_budget_minutes) == var.recovery_budget_minutes
    error_message = "recovery_budget_minutes must be a whole number from 10 to 1440."
  }
}

variable "max_restarts_per_window" {
  description = "Most restarts of one task within restart_window_hours, across executions (1-100); above it the task is flapping and recovery gives up."
  type        = number
  default     = 10

  validation {
    condition     = var.max_restarts_per_window >= 1 && var.max_restarts_per_window <= 100 && floor(var.max_restarts_per_window) == var.max_restarts_per_window
    error_message = "max_restarts_per_window must be a whole number from 1 to 100."
  }
}

variable "restart_window_hours" {
  description = "Window for max_restarts_per_window in hours (1-168)."
  type        = number
  default     = 24

  validation {
    condition     = var.restart_window_hours >= 1 && var.restart_window_hours <= 168 && floor(var.restart_window_hours) == var.restart_window_hours
    error_message = "restart_window_hours must be a whole number from 1 to 168."
  }
}

variable "non_recoverable_patterns" {
  description = "Regular expressions (Python syntax, matched case-insensitively against StopReason and LastFailureMessage) of failures a restart cannot fix; recovery gives up at once. null keeps the decider's built-in list (truncation, conversion, duplicate key, constraint violation, lost binlog position)."
  type        = list(string)
  default     = null

  validation {
    condition     = var.non_recoverable_patterns == null || alltrue([for p in coalesce(var.non_recoverable_patterns, []) : length(trimspace(p)) > 0])
    error_message = "non_recoverable_patterns must be null (the built-in list) or a list of non-empty regular expressions."
  }
}

variable "dry_run" {
  description = "Decide and notify what would be done, but never restart a task. Start with true on a new account."
  type        = bool
  default     = false
}

variable "alert_on_event" {
  description = "Also send a readable alert (task, event, message, time, console links) to the topic the moment EventBridge matches an event, before the recovery reports."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention in days of the Lambda and state machine log groups (a CloudWatch Logs value: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; 0 keeps logs forever)."
  type        = number
  default     = 30

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts: 0 (never expire), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "state_machine_log_level" {
  description = "Step Functions log level: ALL, ERROR, FATAL or OFF."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL", "OFF"], var.state_machine_log_level)
    error_message = "state_machine_log_level must be one of ALL, ERROR, FATAL, OFF."
  }
}

variable "tracing_enabled" {
  description = "Enable AWS X-Ray tracing of the state machine."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "ARN of your own customer-managed KMS key for the topic, dead-letter queue, lease table and log groups, instead of the key the module creates. Its key policy must admit what modules/kms_key/README.md lists (EventBridge, CloudWatch alarms, CloudWatch Logs, use through SNS, SQS and DynamoDB). Never the AWS-managed aws/sns or aws/sqs keys."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>), not an alias, or null."
  }
}

variable "create_kms_key" {
  description = "Whether the module creates its own customer-managed KMS key (rotated, key policy limited to the services that need it). null decides from kms_key_arn (create when it is null); set false when kms_key_arn is only known after apply (a key created in the same configuration). There is no unencrypted mode: false requires kms_key_arn."
  type        = bool
  default     = null
}

variable "create_alarms" {
  description = "Create CloudWatch alarms that notify the module's topic: state machine executions failed (a give-up), timed out or aborted; dead-letter queue not empty; EventBridge failed invocations per rule; decider Lambda errors and throttles."
  type        = bool
  default     = true
}

variable "create_dashboard" {
  description = "Create a CloudWatch dashboard: recoveries and give-ups, decisions by action, DMS events matched, dead letters, Lambda health and the alarms."
  type        = bool
  default     = true
}

variable "permissions_boundary" {
  description = "ARN of an IAM managed policy set as permissions boundary on every role the module creates; null for none."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.permissions_boundary))
    error_message = "permissions_boundary must be an IAM policy ARN (arn:<partition>:iam::<account>:policy/<name>) or null."
  }
}

variable "iam_path" {
  description = "IAM path of every role the module creates, e.g. \"/\" or \"/dms-recovery/\"."
  type        = string
  default     = "/"

  validation {
    condition     = can(regex("^/([A-Za-z0-9+=,.@_-]+/)*$", var.iam_path)) && length(var.iam_path) <= 512
    error_message = "iam_path must start and end with \"/\" (for example \"/\" or \"/dms-recovery/\") and hold only letters, digits and +=,.@_-."
  }
}

variable "lambda_package_path" {
  description = "Path of the decider Lambda package; null uses the module's committed dist/lambda.zip."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_package_path == null || try(fileexists(var.lambda_package_path), false)
    error_message = "lambda_package_path must name an existing zip file (build it with `make build`), or be null for the module's dist/lambda.zip."
  }
}

variable "tags" {
  description = "Tags for every taggable resource."
  type        = map(string)
  default     = {}
}
