"""The two systems under test, deployed on the harness, and the EventBridge stand-in.

- ``module``: this module's state machine, rendered exactly as the workflow tests render it
  (``scripts.render_asl.fill(render_template(), values)``) with the real decider in-process and
  the decider settings at the module's defaults.
- ``seed``: the 2023 seed's state machine (``bench/seed_baseline.asl.json``, a literal translation)
  with its ARN-wrapping Lambda (``bench/seed_lambda.py``). Its EventBridge rule used an input
  transformer; the input here is ``{"replication-task-arn": ["<arn>"]}``, i.e. the event's
  ``resources`` array, because its first state passes that value as a filter's ``Values`` (a list;
  a bare string finds no task).

:class:`EventBus` plays EventBridge: it watches every task's status on the virtual clock and, each
time a task *becomes* ``failed`` or ``stopped``, starts one execution of the system's state machine
with that system's input shape, as the real rules would (DMS emits REPLICATION_TASK_FAILED /
REPLICATION_TASK_STOPPED on every such transition, and EventBridge does not deduplicate).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped,unused-ignore]

from bench.parse_cache import warm
from bench.seed_lambda import lambda_handler as seed_lambda_handler
from harness.workflow import WorkflowEnv
from scripts.render_asl import fill, render_template

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "tests" / "events"
SEED_ASL = Path(__file__).resolve().parent / "seed_baseline.asl.json"
HISTORY_LIMIT = 25_000

# The module's defaults (README "Configuration"): what a caller gets without setting anything.
MODULE_DECIDER_ENV = {
    "MAX_ATTEMPTS": "5",
    "BACKOFF_BASE_SECONDS": "60",
    "BACKOFF_MAX_SECONDS": "900",
    "STABLE_SECONDS": "120",
    "POLL_SECONDS": "30",
    "RECOVERY_BUDGET_SECONDS": "7200",
    "MAX_RESTARTS_PER_WINDOW": "10",
    "RESTART_WINDOW_SECONDS": "86400",
}
EVENT_SAMPLES = {
    "REPLICATION_TASK_FAILED": "task-failed-recoverable.json",
    "REPLICATION_TASK_STOPPED": "task-stopped.json",
}


def dms_event(task_arn: str, sample: str) -> dict[str, Any]:
    """A real-shaped DMS EventBridge event (from tests/events/) for ``task_arn``."""
    event: dict[str, Any] = json.loads((EVENTS / sample).read_text())
    event["resources"] = [task_arn]
    event["id"] = str(uuid.uuid4())
    return event


def seed_definition(partition: str, lambda_function_arn: str) -> str:
    """The seed's ASL with its two placeholders filled."""
    text = SEED_ASL.read_text()
    filled = text.replace("${partition}", partition).replace(
        "${lambda_function_arn}", lambda_function_arn
    )
    json.loads(filled)  # must stay valid JSON
    return filled


class System:
    """One recovery system: how it is deployed and what input one DMS event gives it."""

    name = ""
    label = ""
    state_machine_arn = ""

    def deploy(self, env: WorkflowEnv, watched: list[str]) -> None:
        raise NotImplementedError

    def payload(self, task_arn: str, event_type: str, sample: str | None) -> Any:
        raise NotImplementedError

    def workflow_notifications(self, env: WorkflowEnv) -> int:
        """Messages the workflow itself published (readable ones)."""
        return 0

    def close(self) -> None:
        """Undo what deploy changed outside the mocked AWS."""


class ModuleSystem(System):
    name = "module"
    label = "this module"

    def __init__(self, decider_env: dict[str, str] | None = None) -> None:
        self.decider_env = dict(decider_env or MODULE_DECIDER_ENV)
        self.topic_arn = ""
        self._saved: dict[str, str | None] = {}

    def deploy(self, env: WorkflowEnv, watched: list[str]) -> None:
        # The harness swaps the decider's environment into os.environ around each invocation,
        # which is not safe for concurrent invocations (one restores while another reads). With
        # the same values set process-wide, every swap and restore writes what is already there.
        self._saved = {key: os.environ.get(key) for key in self.decider_env}
        os.environ.update(self.decider_env)
        values = {
            "partition": "aws",
            "decider_function_arn": env.create_decider_function(environment=self.decider_env),
            "notification_topic_arn": env.create_topic(),
            "lease_table_name": env.create_lease_table(),
            "watched_task_arns": json.dumps(watched),
        }
        self.topic_arn = values["notification_topic_arn"]
        definition = json.dumps(fill(render_template(), values))
        warm(definition)
        self.state_machine_arn = env.create_state_machine(definition)

    def payload(self, task_arn: str, event_type: str, sample: str | None) -> Any:
        return dms_event(task_arn, sample or EVENT_SAMPLES[event_type])

    def workflow_notifications(self, env: WorkflowEnv) -> int:
        return len(env.notifications(self.topic_arn))

    def close(self) -> None:
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved = {}


