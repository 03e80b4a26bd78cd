"""The rendered state machine, executed end to end, one incident per test.

Each test asserts what a person would notice: the task's final status, the restarts DMS saw
(and their start type), how the execution ended, and what the notification said.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from harness.fake_dms import FATAL_MESSAGE
from harness.workflow import ExecutionResult

from .conftest import DECIDER_ENV, Recovery, dms_event

pytestmark = pytest.mark.workflow


def only_notification(result: ExecutionResult) -> tuple[str, str]:
    """The one notification this execution published (every message names its execution)."""
    own = [n for n in result.notifications if result.execution_arn in n.message]
    assert len(own) == 1, [n.subject for n in own]
    note = own[0]
    assert note.subject is not None
    assert len(note.subject) <= 99
    return note.subject, note.message


def assert_lease_released(recovery: Recovery) -> None:
    item = recovery.lease()
    assert item is not None
    assert "lease_owner" not in item


def test_transient_outage_is_recovered_after_two_restarts(recovery: Recovery) -> None:
    # given the source is still down for the first restart, then back
    recovery.env.dms.fail_after_start(recovery.task_arn, times=1, after_running_seconds=30)
    # when DMS reports the failure
    result = recovery.run()
    # then two resumes bring the task back and a person is told
    assert result.status == "SUCCEEDED"
    assert recovery.env.dms.status(recovery.task_arn) == "running"
    assert recovery.env.dms.start_types(recovery.task_arn) == ["resume-processing"] * 2
    subject, message = only_notification(result)
    assert subject == "DMS auto-recovery: recovered orders-cdc (recovered)"
    assert "Recovered after 2 restart(s)" in message
    assert "Restarts in window:   2" in message
    assert_lease_released(recovery)
    restarts = recovery.lease()["recent_restarts"]["L"]  # type: ignore[index]
    assert len(restarts) == 2
    # and it stays cheap: far from the 25,000-event history limit, and gentle on DMS's API
    dms_calls = len(recovery.env.dms.calls_for())
    print(f"transient outage: {result.state_transitions} transitions, {dms_calls} DMS calls")
    assert result.state_transitions <= 80
    assert dms_calls <= 20


def test_manual_input_is_accepted(recovery: Recovery) -> None:
    result = recovery.run({"taskArn": recovery.task_arn})
    assert result.status == "SUCCEEDED"
    assert recovery.restarts() == 1


def test_operator_stop_is_left_alone_with_a_notice(recovery: Recovery) -> None:
    recovery.env.dms.operator_stop(recovery.task_arn)
    result = recovery.run(dms_event(recovery.task_arn, "task-stopped.json"))
    assert result.status == "SUCCEEDED"
    assert recovery.restarts() == 0
    assert recovery.env.dms.status(recovery.task_arn) == "stopped"
    subject, message = only_notification(result)
    assert subject == "DMS auto-recovery: left orders-cdc alone (operator stop)"
    assert "Someone stopped the task on purpose" in message
    assert_lease_released(recovery)


def test_finished_full_load_is_not_restarted(recovery: Recovery) -> None:
    recovery.env.dms.full_load_finished(recovery.task_arn)
    result = recovery.run(dms_event(recovery.task_arn, "task-stopped-full-load-finished.json"))
    assert result.status == "SUCCEEDED"
    assert recovery.restarts() == 0
    subject, _ = only_notification(result)
    assert subject.endswith("(finished)")


def test_data_error_gives_up_at_once_quoting_the_error(recovery: Recovery) -> None:
    truncation = (
        "Last Error Data truncation: Data too long for column 'note' at row 1 "
        "Stop Reason FATAL_ERROR Error Level FATAL"
    )
    recovery.env.dms.set_failed(recovery.task_arn, truncation)
    result = recovery.run(dms_event(recovery.task_arn, "task-failed-fatal.json"))
    assert (result.status, result.error) == ("FAILED", "GaveUp")
    assert recovery.restarts() == 0
    subject, message = only_notification(result)
    assert subject == "DMS auto-recovery: gave up on orders-cdc (non recoverable)"
    assert "Data too long for column 'note'" in message
    assert "What to do: Fix the data error" in message
    assert_lease_released(recovery)


def test_persistent_failure_gives_up_after_max_attempts(recovery: Recovery) -> None:
    recovery.env.dms.fail_after_start(
        recovery.task_arn, FATAL_MESSAGE, times=10, after_running_seconds=20
    )
    result = recovery.run()
    assert (result.status, result.error) == ("FAILED", "GaveUp")
    assert recovery.restarts() == int(DECIDER_ENV["MAX_ATTEMPTS"]) == 3
    subject, message = only_notification(result)
    assert subject.endswith("(attempts exhausted)")
    assert "Gave up after 3 restart(s)" in message
    assert_lease_released(recovery)


def test_a_task_failing_after_every_recovery_stops_at_the_window_limit(recovery: Recovery) -> None:
    # given a task that recovers, then fails again, event after event
    outcomes = []
    for _ in range(4):
        recovery.env.dms.set_failed(recovery.task_arn)
        outcomes.append(recovery.run().status)
    assert outcomes == ["SUCCEEDED"] * 4
    # when it fails once more
    recovery.env.dms.set_failed(recovery.task_arn)
    result = recovery.run()
    # then the window limit (4) is reached and the module stops restarting it
    assert (result.status, result.error) == ("FAILED", "GaveUp")
    assert recovery.restarts() == int(DECIDER_ENV["MAX_RESTARTS_PER_WINDOW"]) == 4
    subject, message = only_notification(result)
    assert subject.endswith("(flapping)")
    assert "Flapping: 4 restarts in the last 24 hours" in message


def test_two_events_at_once_make_one_recovery(recovery: Recovery) -> None:
    results: list[ExecutionResult] = []
    first = recovery.env.start(recovery.state_machine_arn, dms_event(recovery.task_arn))
    second = recovery.env.start(recovery.state_machine_arn, dms_event(recovery.task_arn))
    threads = [
        threading.Thread(target=lambda arn=arn: results.append(recovery.env.wait(arn, 90)))
        for arn in (first, second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status for r in results) == ["SUCCEEDED", "SUCCEEDED"]
    assert recovery.restarts() == 1
    ends = sorted(r.states_entered()[-1] for r in results)
    assert ends == ["Done", "Lease held elsewhere"]
    # one notification in all: the quiet end says nothing
    assert len(recovery.env.notifications()) == 1


def test_throttling_for_a_while_still_recovers(recovery: Recovery) -> None:
    # given DMS throttles every call for five (virtual) minutes
    recovery.env.dms.throttle(seconds=300)
    result = recovery.run()
    assert result.status == "SUCCEEDED"
    assert recovery.restarts() == 1
    throttled = [c for c in recovery.env.dms.calls_for() if c.outcome == "ThrottlingException"]
    assert len(throttled) >= 3
    subject, _ = only_notification(result)
    assert subject.endswith("(recovered)")


def test_no_restart_until_the_replication_instance_is_available(recovery: Recovery) -> None:
    recovery.env.dms.instance_unavailable(status="modifying", seconds=200)
    available_at = recovery.env.dms.now() + 200
    result = recovery.run()
    assert result.status == "SUCCEEDED"
    starts = recovery.env.dms.calls_for(recovery.task_arn, "StartReplicationTask")
    assert len(starts) == 1
    assert starts[0].at >= available_at
    decisions = [d["reason"] for d in result.lambda_outputs() if d]
    assert "instance_unavailable" in decisions


def test_task_deleted_mid_recovery_ends_with_a_notice(recovery: Recovery) -> None:
    recovery.env.dms.fail_after_start(recovery.task_arn, times=1, after_running_seconds=20)
    recovery.env.dms.delete_task(recovery.task_arn, after_describe_calls=2)
    result = recovery.run()
    assert result.status == "SUCCEEDED"
    subject, message = only_notification(result)
    assert subject.endswith("(task deleted)")
    assert "no longer exists" in message
    assert_lease_released(recovery)


def test_task_already_running_ends_quietly(recovery: Recovery) -> None:
    recovery.env.dms.set_running(recovery.task_arn)
    result = recovery.run()
    assert result.status == "SUCCEEDED"
    assert recovery.restarts() == 0
    assert result.notifications == []
    assert result.states_entered()[-1] == "Nothing to do"
    assert_lease_released(recovery)


def test_a_task_that_is_not_watched_is_refused_before_any_call(recovery: Recovery) -> None:
    stranger = "arn:aws:dms:us-east-1:123456789012:task:SOMEONEELSES"
    calls_before = len(recovery.env.dms.calls_for())
    result = recovery.run(dms_event(stranger))
    assert (result.status, result.error) == ("FAILED", "TaskNotWatched")
    assert len(recovery.env.dms.calls_for()) == calls_before
    assert recovery.env.lease(stranger, recovery.table) is None
    subject, message = only_notification(result)
    assert subject == "DMS auto-recovery: refused a task it does not watch"
    assert stranger in message


@pytest.mark.parametrize(
    "payload",
    [{}, {"resources": []}, {"resources": [42]}, {"taskArn": None}, {"detail": {"x": 1}}],
)
def test_malformed_input_fails_clearly_without_a_restart(recovery: Recovery, payload: Any) -> None:
    result = recovery.run(payload)
    assert (result.status, result.error) == ("FAILED", "InputNotUnderstood")
    # refused before the lease and before any DMS call
    assert recovery.env.dms.calls_for() == []
    assert recovery.lease() is None
    subject, message = only_notification(result)
    assert subject == "DMS auto-recovery: input not understood"
    assert json.dumps(payload, separators=(",", ":")) in message


@pytest.mark.parametrize("decider_env", [{**DECIDER_ENV, "RECOVERY_BUDGET_SECONDS": "600"}])
def test_budget_spent_gives_up_and_releases_the_lease(recovery: Recovery) -> None:
    # given a task stuck starting (the instance never lets it run)
    recovery.env.dms.set_starting_seconds(recovery.task_arn, 100_000)
    result = recovery.run()
    assert (result.status, result.error) == ("FAILED", "GaveUp")
    subject, message = only_notification(result)
    assert subject.endswith("(budget spent)")
    assert "The recovery budget of 10 minutes is spent after 1 restart(s)" in message
    assert_lease_released(recovery)


@pytest.mark.parametrize("decider_env", [{**DECIDER_ENV, "DRY_RUN": "true"}])
def test_dry_run_says_what_it_would_do_once(recovery: Recovery) -> None:
    result = recovery.run()
    assert result.status == "SUCCEEDED"
    assert recovery.restarts() == 0
    subject, message = only_notification(result)
    assert subject.startswith("[dry run]")
    assert "Dry run: would RESTART" in message


def test_a_decider_failure_is_reported_and_the_lease_released(recovery: Recovery) -> None:
    def broken(event: Any, context: Any) -> Any:
        if event.get("phase") == "look":
            raise RuntimeError("decider exploded")
        from dms_recovery.handler import lambda_handler

        return lambda_handler(event, context)

    from harness.moto_corrections import register_lambda_handler

    register_lambda_handler("dms-recovery-decider", broken)
    result = recovery.run()
    assert (result.status, result.error) == ("FAILED", "DeciderFailed")
    assert recovery.restarts() == 0
    subject, message = only_notification(result)
    assert subject == "DMS auto-recovery: the decider failed"
    assert "decider exploded" in message
    assert_lease_released(recovery)


def test_a_refused_start_means_wait_and_look_again(recovery: Recovery) -> None:
    # given DMS refuses the first start (the instance changed state after it was described)
    recovery.env.dms.refuse_starts(times=1)
    result = recovery.run()
    assert result.status == "SUCCEEDED"
    starts = recovery.env.dms.calls_for(recovery.task_arn, "StartReplicationTask")
    assert [c.outcome for c in starts] == ["InvalidResourceStateFault", "ok"]
    assert "start_refused" in [d["reason"] for d in result.lambda_outputs() if d]
