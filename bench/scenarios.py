"""The single-task scenarios: one fault each, both systems, same fault injector and clock.

Every scenario starts from a task that has been running for an hour, injects its fault with the
harness's :class:`harness.fake_dms.FakeDms`, delivers the DMS event(s) the fault produces, and
lets :class:`bench.systems.EventBus` deliver every later event the task's status changes produce.
It ends when no execution has run for a settle period, or at the virtual cut-off, where whatever
still runs is stopped and reported as "still looping".
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.clock import make_clock
from bench.parse_cache import cached_asl_parsing
from bench.systems import (
    HISTORY_LIMIT,
    SYSTEMS,
    EventBus,
    ExecutionRecord,
    collect,
    wait_until_quiet,
)
from harness.fake_dms import FATAL_MESSAGE, FakeDms
from harness.moto_corrections import Undo, add_dms_hook
from harness.workflow import WorkflowEnv, local_aws

STARTING_SECONDS = 10.0  # a started task is "starting" this long, then "running"
TRUNCATION = (
    "Last Error Data truncation: Data too long for column 'note' at row 1 "
    "Stop Reason FATAL_ERROR Error Level FATAL"
)


@dataclass
class Setup:
    """What a scenario's injection tells the runner."""

    events: list[tuple[str, str | None]]  # (event type, sample file) delivered at t0
    clear_at: float  # virtual time the fault is gone (time to recovery counts from here)
    not_before: float = 0.0  # keep watching at least until then
    undo: Undo | None = None


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    fault: str
    expected: str
    inject: Callable[[WorkflowEnv, str], Setup]
    judge: Callable[[Observation], bool]
    should_run: bool  # the task should end running (time to recovery applies)
    unwanted: Callable[[Observation], int] = lambda obs: 0
    migration_type: str = "full-load-and-cdc"


@dataclass
class Observation:
    """Everything measured for one system in one scenario."""

    scenario: str
    system: str
    final_status: str
    restarts: int
    start_calls_refused: int
    dms_calls: int
    dms_throttled: int
    notifications: int
    notification_kind: str
    executions: list[ExecutionRecord]
    deliveries: int
    clear_at: float
    t0: float
    running_since: float | None
    cutoff_seconds: float
    real_seconds: float
    should_run: bool = True
    correct: bool = False
    unwanted_restarts: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def looping(self) -> list[ExecutionRecord]:
        return [e for e in self.executions if e.status == "LOOPING"]

    @property
    def all_ended(self) -> bool:
        return not self.looping

    @property
    def transitions(self) -> int:
        return sum(e.transitions for e in self.executions)

    @property
    def history_events(self) -> int:
        return sum(e.events for e in self.executions)

    @property
    def time_to_recovery(self) -> float | None:
        if not self.should_run or self.final_status != "running" or self.running_since is None:
            return None
        return max(0.0, self.running_since - self.clear_at)

    def ends(self) -> str:
        counts = Counter(e.how for e in self.executions)
        return ", ".join(f"{n}x {how}" if n > 1 else how for how, n in counts.most_common())

    def projected_history_limit_seconds(self) -> float | None:
        """For the oldest looping execution: virtual seconds from its start to 25,000 events."""
        if not self.looping:
            return None
        oldest = min(self.looping, key=lambda e: e.started_at)
        spent = (oldest.ended_at or 0.0) - oldest.started_at
        if oldest.events <= 0 or spent <= 0:
            return None
        return HISTORY_LIMIT * spent / oldest.events

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "system": self.system,
            "correct": self.correct,
            "final_task_status": self.final_status,
            "restarts": self.restarts,
            "unwanted_restarts": self.unwanted_restarts,
            "start_calls_refused": self.start_calls_refused,
            "time_to_recovery_s": _round(self.time_to_recovery),
            "executions": len(self.executions),
            "all_ended": self.all_ended,
            "ends": self.ends(),
            "still_looping": len(self.looping),
            "state_transitions": self.transitions,
            "history_events": self.history_events,
            "projected_s_to_25000_events": _round(self.projected_history_limit_seconds()),
            "dms_calls": self.dms_calls,
            "dms_throttled": self.dms_throttled,
            "notifications": self.notifications,
            "notification_kind": self.notification_kind,
            "events_delivered": self.deliveries,
            "cutoff_s": self.cutoff_seconds,
            "real_seconds": round(self.real_seconds, 2),
            "executions_detail": [
                {
                    "status": e.status,
                    "how": e.how,
                    "error": e.error,
                    "transitions": e.transitions,
                    "events": e.events,
                    "started_s": round(e.started_at - self.t0, 1),
                    "ended_s": None if e.ended_at is None else round(e.ended_at - self.t0, 1),
                }
                for e in self.executions
            ],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# ---------------------------------------------------------------------------- fault injections


