"""The workflow runner end to end on a small recovery-shaped state machine, the decider clock,
and the same corrections inside a moto server process."""

from __future__ import annotations

import importlib
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped,unused-ignore]
import pytest

import harness.clock
from harness.clock import VirtualClock
from harness.fake_dms import FakeDms
from harness.moto_corrections import prepare_server_process
from harness.workflow import WorkflowEnv, local_aws

SDK = "arn:aws:states:::aws-sdk:databasemigration"
DMS_ERRORS = [
    "DatabaseMigration.ResourceNotFoundException",
    "databasemigration.ResourceNotFoundFaultException",
]
THROTTLE = [
    "DatabaseMigration.DatabaseMigrationException",
    "databasemigration.databasemigrationException",
]


def mini_recovery(function_arn: str, topic_arn: str, table: str) -> dict[str, Any]:
    """Lease -> describe -> decide -> restart/wait loop -> notify; a toy of the real ASL."""
    describe = {
        "Type": "Task",
        "Resource": f"{SDK}:describeReplicationTasks",
        "Parameters": {
            "Filters": [{"Name": "replication-task-arn", "Values.$": "States.Array($.taskArn)"}],
            "WithoutSettings": True,
        },
        "ResultSelector": {
            "Status.$": "$.ReplicationTasks[0].Status",
            "Task.$": "$.ReplicationTasks[0]",
        },
        "ResultPath": "$.look",
        "Retry": [
            {
                "ErrorEquals": THROTTLE,
                "IntervalSeconds": 5,
                "BackoffRate": 2,
                "MaxDelaySeconds": 60,
                "MaxAttempts": 5,
                "JitterStrategy": "FULL",
            }
        ],
        "Catch": [{"ErrorEquals": DMS_ERRORS, "ResultPath": "$.error", "Next": "Notify"}],
        "Next": "Decide",
    }
    return {
        "StartAt": "Lease",
        "States": {
            "Lease": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:updateItem",
                "Parameters": {
                    "TableName": table,
                    "Key": {"task_arn": {"S.$": "$.taskArn"}},
                    "UpdateExpression": "SET #o = :me",
                    "ConditionExpression": "attribute_not_exists(task_arn)",
                    "ExpressionAttributeNames": {"#o": "owner"},
                    "ExpressionAttributeValues": {":me": {"S.$": "$$.Execution.Id"}},
                    "ReturnValues": "ALL_NEW",
                },
                "ResultPath": None,
                "Next": "Describe",
            },
            "Describe": describe,
            "Decide": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": function_arn, "Payload.$": "$"},
                "ResultSelector": {
                    "action.$": "$.Payload.action",
                    "wait.$": "$.Payload.wait",
                    "attempts.$": "$.Payload.attempts",
                },
                "ResultPath": "$.decision",
                "Next": "Act",
            },
            "Act": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.decision.action", "StringEquals": "RESTART", "Next": "Start"},
                    {"Variable": "$.decision.action", "StringEquals": "WAIT", "Next": "Wait"},
                ],
                "Default": "Notify",
            },
            "Start": {
                "Type": "Task",
                "Resource": f"{SDK}:startReplicationTask",
                "Parameters": {
                    "ReplicationTaskArn.$": "$.taskArn",
                    "StartReplicationTaskType": "resume-processing",
                },
                "ResultPath": None,
                "Next": "Wait",
            },
            "Wait": {"Type": "Wait", "SecondsPath": "$.decision.wait", "Next": "Describe"},
            "Notify": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {
                    "TopicArn": topic_arn,
                    "Subject.$": "States.Format('DMS task {}', $.decision.action)",
                    "Message.$": "States.JsonToString($.decision)",
                },
                "ResultPath": None,
                "End": True,
            },
        },
    }


