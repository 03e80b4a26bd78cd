# Wiring between the submodules, name caps, sharding at the supported maximum and partitions
# (mocked provider; every ARN the module builds is known at plan time).

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
}

# The key the module creates, with an ARN known at plan time (a mocked ARN is otherwise unknown
# until apply), so the wiring of the key to every encrypted resource can be asserted.
override_resource {
  target          = module.kms_key[0].aws_kms_key.this
  override_during = plan
  values = {
    arn    = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    key_id = "11111111-2222-3333-4444-555555555555"
  }
}

variables {
  name                  = "orders"
  replication_task_arns = ["arn:aws:dms:us-east-1:123456789012:task:ORDERSCDC7QXKZ3N5L2T"]
  notification_emails   = ["ops@example.com"]
}

run "submodules_are_wired_together" {
  command = plan

  assert {
    condition     = output.state_machine_arn == "arn:aws:states:us-east-1:123456789012:stateMachine:orders-recovery"
    error_message = "state machine ARN is not built from partition, region, account and name"
  }
  assert {
    condition     = output.sns_topic_arn == "arn:aws:sns:us-east-1:123456789012:orders-notifications"
    error_message = "the module should create and output its own topic"
  }
  assert {
    condition     = output.sns_topic_policy_statements == null
    error_message = "sns_topic_policy_statements is only for an existing topic"
  }
  assert {
    condition     = strcontains(output.state_machine_definition, output.lambda_function_arn)
    error_message = "the definition does not call the decider function"
  }
  assert {
    condition     = strcontains(output.state_machine_definition, output.sns_topic_arn)
    error_message = "the definition does not publish to the topic"
  }
  assert {
    condition     = strcontains(output.state_machine_definition, output.lease_table_name)
    error_message = "the definition does not use the lease table"
  }
  assert {
    condition     = strcontains(output.state_machine_definition, jsonencode(var.replication_task_arns))
    error_message = "the definition does not hold the watched task ARNs as a JSON array"
  }
  assert {
    condition     = can(jsondecode(output.state_machine_definition))
    error_message = "the definition is not JSON"
  }
  assert {
    condition     = module.event_rules.rule_arns == ["arn:aws:events:us-east-1:123456789012:rule/orders-task-state-00"]
    error_message = "one task should give one rule"
  }
  assert {
    condition     = jsondecode(module.notifications.topic_policy).Statement[0].Condition.ArnEquals["aws:SourceArn"] == module.event_rules.rule_arns
    error_message = "the topic policy must admit exactly this module's rules"
  }
  assert {
    condition     = jsondecode(module.event_rules.role_policies["start-execution"]).Statement[0].Resource == output.state_machine_arn
    error_message = "the EventBridge role must start this state machine only"
  }
  assert {
    condition     = jsondecode(module.state_machine.role_policies["lease"]).Statement[0].Resource == output.lease_table_arn
    error_message = "the state machine may write the lease table only"
  }
  assert {
    condition     = jsonencode(jsondecode(module.state_machine.role_policies["dms"]).Statement[1].Resource) == jsonencode(var.replication_task_arns)
    error_message = "StartReplicationTask must be limited to the watched tasks"
  }
  assert {
    condition     = output.dlq_arn == "arn:aws:sqs:us-east-1:123456789012:orders-events-dlq"
    error_message = "DLQ ARN is wrong"
  }
}

run "the_module_key_encrypts_everything_and_the_role_may_use_it" {
  command = plan

  assert {
    condition     = output.kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    error_message = "by default the module creates its own key"
  }
  assert {
    condition = alltrue([
      module.notifications.topic_created,
      jsondecode(module.state_machine.role_policies["kms"]).Statement[0].Resource == output.kms_key_arn,
      jsonencode(jsondecode(module.state_machine.role_policies["kms"]).Statement[0].Action) == jsonencode(["kms:Decrypt", "kms:GenerateDataKey"]),
    ])
    error_message = "the state machine role must get kms:Decrypt and kms:GenerateDataKey on the module's key only"
  }
  assert {
    condition     = module.lease_table.table_arn != null && length(module.monitoring.alarm_names) == 7 && module.monitoring.dashboard_name == "orders"
    error_message = "alarms (3 state machine, 2 Lambda, DLQ; plus one per rule) and the dashboard are on by default"
  }
}