class SeedSystem(System):
    name = "seed"
    label = "seed (2023 blog)"

    def deploy(self, env: WorkflowEnv, watched: list[str]) -> None:
        function_arn = env.create_decider_function(
            name="seed-complete-task-arn", handler=seed_lambda_handler
        )
        definition = seed_definition("aws", function_arn)
        warm(definition)
        self.state_machine_arn = env.create_state_machine(definition, name="seed-dms-recovery")

    def payload(self, task_arn: str, event_type: str, sample: str | None) -> Any:
        # the seed's input transformer: {"replication-task-arn": <$.resources>}
        return {"replication-task-arn": [task_arn]}


SYSTEMS: dict[str, type[System]] = {"module": ModuleSystem, "seed": SeedSystem}


@dataclass
class Delivery:
    """One execution started for one DMS event."""

    execution_arn: str
    task_arn: str
    event_type: str
    at: float  # virtual epoch seconds
    real_at: float = field(default_factory=time.monotonic)


@dataclass
class EventBus:
    """EventBridge stand-in: watches task statuses and starts executions on failed/stopped."""

    env: WorkflowEnv
    system: System
    tasks: list[str]
    poll_virtual_seconds: float = 2.0
    redeliver: bool = True
    deliveries: list[Delivery] = field(default_factory=list)
    timeline: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    ended_at: dict[str, float] = field(default_factory=dict)  # seen ended (poll resolution)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self, task_arn: str) -> str:
        try:
            return self.env.dms.status(task_arn)
        except KeyError:
            return "deleted"

    def observe(self) -> None:
        """Record every task's status now; emit an event for each new failed/stopped."""
        now = self.env.clock.now()
        for task in self.tasks:
            status = self.status(task)
            seen = self.timeline.setdefault(task, [])
            previous = seen[-1][1] if seen else None
            if status == previous:
                continue
            seen.append((now, status))
            if self.redeliver and previous is not None:
                if status == "failed":
                    self.deliver(task, "REPLICATION_TASK_FAILED")
                elif status == "stopped":
                    self.deliver(task, "REPLICATION_TASK_STOPPED")

    def deliver(self, task_arn: str, event_type: str, sample: str | None = None) -> Delivery:
        payload = self.system.payload(task_arn, event_type, sample)
        arn = self.env.start(self.system.state_machine_arn, payload)
        delivery = Delivery(arn, task_arn, event_type, self.env.clock.now())
        with self._lock:
            self.deliveries.append(delivery)
        return delivery

    def note_ended(self, running: set[str], now: float) -> None:
        """Record ``now`` as the end of every delivered execution no longer running."""
        with self._lock:
            settled = time.monotonic() - 0.05  # a just-started one may not be listed yet
            for delivery in self.deliveries:
                if delivery.execution_arn not in running and delivery.real_at < settled:
                    self.ended_at.setdefault(delivery.execution_arn, now)

    def last_delivery_at(self) -> float:
        with self._lock:
            return max((d.at for d in self.deliveries), default=float("-inf"))

    def start(self) -> None:
        self.observe()
        self._thread = threading.Thread(target=self._run, name="bench-eventbus", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        pause = max(0.005, self.env.clock.real_seconds(self.poll_virtual_seconds))
        while not self._stop.is_set():
            self.observe()
            self._stop.wait(pause)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.observe_final()

    def observe_final(self) -> None:
        now = self.env.clock.now()
        for task in self.tasks:
            status = self.status(task)
            seen = self.timeline.setdefault(task, [])
            if not seen or seen[-1][1] != status:
                seen.append((now, status))


@dataclass
class ExecutionRecord:
    """One execution as the benchmark counts it."""

    execution_arn: str
    task_arn: str
    started_at: float
    status: str  # SUCCEEDED / FAILED / ... or LOOPING (still running at the cut-off, stopped)
    error: str | None
    cause: str | None
    events: int
    transitions: int
    last_state: str | None
    ended_at: float | None

    @property
    def ended_on_throttling(self) -> bool:
        text = f"{self.error or ''} {self.cause or ''}"
        return self.status == "FAILED" and ("Throttling" in text or "Rate exceeded" in text)

    @property
    def how(self) -> str:
        if self.status == "LOOPING":
            return "still looping"
        if self.ended_on_throttling:
            return "FAILED (throttled)"
        if self.status == "FAILED":
            return f"FAILED ({short_error(self.error)})"
        return f"{self.status} ({self.last_state})"


def short_error(error: str | None) -> str:
    if not error:
        return "?"
    name = error.rsplit(".", 1)[-1]
    return name.removesuffix("Exception").removesuffix("Fault") or error


def running_executions(env: WorkflowEnv, state_machine_arn: str) -> set[str]:
    """ARNs of the machine's RUNNING executions.

    moto 5.2.5 can fail ListExecutions with a status filter (AttributeError on ``exec_status``)
    while an execution is being created in another thread, and past 100 executions its page
    token can go stale (InvalidToken) when one starts in between; both are retried.
    """
    sfn = env.client("stepfunctions")
    for attempt in range(20):
        try:
            arns: set[str] = set()
            for page in sfn.get_paginator("list_executions").paginate(
                stateMachineArn=state_machine_arn,
                statusFilter="RUNNING",
                PaginationConfig={"PageSize": 1000},
            ):
                arns.update(str(e["executionArn"]) for e in page["executions"])
            return arns
        except (AttributeError, ClientError):  # also a page token outdated by a new execution
            if attempt == 19:
                raise
            time.sleep(0.01)
    return set()


def wait_until_quiet(
    bus: EventBus, *, cutoff_at: float, settle_virtual: float, not_before: float = 0.0
) -> bool:
    """Wait until no execution runs, none has been started for ``settle_virtual`` seconds and
    ``not_before`` has passed; or until the cut-off. True when quiet, False at the cut-off."""
    env = bus.env
    clock = env.clock
    quiet_since: float | None = None
    while clock.now() < cutoff_at:
        running = running_executions(env, bus.system.state_machine_arn)
        now = clock.now()
        bus.note_ended(running, now)
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        settled = quiet_since is not None and now - max(quiet_since, bus.last_delivery_at()) >= (
            settle_virtual
        )
        if settled and now >= not_before:
            return True
        time.sleep(max(0.01, clock.real_seconds(5.0)))
    return False


def collect(env: WorkflowEnv, bus: EventBus) -> list[ExecutionRecord]:
    """Stop what still runs (reported as LOOPING) and read every execution's history."""
    sfn = env.client("stepfunctions")
    still = running_executions(env, bus.system.state_machine_arn)
    cut_at = env.clock.now()
    for arn in still:
        with contextlib.suppress(Exception):  # it may have ended in between
            sfn.stop_execution(executionArn=arn, cause="benchmark cut-off")
    records: list[ExecutionRecord] = []
    for delivery in bus.deliveries:
        described = sfn.describe_execution(executionArn=delivery.execution_arn)
        history = env.history(delivery.execution_arn)
        entered = [
            str(e["stateEnteredEventDetails"]["name"])
            for e in history
            if str(e["type"]).endswith("StateEntered")
        ]
        looping = delivery.execution_arn in still
        status = "LOOPING" if looping else str(described["status"])
        ended_at = cut_at if looping else bus.ended_at.get(delivery.execution_arn, cut_at)
        records.append(
            ExecutionRecord(
                execution_arn=delivery.execution_arn,
                task_arn=delivery.task_arn,
                started_at=delivery.at,
                status=status,
                error=None if looping else described.get("error"),
                cause=None if looping else described.get("cause"),
                events=len([e for e in history if e["type"] != "ExecutionAborted"]),
                transitions=len(entered),
                last_state=entered[-1] if entered else None,
                ended_at=ended_at,
            )
        )
    return records
