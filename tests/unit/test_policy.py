"""The decision table, row by row (README 'Decision table')."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dms_recovery.config import Config
from dms_recovery.models import Action, CallError, ErrorKind, Memory, Observation
from dms_recovery.policy import backoff_seconds, decide

from .conftest import T0, failed_task, look, task


def test_running_without_a_restart_ends_quietly(config: Config, fresh: Memory) -> None:
    # given a task that is already running when the recovery first looks
    decision = decide(look(task("running")), fresh, config, T0 + 5, 0.5)
    # then nothing is done and nobody is told
    assert (decision.action, decision.notify, decision.reason) == (
        Action.SKIP,
        False,
        "already_running",
    )


def test_running_after_a_restart_waits_until_stable_then_succeeds(
    config: Config, fresh: Memory
) -> None:
    # given a restart made by this execution
    restarted = replace(fresh, attempts=1, last_restart_at=T0 + 10)
    # when the task is first seen running, it is watched for stable_seconds
    first = decide(look(task("running")), restarted, config, T0 + 70, 0.5)
    assert first.action is Action.WAIT
    assert first.wait_seconds == config.poll_seconds
    assert first.memory.running_since == T0 + 70
    # then once it has stayed up long enough, success is announced
    later = decide(look(task("running")), first.memory, config, T0 + 70 + 120, 0.5)
    assert later.action is Action.SUCCEED
    assert later.notify
    assert "Recovered after 1 restart(s)" in later.explanation


@pytest.mark.parametrize(
    "status", ["starting", "stopping", "modifying", "creating", "moving", "testing"]
)
def test_transitional_statuses_are_polled(config: Config, fresh: Memory, status: str) -> None:
    decision = decide(look(task(status)), fresh, config, T0, 0.5)
    assert decision.action is Action.WAIT
    assert decision.wait_seconds == config.poll_seconds


def test_deleting_or_missing_task_is_skipped_with_a_notice(config: Config, fresh: Memory) -> None:
    for observation in (look(task("deleting")), look(None)):
        decision = decide(observation, fresh, config, T0, 0.5)
        assert (decision.action, decision.notify, decision.reason) == (
            Action.SKIP,
            True,
            "task_deleted",
        )


def test_ready_task_was_never_started_and_is_not_a_failure(config: Config, fresh: Memory) -> None:
    decision = decide(look(task("ready")), fresh, config, T0, 0.5)
    assert (decision.action, decision.reason, decision.notify) == (
        Action.SKIP,
        "never_started",
        True,
    )


def test_operator_stop_is_never_undone(config: Config, fresh: Memory) -> None:
    decision = decide(look(task("stopped", "Stop Reason NORMAL")), fresh, config, T0, 0.5)
    assert (decision.action, decision.reason, decision.notify) == (
        Action.SKIP,
        "operator_stop",
        True,
    )


def test_operator_stop_wins_over_an_older_failure_message(config: Config, fresh: Memory) -> None:
    # given DMS kept the message of an earlier failure after a person stopped the task
    stopped = task(
        "stopped",
        "Stop Reason NORMAL",
        "Last Error ODBC general error. Stop Reason RECOVERABLE_ERROR Error Level RECOVERABLE",
    )
    decision = decide(look(stopped), fresh, config, T0, 0.5)
    assert decision.action is Action.SKIP
    assert decision.reason == "operator_stop"


@pytest.mark.parametrize(
    "reason",
    [
        "FULL_LOAD_ONLY_FINISHED",
        "STOPPED_AFTER_FULL_LOAD",
        "STOPPED_AFTER_CACHED_EVENTS",
        "STOPPED_AFTER_DDL_APPLY",
        "STOPPED_AT_SERVER_TIME",
        "STOPPED_AT_COMMIT_TIME",
        "EXPRESS_LICENSE_LIMITS_REACHED",
    ],
)
def test_task_that_stopped_where_told_is_skipped(
    config: Config, fresh: Memory, reason: str
) -> None:
    decision = decide(look(task("stopped", f"Stop Reason {reason}")), fresh, config, T0, 0.5)
    assert (decision.action, decision.reason) == (Action.SKIP, "finished")


@pytest.mark.parametrize(
    ("status", "stop_reason"),
    [
        ("failed", ""),
        ("failed-move", ""),
        ("stopped", "Stop Reason RECOVERABLE_ERROR"),
        ("stopped", "Stop Reason FATAL_ERROR"),
        ("stopped", "Stop Reason STOPPED_DUE_TO_LOW_MEMORY"),
        ("stopped", "Stop Reason STOPPED_DUE_TO_LOW_DISK"),
        ("stopped", "Stop Reason RECONFIGURATION_RESTART"),
        ("stopped", "Stop Reason RECYCLE_TASK Error Level RECOVERABLE"),
    ],
)
def test_failures_are_restarted_with_growing_backoff(
    config: Config, fresh: Memory, status: str, stop_reason: str
) -> None:
    decision = decide(look(task(status, stop_reason)), fresh, config, T0, 1.0)
    assert decision.action is Action.RESTART
    assert decision.wait_seconds == config.backoff_base_seconds
    assert decision.memory.attempts == 1
    assert decision.memory.recent_restarts == (T0,)


def test_unknown_stop_reason_is_not_restarted(config: Config, fresh: Memory) -> None:
    decision = decide(look(task("stopped", "Stop Reason SOMETHING_NEW")), fresh, config, T0, 0.5)
    assert (decision.action, decision.reason) == (Action.SKIP, "unknown_stop_reason")


@pytest.mark.parametrize(
    "message",
    [
        "Last Error Data truncation: Data too long for column 'note' Stop Reason FATAL_ERROR",
        "Last Error Failed to convert value for column 'amount' Stop Reason FATAL_ERROR",
        'ERROR: duplicate key value violates unique constraint "orders_pkey"',
        "Error 1236 reading binlog: Could not find first log file name in binary log index file",
    ],
)
def test_data_errors_give_up_at_once_quoting_the_error(
    config: Config, fresh: Memory, message: str
) -> None:
    decision = decide(look(failed_task(message)), fresh, config, T0, 0.5)
    assert (decision.action, decision.reason) == (Action.GIVE_UP, "non_recoverable")
    assert decision.memory.last_failure == message


def test_failure_waits_while_the_replication_instance_is_unavailable(
    config: Config, fresh: Memory
) -> None:
    decision = decide(look(failed_task(), instance="modifying"), fresh, config, T0, 0.5)
    assert (decision.action, decision.reason) == (Action.WAIT, "instance_unavailable")
    assert decision.memory.attempts == 0


def test_gives_up_when_attempts_are_used_up(config: Config, fresh: Memory) -> None:
    used_up = replace(fresh, attempts=config.max_attempts)
    decision = decide(look(failed_task()), used_up, config, T0 + 600, 0.5)
    assert (decision.action, decision.reason) == (Action.GIVE_UP, "attempts_exhausted")
    assert "Gave up after 3 restart(s) over 10 minutes" in decision.explanation


def test_gives_up_on_a_flapping_task_across_executions(config: Config, fresh: Memory) -> None:
    # given restarts by earlier executions, within the window, up to the limit
    history = tuple(T0 - 3600 * i for i in range(1, config.max_restarts_per_window + 1))
    decision = decide(look(failed_task()), replace(fresh, recent_restarts=history), config, T0, 0.5)
    assert (decision.action, decision.reason) == (Action.GIVE_UP, "flapping")
    assert "5 restarts in the last 24 hours" in decision.explanation


def test_restarts_older_than_the_window_do_not_count(config: Config, fresh: Memory) -> None:
    history = tuple(T0 - 86400 - i for i in range(1, 20))
    decision = decide(look(failed_task()), replace(fresh, recent_restarts=history), config, T0, 0.5)
    assert decision.action is Action.RESTART
    assert decision.memory.recent_restarts == (T0,)


def test_budget_spent_gives_up_with_what_was_tried(config: Config, fresh: Memory) -> None:
    late = T0 + config.recovery_budget_seconds + 1
    decision = decide(look(task("starting")), replace(fresh, attempts=2), config, late, 0.5)
    assert (decision.action, decision.reason) == (Action.GIVE_UP, "budget_spent")
    assert "after 2 restart(s)" in decision.explanation


def test_waits_never_reach_past_the_budget(config: Config, fresh: Memory) -> None:
    near_end = T0 + config.recovery_budget_seconds - 10
    decision = decide(look(failed_task()), fresh, config, near_end, 1.0)
    assert decision.action is Action.RESTART
    assert decision.wait_seconds == 10


def test_dry_run_reports_what_it_would_do_once(fresh: Memory) -> None:
    config = Config(dry_run=True)
    decision = decide(look(failed_task()), fresh, config, T0, 0.5)
    assert (decision.action, decision.notify, decision.dry_run) == (Action.SKIP, True, True)
    assert decision.explanation.startswith("Dry run: would RESTART")
    assert decision.memory.attempts == 0
    assert decision.memory.recent_restarts == ()


def test_unknown_status_is_waited_on_a_bounded_number_of_times(
    config: Config, fresh: Memory
) -> None:
    memory = fresh
    actions = []
    for look_number in range(5):
        decision = decide(look(task("levitating")), memory, config, T0 + look_number, 0.5)
        actions.append(decision.action)
        memory = decision.memory
    assert actions == [Action.WAIT, Action.WAIT, Action.WAIT, Action.GIVE_UP, Action.GIVE_UP]


@pytest.mark.parametrize(
    ("name", "action", "reason"),
    [
        ("DatabaseMigration.ResourceNotFoundFaultException", Action.SKIP, "task_deleted"),
        ("databasemigration.InvalidResourceStateFaultException", Action.WAIT, "start_refused"),
        ("DatabaseMigration.ThrottlingException", Action.WAIT, "throttled"),
        ("DatabaseMigration.DatabaseMigrationException", Action.WAIT, "throttled"),
        ("DatabaseMigration.AccessDeniedFaultException", Action.GIVE_UP, "access_denied"),
        ("States.TaskFailed", Action.WAIT, "call_failed"),
    ],
)
def test_caught_errors(
    config: Config, fresh: Memory, name: str, action: Action, reason: str
) -> None:
    from dms_recovery.observe import classify_error

    error = CallError("start task", name, "cause", classify_error(name))
    decision = decide(Observation(error=error), fresh, config, T0, 0.5)
    assert (decision.action, decision.reason) == (action, reason)


def test_unclassified_errors_give_up_after_a_few_looks(config: Config, fresh: Memory) -> None:
    error = CallError("describe task", "States.TaskFailed", "boom", ErrorKind.OTHER)
    memory = fresh
    actions = []
    for i in range(4):
        decision = decide(Observation(error=error), memory, config, T0 + i, 0.5)
        actions.append(decision.action)
        memory = decision.memory
    assert actions == [Action.WAIT, Action.WAIT, Action.WAIT, Action.GIVE_UP]


def test_throttling_keeps_looking_within_the_budget(config: Config, fresh: Memory) -> None:
    error = CallError(
        "describe task", "DatabaseMigration.ThrottlingException", "", ErrorKind.THROTTLED
    )
    memory = fresh
    for i in range(20):
        decision = decide(Observation(error=error), memory, config, T0 + 60 * i, 0.5)
        assert decision.action is Action.WAIT
        memory = decision.memory
    assert memory.error_streak == 20


def test_backoff_doubles_up_to_the_cap() -> None:
    config = Config(backoff_base_seconds=60, backoff_max_seconds=900)
    assert [backoff_seconds(a, config, 1.0) for a in range(6)] == [60, 120, 240, 480, 900, 900]
    assert backoff_seconds(0, config, 0.0) == 30


def test_a_restart_refused_by_the_budget_is_not_counted(config: Config, fresh: Memory) -> None:
    late = T0 + config.recovery_budget_seconds
    decision = decide(look(failed_task()), replace(fresh, attempts=1), config, late, 0.5)
    assert decision.action is Action.GIVE_UP
    assert decision.memory.attempts == 1
    assert decision.memory.recent_restarts == ()
