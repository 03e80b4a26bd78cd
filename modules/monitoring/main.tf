locals {
  # Every alarm notifies the module's topic; each description tells on-call what to look at.
  state_machine_alarms = {
    "executions-failed" = {
      metric      = "ExecutionsFailed"
      description = "A recovery ended without bringing its task back (gave up, refused input, or a failed notification). The topic already carries the execution's own notification, which says why and what to do; open the execution in the Step Functions console for the details."
    }
    "executions-timed-out" = {
      metric      = "ExecutionsTimedOut"
      description = "A recovery hit the state machine's backstop timeout: it could neither notify nor release its lease (the lease expires on its own). Open the execution's history in the Step Functions console and check the task in DMS by hand."
    }
    "executions-aborted" = {
      metric      = "ExecutionsAborted"
      description = "A recovery was stopped by hand (StopExecution). Its lease expires on its own; check that the task is where you want it in DMS."
    }
  }
  lambda_alarms = {
    "decider-errors" = {
      metric      = "Errors"
      description = "The decider Lambda failed (an exception or timeout, not a decision). The recovery that called it notified 'the decider failed'; read the function's log group for the stack trace."
    }
    "decider-throttles" = {
      metric      = "Throttles"
      description = "The decider Lambda was throttled (account concurrency exhausted); recoveries retry, but may give up. Raise the account's Lambda concurrency or find what uses it."
    }
  }

  # Every alarm, keyed by its name: one shape (sum > 0 over one period, missing data is fine),
  # differing only in metric, dimensions and statistic.
  alarms = merge(
    { for key, alarm in local.state_machine_alarms : "${var.name}-${key}" => merge(alarm, {
      namespace = "AWS/States", dimensions = { StateMachineArn = var.state_machine_arn }
      statistic = "Sum", ok_actions = []
    }) },
    { for key, alarm in local.lambda_alarms : "${var.name}-${key}" => merge(alarm, {
      namespace = "AWS/Lambda", dimensions = { FunctionName = var.function_name }
      statistic = "Sum", ok_actions = []
    }) },
    { "${var.name}-dlq-not-empty" = {
      metric      = "ApproximateNumberOfMessagesVisible"
      description = "EventBridge could not deliver a DMS event to the recovery state machine (or the alert to the topic) after its retries: that failure was not recovered. Read the messages in queue ${var.dlq_name} (their attributes say why), start the state machine by hand with {\"taskArn\": ...} if the task is still down, then purge the queue."
      namespace   = "AWS/SQS", dimensions = { QueueName = var.dlq_name }
      statistic   = "Maximum", ok_actions = [var.alarm_topic_arn]
    } },
    { for rule in var.rule_names : "${rule}-failed-invocations" => {
      metric      = "FailedInvocations"
      description = "EventBridge rule ${rule} failed to invoke a target (the state machine or the alert topic); after its retries the event goes to the dead-letter queue ${var.dlq_name}. Check the role's permission to start the state machine and the topic's and key's policies."
      namespace   = "AWS/Events", dimensions = { RuleName = rule }
      statistic   = "Sum", ok_actions = []
    } },
  )
  alarm_names = keys(local.alarms)
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = var.create_alarms ? local.alarms : {}

  alarm_name          = each.key
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = var.period_seconds
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = each.value.ok_actions
  tags                = var.tags
}

locals {
  # Built from the names, so the dashboard body is known (and reviewable) at plan time.
  alarm_arns = var.create_alarms ? [
    for name in local.alarm_names : "arn:${var.partition}:cloudwatch:${var.region}:${var.account_id}:alarm:${name}"
  ] : []

  sfn = { StateMachineArn = var.state_machine_arn }
  widgets = concat(
    [
      {
        type = "metric", x = 0, y = 0, width = 12, height = 6
        properties = {
          title  = "Recoveries (succeeded) and give-ups (failed), per hour"
          region = var.region
          stat   = "Sum"
          period = 3600
          view   = "timeSeries"
          metrics = [
            ["AWS/States", "ExecutionsStarted", "StateMachineArn", var.state_machine_arn, { label = "started" }],
            ["AWS/States", "ExecutionsSucceeded", "StateMachineArn", var.state_machine_arn, { label = "succeeded (recovered, left alone, nothing to do)" }],
            ["AWS/States", "ExecutionsFailed", "StateMachineArn", var.state_machine_arn, { label = "failed (gave up: a person must act)" }],
            ["AWS/States", "ExecutionsTimedOut", "StateMachineArn", var.state_machine_arn, { label = "timed out" }],
            ["AWS/States", "ExecutionsAborted", "StateMachineArn", var.state_machine_arn, { label = "aborted" }],
          ]
        }
      },
      {
        type = "log", x = 12, y = 0, width = 12, height = 6
        properties = {
          title  = "Decisions by action (RESTART, WAIT, SUCCEED, SKIP, GIVE_UP)"
          region = var.region
          view   = "table"
          query  = "SOURCE '${var.decider_log_group}' | filter @message like /\"message\": \"decision\"/ | parse @message /\"action\": \"(?<action>[A-Z_]+)\"/ | parse @message /\"reason\": \"(?<reason>[^\"]+)\"/ | stats count(*) as decisions by action, reason | sort decisions desc"
        }
      },
      {
        type = "metric", x = 0, y = 6, width = 8, height = 6
        properties = {
          title  = "DMS events matched and failed deliveries"
          region = var.region
          stat   = "Sum"
          period = 300
          view   = "timeSeries"
          metrics = concat(
            [for rule in var.rule_names : ["AWS/Events", "TriggeredRules", "RuleName", rule]],
            [for rule in var.rule_names : ["AWS/Events", "FailedInvocations", "RuleName", rule]],
          )
        }
      },
      {
        type = "metric", x = 8, y = 6, width = 8, height = 6
        properties = {
          title   = "Dead letters (undelivered DMS events)"
          region  = var.region
          stat    = "Maximum"
          period  = 300
          view    = "timeSeries"
          metrics = [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.dlq_name]]
        }
      },
      {
        type = "metric", x = 16, y = 6, width = 8, height = 6
        properties = {
          title  = "Decider Lambda"
          region = var.region
          stat   = "Sum"
          period = 300
          view   = "timeSeries"
          metrics = [
            ["AWS/Lambda", "Invocations", "FunctionName", var.function_name],
            ["AWS/Lambda", "Errors", "FunctionName", var.function_name],
            ["AWS/Lambda", "Throttles", "FunctionName", var.function_name],
          ]
        }
      },
    ],
    var.create_alarms ? [
      {
        type = "alarm", x = 0, y = 12, width = 24, height = 4
        properties = {
          title  = "Alarms"
          alarms = local.alarm_arns
        }
      },
    ] : [],
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.create_dashboard ? 1 : 0

  # The alarm widget names the alarms: create them first.
  depends_on = [aws_cloudwatch_metric_alarm.this]

  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.widgets })
}
