"""Encryption, the module's KMS key policy, alarms and the dashboard, on real-provider plans.

Both ways of encrypting are planned: "default" creates the module's own key; "maximum" and
"china" bring the caller's key (conftest.SCENARIOS). No plan of its own: the scenarios are
shared with test_tf_plan.py.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

import pytest
from conftest import ACCOUNT, SCENARIOS
from tfplan_helpers import (
    as_list,
    in_module,
    of_type,
    only,
    statements,
    unknown_at_plan,
)

pytestmark = pytest.mark.terraform

KEY_ADMIN_ACTIONS = {
    "kms:CancelKeyDeletion",
    "kms:Create*",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:Revoke*",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
}
# What the key's data may be used for, and by whom (the Sids of the key policy).
SERVICE_STATEMENTS = {
    "DynamoDBDescribesKey": "dynamodb.amazonaws.com",
    "EventBridgeRules": "events.amazonaws.com",
    "CloudWatchAlarms": "cloudwatch.amazonaws.com",
    "CloudWatchLogsGroups": "logs.us-east-1.amazonaws.com",
}
AWS_MANAGED_KEYS = ("alias/aws/sns", "alias/aws/sqs")


def key_policy(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    key = only(of_type(plan, "aws_kms_key"))["values"]
    return {s["Sid"]: s for s in statements(key["policy"])}


def region_arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:us-east-1:{ACCOUNT}:{resource}"


# --- The module's own key ------------------------------------------------------------------


def test_created_key_policy_admits_exactly_the_services_that_need_it(
    plans: dict[str, Any],
) -> None:
    plan = plans["default"]
    key = only(of_type(plan, "aws_kms_key"))["values"]
    assert key["enable_key_rotation"] is True
    assert key["deletion_window_in_days"] == 30
    alias = only(of_type(plan, "aws_kms_alias"))["values"]
    assert alias["name"] == "alias/dms-auto-recovery/orders"
    policy = key_policy(plan)
    root = f"arn:aws:iam::{ACCOUNT}:root"

    # the account administers, but administration does not include using the key
    admin = policy.pop("AccountAdministers")
    assert admin["Principal"] == {"AWS": root}
    assert set(admin["Action"]) == KEY_ADMIN_ACTIONS
    assert "Condition" not in admin

    # principals of this account use it only through SNS, SQS and DynamoDB of this region
    via = policy.pop("UseThroughSnsSqsDynamoDB")
    assert via["Principal"] == {"AWS": root}
    assert via["Condition"] == {
        "StringEquals": {
            "kms:CallerAccount": ACCOUNT,
            "kms:ViaService": [
                "dynamodb.us-east-1.amazonaws.com",
                "sns.us-east-1.amazonaws.com",
                "sqs.us-east-1.amazonaws.com",
            ],
        }
    }
    assert "kms:Decrypt" in via["Action"] and "kms:GenerateDataKey*" in via["Action"]

    # the services, each limited to this account's (or this module's) resources
    assert {sid: s["Principal"]["Service"] for sid, s in policy.items()} == SERVICE_STATEMENTS
    dynamodb = policy["DynamoDBDescribesKey"]
    assert set(dynamodb["Action"]) == {"kms:Describe*", "kms:Get*", "kms:List*"}
    assert "Condition" not in dynamodb  # metadata only: no data key, nothing to decrypt

    events = policy["EventBridgeRules"]
    assert set(events["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey"}
    assert events["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    pattern = events["Condition"]["ArnLike"]["aws:SourceArn"]
    rules = [
        region_arn("events", f"rule/{r['values']['name']}")
        for r in of_type(plan, "aws_cloudwatch_event_rule")
    ]
    assert rules and all(fnmatch.fnmatchcase(rule, pattern) for rule in rules)
    assert not fnmatch.fnmatchcase(region_arn("events", "rule/someone-elses-rule"), pattern)

    alarms = policy["CloudWatchAlarms"]
    assert set(alarms["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey"}
    assert alarms["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": region_arn("cloudwatch", "alarm:*")},
    }

    logs = policy["CloudWatchLogsGroups"]
    groups = {
        region_arn("logs", f"log-group:{g['values']['name']}")
        for g in of_type(plan, "aws_cloudwatch_log_group")
    }
    assert len(groups) == 2
    assert set(logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]) == groups

    # nobody else: no "*" principal anywhere
    for stmt in key_policy(plan).values():
        assert stmt["Effect"] == "Allow"
        assert stmt["Principal"] != "*" and stmt["Principal"].get("AWS") in (None, root)


def test_created_key_encrypts_topic_queue_table_and_log_groups(plans: dict[str, Any]) -> None:
    # given the module's own key, whose ARN is only known after apply
    plan = plans["default"]
    unknown = unknown_at_plan(plan, "kms_master_key_id") | unknown_at_plan(plan, "kms_key_id")
    prefix = "module.recovery.module."
    # then every encrypted resource takes it (and none falls back to SSE-SQS or no key)
    assert unknown == {
        f"{prefix}notifications.aws_sns_topic.this[0]",
        f"{prefix}event_rules.aws_sqs_queue.dlq",
        f"{prefix}decider_lambda.aws_cloudwatch_log_group.this",
        f"{prefix}state_machine.aws_cloudwatch_log_group.this",
    }
    table = only(of_type(plan, "aws_dynamodb_table"))
    assert table["values"]["server_side_encryption"][0]["enabled"] is True
    (change,) = [c for c in plan["resource_changes"] if c["address"] == table["address"]]
    assert change["change"]["after_unknown"]["server_side_encryption"] == [{"kms_key_arn": True}]
    dlq = only(of_type(plan, "aws_sqs_queue"))["values"]
    assert dlq.get("sqs_managed_sse_enabled") is not True
    # and the state machine's KMS policy names that key: the only IAM document unknown at plan
    unknown_documents = {a for a in unknown_at_plan(plan, "policy") if "aws_iam_role_policy" in a}
    assert unknown_documents == {f'{prefix}state_machine.aws_iam_role_policy.this["kms"]'}


@pytest.mark.parametrize("scenario", ["maximum", "china"])
def test_callers_key_encrypts_everything_and_no_key_is_created(
    plans: dict[str, Any], scenario: str
) -> None:
    plan = plans[scenario]
    key = SCENARIOS[scenario]["kms_key_arn"]
    assert of_type(plan, "aws_kms_key") == []
    for topic in of_type(plan, "aws_sns_topic"):
        assert topic["values"]["kms_master_key_id"] == key
    dlq = only(of_type(plan, "aws_sqs_queue"))["values"]
    assert dlq["kms_master_key_id"] == key
    assert dlq.get("sqs_managed_sse_enabled") is not True
    table = only(of_type(plan, "aws_dynamodb_table"))["values"]
    assert table["server_side_encryption"] == [{"enabled": True, "kms_key_arn": key}]
    for group in of_type(plan, "aws_cloudwatch_log_group"):
        assert group["values"]["kms_key_id"] == key, group["address"]
    kms = only(
        [
            r
            for r in in_module(plan, "aws_iam_role_policy", "state_machine")
            if r["values"]["name"] == "kms"
        ]
    )
    (stmt,) = statements(kms["values"]["policy"])
    assert stmt["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert stmt["Resource"] == key


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_never_an_aws_managed_key(plans: dict[str, Any], scenario: str) -> None:
    text = json.dumps(plans[scenario]["planned_values"])
    for alias in AWS_MANAGED_KEYS:
        assert alias not in text


# --- Alarms and dashboard --------------------------------------------------------------------


def test_alarms_notify_the_topic_and_cover_every_failure_signal(plans: dict[str, Any]) -> None:
    # given the default plan: one rule, alarms and dashboard on
    plan = plans["default"]
    topic = region_arn("sns", only(of_type(plan, "aws_sns_topic"))["values"]["name"])
    machine = region_arn("states", "stateMachine:orders-recovery")
    alarms = of_type(plan, "aws_cloudwatch_metric_alarm")
    # then each signal has its alarm, on this module's resources, notifying its topic
    signals = {
        (a["values"]["namespace"], a["values"]["metric_name"]): a["values"]["dimensions"]
        for a in alarms
    }
    assert signals == {
        ("AWS/States", "ExecutionsFailed"): {"StateMachineArn": machine},
        ("AWS/States", "ExecutionsTimedOut"): {"StateMachineArn": machine},
        ("AWS/States", "ExecutionsAborted"): {"StateMachineArn": machine},
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"): {"QueueName": "orders-events-dlq"},
        ("AWS/Events", "FailedInvocations"): {"RuleName": "orders-task-state-00"},
        ("AWS/Lambda", "Errors"): {"FunctionName": "orders-decider"},
        ("AWS/Lambda", "Throttles"): {"FunctionName": "orders-decider"},
    }
    for alarm in alarms:
        values = alarm["values"]
        assert values["alarm_actions"] == [topic], alarm["address"]
        assert values["comparison_operator"] == "GreaterThanThreshold"
        assert values["threshold"] == 0
        assert values["treat_missing_data"] == "notBreaching"
        assert len(values["alarm_description"]) <= 1024
    # and the topic policy admits this account's alarms (the key policy too: above)
    (alarm_stmt,) = [
        s
        for s in statements(only(of_type(plan, "aws_sns_topic_policy"))["values"]["policy"])
        if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert alarm_stmt["Action"] == "sns:Publish"


def test_one_failed_invocations_alarm_per_rule_and_the_options_off(plans: dict[str, Any]) -> None:
    maximum = plans["maximum"]
    rules = {r["values"]["name"] for r in of_type(maximum, "aws_cloudwatch_event_rule")}
    per_rule = {
        a["values"]["dimensions"]["RuleName"]
        for a in of_type(maximum, "aws_cloudwatch_metric_alarm")
        if a["values"]["metric_name"] == "FailedInvocations"
    }
    assert per_rule == rules and len(rules) == 7
    for alarm in of_type(maximum, "aws_cloudwatch_metric_alarm"):
        assert len(alarm["values"]["alarm_name"]) <= 255
    # create_alarms = false, create_dashboard = false
    china = plans["china"]
    assert of_type(china, "aws_cloudwatch_metric_alarm") == []
    assert of_type(china, "aws_cloudwatch_dashboard") == []


def test_dashboard_shows_recoveries_give_ups_decisions_and_alarms(plans: dict[str, Any]) -> None:
    plan = plans["default"]
    dashboard = only(of_type(plan, "aws_cloudwatch_dashboard"))["values"]
    assert dashboard["dashboard_name"] == "orders"
    widgets = json.loads(dashboard["dashboard_body"])["widgets"]
    metrics = {
        (m[0], m[1])
        for w in widgets
        if w["type"] == "metric"
        for m in as_list(w["properties"]["metrics"])
    }
    assert {
        ("AWS/States", "ExecutionsSucceeded"),
        ("AWS/States", "ExecutionsFailed"),
        ("AWS/Events", "TriggeredRules"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/Lambda", "Errors"),
    } <= metrics
    (log,) = [w for w in widgets if w["type"] == "log"]
    assert "SOURCE '/aws/lambda/orders-decider'" in log["properties"]["query"]
    assert "by action" in log["properties"]["query"]
    (alarm_widget,) = [w for w in widgets if w["type"] == "alarm"]
    alarm_names = {a["values"]["alarm_name"] for a in of_type(plan, "aws_cloudwatch_metric_alarm")}
    assert set(alarm_widget["properties"]["alarms"]) == {
        region_arn("cloudwatch", f"alarm:{name}") for name in alarm_names
    }
