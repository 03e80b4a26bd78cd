locals {
  state_machine_arn = "arn:${var.partition}:states:${var.region}:${var.account_id}:stateMachine:${var.name}"
  log_group_name    = "/aws/vendedlogs/states/${var.name}"
  log_group_arn     = "arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group:${local.log_group_name}"
  lease_table_arn   = "arn:${var.partition}:dynamodb:${var.region}:${var.account_id}:table/${var.lease_table_name}"

  definition = templatefile(var.definition_template_path, {
    partition              = var.partition
    decider_function_arn   = var.decider_function_arn
    notification_topic_arn = var.notification_topic_arn
    lease_table_name       = var.lease_table_name
    watched_task_arns      = jsonencode(var.watched_task_arns)
  })

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "StepFunctionsAssume"
      Effect    = "Allow"
      Principal = { Service = "states.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = var.account_id }
        ArnLike      = { "aws:SourceArn" = local.state_machine_arn }
      }
    }]
  })

  # A separate flag: the ARN of a key created in the same apply is unknown at plan time.
  kms_key_enabled = var.kms_key_enabled != null ? var.kms_key_enabled : var.kms_key_arn != null

  # Publishing to the encrypted topic and writing the encrypted lease table: the key's data key
  # actions on that key only. "longest" is the same policy with a key ARN longer than any real one, so the size
  # check below is known at plan time even when the key is created in the same apply.
  kms_policies = {
    for variant, arn in {
      actual  = var.kms_key_arn
      longest = "arn:aws-us-gov:kms:ap-southeast-99:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
      } : variant => jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Sid      = "UseEncryptionKey"
          Effect   = "Allow"
          Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
          Resource = arn
        }]
    })
  }

  # One inline policy per concern; each statement maps to an integration the ASL calls.
  policies = merge(
    {
      dms = jsonencode({
        Version = "2012-10-17"
        Statement = [
          {
            # aws-sdk:databasemigration:describeReplicationTasks / describeReplicationInstances.
            # "*": the DMS Describe* actions support no resource-level permissions (Service
            # Authorization Reference); the workflow filters by the watched task ARN itself.
            Sid      = "DescribeTasksAndInstances"
            Effect   = "Allow"
            Action   = ["dms:DescribeReplicationInstances", "dms:DescribeReplicationTasks"]
            Resource = "*"
          },
          {
            # aws-sdk:databasemigration:startReplicationTask, only on the watched tasks.
            Sid      = "StartWatchedTasks"
            Effect   = "Allow"
            Action   = "dms:StartReplicationTask"
            Resource = var.watched_task_arns
          },
        ]
      })
      lease = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          # dynamodb:updateItem on the lease table only (take, renew and release the lease).
          Sid      = "LeaseItems"
          Effect   = "Allow"
          Action   = "dynamodb:UpdateItem"
          Resource = local.lease_table_arn
        }]
      })
      notify = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          # sns:publish to the notification topic only.
          Sid      = "PublishNotifications"
          Effect   = "Allow"
          Action   = "sns:Publish"
          Resource = var.notification_topic_arn
        }]
      })
      decider = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          # lambda:invoke of the decider, unqualified or any version/alias of it.
          Sid      = "InvokeDecider"
          Effect   = "Allow"
          Action   = "lambda:InvokeFunction"
          Resource = [var.decider_function_arn, "${var.decider_function_arn}:*"]
        }]
      })
      logging = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          # "*": Step Functions log delivery is configured through CloudWatch Logs vended-log
          # APIs that support no resource-level permissions (AWS Step Functions developer guide,
          # "IAM policies for logging to CloudWatch Logs").
          Sid    = "VendedLogDelivery"
          Effect = "Allow"
          Action = [
            "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:DescribeLogGroups",
            "logs:DescribeResourcePolicies",
            "logs:GetLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:UpdateLogDelivery",
          ]
          Resource = "*"
        }]
      })
    },
    local.kms_key_enabled ? { kms = local.kms_policies.actual } : {},
    var.tracing_enabled ? {
      tracing = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          # "*": X-Ray trace and sampling APIs support no resource-level permissions.
          Sid    = "XRayTracing"
          Effect = "Allow"
          Action = [
            "xray:GetSamplingRules",
            "xray:GetSamplingTargets",
            "xray:PutTelemetryRecords",
            "xray:PutTraceSegments",
          ]
          Resource = "*"
        }]
      })
    } : {}
  )

  # IAM counts a role's inline policies together, without whitespace, against 10,240 characters.
  policies_size = sum([
    for name, p in local.policies : name == "kms" ? length(local.kms_policies.longest) : length(p)
  ])
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_iam_role" "this" {
  name                 = var.role_name
  path                 = var.iam_path
  permissions_boundary = var.permissions_boundary
  assume_role_policy   = local.assume_role_policy
  description          = "DMS auto-recovery state machine ${var.name}"
  tags                 = var.tags

  lifecycle {
    precondition {
      condition     = local.policies_size <= 10240
      error_message = "The state machine role's inline policies would be ${local.policies_size} characters, above IAM's 10,240 per role: watch fewer tasks per module instance (replication_task_arns) and add another instance of the module for the rest."
    }
  }
}

resource "aws_iam_role_policy" "this" {
  for_each = local.policies

  name   = each.key
  role   = aws_iam_role.this.id
  policy = each.value
}

resource "aws_sfn_state_machine" "this" {
  name       = var.name
  type       = "STANDARD"
  role_arn   = aws_iam_role.this.arn
  definition = local.definition

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.this.arn}:*"
    include_execution_data = var.include_execution_data
    level                  = var.log_level
  }

  tracing_configuration {
    enabled = var.tracing_enabled
  }

  tags = var.tags

  # The role must be able to deliver logs before the machine is created with logging on.
  depends_on = [aws_iam_role_policy.this]
}
