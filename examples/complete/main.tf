# Every input of the module, with a customer-managed KMS key whose policy admits the services
# that must use it, and a permissions boundary on every role.
provider "aws" {
  region = var.region
}

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id
}

resource "aws_kms_key" "this" {
  description         = "dms-auto-recovery: topic, dead-letter queue, lease table and logs"
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        # EventBridge (alert to SNS, dead letters to SQS) and CloudWatch alarms publish to
        # encrypted destinations with the service principal, not with a role.
        Sid       = "ServicesPublishEncrypted"
        Effect    = "Allow"
        Principal = { Service = ["events.amazonaws.com", "cloudwatch.amazonaws.com"] }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
      {
        Sid       = "CloudWatchLogsEncrypt"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.${data.aws_partition.current.dns_suffix}" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*" }
        }
      },
    ]
  })
  tags = var.tags
}

# An organisation's boundary usually exists already; this one allows what the module's roles use.
resource "aws_iam_policy" "boundary" {
  name = "${var.name}-boundary"
  path = var.iam_path
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid    = "ModuleRoles"
      Effect = "Allow"
      Action = [
        "dms:DescribeReplicationInstances", "dms:DescribeReplicationTasks", "dms:StartReplicationTask",
        "dynamodb:UpdateItem", "sns:Publish", "lambda:InvokeFunction", "states:StartExecution",
        "logs:*", "xray:*", "kms:Decrypt", "kms:GenerateDataKey*",
      ]
      Resource = "*"
    }]
  })
  tags = var.tags
}

module "dms_recovery" {
  # source = "git::https://github.com/<org>/dms-auto-recovery.git?ref=v0.1.0"
  source = "../.."

  name                  = var.name
  replication_task_arns = var.replication_task_arns
  notification_emails   = var.notification_emails

  max_attempts            = 4
  backoff_base_seconds    = 120
  backoff_max_seconds     = 1800
  stable_seconds          = 300
  poll_seconds            = 60
  recovery_budget_minutes = 180
  max_restarts_per_window = 6
  restart_window_hours    = 12
  non_recoverable_patterns = [
    "(?i)truncat",
    "(?i)conversion",
    "(?i)duplicate (key|entry)",
    "(?i)violat(es|ion of) .*constraint",
    "Error 1236",
  ]
  dry_run        = false
  alert_on_event = true

  log_retention_days      = 90
  state_machine_log_level = "ALL"
  tracing_enabled         = true
  kms_key_arn             = aws_kms_key.this.arn

  permissions_boundary = aws_iam_policy.boundary.arn
  iam_path             = var.iam_path
  lambda_package_path  = "${path.module}/../../dist/lambda.zip"

  tags = var.tags
}