class StandInDecider:
    """Restart a failed task; succeed once it has run for 60 s after a restart."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        clock = importlib.import_module("dms_recovery.clock")
        now = clock.epoch_seconds()
        attempts = event.get("decision", {}).get("attempts", 0)
        status = event["look"]["Status"]
        if status == "failed":
            return {"action": "RESTART", "wait": 30, "attempts": attempts + 1, "now": now}
        if status == "running" and attempts:
            started = event.get("runningSince") or now
            if now - started >= 60 or len(self.events) > 8:
                return {"action": "SUCCEED", "wait": 0, "attempts": attempts, "now": now}
        return {"action": "WAIT", "wait": 30, "attempts": attempts, "now": now}


@pytest.fixture
def env() -> Iterator[WorkflowEnv]:
    with local_aws(scale=100, starting_seconds=20) as workflow_env:
        yield workflow_env


def deploy(env: WorkflowEnv, decider: StandInDecider) -> str:
    function = env.create_decider_function("decider", handler=decider)
    topic = env.create_topic()
    table = env.create_lease_table()
    return env.create_state_machine(mini_recovery(function, topic, table))


def test_first_restart_fails_second_holds(env: WorkflowEnv) -> None:
    decider = StandInDecider()
    task = env.dms.create_task()
    env.dms.set_failed(task)
    env.dms.fail_after_start(task, times=1, after_running_seconds=15)
    throttled_calls = 2
    env.dms.throttle(calls=throttled_calls, operations=["DescribeReplicationTasks"])
    machine = deploy(env, decider)

    result = env.run(machine, {"taskArn": task}, timeout=30)

    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert env.dms.restarts(task) == 2
    assert env.dms.start_types(task) == ["resume-processing", "resume-processing"]
    assert env.dms.status(task) == "running"
    outcomes = [c.outcome for c in result.dms_calls]
    assert outcomes.count("ThrottlingException") == throttled_calls
    [note] = result.notifications
    assert note.subject == "DMS task SUCCEED"
    assert json.loads(note.message)["attempts"] == 2
    assert result.state_transitions == len(result.states_entered())
    assert result.states_entered()[:3] == ["Lease", "Describe", "Decide"]
    assert result.lambda_outputs()[0]["action"] == "RESTART"
    lease = env.lease(task)
    assert lease is not None
    assert lease["owner"]["S"] == result.execution_arn
    # the decider saw the virtual clock: several minutes passed in a few real seconds
    virtual = result.lambda_outputs()[-1]["now"] - result.lambda_outputs()[0]["now"]
    assert virtual >= 60
    assert result.real_seconds < virtual / 10


def test_deleted_task_is_caught_and_notified(env: WorkflowEnv) -> None:
    decider = StandInDecider()
    task = env.dms.create_task()
    env.dms.set_failed(task)
    env.dms.delete_task(task, after_describe_calls=1)
    machine = deploy(env, decider)
    result = env.run(machine, {"taskArn": task}, timeout=30)
    assert result.status == "SUCCEEDED"  # caught: Notify reports the last decision
    assert ("databasemigration.ResourceNotFoundFaultException") in [
        error for error, _ in result.task_failures()
    ]
    assert env.dms.restarts(task) == 1


def test_wait_timeout_stops_the_execution(env: WorkflowEnv) -> None:
    machine = env.create_state_machine(
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10**6, "End": True}}},
        name="forever",
    )
    execution = env.start(machine, {})
    with pytest.raises(TimeoutError, match="still RUNNING"):
        env.wait(execution, timeout=0.5)
    sfn = env.client("stepfunctions")
    assert sfn.describe_execution(executionArn=execution)["status"] == "ABORTED"


def test_decider_clock_follows_the_virtual_clock() -> None:
    module = importlib.import_module("dms_recovery.clock")
    original = module.epoch_seconds
    clock = VirtualClock(scale=1, start=1_000_000.0)
    with clock.activate():
        assert 1_000_000 <= module.epoch_seconds() < 1_000_010
        clock.advance(3_600)
        assert module.epoch_seconds() >= 1_003_600
        assert harness.clock.active_clock() is clock
    assert module.epoch_seconds is original
    assert harness.clock.active_clock() is harness.clock.WALL_CLOCK


def test_decider_clock_stand_in_when_module_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness.clock, "DECIDER_CLOCK_MODULE", "no_such_package_xyz.clock")
    clock = VirtualClock(start=42.0)
    with clock.activate():
        stand_in = sys.modules["no_such_package_xyz.clock"]
        assert 42 <= stand_in.epoch_seconds() < 50
    assert "no_such_package_xyz.clock" not in sys.modules


def test_real_decider_handler_runs_in_process(env: WorkflowEnv) -> None:
    """The product's handler is what create_decider_function runs by default."""
    function = env.create_decider_function(environment={"MAX_ATTEMPTS": "3"})
    machine = env.create_state_machine(
        {
            "StartAt": "D",
            "States": {
                "D": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": function, "Payload": {"nonsense": True}},
                    "OutputPath": "$.Payload",
                    "End": True,
                }
            },
        },
        name="real-decider",
    )
    result = env.run(machine, {}, timeout=10)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert isinstance(result.output, dict)
    assert result.output.get("action") == "GIVE_UP"  # it refuses input it does not understand


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_corrections_apply_inside_a_moto_server(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    monkeypatch.setenv("MOTO_PORT", str(port))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    undo = prepare_server_process()
    try:
        url = f"http://127.0.0.1:{port}"
        clock = VirtualClock(scale=1)
        with clock.activate(), FakeDms(clock, endpoint_url=url) as dms:
            env = WorkflowEnv(dms, clock=clock, endpoint_url=url)
            task = dms.create_task()
            dms.set_failed(task)
            machine = env.create_state_machine(
                {
                    "StartAt": "D",
                    "States": {
                        "D": {
                            "Type": "Task",
                            "Resource": f"{SDK}:describeReplicationTasks",
                            "Parameters": {
                                "Filters": [
                                    {
                                        "Name": "replication-task-arn",
                                        "Values.$": "States.Array($.t)",
                                    }
                                ],
                                "WithoutSettings": True,
                            },
                            "ResultSelector": {
                                "status.$": "$.ReplicationTasks[0].Status",
                                "reason.$": "$.ReplicationTasks[0].StopReason",
                            },
                            "End": True,
                        }
                    },
                },
                name="server",
            )
            deadline = time.monotonic() + 5
            result = env.run(machine, {"t": task}, timeout=10)
            assert time.monotonic() < deadline + 10
        assert result.status == "SUCCEEDED", (result.error, result.cause)
        assert result.output == {"status": "failed", "reason": "Stop Reason RECOVERABLE_ERROR"}
        assert [c.operation for c in result.dms_calls] == ["DescribeReplicationTasks"]
    finally:
        undo()
        server.stop()
        os.environ.pop("MOTO_PORT", None)
        boto3.DEFAULT_SESSION = None
