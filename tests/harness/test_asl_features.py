"""ASL features the recovery workflow uses that moto 5.2.5 executes correctly *unpatched*.

Each test runs twice: on plain moto (every correction left out) and on the corrected moto, so the
report "works unpatched" stays true, and the corrections do not break it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from harness.clock import VirtualClock
from harness.fake_dms import FakeDms
from harness.moto_corrections import CORRECTION_NAMES, corrected_moto
from harness.workflow import ExecutionResult, WorkflowEnv

MODES = {"unpatched": CORRECTION_NAMES, "corrected": ()}


@pytest.fixture(params=sorted(MODES))
def env(request: pytest.FixtureRequest) -> Iterator[WorkflowEnv]:
    clock = VirtualClock(scale=1)
    with clock.activate(), corrected_moto(exclude=MODES[request.param]):
        yield WorkflowEnv(FakeDms(clock), clock=clock)


def run(env: WorkflowEnv, definition: dict[str, Any], payload: Any) -> ExecutionResult:
    machine = env.create_state_machine(definition, name=f"f-{uuid.uuid4().hex[:10]}")
    result = env.run(machine, payload, timeout=10)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    return result


def test_intrinsics_and_context_object(env: WorkflowEnv) -> None:
    """States.ArrayContains / States.Format / States.StringToJson / States.Array and
    $$.Execution.Id behave as on AWS."""
    machine = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Parameters": {
                    "watched.$": "States.ArrayContains($.watched, $.taskArn)",
                    "unwatched.$": "States.ArrayContains($.watched, 'arn:other')",
                    "subject.$": "States.Format('DMS task {} {}', $.name, $.action)",
                    "parsed.$": "States.StringToJson($.json)",
                    "array.$": "States.Array($.taskArn)",
                    "execution.$": "$$.Execution.Id",
                    "state.$": "$$.State.Name",
                },
                "End": True,
            }
        },
    }
    payload = {
        "taskArn": "arn:t1",
        "watched": ["arn:t0", "arn:t1"],
        "name": "orders-cdc",
        "action": "RESTART",
        "json": json.dumps({"a": [1, 2], "b": {"c": True}}),
    }
    result = run(env, machine, payload)
    assert result.output == {
        "watched": True,
        "unwatched": False,
        "subject": "DMS task orders-cdc RESTART",
        "parsed": {"a": [1, 2], "b": {"c": True}},
        "array": ["arn:t1"],
        "execution": result.execution_arn,
        "state": "P",
    }


CHOICE = {
    "StartAt": "C",
    "States": {
        "C": {
            "Type": "Choice",
            "Choices": [
                {
                    "And": [
                        {"Variable": "$.task.LastFailureMessage", "IsPresent": True},
                        {"Variable": "$.task.Status", "StringEquals": "failed"},
                        {"Variable": "$.dryRun", "BooleanEquals": False},
                    ],
                    "Next": "Failed",
                },
                {"Variable": "$.task.LastFailureMessage", "IsPresent": False, "Next": "NoMessage"},
            ],
            "Default": "Other",
        },
        "Failed": {"Type": "Pass", "Result": "failed", "End": True},
        "NoMessage": {"Type": "Pass", "Result": "no-message", "End": True},
        "Other": {"Type": "Pass", "Result": "other", "End": True},
    },
}


@pytest.mark.parametrize(
    ("payload", "branch"),
    [
        ({"task": {"Status": "failed", "LastFailureMessage": "x"}, "dryRun": False}, "failed"),
        ({"task": {"Status": "failed"}, "dryRun": False}, "no-message"),
        ({"task": {"Status": "failed", "LastFailureMessage": "x"}, "dryRun": True}, "other"),
    ],
)
def test_choice_is_present_string_and_boolean(
    env: WorkflowEnv, payload: dict[str, Any], branch: str
) -> None:
    result = run(env, CHOICE, payload)
    assert result.output == branch


def test_wait_seconds_path_and_catch_result_path(env: WorkflowEnv) -> None:
    """Wait SecondsPath reads the input; Catch with ResultPath keeps the input and adds
    {Error, Cause}; a Fail state's error is catchable by name."""
    machine = {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Try"},
            "Try": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Boom",
                        "States": {"Boom": {"Type": "Fail", "Error": "Custom.Err", "Cause": "c"}},
                    }
                ],
                "Catch": [{"ErrorEquals": ["Custom.Err"], "ResultPath": "$.error", "Next": "Done"}],
                "End": True,
            },
            "Done": {"Type": "Succeed"},
        },
    }
    result = run(env, machine, {"wait": 0, "keep": 1})
    assert result.output == {"wait": 0, "keep": 1, "error": {"Error": "Custom.Err", "Cause": "c"}}


def test_sns_publish_subject_and_message(env: WorkflowEnv) -> None:
    topic = env.create_topic()
    machine = {
        "StartAt": "N",
        "States": {
            "N": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {
                    "TopicArn": topic,
                    "Subject.$": "$.subject",
                    "Message.$": "$.message",
                },
                "ResultPath": "$.published",
                "End": True,
            }
        },
    }
    result = run(env, machine, {"subject": "DMS task recovered", "message": "line1\nline2"})
    assert "MessageId" in result.output["published"]
    [note] = env.notifications(topic)
    assert (note.subject, note.message) == ("DMS task recovered", "line1\nline2")


def test_dynamodb_update_item_condition_and_all_new(env: WorkflowEnv) -> None:
    """The lease pattern: conditional updateItem with ReturnValues ALL_NEW; a second owner's
    attempt fails with DynamoDB.ConditionalCheckFailedException (caught)."""
    table = env.create_lease_table()
    take = {
        "Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:updateItem",
        "Parameters": {
            "TableName": table,
            "Key": {"task_arn": {"S.$": "$.taskArn"}},
            "UpdateExpression": "SET #owner = :me, expires_at = :exp",
            "ConditionExpression": "attribute_not_exists(task_arn) OR expires_at < :now",
            "ExpressionAttributeNames": {"#owner": "owner"},
            "ExpressionAttributeValues": {
                ":me": {"S.$": "$$.Execution.Id"},
                ":exp": {"N.$": "States.Format('{}', $.expires)"},
                ":now": {"N.$": "States.Format('{}', $.now)"},
            },
            "ReturnValues": "ALL_NEW",
        },
        "ResultSelector": {"owner.$": "$.Attributes.owner.S"},
        "ResultPath": "$.lease",
        "Catch": [
            {
                "ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                "ResultPath": "$.held",
                "Next": "Held",
            }
        ],
        "End": True,
    }
    machine = {"StartAt": "Take", "States": {"Take": take, "Held": {"Type": "Succeed"}}}
    first = run(env, machine, {"taskArn": "arn:t1", "now": 100, "expires": 1000})
    assert first.output["lease"] == {"owner": first.execution_arn}
    second = run(env, machine, {"taskArn": "arn:t1", "now": 200, "expires": 1100})
    assert second.output["held"]["Error"] == "DynamoDB.ConditionalCheckFailedException"
    item = env.lease("arn:t1", table)
    assert item is not None
    assert item["owner"]["S"] == first.execution_arn
    assert item["expires_at"]["N"] == "1000"