class _OutageHook:
    """Source database down until ``until``: a task started before then fails again after
    ``after_running`` seconds of running (the fake DMS's ``fail_in``)."""

    def __init__(self, dms: FakeDms, until: float, after_running: float) -> None:
        self.dms = dms
        self.until = until
        self.after_running = after_running

    def before_dms_call(self, operation: str, params: dict[str, Any]) -> None:
        return None

    def after_dms_call(
        self, operation: str, params: dict[str, Any], status: int, error_code: str | None
    ) -> None:
        arn = params.get("ReplicationTaskArn")
        if (
            operation == "StartReplicationTask"
            and status < 400
            and isinstance(arn, str)
            and self.dms.now() < self.until
        ):
            self.dms.fail_in(arn, STARTING_SECONDS + self.after_running)

    def on_task_started(self, task: Any, start_type: str) -> bool:
        return False


def transient_outage(env: WorkflowEnv, task: str) -> Setup:
    now = env.dms.now()
    env.dms.set_failed(task)
    outage = 300.0
    undo = add_dms_hook(_OutageHook(env.dms, now + outage, after_running=30.0))
    return Setup([("REPLICATION_TASK_FAILED", None)], clear_at=now + outage, undo=undo)


def operator_stop(env: WorkflowEnv, task: str) -> Setup:
    env.dms.operator_stop(task)
    return Setup([("REPLICATION_TASK_STOPPED", "task-stopped.json")], clear_at=env.dms.now())


def full_load_finished(env: WorkflowEnv, task: str) -> Setup:
    env.dms.full_load_finished(task)
    sample = "task-stopped-full-load-finished.json"
    return Setup([("REPLICATION_TASK_STOPPED", sample)], clear_at=env.dms.now())


def data_error(env: WorkflowEnv, task: str) -> Setup:
    env.dms.set_failed(task, TRUNCATION)
    env.dms.fail_after_start(task, TRUNCATION, times=100_000, after_running_seconds=5)
    return Setup([("REPLICATION_TASK_FAILED", "task-failed-fatal.json")], clear_at=env.dms.now())


def persistent_failure(env: WorkflowEnv, task: str) -> Setup:
    env.dms.set_failed(task, FATAL_MESSAGE)
    env.dms.fail_after_start(task, FATAL_MESSAGE, times=100_000, after_running_seconds=5)
    return Setup([("REPLICATION_TASK_FAILED", "task-failed-fatal.json")], clear_at=env.dms.now())


def duplicate_events(env: WorkflowEnv, task: str) -> Setup:
    env.dms.set_failed(task)
    event = ("REPLICATION_TASK_FAILED", None)
    return Setup([event, event], clear_at=env.dms.now())


def throttling(env: WorkflowEnv, task: str) -> Setup:
    env.dms.set_failed(task)
    env.dms.throttle(seconds=300)
    return Setup([("REPLICATION_TASK_FAILED", None)], clear_at=env.dms.now() + 300)


def instance_unavailable(env: WorkflowEnv, task: str) -> Setup:
    env.dms.set_failed(task)
    env.dms.instance_unavailable(status="modifying", seconds=200)
    return Setup([("REPLICATION_TASK_FAILED", None)], clear_at=env.dms.now() + 200)


def _running_and_ended(obs: Observation) -> bool:
    return obs.final_status == "running" and obs.all_ended


def _left_alone(obs: Observation) -> bool:
    return obs.restarts == 0 and obs.final_status == "stopped" and obs.all_ended