run "no_alarms_no_dashboard" {
  command = plan

  variables {
    create_alarms    = false
    create_dashboard = false
  }

  assert {
    condition     = length(output.alarm_names) == 0 && output.dashboard_name == null
    error_message = "create_alarms = false and create_dashboard = false must create neither"
  }
}

run "decider_environment_from_inputs" {
  command = plan

  variables {
    max_attempts            = 7
    backoff_base_seconds    = 30
    backoff_max_seconds     = 600
    stable_seconds          = 60
    poll_seconds            = 15
    recovery_budget_minutes = 90
    max_restarts_per_window = 4
    restart_window_hours    = 6
    dry_run                 = true
  }

  assert {
    condition = local.decider_environment == {
      MAX_ATTEMPTS            = "7"
      BACKOFF_BASE_SECONDS    = "30"
      BACKOFF_MAX_SECONDS     = "600"
      STABLE_SECONDS          = "60"
      POLL_SECONDS            = "15"
      RECOVERY_BUDGET_SECONDS = "5400"
      MAX_RESTARTS_PER_WINDOW = "4"
      RESTART_WINDOW_SECONDS  = "21600"
      DRY_RUN                 = "true"
    }
    error_message = "the decider environment does not map the inputs (minutes*60, hours*3600; no NON_RECOVERABLE_PATTERNS when null)"
  }
}

run "non_recoverable_patterns_passed_as_json" {
  command = plan

  variables {
    non_recoverable_patterns = ["(?i)truncat", "Error 1236"]
  }

  assert {
    condition     = jsondecode(local.decider_environment["NON_RECOVERABLE_PATTERNS"]) == ["(?i)truncat", "Error 1236"]
    error_message = "NON_RECOVERABLE_PATTERNS must be the JSON list of the patterns"
  }
}

run "existing_topic_is_left_alone" {
  command = plan

  variables {
    existing_sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:platform-alerts"
  }

  assert {
    condition     = output.sns_topic_arn == "arn:aws:sns:us-east-1:123456789012:platform-alerts"
    error_message = "the existing topic must be used"
  }
  assert {
    condition     = module.notifications.topic_created == false
    error_message = "no topic may be created when existing_sns_topic_arn is set"
  }
  assert {
    condition     = length(jsondecode(output.sns_topic_policy_statements)) == 2
    error_message = "the statements to add (EventBridge rules, CloudWatch alarms) must be output"
  }
  assert {
    condition     = strcontains(output.state_machine_definition, "arn:aws:sns:us-east-1:123456789012:platform-alerts")
    error_message = "the workflow must publish to the existing topic"
  }
}

run "no_alert_target_means_no_eventbridge_statement" {
  command = plan

  variables {
    alert_on_event = false
  }

  assert {
    condition     = length(jsondecode(module.notifications.topic_policy).Statement) == 1
    error_message = "without the alert, only CloudWatch alarms may publish to the topic"
  }
  assert {
    condition     = jsondecode(module.notifications.topic_policy).Statement[0].Principal.Service == "cloudwatch.amazonaws.com"
    error_message = "the remaining statement must be the CloudWatch alarms one"
  }
}

run "long_names_are_capped_and_unique" {
  command = plan

  variables {
    name = "dms-recovery-${join("", [for i in range(110) : "x"])}-a"
  }

  assert {
    condition = alltrue([
      length(local.names.decider_function) <= 64,
      length(local.names.decider_role) <= 64,
      length(local.names.sfn_role) <= 64,
      length(local.names.events_role) <= 64,
      length(local.names.state_machine) <= 80,
      length(local.names.dlq) <= 80,
      alltrue([for n in output.event_rule_names : length(n) <= 64]),
    ])
    error_message = "a name exceeds its AWS cap"
  }
  assert {
    condition     = endswith(local.names.sfn_role, "-${substr(sha256(var.name), 0, 8)}-recovery-sfn")
    error_message = "a shortened name must carry the hash of the full name"
  }
}

