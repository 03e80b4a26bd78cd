# Many DMS tasks, one module instance per task (for_each over a map), all reporting to one
# SNS topic created here. The module leaves that topic's policy alone and outputs the
# statements its rules need; this example merges them into one policy.
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

# One key for the shared topic and every instance (instead of one key per instance): its policy
# admits the rules and log groups of all instances by their name prefix.
module "kms_key" {
  # source = "git::https://github.com/<org>/dms-auto-recovery.git//modules/kms_key?ref=v0.1.0"
  source = "../../modules/kms_key"

  alias_name             = "${var.name_prefix}-dms-recovery"
  partition              = local.partition
  dns_suffix             = data.aws_partition.current.dns_suffix
  region                 = local.region
  account_id             = local.account_id
  event_rule_arn_pattern = "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${var.name_prefix}-*-task-state-*"
  log_group_arns = [
    "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/lambda/${var.name_prefix}-*-decider",
    "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/vendedlogs/states/${var.name_prefix}-*-recovery",
  ]
  tags = var.tags
}

resource "aws_sns_topic" "shared" {
  name              = "${var.name_prefix}-dms-recovery"
  kms_master_key_id = module.kms_key.key_arn
  tags              = var.tags
}

module "dms_recovery" {
  # source = "git::https://github.com/<org>/dms-auto-recovery.git?ref=v0.1.0"
  source   = "../.."
  for_each = var.tasks

  name                   = "${var.name_prefix}-${each.key}"
  replication_task_arns  = [each.value.arn]
  existing_sns_topic_arn = aws_sns_topic.shared.arn
  create_sns_topic       = false # the ARN above is only known after apply
  kms_key_arn            = module.kms_key.key_arn
  create_kms_key         = false # likewise
  max_attempts           = each.value.max_attempts
  dry_run                = each.value.dry_run
  tags                   = merge(var.tags, { "dms-task" = each.key })
}

locals {
  # Statements of every instance, without their Sids (duplicates across instances), deduplicated
  # (the CloudWatch alarms statement is the same for all), then numbered.
  statements = distinct(flatten([
    for instance in module.dms_recovery : [
      for statement in jsondecode(instance.sns_topic_policy_statements) : {
        for key, value in statement : key => value if key != "Sid"
      }
    ]
  ]))
}

resource "aws_sns_topic_policy" "shared" {
  arn = aws_sns_topic.shared.arn
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [for i, statement in local.statements : merge(statement, { Sid = "DmsRecovery${i}" })]
  })
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.notification_emails)

  topic_arn = aws_sns_topic.shared.arn
  protocol  = "email"
  endpoint  = each.value
}
