"""Plan-level checks of the module: real AWS provider, local moto endpoint, ``show -json``.

What a mocked provider cannot show: the IAM documents as AWS receives them, the rendered event
patterns and the deployed definition. Scenarios are in conftest.SCENARIOS.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest
from conftest import ACCOUNT, SCENARIOS, SUPPORTED_MAX_TASKS
from tfplan_helpers import (
    ASL_TEMPLATE,
    REPO,
    allowed,
    as_list,
    asl_integrations,
    definition_resources,
    iam_action,
    iam_documents,
    in_module,
    of_type,
    only,
    resources,
    role_policies,
    statements,
)

pytestmark = pytest.mark.terraform

IAM_INLINE_POLICY_LIMIT = 10_240  # characters, all inline policies of one role, no whitespace
TRUST_POLICY_LIMIT = 2_048  # default quota of a role trust policy
EVENT_PATTERN_LIMIT = 2_048
# The state machine role may allow what its definition calls and, beyond that, only these
# supporting actions, each with the reason it is needed.
VENDED_LOGS = (
    "Step Functions delivers execution logs to CloudWatch Logs through the vended-log APIs; "
    "the role configures that delivery (Step Functions developer guide, 'IAM policies for "
    "logging to CloudWatch Logs')"
)
SFN_SUPPORT_ACTIONS = {
    "logs:CreateLogDelivery": VENDED_LOGS,
    "logs:DeleteLogDelivery": VENDED_LOGS,
    "logs:DescribeLogGroups": VENDED_LOGS,
    "logs:DescribeResourcePolicies": VENDED_LOGS,
    "logs:GetLogDelivery": VENDED_LOGS,
    "logs:ListLogDeliveries": VENDED_LOGS,
    "logs:PutResourcePolicy": VENDED_LOGS,
    "logs:UpdateLogDelivery": VENDED_LOGS,
}
XRAY = "tracing_enabled: Step Functions sends trace segments and reads sampling rules as the role"
XRAY_ACTIONS = {
    "xray:GetSamplingRules": XRAY,
    "xray:GetSamplingTargets": XRAY,
    "xray:PutTelemetryRecords": XRAY,
    "xray:PutTraceSegments": XRAY,
}
KMS = (
    "sns:Publish to the topic and dynamodb:UpdateItem on the table, both encrypted with the "
    "customer-managed key, use the key's data keys as the calling role (only on that key)"
)
KMS_ACTIONS = {"kms:Decrypt": KMS, "kms:GenerateDataKey": KMS}

# Every action that may be allowed on Resource "*", with the reason it cannot be narrower.
NO_RESOURCE_LEVEL = "supports no resource-level permissions (Service Authorization Reference)"
STAR_RESOURCE_ALLOWED = {
    "dms:DescribeReplicationTasks": f"{NO_RESOURCE_LEVEL}; the workflow filters by task ARN",
    "dms:DescribeReplicationInstances": f"{NO_RESOURCE_LEVEL}; filtered by instance ARN",
    **{action: f"{NO_RESOURCE_LEVEL}: {why}" for action, why in SFN_SUPPORT_ACTIONS.items()},
    **{action: f"{NO_RESOURCE_LEVEL}: {why}" for action, why in XRAY_ACTIONS.items()},
}


def arn(plan: dict[str, Any], service: str, resource: str, partition: str = "aws") -> str:
    region = "cn-north-1" if partition == "aws-cn" else "us-east-1"
    return f"arn:{partition}:{service}:{region}:{ACCOUNT}:{resource}"


def sfn(plan: dict[str, Any]) -> dict[str, Any]:
    return only(of_type(plan, "aws_sfn_state_machine"))["values"]


def function_name(plan: dict[str, Any]) -> str:
    return str(only(of_type(plan, "aws_lambda_function"))["values"]["function_name"])


# --- IAM: least privilege ------------------------------------------------------------------


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_no_wildcard_or_service_wide_actions(plans: dict[str, Any], scenario: str) -> None:
    for address, document in iam_documents(plans[scenario]):
        for stmt in statements(document):
            assert "NotAction" not in stmt, address
            assert "NotResource" not in stmt, address
            for action in as_list(stmt["Action"]):
                assert action != "*", address
                assert not action.endswith(":*"), f"{address}: {action}"
                assert not action.startswith("dms:") or action in {
                    "dms:DescribeReplicationTasks",
                    "dms:DescribeReplicationInstances",
                    "dms:StartReplicationTask",
                }, f"{address}: {action}"


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_star_resource_only_where_no_resource_level_permissions(
    plans: dict[str, Any], scenario: str
) -> None:
    for address, document in iam_documents(plans[scenario]):
        for stmt in statements(document):
            if "*" in as_list(stmt.get("Resource", [])):
                assert set(as_list(stmt["Action"])) <= set(STAR_RESOURCE_ALLOWED), address


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_start_replication_task_only_on_watched_tasks(plans: dict[str, Any], scenario: str) -> None:
    grants = allowed(plans[scenario], "state_machine")
    assert grants["dms:StartReplicationTask"] == set(SCENARIOS[scenario]["replication_task_arns"])


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_decider_role_only_writes_its_own_logs(plans: dict[str, Any], scenario: str) -> None:
    plan = plans[scenario]
    partition = "aws-cn" if scenario == "china" else "aws"
    log_group = arn(plan, "logs", f"log-group:/aws/lambda/{function_name(plan)}", partition)
    assert allowed(plan, "decider_lambda") == {
        "logs:CreateLogStream": {f"{log_group}:*"},
        "logs:PutLogEvents": {f"{log_group}:*"},
    }


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_events_role_only_starts_this_state_machine(plans: dict[str, Any], scenario: str) -> None:
    plan = plans[scenario]
    partition = "aws-cn" if scenario == "china" else "aws"
    machine = arn(plan, "states", f"stateMachine:{sfn(plan)['name']}", partition)
    assert allowed(plan, "event_rules") == {"states:StartExecution": {machine}}
    assert {t["values"]["arn"] for t in of_type(plan, "aws_cloudwatch_event_target")} >= {machine}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_state_machine_role_allows_exactly_what_the_asl_calls(
    plans: dict[str, Any], scenario: str
) -> None:
    # given: the integrations the committed template calls, derived from its "Resource"s
    plan = plans[scenario]
    inputs = SCENARIOS[scenario]
    partition = "aws-cn" if scenario == "china" else "aws"
    integrations = asl_integrations(ASL_TEMPLATE.read_text())
    needed = {iam_action(i) for i in integrations}

    # when
    grants = allowed(plan, "state_machine")

    # then: every integration is allowed, and nothing else but logging/X-Ray/KMS support (the
    # KMS policy of a key created in the same apply is only known then: test_tf_security.py)
    extra = set(SFN_SUPPORT_ACTIONS) | set(XRAY_ACTIONS if inputs.get("tracing_enabled") else {})
    extra |= set(KMS_ACTIONS) if inputs.get("kms_key_arn") else set()
    assert set(grants) == needed | extra
    if inputs.get("kms_key_arn"):
        assert grants["kms:Decrypt"] == grants["kms:GenerateDataKey"] == {inputs["kms_key_arn"]}
    function = arn(plan, "lambda", f"function:{function_name(plan)}", partition)
    topic = (
        inputs.get("existing_sns_topic_arn")
        or only(of_type(plan, "aws_sns_topic"))["values"]["name"]
    )
    if not topic.startswith("arn:"):
        topic = arn(plan, "sns", topic, partition)
    table = only(of_type(plan, "aws_dynamodb_table"))["values"]["name"]
    expected_resources = {
        "dms:DescribeReplicationTasks": {"*"},
        "dms:DescribeReplicationInstances": {"*"},
        "dms:StartReplicationTask": set(inputs["replication_task_arns"]),
        "dynamodb:UpdateItem": {arn(plan, "dynamodb", f"table/{table}", partition)},
        "dynamodb:PutItem": {arn(plan, "dynamodb", f"table/{table}", partition)},
        "dynamodb:GetItem": {arn(plan, "dynamodb", f"table/{table}", partition)},
        "dynamodb:DeleteItem": {arn(plan, "dynamodb", f"table/{table}", partition)},
        "sns:Publish": {topic},
        "lambda:InvokeFunction": {function, f"{function}:*"},
    }
    for action in needed:
        assert grants[action] == expected_resources[action], action


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_trust_policies_name_the_account(plans: dict[str, Any], scenario: str) -> None:
    for role in of_type(plans[scenario], "aws_iam_role"):
        (stmt,) = statements(role["values"]["assume_role_policy"])
        service = stmt["Principal"]["Service"]
        assert stmt["Action"] == "sts:AssumeRole"
        if service in {"states.amazonaws.com", "events.amazonaws.com"}:
            conditions = {k for block in stmt["Condition"].values() for k in block}
            assert conditions == {"aws:SourceAccount", "aws:SourceArn"}, role["address"]
        else:
            assert service == "lambda.amazonaws.com", role["address"]
            assert stmt["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_roles_carry_boundary_and_path(plans: dict[str, Any]) -> None:
    roles = of_type(plans["default"], "aws_iam_role")
    assert len(roles) == 3
    for role in roles:
        assert (
            role["values"]["permissions_boundary"] == SCENARIOS["default"]["permissions_boundary"]
        )
        assert role["values"]["path"] == "/dms-recovery/"


def test_role_policies_within_iam_limits_at_supported_maximum(plans: dict[str, Any]) -> None:
    plan = plans["maximum"]
    assert len(SCENARIOS["maximum"]["replication_task_arns"]) == SUPPORTED_MAX_TASKS
    for module in ("state_machine", "decider_lambda", "event_rules"):
        size = sum(
            len(json.dumps(json.loads(p), separators=(",", ":")))
            for p in role_policies(plan, module)
        )
        assert size <= IAM_INLINE_POLICY_LIMIT, f"{module}: {size}"
    for role in of_type(plan, "aws_iam_role"):
        assert len(role["values"]["assume_role_policy"]) <= TRUST_POLICY_LIMIT, role["address"]


# --- SNS topic policy ------------------------------------------------------------------------


def test_topic_policy_admits_only_this_modules_rules_and_account_alarms(
    plans: dict[str, Any],
) -> None:
    plan = plans["default"]
    rules = {r["values"]["name"] for r in of_type(plan, "aws_cloudwatch_event_rule")}
    rule_arns = {arn(plan, "events", f"rule/{name}") for name in rules}
    stmts = {
        s["Principal"]["Service"]: s
        for s in statements(only(of_type(plan, "aws_sns_topic_policy"))["values"]["policy"])
    }
    assert set(stmts) == {"events.amazonaws.com", "cloudwatch.amazonaws.com"}
    events = stmts["events.amazonaws.com"]
    assert events["Action"] == "sns:Publish"
    assert set(as_list(events["Condition"]["ArnEquals"]["aws:SourceArn"])) == rule_arns
    assert events["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT
    alarms = stmts["cloudwatch.amazonaws.com"]
    assert alarms["Condition"]["ArnLike"]["aws:SourceArn"] == arn(plan, "cloudwatch", "alarm:*")
    assert alarms["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT


def test_existing_topic_keeps_its_policy(plans: dict[str, Any]) -> None:
    plan = plans["china"]
    assert of_type(plan, "aws_sns_topic") == []
    assert of_type(plan, "aws_sns_topic_policy") == []
    topic = SCENARIOS["china"]["existing_sns_topic_arn"]
    alert = [t for t in of_type(plan, "aws_cloudwatch_event_target") if t["values"]["arn"] == topic]
    assert len(alert) == 1


def test_dlq_policy_admits_only_this_modules_rules(plans: dict[str, Any]) -> None:
    plan = plans["maximum"]
    rules = {
        arn(plan, "events", f"rule/{r['values']['name']}")
        for r in of_type(plan, "aws_cloudwatch_event_rule")
    }
    (stmt,) = statements(only(of_type(plan, "aws_sqs_queue"))["values"]["policy"])
    assert stmt["Principal"] == {"Service": "events.amazonaws.com"}
    assert stmt["Action"] == "sqs:SendMessage"
    assert set(stmt["Condition"]["ArnEquals"]["aws:SourceArn"]) == rules
    for target in of_type(plan, "aws_cloudwatch_event_target"):
        assert target["values"]["retry_policy"], target["address"]
        assert target["values"]["dead_letter_config"], target["address"]


# --- Event rules -----------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_patterns_within_limit_and_cover_every_task_once(
    plans: dict[str, Any], scenario: str
) -> None:
    patterns = [
        json.loads(r["values"]["event_pattern"])
        for r in of_type(plans[scenario], "aws_cloudwatch_event_rule")
    ]
    covered = [arn for p in patterns for arn in p["resources"]]
    assert sorted(covered) == sorted(SCENARIOS[scenario]["replication_task_arns"])
    for rule in of_type(plans[scenario], "aws_cloudwatch_event_rule"):
        assert len(rule["values"]["event_pattern"]) <= EVENT_PATTERN_LIMIT
    for p in patterns:
        assert p["source"] == ["aws.dms"]
        assert p["detail-type"] == ["DMS Replication Task State Change"]
        assert p["detail"] == {"eventType": ["REPLICATION_TASK_FAILED", "REPLICATION_TASK_STOPPED"]}


def test_state_machine_target_passes_the_event_unchanged(plans: dict[str, Any]) -> None:
    plan = plans["default"]
    machine = arn(plan, "states", f"stateMachine:{sfn(plan)['name']}")
    (target,) = [
        t for t in of_type(plan, "aws_cloudwatch_event_target") if t["values"]["arn"] == machine
    ]
    values = target["values"]
    assert values.get("input") in (None, "")
    assert values.get("input_path") in (None, "")
    assert values["input_transformer"] == []


# --- Names -----------------------------------------------------------------------------------


def test_names_within_caps_for_long_names(plans: dict[str, Any]) -> None:
    plan = plans["maximum"]
    caps = {
        "aws_iam_role": ("name", 64),
        "aws_lambda_function": ("function_name", 64),
        "aws_cloudwatch_event_rule": ("name", 64),
        "aws_sfn_state_machine": ("name", 80),
        "aws_sqs_queue": ("name", 80),
    }
    names = []
    for rtype, (field, cap) in caps.items():
        for res in of_type(plan, rtype):
            name = res["values"][field]
            assert len(name) <= cap, f"{res['address']}: {name}"
            names.append(name)
    roles = [r["values"]["name"] for r in of_type(plan, "aws_iam_role")]
    assert len(set(roles)) == len(roles)
    rules = [r["values"]["name"] for r in of_type(plan, "aws_cloudwatch_event_rule")]
    assert len(set(rules)) == len(rules) == 7


def test_log_groups_and_tags(plans: dict[str, Any]) -> None:
    plan = plans["default"]
    groups = {g["values"]["name"] for g in of_type(plan, "aws_cloudwatch_log_group")}
    assert groups == {"/aws/lambda/orders-decider", "/aws/vendedlogs/states/orders-recovery"}
    for res in resources(plan):
        if res["mode"] == "managed" and "tags" in res["values"]:
            assert res["values"]["tags"].get("test") == "plan", res["address"]


# --- Definition ------------------------------------------------------------------------------


def test_deployed_definition_equals_render_asl_output(plans: dict[str, Any]) -> None:
    plan = plans["default"]
    script = REPO / "scripts" / "render_asl.py"
    source = REPO / "asl_templates" / "dms_recovery.asl.json.j2"
    if not script.exists() or not source.exists():
        pytest.skip("scripts/render_asl.py or the Jinja source is not there yet")
    table = only(of_type(plan, "aws_dynamodb_table"))["values"]["name"]
    topic = only(of_type(plan, "aws_sns_topic"))["values"]["name"]
    values = {
        "partition": "aws",
        "decider_function_arn": arn(plan, "lambda", f"function:{function_name(plan)}"),
        "notification_topic_arn": arn(plan, "sns", topic),
        "lease_table_name": table,
        "watched_task_arns": json.dumps(SCENARIOS["default"]["replication_task_arns"]),
    }
    args = [sys.executable, str(script), "--template", str(source)]
    for name, value in values.items():
        args += ["--var", f"{name}={value}"]
    rendered = subprocess.run(args, capture_output=True, text=True, check=True, cwd=REPO).stdout
    assert json.loads(sfn(plan)["definition"]) == json.loads(rendered)


@pytest.mark.parametrize("scenario", ["default", "china"])
def test_definition_resources_in_the_partition(plans: dict[str, Any], scenario: str) -> None:
    partition = "aws-cn" if scenario == "china" else "aws"
    values = sfn(plans[scenario])
    definition = json.loads(values["definition"])
    for resource in definition_resources(definition):
        assert resource.startswith(f"arn:{partition}:states:::"), resource
    assert values["type"] == "STANDARD"
    assert values["logging_configuration"][0]["level"] == "ERROR"


def test_china_partition_everywhere(plans: dict[str, Any]) -> None:
    plan = plans["china"]
    for address, document in iam_documents(plan):
        assert not re.search(r"arn:aws:", document), address
    assert "arn:aws:" not in sfn(plan)["definition"]
    for target in in_module(plan, "aws_cloudwatch_event_target", "event_rules"):
        for transformer in target["values"]["input_transformer"]:
            assert "https://console.amazonaws.cn/" in transformer["input_template"]
            assert "console.aws.amazon.com" not in transformer["input_template"]


# --- Decider Lambda --------------------------------------------------------------------------


def test_decider_environment_and_package(plans: dict[str, Any]) -> None:
    default = only(of_type(plans["default"], "aws_lambda_function"))["values"]
    assert default["handler"] == "dms_recovery.handler.lambda_handler"
    assert default["runtime"] == "python3.12"
    assert default["source_code_hash"]
    env = default["environment"][0]["variables"]
    assert env["RECOVERY_BUDGET_SECONDS"] == "7200"
    assert env["RESTART_WINDOW_SECONDS"] == "86400"
    assert env["DRY_RUN"] == "false"
    assert "NON_RECOVERABLE_PATTERNS" not in env
    maximum = only(of_type(plans["maximum"], "aws_lambda_function"))["values"]
    patterns = maximum["environment"][0]["variables"]["NON_RECOVERABLE_PATTERNS"]
    assert json.loads(patterns) == ["(?i)truncat", "Error 1236"]


def test_lease_table_shape(plans: dict[str, Any]) -> None:
    table = only(of_type(plans["default"], "aws_dynamodb_table"))["values"]
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["hash_key"] == "task_arn"
    assert table["attribute"] == [{"name": "task_arn", "type": "S"}]
    assert table["ttl"] == [{"attribute_name": "expires_at", "enabled": True}]
    encrypted = only(of_type(plans["maximum"], "aws_dynamodb_table"))["values"]
    assert encrypted["server_side_encryption"][0]["enabled"] is True


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_decider_accepts_the_environment_the_module_sets(
    plans: dict[str, Any], scenario: str
) -> None:
    from dms_recovery.config import Config, load_config

    env = only(of_type(plans[scenario], "aws_lambda_function"))["values"]["environment"][0]
    config = load_config(env["variables"])
    if scenario == "default":
        # The module's defaults are the handler's defaults.
        assert config == Config()
