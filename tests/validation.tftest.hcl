# Every validation rule of the root module fails the plan on bad input (mocked provider).
# Run from the repository root: terraform init -backend=false && terraform test

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

variables {
  name                  = "orders"
  replication_task_arns = ["arn:aws:dms:us-east-1:123456789012:task:ORDERSCDC7QXKZ3N5L2T"]
}

run "valid_minimal_input_plans" {
  command = plan
}

run "name_with_bad_characters" {
  command = plan
  variables { name = "orders recovery!" }
  expect_failures = [var.name]
}

run "name_too_long" {
  command = plan
  variables { name = join("", [for i in range(129) : "a"]) }
  expect_failures = [var.name]
}

run "no_task_arns" {
  command = plan
  variables { replication_task_arns = [] }
  expect_failures = [var.replication_task_arns]
}

run "more_task_arns_than_supported" {
  command = plan
  variables {
    replication_task_arns = [for i in range(101) : format("arn:aws:dms:us-east-1:123456789012:task:T%025d", i)]
  }
  expect_failures = [var.replication_task_arns]
}

run "malformed_task_arn" {
  command = plan
  variables { replication_task_arns = ["arn:aws:dms:us-east-1:123456789012:endpoint:SRC"] }
  expect_failures = [var.replication_task_arns]
}

run "task_identifier_instead_of_arn" {
  command = plan
  variables { replication_task_arns = ["orders-cdc"] }
  expect_failures = [var.replication_task_arns]
}

run "serverless_replication_config_arn" {
  command = plan
  variables { replication_task_arns = ["arn:aws:dms:us-east-1:123456789012:replication-config:ORDERSRC5T7Y"] }
  expect_failures = [var.replication_task_arns]
}

run "duplicate_task_arns" {
  command = plan
  variables {
    replication_task_arns = [
      "arn:aws:dms:us-east-1:123456789012:task:ORDERSCDC7QXKZ3N5L2T",
      "arn:aws:dms:us-east-1:123456789012:task:ORDERSCDC7QXKZ3N5L2T",
    ]
  }
  expect_failures = [var.replication_task_arns]
}

run "task_in_another_region" {
  command = plan
  variables { replication_task_arns = ["arn:aws:dms:eu-west-1:123456789012:task:ORDERSCDC7QXKZ3N5L2T"] }
  expect_failures = [data.aws_region.current]
}

run "task_in_another_account" {
  command = plan
  variables { replication_task_arns = ["arn:aws:dms:us-east-1:210987654321:task:ORDERSCDC7QXKZ3N5L2T"] }
  expect_failures = [data.aws_caller_identity.current]
}

run "task_in_another_partition" {
  command = plan
  variables { replication_task_arns = ["arn:aws-cn:dms:us-east-1:123456789012:task:ORDERSCDC7QXKZ3N5L2T"] }
  expect_failures = [data.aws_caller_identity.current]
}

run "bad_email" {
  command = plan
  variables { notification_emails = ["ops@example.com", "not-an-address"] }
  expect_failures = [var.notification_emails]
}

run "bad_existing_topic_arn" {
  command = plan
  variables { existing_sns_topic_arn = "arn:aws:sqs:us-east-1:123456789012:queue" }
  expect_failures = [var.existing_sns_topic_arn]
}

# One run per direction: each listed variable must fail its own range validation.
run "numbers_below_their_ranges" {
  command = plan
  variables {
    max_attempts            = 0
    backoff_base_seconds    = 4
    stable_seconds          = -1
    poll_seconds            = 4
    recovery_budget_minutes = 9
    max_restarts_per_window = 0
    restart_window_hours    = 0
  }
  expect_failures = [
    var.max_attempts,
    var.backoff_base_seconds,
    var.stable_seconds,
    var.poll_seconds,
    var.recovery_budget_minutes,
    var.max_restarts_per_window,
    var.restart_window_hours,
  ]
}

run "numbers_above_their_ranges" {
  command = plan
  variables {
    max_attempts            = 21
    backoff_max_seconds     = 3601
    stable_seconds          = 3601
    poll_seconds            = 301
    recovery_budget_minutes = 1441
    max_restarts_per_window = 101
    restart_window_hours    = 169
  }
  expect_failures = [
    var.max_attempts,
    var.backoff_max_seconds,
    var.stable_seconds,
    var.poll_seconds,
    var.recovery_budget_minutes,
    var.max_restarts_per_window,
    var.restart_window_hours,
  ]
}

run "max_attempts_fraction" {
  command = plan
  variables { max_attempts = 2.5 }
  expect_failures = [var.max_attempts]
}

run "backoff_base_above_range" {
  command = plan
  variables {
    backoff_base_seconds = 901
    backoff_max_seconds  = 3600
  }
  expect_failures = [var.backoff_base_seconds]
}

run "backoff_max_below_base" {
  command = plan
  variables {
    backoff_base_seconds = 300
    backoff_max_seconds  = 120
  }
  expect_failures = [data.aws_partition.current]
}

run "empty_non_recoverable_pattern" {
  command = plan
  variables { non_recoverable_patterns = ["truncat", " "] }
  expect_failures = [var.non_recoverable_patterns]
}

run "log_retention_not_a_cloudwatch_value" {
  command = plan
  variables { log_retention_days = 2 }
  expect_failures = [var.log_retention_days]
}

run "bad_state_machine_log_level" {
  command = plan
  variables { state_machine_log_level = "DEBUG" }
  expect_failures = [var.state_machine_log_level]
}

run "kms_alias_instead_of_key_arn" {
  command = plan
  variables { kms_key_arn = "alias/aws/sns" }
  expect_failures = [var.kms_key_arn]
}

run "bad_permissions_boundary" {
  command = plan
  variables { permissions_boundary = "boundary" }
  expect_failures = [var.permissions_boundary]
}

run "bad_iam_path" {
  command = plan
  variables { iam_path = "dms-recovery" }
  expect_failures = [var.iam_path]
}

run "missing_lambda_package" {
  command = plan
  variables { lambda_package_path = "does/not/exist.zip" }
  expect_failures = [var.lambda_package_path]
}

run "create_topic_false_without_existing_topic" {
  command = plan
  variables { create_sns_topic = false }
  expect_failures = [data.aws_partition.current]
}

run "create_topic_true_with_existing_topic" {
  command = plan
  variables {
    create_sns_topic       = true
    existing_sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:platform-alerts"
  }
  expect_failures = [data.aws_partition.current]
}

run "create_kms_key_false_without_a_key" {
  command = plan
  variables { create_kms_key = false }
  expect_failures = [data.aws_partition.current]
}

run "create_kms_key_true_with_a_key" {
  command = plan
  variables {
    create_kms_key = true
    kms_key_arn    = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }
  expect_failures = [data.aws_partition.current]
}