run "long_names_differ_only_at_the_end" {
  command = plan

  variables {
    name = "dms-recovery-${join("", [for i in range(110) : "x"])}-b"
  }

  assert {
    condition     = output.lambda_function_name != run.long_names_are_capped_and_unique.lambda_function_name
    error_message = "two long names with a common prefix must give different function names"
  }
  assert {
    condition     = output.state_machine_name != run.long_names_are_capped_and_unique.state_machine_name
    error_message = "two long names with a common prefix must give different state machine names"
  }
}

run "supported_maximum_of_tasks" {
  command = plan

  variables {
    replication_task_arns = [for i in range(100) : format("arn:aws:dms:us-east-1:123456789012:task:T%025d", i)]
  }

  assert {
    condition     = length(output.event_rule_arns) == 7
    error_message = "100 tasks should be sharded over 7 rules of at most 15"
  }
  assert {
    condition     = alltrue([for p in module.event_rules.event_patterns : length(p) <= 2048])
    error_message = "an event pattern exceeds 2,048 characters"
  }
  assert {
    condition     = sort(flatten([for p in module.event_rules.event_patterns : jsondecode(p).resources])) == sort(var.replication_task_arns)
    error_message = "the rules must cover every task exactly once"
  }
  assert {
    condition     = module.state_machine.role_policies_size <= 10240
    error_message = "the state machine role's inline policies exceed IAM's 10,240 characters"
  }
}

run "supported_maximum_in_govcloud_with_every_option" {
  command = plan

  override_data {
    target = data.aws_partition.current
    values = { partition = "aws-us-gov", dns_suffix = "amazonaws.com" }
  }
  override_data {
    target = data.aws_region.current
    values = { name = "us-gov-west-1" }
  }

  variables {
    replication_task_arns = [for i in range(100) : format("arn:aws-us-gov:dms:us-gov-west-1:123456789012:task:T%025d", i)]
    kms_key_arn           = "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    tracing_enabled       = true
  }

  assert {
    condition     = module.state_machine.role_policies_size <= 10240
    error_message = "the state machine role's inline policies exceed IAM's 10,240 characters"
  }
  assert {
    condition     = alltrue([for p in module.event_rules.event_patterns : length(p) <= 2048])
    error_message = "an event pattern exceeds 2,048 characters"
  }
}

run "china_partition" {
  command = plan

  override_data {
    target = data.aws_partition.current
    values = { partition = "aws-cn", dns_suffix = "amazonaws.com.cn" }
  }
  override_data {
    target = data.aws_region.current
    values = { name = "cn-north-1" }
  }
  override_resource {
    target          = module.kms_key[0].aws_kms_key.this
    override_during = plan
    values = {
      arn    = "arn:aws-cn:kms:cn-north-1:123456789012:key/11111111-2222-3333-4444-555555555555"
      key_id = "11111111-2222-3333-4444-555555555555"
    }
  }

  variables {
    replication_task_arns = ["arn:aws-cn:dms:cn-north-1:123456789012:task:ORDERSCDC7QXKZ3N5L2T"]
  }

  assert {
    condition     = startswith(output.state_machine_arn, "arn:aws-cn:states:cn-north-1:")
    error_message = "the state machine ARN must be in aws-cn"
  }
  assert {
    condition     = !strcontains(output.state_machine_definition, "arn:aws:")
    error_message = "the definition holds an arn:aws: ARN in the China partition"
  }
  assert {
    condition     = alltrue([for p in values(module.state_machine.role_policies) : !strcontains(p, "arn:aws:")])
    error_message = "a state machine policy holds an arn:aws: ARN in the China partition"
  }
  assert {
    condition     = !strcontains(module.notifications.topic_policy, "arn:aws:")
    error_message = "the topic policy holds an arn:aws: ARN in the China partition"
  }
  assert {
    condition     = strcontains(module.event_rules.alert_input_template, "https://console.amazonaws.cn/")
    error_message = "console links must use the China console domain"
  }
}
