# The root module only wires the submodules; each owns one concern (see modules/*/README.md).

data "aws_partition" "current" {
  lifecycle {
    # Checks across inputs (validation blocks may only refer to their own variable in the
    # Terraform versions this module supports).
    precondition {
      condition     = var.backoff_max_seconds >= var.backoff_base_seconds
      error_message = "backoff_max_seconds (${var.backoff_max_seconds}) must be at least backoff_base_seconds (${var.backoff_base_seconds}): raise backoff_max_seconds or lower backoff_base_seconds."
    }
    precondition {
      condition     = !(var.create_sns_topic == false && var.existing_sns_topic_arn == null)
      error_message = "create_sns_topic is false but existing_sns_topic_arn is null: pass the ARN of the topic to notify, or leave create_sns_topic unset to let the module create one."
    }
    precondition {
      condition     = !(var.create_kms_key == false && var.kms_key_arn == null)
      error_message = "create_kms_key is false but kms_key_arn is null: pass the ARN of your own customer-managed key, or leave create_kms_key unset to let the module create one (the topic, queue, table and logs are always encrypted with a customer-managed key; AWS-managed aws/sns and aws/sqs keys would silently drop alerts)."
    }
    precondition {
      condition     = !(var.create_kms_key == true && var.kms_key_arn != null)
      error_message = "create_kms_key is true but kms_key_arn is set: remove one of them (the module either creates a key or uses yours)."
    }
    precondition {
      condition     = !(var.create_sns_topic == true && var.existing_sns_topic_arn != null)
      error_message = "create_sns_topic is true but existing_sns_topic_arn is set: remove one of them (the module either creates a topic or uses the existing one)."
    }
  }
}

data "aws_region" "current" {
  lifecycle {
    postcondition {
      condition     = alltrue([for parts in local.task_arn_parts : parts[3] == self.name])
      error_message = "replication_task_arns must all be in the provider's region (${self.name}); EventBridge only sees DMS events of its own region. Deploy one module instance per region, with a provider for that region."
    }
  }
}

data "aws_caller_identity" "current" {
  lifecycle {
    postcondition {
      condition     = alltrue([for parts in local.task_arn_parts : parts[4] == self.account_id && parts[1] == data.aws_partition.current.partition])
      error_message = "replication_task_arns must all be in the provider's account (${self.account_id}) and partition (${data.aws_partition.current.partition}); EventBridge only sees DMS events of its own account. Deploy the module in each task's account."
    }
  }
}

module "kms_key" {
  source = "./modules/kms_key"
  count  = local.create_kms_key ? 1 : 0

  alias_name             = "dms-auto-recovery/${var.name}"
  partition              = local.partition
  dns_suffix             = local.dns_suffix
  region                 = local.region
  account_id             = local.account_id
  event_rule_arn_pattern = "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${local.names.rule_prefix}-*"
  log_group_arns         = local.log_group_arns
  tags                   = local.tags
}

module "notifications" {
  source = "./modules/notifications"

  create_topic       = local.create_sns_topic
  topic_name         = local.names.topic
  existing_topic_arn = var.existing_sns_topic_arn
  email_addresses    = var.notification_emails
  event_rule_arns    = var.alert_on_event ? module.event_rules.rule_arns : []
  partition          = local.partition
  region             = local.region
  account_id         = local.account_id
  kms_key_arn        = local.kms_key_arn
  tags               = local.tags
}

module "decider_lambda" {
  source = "./modules/decider_lambda"

  function_name         = local.names.decider_function
  role_name             = local.names.decider_role
  package_path          = local.lambda_package_path
  environment_variables = local.decider_environment
  partition             = local.partition
  region                = local.region
  account_id            = local.account_id
  log_retention_days    = var.log_retention_days
  kms_key_arn           = local.kms_key_arn
  permissions_boundary  = var.permissions_boundary
  iam_path              = var.iam_path
  tags                  = local.tags
}

module "lease_table" {
  source = "./modules/lease_table"

  table_name      = local.names.lease_table
  partition       = local.partition
  region          = local.region
  account_id      = local.account_id
  kms_key_arn     = local.kms_key_arn
  kms_key_enabled = true # the key may be created in this apply
  tags            = local.tags
}

module "state_machine" {
  source = "./modules/state_machine"

  name                     = local.names.state_machine
  role_name                = local.names.sfn_role
  definition_template_path = local.asl_template_path
  partition                = local.partition
  region                   = local.region
  account_id               = local.account_id
  decider_function_arn     = module.decider_lambda.function_arn
  notification_topic_arn   = module.notifications.topic_arn
  lease_table_name         = module.lease_table.table_name
  watched_task_arns        = var.replication_task_arns
  log_level                = var.state_machine_log_level
  log_retention_days       = var.log_retention_days
  kms_key_arn              = local.kms_key_arn
  kms_key_enabled          = true # the key may be created in this apply
  tracing_enabled          = var.tracing_enabled
  permissions_boundary     = var.permissions_boundary
  iam_path                 = var.iam_path
  tags                     = local.tags
}

module "event_rules" {
  source = "./modules/event_rules"

  task_arns            = var.replication_task_arns
  rule_name_prefix     = local.names.rule_prefix
  role_name            = local.names.events_role
  dlq_name             = local.names.dlq
  state_machine_arn    = module.state_machine.state_machine_arn
  state_machine_name   = module.state_machine.state_machine_name
  alert_enabled        = var.alert_on_event
  alert_topic_arn      = module.notifications.topic_arn
  console_domain       = local.console_domain
  partition            = local.partition
  region               = local.region
  account_id           = local.account_id
  kms_key_arn          = local.kms_key_arn
  kms_key_enabled      = true # the key may be created in this apply
  permissions_boundary = var.permissions_boundary
  iam_path             = var.iam_path
  tags                 = local.tags
}

module "monitoring" {
  source = "./modules/monitoring"

  name              = var.name
  create_alarms     = var.create_alarms
  create_dashboard  = var.create_dashboard
  alarm_topic_arn   = module.notifications.topic_arn
  state_machine_arn = module.state_machine.state_machine_arn
  function_name     = module.decider_lambda.function_name
  decider_log_group = module.decider_lambda.log_group_name
  rule_names        = module.event_rules.rule_names
  dlq_name          = local.names.dlq
  partition         = local.partition
  region            = local.region
  account_id        = local.account_id
  tags              = local.tags
}
