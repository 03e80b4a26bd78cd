locals {
  # A rule's event pattern is capped at 2,048 characters. Task ARNs are sharded across rules,
  # shard_size per rule: with the longest ARN the root module accepts (aws-us-gov partition, a
  # 15-character region and a 63-character task identifier, 116 characters) 15 ARNs make a
  # pattern of about 1,950 characters. A precondition on each rule checks the real length.
  shards = chunklist(var.task_arns, var.shard_size)

  patterns = [for shard in local.shards : jsonencode({
    source        = ["aws.dms"]
    "detail-type" = ["DMS Replication Task State Change"]
    detail        = { eventType = ["REPLICATION_TASK_FAILED", "REPLICATION_TASK_STOPPED"] }
    resources     = shard
  })]

  rule_names = [for i in range(length(local.shards)) : format("%s-%02d", var.rule_name_prefix, i)]
  rule_arns  = [for n in local.rule_names : "arn:${var.partition}:events:${var.region}:${var.account_id}:rule/${n}"]
  # A separate flag: the ARN of a key created in the same apply is unknown at plan time.
  kms_key_enabled = var.kms_key_enabled != null ? var.kms_key_enabled : var.kms_key_arn != null
  dlq_arn         = "arn:${var.partition}:sqs:${var.region}:${var.account_id}:${var.dlq_name}"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EventBridgeAssume"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = var.account_id }
        ArnEquals    = { "aws:SourceArn" = local.rule_arns }
      }
    }]
  })

  start_execution_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "StartRecovery"
      Effect   = "Allow"
      Action   = "states:StartExecution"
      Resource = var.state_machine_arn
    }]
  })

  dlq_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EventBridgeDeadLetters"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = local.dlq_arn
      Condition = {
        ArnEquals = { "aws:SourceArn" = local.rule_arns }
      }
    }]
  })

  # Readable alert: EventBridge fills <...> from input_paths; "\n" is a line break in the
  # JSON string the template produces (SNS then sends it as plain text).
  console = "https://${var.console_domain}"
  alert_lines = [
    "DMS replication task <event_type>",
    "",
    "Task: <task>",
    "Account: <account>, region: <region>",
    "Time: <time>",
    "Message: <message>",
    "",
    "Automatic recovery runs in state machine ${var.state_machine_name}; its executions:",
    "${local.console}/states/home?region=<region>#/statemachines/view/${var.state_machine_arn}",
    "DMS tasks: ${local.console}/dms/v2/home?region=<region>#tasks",
  ]
  alert_input_template = "\"${join("\\n", local.alert_lines)}\""
  alert_input_paths = {
    task       = "$.resources[0]"
    event_type = "$.detail.eventType"
    message    = "$.detail.detailMessage"
    time       = "$.time"
    region     = "$.region"
    account    = "$.account"
  }
}

resource "aws_cloudwatch_event_rule" "this" {
  count = length(local.shards)

  name          = local.rule_names[count.index]
  description   = "DMS auto-recovery: failed or stopped replication tasks (shard ${count.index + 1} of ${length(local.shards)})"
  event_pattern = local.patterns[count.index]
  tags          = var.tags

  lifecycle {
    precondition {
      condition     = length(local.patterns[count.index]) <= 2048
      error_message = "The event pattern of rule ${local.rule_names[count.index]} would be ${length(local.patterns[count.index])} characters, above EventBridge's 2,048: lower shard_size."
    }
  }
}

resource "aws_cloudwatch_event_target" "state_machine" {
  count = length(local.shards)

  rule      = aws_cloudwatch_event_rule.this[count.index].name
  target_id = "recovery-state-machine"
  arn       = var.state_machine_arn
  role_arn  = aws_iam_role.this.arn
  # No input or input transformer: the state machine takes the event exactly as DMS emits it.

  retry_policy {
    maximum_event_age_in_seconds = var.maximum_event_age_seconds
    maximum_retry_attempts       = var.maximum_retry_attempts
  }

  dead_letter_config {
    arn = aws_sqs_queue.dlq.arn
  }
}

resource "aws_cloudwatch_event_target" "alert" {
  count = var.alert_enabled ? length(local.shards) : 0

  rule      = aws_cloudwatch_event_rule.this[count.index].name
  target_id = "readable-alert"
  arn       = var.alert_topic_arn

  input_transformer {
    input_paths    = local.alert_input_paths
    input_template = local.alert_input_template
  }

  retry_policy {
    maximum_event_age_in_seconds = var.maximum_event_age_seconds
    maximum_retry_attempts       = var.maximum_retry_attempts
  }

  dead_letter_config {
    arn = aws_sqs_queue.dlq.arn
  }

  lifecycle {
    precondition {
      condition     = var.alert_topic_arn != null
      error_message = "alert_enabled is true but alert_topic_arn is null: pass the topic ARN."
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.role_name
  path                 = var.iam_path
  permissions_boundary = var.permissions_boundary
  assume_role_policy   = local.assume_role_policy
  description          = "EventBridge: start the DMS recovery state machine ${var.state_machine_name}"
  tags                 = var.tags
}

resource "aws_iam_role_policy" "start_execution" {
  name   = "start-execution"
  role   = aws_iam_role.this.id
  policy = local.start_execution_policy
}

resource "aws_sqs_queue" "dlq" {
  name                      = var.dlq_name
  message_retention_seconds = 1209600
  # SSE-SQS by default; a customer-managed key when given (never the AWS-managed aws/sqs key,
  # which EventBridge cannot use). Its key policy must admit events.amazonaws.com.
  sqs_managed_sse_enabled           = local.kms_key_enabled ? null : true
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = local.kms_key_enabled ? 300 : null
  # Inline rather than a separate aws_sqs_queue_policy: the provider waits ~25 s for queue
  # attributes to settle on each extra create and delete.
  policy = local.dlq_policy
  tags   = var.tags
}
