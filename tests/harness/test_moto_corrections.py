"""Each correction in harness.moto_corrections: the AWS behaviour it restores, shown on moto.

Every test runs the behaviour with the correction (AWS result) and without it (moto 5.2.5's
result), so a moto upgrade that fixes or changes a behaviour shows up here first.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import boto3  # type: ignore[import-untyped,unused-ignore]
import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped,unused-ignore]

from harness.clock import VirtualClock
from harness.fake_dms import RECOVERABLE_MESSAGE, FakeDms
from harness.moto_corrections import (
    CORRECTION_NAMES,
    OBSERVED_ERROR_NAMES,
    corrected_moto,
)
from harness.workflow import ExecutionResult, WorkflowEnv

SDK = "arn:aws:states:::aws-sdk:databasemigration"


@contextmanager
def aws(
    exclude: Sequence[str] = (), scale: float = 1.0, decider: Any = None
) -> Iterator[WorkflowEnv]:
    clock = VirtualClock(scale=scale)
    with (
        clock.activate(),
        corrected_moto(decider=decider, exclude=exclude),
        FakeDms(clock, starting_seconds=0) as dms,
    ):
        yield WorkflowEnv(dms, clock=clock)


def run(env: WorkflowEnv, definition: dict[str, Any], payload: Any, timeout: float = 10.0) -> Any:
    machine = env.create_state_machine(definition, name=f"t-{uuid.uuid4().hex[:10]}")
    return env.run(machine, payload, timeout=timeout)


def single(state: dict[str, Any]) -> dict[str, Any]:
    """A one-state machine (any Next of ``state`` dropped)."""
    body = {key: value for key, value in state.items() if key != "Next"}
    return {"StartAt": "S", "States": {"S": {**body, "End": True}}}


def describe_task(arn_path: str = "$.taskArn", **extra: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": f"{SDK}:describeReplicationTasks",
        "Parameters": {
            "Filters": [{"Name": "replication-task-arn", "Values.$": f"States.Array({arn_path})"}],
            "WithoutSettings": True,
        },
        **extra,
    }


# ---------------------------------------------------------------- a. service name


def test_databasemigration_sdk_name_reaches_dms() -> None:
    """AWS: aws-sdk:databasemigration:describeReplicationTasks calls DMS."""
    with aws() as env:
        task = env.dms.create_task()
        result = run(
            env,
            single(describe_task(ResultSelector={"S.$": "$.ReplicationTasks[0].Status"})),
            {"taskArn": task},
        )
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == {"S": "ready"}


def test_without_correction_databasemigration_is_an_unknown_service() -> None:
    with aws(exclude=["sdk_service_name_databasemigration"]) as env:
        task = env.dms.create_task()
        result = run(env, single(describe_task()), {"taskArn": task})
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
    assert "Unknown service: 'databasemigration'" in (result.cause or "")


# ---------------------------------------------------------------- b. JSONPath


JSONPATH_MACHINE: dict[str, Any] = {
    "StartAt": "Pick",
    "States": {
        "Pick": {
            "Type": "Pass",
            "Parameters": {
                "field.$": "$.List[0].Field",
                "element.$": "$.List[0]",
                "all.$": "$.List[*].Field",
                "formatted.$": "States.Format('is {}', $.List[0].Field)",
                "wait.$": "$.List[0].Wait",
                "status.$": "$.List[0].Status",
            },
            "ResultPath": "$.p",
            "Next": "Select",
        },
        "Select": {
            **describe_task("$.List[0].TaskArn"),
            "ResultSelector": {"status.$": "$.ReplicationTasks[0].Status"},
            "ResultPath": "$.selected",
            "Next": "Wait",
        },
        "Wait": {"Type": "Wait", "SecondsPath": "$.p.wait", "Next": "Choose"},
        "Choose": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.p.status", "StringEquals": "failed", "Next": "Failed"}],
            "Default": "Other",
        },
        "Failed": {
            "Type": "Pass",
            "Result": "failed-branch",
            "ResultPath": "$.branch",
            "End": True,
        },
        "Other": {"Type": "Pass", "Result": "other-branch", "ResultPath": "$.branch", "End": True},
    },
}


def jsonpath_input(task_arn: str) -> dict[str, Any]:
    return {"List": [{"Field": "x", "Wait": 1, "Status": "failed", "TaskArn": task_arn}]}


def test_definite_jsonpath_returns_the_value() -> None:
    """AWS: $.List[0].Field is the value (Parameters, ResultSelector, intrinsics, SecondsPath,
    Choice); $.List[*].Field stays a list."""
    with aws(scale=10) as env:
        task = env.dms.create_task()
        result = run(env, JSONPATH_MACHINE, jsonpath_input(task))
    assert result.status == "SUCCEEDED", result.cause
    out = result.output["p"]
    assert out["field"] == "x"
    assert out["element"] == jsonpath_input(task)["List"][0]
    assert out["all"] == ["x"]
    assert out["formatted"] == "is x"
    assert result.output["selected"] == {"status": "ready"}
    assert result.output["branch"] == "failed-branch"


def test_without_correction_definite_jsonpath_yields_a_list() -> None:
    with aws(exclude=["jsonpath_definite_path_returns_value"]) as env:
        task = env.dms.create_task()
        result = run(env, single(JSONPATH_MACHINE["States"]["Pick"]), jsonpath_input(task))
        selector = describe_task(ResultSelector={"status.$": "$.ReplicationTasks[0].Status"})
        selected = run(env, single(selector), {"taskArn": task})
    assert result.status == "SUCCEEDED"
    assert result.output["p"]["field"] == ["x"]
    assert result.output["p"]["status"] == ["failed"]
    assert selected.output == {"status": ["ready"]}


# ---------------------------------------------------------------- c. dates in SDK output


def test_sdk_output_dates_are_iso_strings() -> None:
    """AWS: SDK-integration output is JSON; DescribeExecution shows dates as strings."""
    with aws() as env:
        task = env.dms.create_task()
        env.dms.set_failed(task)
        result = run(env, single(describe_task()), {"taskArn": task})
    assert result.status == "SUCCEEDED", result.cause
    described = result.output["ReplicationTasks"][0]
    assert described["ReplicationTaskCreationDate"].endswith("Z")
    assert described["ReplicationTaskStats"]["StopDate"].endswith("Z")
    time.strptime(described["ReplicationTaskStartDate"][:19], "%Y-%m-%dT%H:%M:%S")


def test_without_correction_dates_break_describe_execution() -> None:
    with aws(exclude=["sdk_integration_dates_as_strings"]) as env:
        task = env.dms.create_task()
        machine = env.create_state_machine(single(describe_task()), name="dates")
        execution = env.start(machine, {"taskArn": task})
        time.sleep(0.5)
        with pytest.raises(TypeError, match="datetime is not JSON serializable"):
            env.client("stepfunctions").describe_execution(executionArn=execution)


# ---------------------------------------------------------------- c. DMS task model


def _dms() -> Any:
    return boto3.client("dms", region_name="us-east-1")


def _describe(arn: str) -> dict[str, Any]:
    response = _dms().describe_replication_tasks(
        Filters=[{"Name": "replication-task-arn", "Values": [arn]}], WithoutSettings=True
    )
    task: dict[str, Any] = response["ReplicationTasks"][0]
    return task


def _raw_task(env: WorkflowEnv) -> str:
    instance = env.dms.create_instance()
    source, target = env.dms.create_endpoints()
    response = _dms().create_replication_task(
        ReplicationTaskIdentifier="raw",
        SourceEndpointArn=source,
        TargetEndpointArn=target,
        ReplicationInstanceArn=instance,
        MigrationType="full-load-and-cdc",
        TableMappings="{}",
    )
    assert response["ReplicationTask"]["Status"] == "creating"
    return str(response["ReplicationTask"]["ReplicationTaskArn"])


def test_created_task_becomes_ready() -> None:
    """AWS: a created task is `creating`, then `ready`."""
    with aws() as env:
        arn = _raw_task(env)
        assert _describe(arn)["Status"] == "ready"
    with aws(exclude=["dms_task_lifecycle"]) as env:
        arn = _raw_task(env)
        assert _describe(arn)["Status"] == "creating"


def test_started_task_is_starting_then_running() -> None:
    """AWS: StartReplicationTask answers `starting`; the task is `running` later."""
    with aws() as env:
        env.dms.uninstall()  # the plain correction, no scripted timing
        arn = _raw_task(env)
        _describe(arn)
        started = _dms().start_replication_task(
            ReplicationTaskArn=arn, StartReplicationTaskType="start-replication"
        )
        assert started["ReplicationTask"]["Status"] == "starting"
        assert _describe(arn)["Status"] == "running"
    with aws(exclude=["dms_start_honours_start_type"]) as env:
        arn = _raw_task(env)
        started = _dms().start_replication_task(
            ReplicationTaskArn=arn, StartReplicationTaskType="start-replication"
        )
        assert started["ReplicationTask"]["Status"] == "running"


def test_start_type_and_state_are_checked() -> None:
    """AWS: resume-processing needs a task that ran before; a running task cannot be started;
    a start while the replication instance is not available is InvalidResourceStateFault."""
    with aws() as env:
        task = env.dms.create_task()
        with pytest.raises(ClientError) as never_ran:
            _dms().start_replication_task(
                ReplicationTaskArn=task, StartReplicationTaskType="resume-processing"
            )
        assert never_ran.value.response["Error"]["Code"] == "InvalidResourceStateFault"
        env.dms.set_running(task)
        with pytest.raises(ClientError) as running:
            _dms().start_replication_task(
                ReplicationTaskArn=task, StartReplicationTaskType="resume-processing"
            )
        assert running.value.response["Error"]["Code"] == "InvalidResourceStateFault"
        env.dms.set_failed(task)
        env.dms.instance_unavailable(status="rebooting", seconds=60)
        with pytest.raises(ClientError) as instance:
            _dms().start_replication_task(
                ReplicationTaskArn=task, StartReplicationTaskType="resume-processing"
            )
        assert instance.value.response["Error"]["Code"] == "InvalidResourceStateFault"
    with aws(exclude=["dms_start_honours_start_type"]) as env:
        task = env.dms.create_task()
        _dms().start_replication_task(
            ReplicationTaskArn=task, StartReplicationTaskType="resume-processing"
        )


def test_described_task_has_stop_reason_and_failure_message() -> None:
    """AWS: StopReason and LastFailureMessage describe the last stop; WithoutSettings leaves
    out TableMappings/ReplicationTaskSettings; unset dates are absent, not null."""
    with aws() as env:
        task = env.dms.create_task()
        fresh = _describe(task)
        assert "ReplicationTaskStartDate" not in fresh
        assert "StopReason" not in fresh
        env.dms.set_failed(task)
        described = _describe(task)
        assert described["StopReason"] == "Stop Reason RECOVERABLE_ERROR"
        assert described["LastFailureMessage"] == RECOVERABLE_MESSAGE
        assert "TableMappings" not in described
        with_settings = _dms().describe_replication_tasks(
            Filters=[{"Name": "replication-task-arn", "Values": [task]}]
        )["ReplicationTasks"][0]
        assert "TableMappings" in with_settings
    with aws(exclude=["dms_task_description_fields"]) as env:
        task = env.dms.create_task()
        env.dms.set_failed(task)
        described = _describe(task)
        assert "StopReason" not in described
        assert "LastFailureMessage" not in described
        assert "TableMappings" in described


def test_filter_matching_nothing_raises_not_found() -> None:
    """AWS: DescribeReplicationTasks whose filter matches nothing is ResourceNotFoundFault."""
    missing = "arn:aws:dms:us-east-1:123456789012:task:GONE"
    with aws():
        with pytest.raises(ClientError) as error:
            _describe(missing)
        assert error.value.response["Error"]["Code"] == "ResourceNotFoundFault"
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with aws(exclude=["dms_describe_tasks_not_found"]):
        response = _dms().describe_replication_tasks(
            Filters=[{"Name": "replication-task-arn", "Values": [missing]}]
        )
        assert response["ReplicationTasks"] == []


# ---------------------------------------------------------------- d. error names (observed)


def _catch_all(state: dict[str, Any]) -> dict[str, Any]:
    return single(
        {
            **state,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
        }
    ) | {
        "States": {
            "S": {
                **state,
                "End": True,
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}
                ],
            },
            "Caught": {"Type": "Succeed"},
        }
    }


def _caught_error(result: ExecutionResult) -> str:
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    return str(result.output["error"]["Error"])


def test_error_names_of_failed_integrations() -> None:
    """Pins what moto names DMS/DynamoDB integration errors (not corrected: the product's
    Retry/Catch lists name both moto's and AWS's spelling; see OBSERVED_ERROR_NAMES)."""
    start = {
        "Type": "Task",
        "Resource": f"{SDK}:startReplicationTask",
        "Parameters": {
            "ReplicationTaskArn.$": "$.taskArn",
            "StartReplicationTaskType": "resume-processing",
        },
    }
    with aws() as env:
        task = env.dms.create_task()
        missing = run(env, _catch_all(describe_task()), {"taskArn": task + "X"})
        invalid = run(env, _catch_all(start), {"taskArn": task})
        env.dms.throttle(calls=1)
        throttled = run(env, _catch_all(describe_task()), {"taskArn": task})

        table = env.create_lease_table()
        env.client("dynamodb").put_item(
            TableName=table, Item={"task_arn": {"S": task}, "owner": {"S": "a"}}
        )
        update = {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:updateItem",
            "Parameters": {
                "TableName": table,
                "Key": {"task_arn": {"S.$": "$.taskArn"}},
                "UpdateExpression": "SET #o = :me",
                "ConditionExpression": "attribute_not_exists(task_arn) OR #o = :me",
                "ExpressionAttributeNames": {"#o": "owner"},
                "ExpressionAttributeValues": {":me": {"S": "b"}},
                "ReturnValues": "ALL_NEW",
            },
        }
        conditional = run(env, _catch_all(update), {"taskArn": task})

    observed = {
        "dms ResourceNotFoundFault via aws-sdk:databasemigration": _caught_error(missing),
        "dms InvalidResourceStateFault via aws-sdk:databasemigration": _caught_error(invalid),
        "dms ThrottlingException via aws-sdk:databasemigration": _caught_error(throttled),
        "dynamodb ConditionalCheckFailedException via dynamodb:updateItem": _caught_error(
            conditional
        ),
    }
    assert observed == {key: names["moto"] for key, names in OBSERVED_ERROR_NAMES.items()}
    assert observed["dms ResourceNotFoundFault via aws-sdk:databasemigration"] == (
        "databasemigration.ResourceNotFoundFaultException"
    )
    assert observed["dms ThrottlingException via aws-sdk:databasemigration"] == (
        "databasemigration.databasemigrationException"
    )


def test_catch_listing_both_spellings_matches() -> None:
    """ErrorEquals is an exact match: a list naming AWS's and moto's spelling catches on moto."""
    machine = {
        "StartAt": "S",
        "States": {
            "S": {
                **describe_task(),
                "Catch": [
                    {
                        "ErrorEquals": [
                            "DatabaseMigration.ResourceNotFoundException",
                            "databasemigration.ResourceNotFoundFaultException",
                        ],
                        "ResultPath": "$.error",
                        "Next": "Gone",
                    }
                ],
                "End": True,
            },
            "Gone": {"Type": "Pass", "Result": "gone", "End": True},
        },
    }
    with aws() as env:
        task = env.dms.create_task()
        env.dms.delete_task(task)
        result = run(env, machine, {"taskArn": task})
    assert result.status == "SUCCEEDED"
    assert result.output == "gone"


# ---------------------------------------------------------------- e. Lambda in-process


def _stand_in_decider(event: Any, context: Any) -> Any:
    if event.get("explode"):
        raise ValueError("policy blew up")
    return {"action": "RESTART", "seen": event, "function": context.function_name}


INVOKE = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "decider", "Payload.$": "$"},
    "ResultSelector": {"decision.$": "$.Payload"},
}


def test_lambda_invoke_runs_the_python_handler() -> None:
    """AWS: lambda:invoke runs the function; its result is at $.Payload."""
    with aws(decider=_stand_in_decider) as env:
        env.create_decider_function("decider", handler=_stand_in_decider)
        result = run(env, single(INVOKE), {"taskArn": "t"})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == {
        "decision": {"action": "RESTART", "seen": {"taskArn": "t"}, "function": "decider"}
    }


def test_lambda_exception_is_a_catchable_function_error() -> None:
    """AWS: an unhandled exception fails the task with Error = the exception type and a
    JSON cause (errorMessage/errorType/stackTrace); States.TaskFailed catches it."""
    machine = {
        "StartAt": "S",
        "States": {
            "S": {
                **INVOKE,
                "Catch": [
                    {"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "C"}
                ],
                "End": True,
            },
            "C": {"Type": "Succeed"},
        },
    }
    with aws() as env:
        env.create_decider_function("decider", handler=_stand_in_decider)
        result = run(env, machine, {"explode": True})
        uncaught = run(env, single(INVOKE), {"explode": True})
    assert result.status == "SUCCEEDED"
    assert result.output["error"]["Error"] == "ValueError"
    cause = json.loads(result.output["error"]["Cause"])
    assert cause["errorMessage"] == "policy blew up"
    assert cause["errorType"] == "ValueError"
    assert uncaught.status == "FAILED"
    assert uncaught.error == "ValueError"


def test_without_correction_lambda_echoes_the_payload() -> None:
    with aws(exclude=["lambda_invoke_runs_python_handler"]) as env:
        env.create_decider_function("decider", handler=_stand_in_decider)
        result = run(env, single(INVOKE), {"explode": True})
    assert result.status == "SUCCEEDED"
    assert result.output == {"decision": {"explode": True}}


# ---------------------------------------------------------------- virtual clock hooks


def test_wait_states_follow_the_virtual_clock() -> None:
    """A Wait of 300 s (Seconds, SecondsPath, Timestamp) lasts 300/scale real seconds."""
    machine = {
        "StartAt": "Seconds",
        "States": {
            "Seconds": {"Type": "Wait", "Seconds": 300, "Next": "Path"},
            "Path": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Until"},
            "Until": {"Type": "Wait", "TimestampPath": "$.until", "End": True},
        },
    }
    with aws(scale=600) as env:
        until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(env.clock.now() + 900))
        started = env.clock.now()
        result = run(env, machine, {"wait": 300, "until": until}, timeout=10)
        elapsed = env.clock.now() - started
    assert result.status == "SUCCEEDED"
    assert 900 <= elapsed < 1500
    assert result.real_seconds < 3


def test_without_correction_waits_take_real_time() -> None:
    with aws(scale=600, exclude=["wait_states_follow_virtual_clock"]) as env:
        machine = env.create_state_machine(single({"Type": "Wait", "Seconds": 300}), name="w")
        with pytest.raises(TimeoutError):
            env.run(machine, {}, timeout=1.5)


TIMEOUT_MACHINE = {
    "TimeoutSeconds": 600,
    "StartAt": "W",
    "States": {"W": {"Type": "Wait", "Seconds": 6000, "End": True}},
}


def test_execution_timeout_follows_the_virtual_clock() -> None:
    """AWS: TimeoutSeconds 600 ends the execution TIMED_OUT after 600 (virtual) seconds."""
    with aws(scale=600) as env:
        result = run(env, TIMEOUT_MACHINE, {}, timeout=10)
    assert result.status == "TIMED_OUT"
    assert result.real_seconds < 5


def test_without_correction_execution_timeout_is_real_time() -> None:
    with aws(scale=600, exclude=["execution_timeout_follows_virtual_clock"]) as env:
        machine = env.create_state_machine(TIMEOUT_MACHINE, name="timeout")
        with pytest.raises(TimeoutError):
            env.run(machine, {}, timeout=2.5)


class RecordingClock(VirtualClock):
    def __init__(self, scale: float) -> None:
        super().__init__(scale=scale)
        self.slept: list[float] = []

    def sleep(self, virtual_seconds: float) -> None:
        self.slept.append(virtual_seconds)
        super().sleep(virtual_seconds)


def _always_fails(event: Any, context: Any) -> Any:
    raise RuntimeError("try again")


@pytest.mark.parametrize("jitter", ["NONE", "FULL"])
def test_retry_backoff_is_capped_jittered_and_virtual(jitter: str) -> None:
    """AWS: IntervalSeconds * BackoffRate^n, capped by MaxDelaySeconds, FULL jitter in [0, d];
    moto computes this unpatched, the harness only scales the sleep."""
    machine = single(
        {
            **INVOKE,
            "Retry": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "IntervalSeconds": 10,
                    "BackoffRate": 3,
                    "MaxDelaySeconds": 20,
                    "MaxAttempts": 3,
                    "JitterStrategy": jitter,
                }
            ],
        }
    )
    clock = RecordingClock(scale=200)
    with clock.activate(), corrected_moto(handlers={"decider": _always_fails}):
        env = WorkflowEnv(FakeDms(clock), clock=clock)
        env.create_decider_function("decider", handler=_always_fails)
        result = run(env, machine, {})
    assert result.status == "FAILED"
    assert result.error == "RuntimeError"
    assert len(result.events_of("TaskFailed")) == 4
    if jitter == "NONE":
        assert clock.slept == [10, 20, 20]
    else:
        assert len(clock.slept) == 3
        caps = [10, 20, 20]
        assert all(0 <= s <= cap for s, cap in zip(clock.slept, caps, strict=True))
        assert clock.slept != caps


def test_every_correction_has_a_docstring() -> None:
    from harness.moto_corrections import CORRECTIONS

    assert len(CORRECTION_NAMES) == len(set(CORRECTION_NAMES))
    for correction in CORRECTIONS:
        assert "AWS" in correction.doc or "Injection point" in correction.doc, correction.name


def _racing_lease_takers(exclude: Sequence[str], monkeypatch: pytest.MonkeyPatch) -> int:
    """Eight threads take the same lease at once; return how many conditional writes won."""
    from moto.dynamodb.models.table import Table

    original_get_item = Table.get_item

    def slow_get_item(self: Any, *args: Any, **kwargs: Any) -> Any:
        time.sleep(0.05)  # widen the read-check-write window, as a busy server would
        return original_get_item(self, *args, **kwargs)

    monkeypatch.setattr(Table, "get_item", slow_get_item)
    with aws(exclude=exclude) as env:
        table = env.create_lease_table("race")
        client = env.client("dynamodb")
        winners: list[str] = []

        def take(owner: str) -> None:
            try:
                client.update_item(
                    TableName=table,
                    Key={"task_arn": {"S": "arn:aws:dms:us-east-1:123456789012:task:T"}},
                    UpdateExpression="SET lease_owner = :owner",
                    ConditionExpression="attribute_not_exists(lease_owner)",
                    ExpressionAttributeValues={":owner": {"S": owner}},
                )
                winners.append(owner)
            except ClientError as error:
                assert error.response["Error"]["Code"] == "ConditionalCheckFailedException"

        threads = [threading.Thread(target=take, args=(f"e{i}",)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return len(winners)


def test_conditional_writes_are_atomic(monkeypatch: pytest.MonkeyPatch) -> None:
    # AWS: exactly one of several concurrent conditional writes to one item succeeds
    assert _racing_lease_takers((), monkeypatch) == 1


def test_without_correction_concurrent_conditional_writes_all_win(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _racing_lease_takers(("dynamodb_conditional_writes_are_atomic",), monkeypatch) > 1


# ---------------------------------------------------------------- server-only corrections
# (what the Terraform AWS provider needs of a moto server; applied by harness.local_server)


@contextmanager
def server_corrected(exclude: Sequence[str] = ()) -> Iterator[Any]:
    """Corrected moto plus the server-only corrections; yields a Step Functions client."""
    from harness.moto_corrections import apply_server_corrections

    undo = apply_server_corrections(exclude=exclude)
    try:
        with corrected_moto():
            yield boto3.client("stepfunctions", region_name="us-east-1")
    finally:
        undo()


def test_validate_state_machine_definition_answers_ok_or_fail() -> None:
    """AWS: ValidateStateMachineDefinition returns OK, or FAIL with ERROR diagnostics."""
    good = json.dumps({"StartAt": "S", "States": {"S": {"Type": "Succeed"}}})
    with server_corrected() as sfn:
        assert sfn.validate_state_machine_definition(definition=good)["result"] == "OK"
        broken = sfn.validate_state_machine_definition(definition="{not json")
        dangling = sfn.validate_state_machine_definition(
            definition=json.dumps({"StartAt": "Nope", "States": {"S": {"Type": "Succeed"}}})
        )
    assert broken["result"] == "FAIL"
    assert broken["diagnostics"][0]["code"] == "INVALID_JSON_DESCRIPTION"
    assert dangling["result"] == "FAIL"
    assert dangling["diagnostics"][0]["code"] == "MISSING_TRANSITION_TARGET"


def test_without_correction_validate_state_machine_definition_is_missing() -> None:
    good = json.dumps({"StartAt": "S", "States": {"S": {"Type": "Succeed"}}})
    with (
        server_corrected(exclude=("sfn_validate_state_machine_definition",)) as sfn,
        pytest.raises(Exception) as raised,
    ):
        sfn.validate_state_machine_definition(definition=good)
    # moto 5.2.5: the action is not implemented (HTTP 500 on a server)
    assert "validate_state_machine_definition" in str(raised.value).lower() or isinstance(
        raised.value, NotImplementedError
    )


# Loading the managed policies takes seconds per IAM backend: the Step Functions tests skip it.
NO_MANAGED_POLICIES = "iam_aws_managed_policies_exist"


def _machine(sfn: Any, publish: bool) -> str:
    iam = boto3.client("iam", region_name="us-east-1")
    role = iam.create_role(RoleName=f"r-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument="{}")
    return str(
        sfn.create_state_machine(
            name=f"m-{uuid.uuid4().hex[:8]}",
            definition=json.dumps({"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}),
            roleArn=role["Role"]["Arn"],
            publish=publish,
        )["stateMachineArn"]
    )


def test_list_state_machine_versions_lists_published_versions() -> None:
    """AWS: ListStateMachineVersions lists published versions (none when nothing was)."""
    with server_corrected(exclude=(NO_MANAGED_POLICIES,)) as sfn:
        unpublished = _machine(sfn, publish=False)
        published = _machine(sfn, publish=True)
        assert (
            sfn.list_state_machine_versions(stateMachineArn=unpublished)["stateMachineVersions"]
            == []
        )
        versions = sfn.list_state_machine_versions(stateMachineArn=published)[
            "stateMachineVersions"
        ]
        assert [v["stateMachineVersionArn"] for v in versions] == [f"{published}:1"]
        with pytest.raises(ClientError) as missing:
            sfn.list_state_machine_versions(stateMachineArn=f"{published}-gone")
    assert missing.value.response["Error"]["Code"] == "StateMachineDoesNotExist"


def test_without_correction_list_state_machine_versions_is_missing() -> None:
    with server_corrected(exclude=("sfn_list_state_machine_versions", NO_MANAGED_POLICIES)) as sfn:
        machine = _machine(sfn, publish=False)
        with pytest.raises(Exception) as raised:
            sfn.list_state_machine_versions(stateMachineArn=machine)
    assert "list_state_machine_versions" in str(raised.value).lower() or isinstance(
        raised.value, NotImplementedError
    )


READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def test_aws_managed_policies_exist() -> None:
    """AWS: the AWS managed policies exist in every account."""
    with server_corrected():
        iam = boto3.client("iam", region_name="us-east-1")
        assert iam.get_policy(PolicyArn=READ_ONLY)["Policy"]["PolicyName"] == "ReadOnlyAccess"


def test_without_correction_aws_managed_policies_are_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MOTO_IAM_LOAD_MANAGED_POLICIES", raising=False)
    with server_corrected(exclude=("iam_aws_managed_policies_exist",)):
        iam = boto3.client("iam", region_name="us-east-1")
        with pytest.raises(ClientError) as missing:
            iam.get_policy(PolicyArn=READ_ONLY)
    assert missing.value.response["Error"]["Code"] == "NoSuchEntity"


def test_every_server_correction_has_a_docstring() -> None:
    from harness.moto_corrections import SERVER_CORRECTION_NAMES, SERVER_CORRECTIONS

    assert all(c.doc.startswith("AWS:") for c in SERVER_CORRECTIONS)
    assert not set(SERVER_CORRECTION_NAMES) & set(CORRECTION_NAMES)