def _told_and_ended(obs: Observation) -> bool:
    return obs.all_ended and obs.notification_kind == "readable" and obs.notifications >= 1


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "transient_outage",
        "Transient outage",
        "source down 300 s: restarts before then fail after 30 s running",
        "task running again, executions ended",
        transient_outage,
        _running_and_ended,
        should_run=True,
    ),
    Scenario(
        "operator_stop",
        "Operator stop",
        "a person stopped the task (StopReason NORMAL)",
        "no restart, task stays stopped",
        operator_stop,
        _left_alone,
        should_run=False,
        unwanted=lambda obs: obs.restarts,
    ),
    Scenario(
        "full_load_finished",
        "Full-load-only task finished",
        "StopReason FULL_LOAD_ONLY_FINISHED",
        "no restart, task stays stopped",
        full_load_finished,
        _left_alone,
        should_run=False,
        unwanted=lambda obs: obs.restarts,
        migration_type="full-load",
    ),
    Scenario(
        "data_error",
        "Data error",
        "truncation; every restart fails again after 5 s",
        "no restart, ends, a person is told why",
        data_error,
        lambda obs: obs.restarts == 0 and _told_and_ended(obs),
        should_run=False,
        unwanted=lambda obs: obs.restarts,
    ),
    Scenario(
        "persistent_failure",
        "Persistent failure",
        "endpoint unreachable for good; every restart fails after 5 s",
        "bounded restarts, ends, a person is told",
        persistent_failure,
        _told_and_ended,
        should_run=False,
    ),
    Scenario(
        "duplicate_events",
        "Duplicate events",
        "two events for one failure at once",
        "exactly one restart, task running, no execution fails",
        duplicate_events,
        lambda obs: (
            _running_and_ended(obs)
            and obs.restarts == 1
            and not any(e.status == "FAILED" for e in obs.executions)
        ),
        should_run=True,
        unwanted=lambda obs: max(0, obs.restarts - 1),
    ),
    Scenario(
        "throttling",
        "Throttling",
        "every DMS call throttled for 300 s",
        "task running again",
        throttling,
        _running_and_ended,
        should_run=True,
    ),
    Scenario(
        "instance_unavailable",
        "Instance briefly unavailable",
        "replication instance 'modifying' for 200 s",
        "task running again, no refused start",
        instance_unavailable,
        lambda obs: _running_and_ended(obs) and obs.start_calls_refused == 0,
        should_run=True,
    ),
)
SCENARIO_KEYS = tuple(s.key for s in SCENARIOS)


def _running_since(timeline: list[tuple[float, str]]) -> float | None:
    if not timeline or timeline[-1][1] != "running":
        return None
    return timeline[-1][0]


def run_scenario(
    scenario: Scenario,
    system_name: str,
    *,
    scale: float,
    cutoff_seconds: float,
    busy_scale: float | None = None,
    settle_seconds: float = 150.0,
    poll_seconds: float = 2.0,
) -> Observation:
    """Run one scenario against one system in a fresh local AWS; return what was measured."""
    real_start = time.monotonic()
    with (
        cached_asl_parsing(),
        make_clock(scale, busy_scale) as clock,
        local_aws(clock=clock, starting_seconds=STARTING_SECONDS) as env,
    ):
        dms = env.dms
        dms.create_instance()
        task = dms.create_task("orders-cdc", migration_type=scenario.migration_type)
        dms.set_running(task, since=dms.now() - 3600)
        system = SYSTEMS[system_name]()
        system.deploy(env, [task])
        bus = EventBus(env, system, [task], poll_virtual_seconds=poll_seconds)
        t0 = dms.now()
        setup = scenario.inject(env, task)
        calls_before = len(dms.calls)
        bus.start()
        try:
            for event_type, sample in setup.events:
                bus.deliver(task, event_type, sample)
            wait_until_quiet(
                bus,
                cutoff_at=t0 + cutoff_seconds,
                settle_virtual=settle_seconds,
                not_before=max(setup.clear_at, setup.not_before),
            )
        finally:
            bus.stop()
            records = collect(env, bus)
            system.close()
            if setup.undo is not None:
                setup.undo()
        calls = dms.calls[calls_before:]
        starts = [c for c in calls if c.operation == "StartReplicationTask"]
        workflow_notes = system.workflow_notifications(env)
        raw_alerts = len(bus.deliveries) if system_name == "seed" else 0
        obs = Observation(
            scenario=scenario.key,
            system=system_name,
            final_status=bus.status(task),
            restarts=sum(1 for c in starts if c.ok),
            start_calls_refused=sum(
                1 for c in starts if not c.ok and c.outcome != "ThrottlingException"
            ),
            dms_calls=len(calls),
            dms_throttled=sum(1 for c in calls if c.outcome == "ThrottlingException"),
            notifications=workflow_notes or raw_alerts,
            notification_kind="readable" if workflow_notes else ("raw event" if raw_alerts else ""),
            executions=records,
            deliveries=len(bus.deliveries),
            clear_at=setup.clear_at,
            t0=t0,
            running_since=_running_since(bus.timeline.get(task, [])),
            cutoff_seconds=cutoff_seconds,
            real_seconds=time.monotonic() - real_start,
            should_run=scenario.should_run,
        )
    obs.correct = bool(scenario.judge(obs))
    obs.unwanted_restarts = int(scenario.unwanted(obs))
    return obs
