"""The recovery policy: one pure function from a look at a task to the next action.

Every row of the decision table in the README lives here, in the order it is checked. No AWS
imports, no clock, no randomness of its own: `now` and `jitter` come in as arguments.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .config import Config
from .models import Action, CallError, Decision, ErrorKind, Memory, Observation, TaskView

TRANSITIONAL_STATUSES = frozenset(
    {"starting", "stopping", "modifying", "creating", "moving", "testing"}
)
FAILED_STATUSES = frozenset({"failed", "failed-move"})
FAILURE_STOP_REASONS = (
    "RECOVERABLE_ERROR",
    "FATAL_ERROR",
    "STOPPED_DUE_TO_LOW_MEMORY",
    "STOPPED_DUE_TO_LOW_DISK",
    "RECONFIGURATION_RESTART",
    "RECYCLE_TASK",
)
FINISHED_STOP_REASONS = (
    "FULL_LOAD_ONLY_FINISHED",
    "STOPPED_AFTER_FULL_LOAD",
    "STOPPED_AFTER_CACHED_EVENTS",
    "STOPPED_AFTER_DDL_APPLY",
    "STOPPED_AT_SERVER_TIME",
    "STOPPED_AT_COMMIT_TIME",
    "EXPRESS_LICENSE_LIMITS_REACHED",
)
# Looks at a status this policy does not know before it gives up on it.
MAX_UNKNOWN_LOOKS = 3
# Consecutive failed calls with an error it cannot classify before it gives up.
MAX_UNCLASSIFIED_ERRORS = 3


def decide(
    observation: Observation, memory: Memory, config: Config, now: float, jitter: float
) -> Decision:
    """Decide what to do after one look. `jitter` is a number in [0, 1)."""
    memory = replace(memory, recent_restarts=_in_window(memory.recent_restarts, config, now))
    decision = _decide_ignoring_budget(observation, memory, config, now, jitter)
    decision = _enforce_budget(decision, memory, config, now)
    if config.dry_run and decision.action in (Action.RESTART, Action.WAIT, Action.GIVE_UP):
        return _dry_run(decision, memory)
    return replace(decision, dry_run=config.dry_run)


def _decide_ignoring_budget(
    observation: Observation, memory: Memory, config: Config, now: float, jitter: float
) -> Decision:
    if observation.error is not None:
        return _after_error(observation.error, memory, config, now, jitter)
    memory = replace(memory, error_streak=0)
    task = observation.task
    if observation.task_missing or task is None:
        return _skip(
            memory, "task_deleted", "The task no longer exists, so there is nothing to do."
        )
    return _for_status(task, observation.instance_status, memory, config, now, jitter)


def _for_status(
    task: TaskView,
    instance_status: str | None,
    memory: Memory,
    config: Config,
    now: float,
    jitter: float,
) -> Decision:
    status = task.status.lower()
    if status == "running":
        return _while_running(memory, config, now)
    memory = replace(memory, running_since=None)
    if status in TRANSITIONAL_STATUSES:
        return _wait(memory, config.poll_seconds, "transitional", f"The task is {status}.")
    if status == "deleting":
        return _skip(memory, "task_deleted", "The task is being deleted.")
    if status == "ready":
        return _skip(memory, "never_started", "The task has never been started: not a failure.")
    if status == "stopped" and _stopped_because(task, ("NORMAL",)):
        return _skip(
            memory, "operator_stop", "Someone stopped the task on purpose; it is left stopped."
        )
    if status == "stopped" and _stopped_because(task, FINISHED_STOP_REASONS):
        return _skip(memory, "finished", "The task stopped where it was told to stop.")
    if status in FAILED_STATUSES or (
        status == "stopped" and _stopped_because(task, FAILURE_STOP_REASONS)
    ):
        return _after_failure(task, instance_status, memory, config, now, jitter)
    if status == "stopped":
        return _skip(
            memory,
            "unknown_stop_reason",
            f"The task stopped for a reason this module does not know "
            f"({task.stop_reason or 'none'}); it is not restarted.",
        )
    return _unknown_status(status, memory, config)


def _while_running(memory: Memory, config: Config, now: float) -> Decision:
    if memory.attempts == 0:
        return Decision(
            Action.SKIP, "already_running", "The task is running; nothing was done.", memory
        )
    running_since = memory.running_since if memory.running_since is not None else now
    memory = replace(memory, running_since=running_since, unknown_looks=0)
    stable_for = now - running_since
    if stable_for >= config.stable_seconds:
        return Decision(
            Action.SUCCEED,
            "recovered",
            f"Recovered after {memory.attempts} restart(s); running for {int(stable_for)} s.",
            memory,
            notify=True,
        )
    remaining = config.stable_seconds - stable_for
    return _wait(
        memory,
        max(1, min(config.poll_seconds, int(remaining + 0.999))),
        "confirming",
        "The task is running again; confirming it stays up.",
    )


def _after_failure(
    task: TaskView,
    instance_status: str | None,
    memory: Memory,
    config: Config,
    now: float,
    jitter: float,
) -> Decision:
    failure = task.last_failure_message or task.stop_reason or f"status {task.status}"
    memory = replace(
        memory,
        last_failure=failure,
        first_failure_at=memory.first_failure_at or task.stopped_at or now,
        unknown_looks=0,
    )
    pattern = _non_recoverable_match(task, config)
    if pattern is not None:
        return _give_up(
            memory,
            "non_recoverable",
            f"The failure matches the non-recoverable pattern {pattern!r}; "
            "a restart cannot fix it. Fix the data or the mapping, then resume the task.",
        )
    if instance_status is not None and instance_status.lower() != "available":
        return _wait(
            memory,
            config.poll_seconds,
            "instance_unavailable",
            f"The replication instance is {instance_status}; waiting for it to be available.",
        )
    if len(memory.recent_restarts) >= config.max_restarts_per_window:
        hours = config.restart_window_seconds / 3600
        return _give_up(
            memory,
            "flapping",
            f"Flapping: {len(memory.recent_restarts)} restarts in the last {hours:g} hours "
            f"(limit {config.max_restarts_per_window}).",
        )
    if memory.attempts >= config.max_attempts:
        minutes = (now - memory.started_at) / 60
        return _give_up(
            memory,
            "attempts_exhausted",
            f"Gave up after {memory.attempts} restart(s) over {minutes:.0f} minutes.",
        )
    wait = backoff_seconds(memory.attempts, config, jitter)
    restarted = replace(
        memory,
        attempts=memory.attempts + 1,
        last_restart_at=now,
        running_since=None,
        recent_restarts=(*memory.recent_restarts, now),
    )
    return Decision(
        Action.RESTART,
        "restart",
        f"Restarting with resume-processing (attempt {restarted.attempts} of "
        f"{config.max_attempts}); looking again in {wait} s.",
        restarted,
        wait_seconds=wait,
    )


def _after_error(
    error: CallError, memory: Memory, config: Config, now: float, jitter: float
) -> Decision:
    streak = memory.error_streak + 1
    memory = replace(memory, error_streak=streak)
    if error.kind is ErrorKind.NOT_FOUND:
        return _skip(
            memory, "task_deleted", f"The task no longer exists ({error.call}: {error.name})."
        )
    if error.kind is ErrorKind.ACCESS_DENIED:
        return _give_up(
            memory,
            "access_denied",
            f"Access denied on {error.call} ({error.name}): check the state machine role.",
        )
    if error.kind is ErrorKind.INVALID_STATE:
        return _wait(
            memory,
            config.poll_seconds,
            "start_refused",
            "DMS refused the start because the task or its instance is not ready; looking again.",
        )
    if error.kind is ErrorKind.THROTTLED:
        return _wait(
            memory,
            backoff_seconds(streak - 1, config, jitter),
            "throttled",
            f"DMS kept throttling {error.call} after retries; looking again later.",
        )
    if streak > MAX_UNCLASSIFIED_ERRORS:
        return _give_up(
            memory,
            "call_failing",
            f"{error.call} failed {streak} times in a row: {error.name}: {error.cause[:300]}",
        )
    return _wait(
        memory,
        backoff_seconds(streak - 1, config, jitter),
        "call_failed",
        f"{error.call} failed ({error.name}); looking again.",
    )


def _unknown_status(status: str, memory: Memory, config: Config) -> Decision:
    looks = memory.unknown_looks + 1
    memory = replace(memory, unknown_looks=looks)
    if looks > MAX_UNKNOWN_LOOKS:
        return _give_up(
            memory,
            "unknown_status",
            f"The task status {status!r} is not one this module knows; it stayed so for "
            f"{MAX_UNKNOWN_LOOKS} looks, so it is left alone.",
        )
    return _wait(memory, config.poll_seconds, "unknown_status", f"Unknown task status {status!r}.")


def _enforce_budget(decision: Decision, before: Memory, config: Config, now: float) -> Decision:
    """Every WAIT or RESTART fits in the budget; past it, give up saying what was tried."""
    if decision.action not in (Action.WAIT, Action.RESTART):
        return decision
    remaining = int(config.recovery_budget_seconds - (now - before.started_at))
    if remaining < 1:
        minutes = config.recovery_budget_seconds / 60
        return _give_up(
            _without_new_restart(decision.memory, before),
            "budget_spent",
            f"The recovery budget of {minutes:g} minutes is spent after "
            f"{before.attempts} restart(s); last state: {decision.explanation}",
        )
    return replace(decision, wait_seconds=max(1, min(decision.wait_seconds, remaining)))


def _without_new_restart(memory: Memory, before: Memory) -> Memory:
    """The memory of a decision that will not act: keep what it learnt, not a restart it skips."""
    return replace(
        memory,
        attempts=before.attempts,
        last_restart_at=before.last_restart_at,
        recent_restarts=before.recent_restarts,
    )


def _dry_run(decision: Decision, before: Memory) -> Decision:
    """In dry-run mode the first acting decision is reported once and the execution ends."""
    return Decision(
        Action.SKIP,
        f"dry_run_{decision.reason}",
        f"Dry run: would {decision.action.value} ({decision.explanation})",
        _without_new_restart(decision.memory, before),
        notify=True,
        dry_run=True,
    )


def backoff_seconds(attempt: int, config: Config, jitter: float) -> int:
    """base * 2^attempt, capped, with equal jitter: between half and all of that value."""
    ceiling = min(config.backoff_max_seconds, config.backoff_base_seconds * 2 ** min(attempt, 30))
    return max(1, int(ceiling * (0.5 + 0.5 * min(max(jitter, 0.0), 1.0))))


def _non_recoverable_match(task: TaskView, config: Config) -> str | None:
    text = f"{task.last_failure_message}\n{task.stop_reason}"
    for pattern in config.non_recoverable_patterns:
        if re.search(pattern, text, re.IGNORECASE):
            return pattern
    return None


def _stopped_because(task: TaskView, reasons: tuple[str, ...]) -> bool:
    """Match the StopReason by word, since it often holds the whole 'Stop Reason X ...' text.

    LastFailureMessage is only read when StopReason is empty: DMS keeps the message of an older
    failure after an operator's stop, and that must not turn the stop into a restart.
    """
    text = (task.stop_reason or task.last_failure_message).upper()
    return any(re.search(rf"\b{reason}\b", text) for reason in reasons)


def _in_window(restarts: tuple[float, ...], config: Config, now: float) -> tuple[float, ...]:
    return tuple(sorted(t for t in restarts if now - t < config.restart_window_seconds))


def _wait(memory: Memory, seconds: int, reason: str, explanation: str) -> Decision:
    return Decision(Action.WAIT, reason, explanation, memory, wait_seconds=max(1, seconds))


def _skip(memory: Memory, reason: str, explanation: str) -> Decision:
    return Decision(Action.SKIP, reason, explanation, memory, notify=True)


def _give_up(memory: Memory, reason: str, explanation: str) -> Decision:
    return Decision(Action.GIVE_UP, reason, explanation, memory, notify=True)
