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

# A platform's own key, made with the module's key submodule (the same key policy the module
# gives the key it creates by default): the rules and log groups of this instance may use it.
module "kms_key" {
  # source = "git::https://github.com/<org>/dms-auto-recovery.git//modules/kms_key?ref=v0.1.0"
  source = "../../modules/kms_key"

  alias_name             = "${var.name}-platform"
  partition              = local.partition
  dns_suffix             = data.aws_partition.current.dns_suffix
  region                 = local.region
  account_id             = local.account_id
  event_rule_arn_pattern = "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${var.name}-task-state-*"
  log_group_arns = [
    "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/lambda/${var.name}-decider",
    "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/vendedlogs/states/${var.name}-recovery",
  ]
  tags = var.tags
}

# An organisation's boundary usually exists already; this one allows what the module's roles use.
resource "aws_iam_policy" "boundary" {
  #checkov:skip=CKV_AWS_290:A permissions boundary grants nothing; it caps the module's roles, whose own policies carry the resource constraints.
  #checkov:skip=CKV_AWS_355:A permissions boundary grants nothing; it caps the module's roles, whose own policies carry the resource constraints.
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
  kms_key_arn             = module.kms_key.key_arn
  create_kms_key          = false # the key's ARN is only known after apply
  create_alarms           = true
  create_dashboard        = true

  permissions_boundary = aws_iam_policy.boundary.arn
  iam_path             = var.iam_path
  lambda_package_path  = "${path.module}/../../dist/lambda.zip"

  tags = var.tags
}
