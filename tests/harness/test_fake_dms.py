"""The fault injector, observed the way the workflow sees it: through boto3 DMS calls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped,unused-ignore]
import pytest
from botocore.config import Config  # type: ignore[import-untyped,unused-ignore]
from botocore.exceptions import ClientError  # type: ignore[import-untyped,unused-ignore]

from harness.clock import VirtualClock
from harness.fake_dms import (
    FATAL_MESSAGE,
    FULL_LOAD_FINISHED_STOP_REASON,
    NORMAL_STOP_REASON,
    RECOVERABLE_MESSAGE,
    FakeDms,
    StartFailure,
    stop_reason_of,
)
from harness.moto_corrections import corrected_moto


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(scale=1)


@pytest.fixture
def dms(clock: VirtualClock) -> Iterator[FakeDms]:
    with clock.activate(), corrected_moto(), FakeDms(clock, starting_seconds=20) as fake:
        yield fake


@pytest.fixture
def api(dms: FakeDms) -> Any:
    # no client-side retries: every call the test makes is one request
    return boto3.client(
        "dms", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )


def status(api: Any, arn: str) -> str:
    return str(describe(api, arn)["Status"])


def describe(api: Any, arn: str) -> dict[str, Any]:
    response = api.describe_replication_tasks(
        Filters=[{"Name": "replication-task-arn", "Values": [arn]}], WithoutSettings=True
    )
    task: dict[str, Any] = response["ReplicationTasks"][0]
    return task


def resume(api: Any, arn: str) -> dict[str, Any]:
    response: dict[str, Any] = api.start_replication_task(
        ReplicationTaskArn=arn, StartReplicationTaskType="resume-processing"
    )
    return response


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return str(excinfo.value.response["Error"]["Code"])


def test_create_task_with_instance_and_endpoints(dms: FakeDms, api: Any) -> None:
    task = dms.create_task("orders-cdc")
    full_load = dms.create_task("orders-full", migration_type="full-load")
    described = describe(api, task)
    assert described["Status"] == "ready"
    assert described["MigrationType"] == "full-load-and-cdc"
    assert describe(api, full_load)["MigrationType"] == "full-load"
    instances = api.describe_replication_instances(
        Filters=[
            {"Name": "replication-instance-arn", "Values": [described["ReplicationInstanceArn"]]}
        ]
    )["ReplicationInstances"]
    assert instances[0]["ReplicationInstanceStatus"] == "available"
    assert dms.calls_for(task) and dms.calls == dms.calls_for()


def test_running_and_failed_look_like_dms(dms: FakeDms, api: Any) -> None:
    task = dms.create_task()
    dms.set_running(task)
    running = describe(api, task)
    assert running["Status"] == "running"
    assert "ReplicationTaskStartDate" in running
    dms.set_failed(task)
    failed = describe(api, task)
    assert failed["Status"] == "failed"
    assert failed["StopReason"] == "Stop Reason RECOVERABLE_ERROR"
    assert failed["LastFailureMessage"] == RECOVERABLE_MESSAGE
    assert "StopDate" in failed["ReplicationTaskStats"]
    dms.set_failed(task, FATAL_MESSAGE)
    assert describe(api, task)["StopReason"] == "Stop Reason FATAL_ERROR"
    assert stop_reason_of("no reason inside") == "Stop Reason RECOVERABLE_ERROR"


def test_start_is_starting_then_running(dms: FakeDms, api: Any, clock: VirtualClock) -> None:
    task = dms.create_task()
    dms.set_failed(task)
    assert resume(api, task)["ReplicationTask"]["Status"] == "starting"
    clock.advance(19)
    assert status(api, task) == "starting"
    clock.advance(2)
    assert status(api, task) == "running"
    clock.advance(10_000)
    assert status(api, task) == "running"
    assert dms.start_types(task) == ["resume-processing"]


def test_first_restart_fails_second_holds(dms: FakeDms, api: Any, clock: VirtualClock) -> None:
    task = dms.create_task()
    dms.set_failed(task)
    dms.fail_after_start(
        task,
        "Last Error source down. Stop Reason RECOVERABLE_ERROR",
        times=1,
        after_running_seconds=60,
    )
    resume(api, task)
    clock.advance(20 + 59)
    assert status(api, task) == "running"
    clock.advance(2)
    failed = describe(api, task)
    assert failed["Status"] == "failed"
    assert failed["LastFailureMessage"] == "Last Error source down. Stop Reason RECOVERABLE_ERROR"
    resume(api, task)
    clock.advance(10_000)
    assert status(api, task) == "running"
    assert dms.restarts(task) == 2


def test_scripted_starts_in_order(dms: FakeDms, api: Any, clock: VirtualClock) -> None:
    task = dms.create_task()
    dms.set_starting_seconds(task, 0)
    dms.set_failed(task)
    dms.script_starts(
        task,
        [
            StartFailure("Last Error A Stop Reason RECOVERABLE_ERROR", after_running_seconds=5),
            StartFailure(
                "Last Error B",
                after_running_seconds=5,
                status="stopped",
                stop_reason="Stop Reason RECOVERABLE_ERROR",
            ),
        ],
    )
    messages = []
    for _ in range(2):
        resume(api, task)
        clock.advance(6)
        described = describe(api, task)
        messages.append((described["Status"], described["LastFailureMessage"]))
    assert messages == [
        ("failed", "Last Error A Stop Reason RECOVERABLE_ERROR"),
        ("stopped", "Last Error B"),
    ]


def test_operator_stop_and_full_load_finished(dms: FakeDms, api: Any) -> None:
    task = dms.create_task()
    dms.set_running(task)
    dms.operator_stop(task)
    stopped = describe(api, task)
    assert (stopped["Status"], stopped["StopReason"]) == ("stopped", NORMAL_STOP_REASON)
    full = dms.create_task("orders-full", migration_type="full-load")
    dms.full_load_finished(full)
    finished = describe(api, full)
    assert (finished["Status"], finished["StopReason"]) == (
        "stopped",
        FULL_LOAD_FINISHED_STOP_REASON,
    )


def test_forced_state_cancels_scripted_transitions(
    dms: FakeDms, api: Any, clock: VirtualClock
) -> None:
    task = dms.create_task()
    dms.set_failed(task)
    dms.fail_after_start(task, after_running_seconds=10)
    resume(api, task)
    dms.operator_stop(task)  # a person stops it while it is starting
    clock.advance(1_000)
    assert status(api, task) == "stopped"


def test_throttle_next_calls(dms: FakeDms, api: Any) -> None:
    task = dms.create_task()
    dms.throttle(calls=2)
    for _ in range(2):
        with pytest.raises(ClientError) as throttled:
            describe(api, task)
        assert error_code(throttled) == "ThrottlingException"
        assert throttled.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert describe(api, task)["Status"] == "ready"
    outcomes = [call.outcome for call in dms.calls_for(task)]
    assert outcomes == ["ThrottlingException", "ThrottlingException", "ok"]


def test_throttle_for_a_while_and_by_operation(dms: FakeDms, api: Any, clock: VirtualClock) -> None:
    task = dms.create_task()
    dms.set_failed(task)
    dms.throttle(seconds=60, operations=["StartReplicationTask"])
    assert describe(api, task)["Status"] == "failed"
    with pytest.raises(ClientError) as throttled:
        resume(api, task)
    assert error_code(throttled) == "ThrottlingException"
    clock.advance(61)
    assert resume(api, task)["ReplicationTask"]["Status"] == "starting"
    assert dms.restarts(task) == 1


def test_instance_unavailable_for_a_while(dms: FakeDms, api: Any, clock: VirtualClock) -> None:
    task = dms.create_task()
    dms.set_failed(task)
    dms.instance_unavailable(status="modifying", seconds=120)
    instance_arn = describe(api, task)["ReplicationInstanceArn"]
    instance = api.describe_replication_instances(
        Filters=[{"Name": "replication-instance-arn", "Values": [instance_arn]}]
    )["ReplicationInstances"][0]
    assert instance["ReplicationInstanceStatus"] == "modifying"
    with pytest.raises(ClientError) as refused:
        resume(api, task)
    assert error_code(refused) == "InvalidResourceStateFault"
    clock.advance(121)
    assert dms.instance_status() == "available"
    assert resume(api, task)["ReplicationTask"]["Status"] == "starting"
    starts = dms.calls_for(task, "StartReplicationTask")
    assert [c.outcome for c in starts] == ["InvalidResourceStateFault", "ok"]


def test_delete_task_now(dms: FakeDms, api: Any) -> None:
    task = dms.create_task()
    dms.set_failed(task)
    dms.delete_task(task)
    with pytest.raises(ClientError) as described:
        describe(api, task)
    assert error_code(described) == "ResourceNotFoundFault"
    with pytest.raises(ClientError) as started:
        resume(api, task)
    assert error_code(started) == "ResourceNotFoundFault"
    assert not dms.exists(task)


def test_delete_task_after_describes(dms: FakeDms, api: Any, clock: VirtualClock) -> None:
    task = dms.create_task()
    dms.delete_task(task, after_describe_calls=2, deleting_seconds=30)
    assert status(api, task) == "ready"
    assert status(api, task) == "ready"
    assert status(api, task) == "deleting"
    clock.advance(31)
    with pytest.raises(ClientError) as gone:
        describe(api, task)
    assert error_code(gone) == "ResourceNotFoundFault"


def test_call_log_has_virtual_time_operation_and_start_type(
    dms: FakeDms, api: Any, clock: VirtualClock
) -> None:
    task = dms.create_task()
    dms.set_failed(task)
    before = clock.now()
    describe(api, task)
    clock.advance(3_600)
    resume(api, task)
    log = dms.calls_for(task)
    assert [c.operation for c in log] == ["DescribeReplicationTasks", "StartReplicationTask"]
    assert log[0].at >= before
    assert log[1].at - log[0].at >= 3_600
    assert log[1].start_type == "resume-processing"
    assert log[0].start_type is None
    assert all(c.ok and c.status == 200 for c in log)


def test_virtual_clock_scales_real_time() -> None:
    clock = VirtualClock(scale=1000)
    start = clock.now()
    clock.sleep(500)  # half a real second
    assert 450 <= clock.now() - start < 900
    assert clock.real_seconds(5000) == 5


def test_refused_starts_raise_invalid_resource_state() -> None:
    from botocore.exceptions import ClientError

    from harness.workflow import local_aws

    with local_aws() as env:
        env.dms.create_instance()
        task = env.dms.create_task("refused")
        env.dms.set_running(task)
        env.dms.set_failed(task)
        env.dms.refuse_starts(times=1)
        dms = env.client("dms")
        with pytest.raises(ClientError) as refused:
            dms.start_replication_task(
                ReplicationTaskArn=task, StartReplicationTaskType="resume-processing"
            )
        assert refused.value.response["Error"]["Code"] == "InvalidResourceStateFault"
        dms.start_replication_task(
            ReplicationTaskArn=task, StartReplicationTaskType="resume-processing"
        )
        assert env.dms.restarts(task) == 1
