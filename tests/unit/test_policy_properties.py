"""Guarantees that hold for every sequence of looks, checked with hypothesis."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from dms_recovery.config import Config
from dms_recovery.messages import MAX_SUBJECT_LENGTH, subject_for
from dms_recovery.models import Action, CallError, Decision, ErrorKind, Memory, Observation
from dms_recovery.observe import classify_error
from dms_recovery.policy import decide

from .conftest import T0, look, task

STATUSES = ["running", "starting", "stopping", "failed", "stopped", "ready", "deleting", "odd"]
STOP_REASONS = [
    "",
    "Stop Reason NORMAL",
    "Stop Reason RECOVERABLE_ERROR",
    "Stop Reason FATAL_ERROR",
    "Stop Reason FULL_LOAD_ONLY_FINISHED",
    "Stop Reason STOPPED_DUE_TO_LOW_MEMORY",
]
ERRORS = [
    "DatabaseMigration.ThrottlingException",
    "databasemigration.InvalidResourceStateFaultException",
    "DatabaseMigration.ResourceNotFoundFaultException",
    "States.TaskFailed",
]

observations = st.one_of(
    st.builds(
        lambda s, r, i: look(task(s, r, "Last Error ODBC general error"), instance=i),
        st.sampled_from(STATUSES),
        st.sampled_from(STOP_REASONS),
        st.sampled_from(["available", "available", "modifying", None]),
    ),
    st.builds(
        lambda name: Observation(error=CallError("describe task", name, "", classify_error(name))),
        st.sampled_from(ERRORS),
    ),
)
configs = st.builds(
    Config,
    max_attempts=st.integers(1, 6),
    backoff_base_seconds=st.integers(5, 120),
    backoff_max_seconds=st.integers(120, 900),
    stable_seconds=st.integers(0, 300),
    poll_seconds=st.integers(5, 60),
    recovery_budget_seconds=st.integers(600, 7200),
    max_restarts_per_window=st.integers(1, 8),
    restart_window_seconds=st.integers(3600, 86400),
)


def run_execution(
    config: Config,
    looks: list[Observation],
    start: float,
    history: tuple[float, ...],
    latency: float,
) -> tuple[list[Decision], float]:
    """Drive one execution the way the state machine does; looks repeat when they run out."""
    memory = Memory(started_at=start, recent_restarts=history)
    now = start
    decisions: list[Decision] = []
    for index in range(10_000):
        decision = decide(looks[index % len(looks)], memory, config, now, (index * 0.37) % 1)
        decisions.append(decision)
        if decision.action not in (Action.WAIT, Action.RESTART):
            return decisions, now
        memory = decision.memory
        now += decision.wait_seconds + latency
    raise AssertionError("the execution never ended")


@settings(max_examples=300, deadline=None)
@given(configs, st.lists(observations, min_size=1, max_size=12), st.floats(0, 5))
def test_every_execution_ends_within_the_budget_and_attempts(
    config: Config, looks: list[Observation], latency: float
) -> None:
    decisions, ended_at = run_execution(config, looks, T0, (), latency)
    restarts = sum(d.action is Action.RESTART for d in decisions)
    assert restarts <= config.max_attempts
    # the last look happens no later than the budget (plus one call's latency)
    assert ended_at - T0 <= config.recovery_budget_seconds + latency
    assert decisions[-1].action in (Action.SUCCEED, Action.SKIP, Action.GIVE_UP)
    assert decisions[-1].notify or decisions[-1].reason == "already_running"


@settings(max_examples=300, deadline=None)
@given(configs, st.integers(0, 5), st.booleans())
def test_never_restarts_an_operator_stop_or_a_finished_task(
    config: Config, attempts: int, dry_run: bool
) -> None:
    memory = Memory(started_at=T0, attempts=attempts)
    for reason in ("Stop Reason NORMAL", "Stop Reason FULL_LOAD_ONLY_FINISHED"):
        for message in ("", "Last Error x Stop Reason RECOVERABLE_ERROR"):
            observation = look(task("stopped", reason, message))
            decision = decide(observation, memory, replace(config, dry_run=dry_run), T0, 0.5)
            assert decision.action is Action.SKIP


@settings(max_examples=200, deadline=None)
@given(configs, st.lists(st.floats(0, 3 * 3600), min_size=1, max_size=30))
def test_restarts_across_executions_never_exceed_the_window_limit(
    config: Config, gaps: list[float]
) -> None:
    # given a task that fails again after every recovery, event after event
    failing = [look(task("failed", "Stop Reason RECOVERABLE_ERROR")), look(task("running"))]
    history: tuple[float, ...] = ()
    now = T0
    for gap in gaps:
        decisions, now = run_execution(config, failing, now + gap, history, 1.0)
        history = decisions[-1].memory.recent_restarts
        in_window = [t for t in history if now - t < config.restart_window_seconds]
        assert len(in_window) <= config.max_restarts_per_window


@settings(max_examples=500, deadline=None)
@given(
    st.text(min_size=0, max_size=300),
    st.sampled_from(list(Action)),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=80),
    st.booleans(),
)
def test_subjects_are_always_valid_for_sns(
    name: str, action: Action, reason: str, dry_run: bool
) -> None:
    decision = Decision(action, reason, "x", Memory(started_at=T0), dry_run=dry_run)
    subject = subject_for(decision, name)
    assert 0 < len(subject) <= MAX_SUBJECT_LENGTH
    assert subject.isascii()
    assert all(32 <= ord(c) < 127 for c in subject)


def test_error_kinds_cover_aws_and_moto_spellings() -> None:
    assert classify_error("databasemigration.ResourceNotFoundFaultException") is ErrorKind.NOT_FOUND
    assert classify_error("DatabaseMigration.ResourceNotFoundException") is ErrorKind.NOT_FOUND
    assert classify_error("DatabaseMigration.ThrottlingException") is ErrorKind.THROTTLED
    assert classify_error("Lambda.Unknown") is ErrorKind.OTHER
