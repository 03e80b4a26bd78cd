"""A scriptable fault injector over moto's DMS backend, driven by the virtual clock.

``FakeDms`` sits in the DMS request path (through :func:`harness.moto_corrections.add_dms_hook`)
and makes tasks behave the way real DMS tasks do in an incident: a started task is ``starting``
for a while and then ``running``; a scripted start fails again after some seconds of running; an
operator stops a task; a full load finishes; the API throttles; the replication instance is
``modifying``; a task disappears. Every DMS API call that reaches moto (from the state machine or
from a test) is written to :attr:`FakeDms.calls` with its virtual time, operation, task ARN, start
type and outcome.

Scripted transitions are applied lazily, at the virtual instant they were due, whenever a DMS call
arrives or the test asks for a task's status.

Usage (inside :func:`harness.moto_corrections.corrected_moto`)::

    clock = VirtualClock(scale=50)
    with clock.activate(), FakeDms(clock) as dms:
        task = dms.create_task("orders-cdc")
        dms.set_failed(task)
        dms.fail_after_start(task, times=1, after_running_seconds=60)
        ...
        assert dms.restarts(task) == 2
"""

from __future__ import annotations

import heapq
import itertools
import json
import re
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import boto3  # type: ignore[import-untyped,unused-ignore]
from botocore.config import Config  # type: ignore[import-untyped,unused-ignore]
from moto.core.exceptions import JsonRESTError
from moto.dms.models import dms_backends

from harness.clock import VirtualClock, active_clock
from harness.moto_corrections import (
    ACCOUNT_ID,
    HARNESS_USER_AGENT,
    REGION,
    Undo,
    add_dms_hook,
    advance_task,
)

RECOVERABLE_MESSAGE = (
    "Last Error ODBC general error. Stop Reason RECOVERABLE_ERROR Error Level RECOVERABLE"
)
RECOVERABLE_STOP_REASON = "Stop Reason RECOVERABLE_ERROR"
FATAL_MESSAGE = (
    "Last Error Test connection failed for endpoint 'orders-source' "
    "Stop Reason FATAL_ERROR Error Level FATAL"
)
NORMAL_STOP_REASON = "Stop Reason NORMAL"
FULL_LOAD_FINISHED_STOP_REASON = "Stop Reason FULL_LOAD_ONLY_FINISHED"
DEFAULT_TABLE_MAPPINGS = json.dumps(
    {
        "rules": [
            {
                "rule-type": "selection",
                "rule-id": "1",
                "rule-name": "all",
                "object-locator": {"schema-name": "%", "table-name": "%"},
                "rule-action": "include",
            }
        ]
    }
)

_STOP_REASON_IN_MESSAGE = re.compile(r"Stop Reason ([A-Z_]+)")


def stop_reason_of(message: str) -> str:
    """The StopReason DMS reports with ``message`` ("Stop Reason X" inside it, else recoverable)."""
    found = _STOP_REASON_IN_MESSAGE.search(message)
    return f"Stop Reason {found.group(1)}" if found else RECOVERABLE_STOP_REASON


@dataclass(frozen=True)
class DmsCall:
    """One DMS API request as the fake DMS saw it."""

    at: float  # virtual epoch seconds
    operation: str  # e.g. "DescribeReplicationTasks"
    task_arn: str | None
    instance_arn: str | None
    start_type: str | None
    status: int  # HTTP status of the response
    outcome: str  # "ok" or the error code, e.g. "ThrottlingException"

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass(frozen=True)
class StartFailure:
    """What happens to a task after a scripted start: it fails after running a while."""

    message: str = RECOVERABLE_MESSAGE
    after_running_seconds: float = 30.0
    stop_reason: str | None = None  # default: derived from the message
    status: str = "failed"  # or "stopped" (e.g. with "Stop Reason RECOVERABLE_ERROR")


@dataclass
class _TaskScript:
    starting_seconds: float
    start_failures: deque[StartFailure] = field(default_factory=deque)
    delete_after_describes: int | None = None
    deleting_seconds: float = 0.0
    generation: int = 0  # bumps on every start/forced state; stale events are dropped


class ThrottlingError(JsonRESTError):
    """DMS's throttling error: HTTP 400, ``{"__type": "ThrottlingException"}``."""

    code = 400

    def __init__(self) -> None:
        super().__init__("ThrottlingException", "Rate exceeded")


class InvalidResourceStateError(JsonRESTError):
    """DMS refusing an action the resource is not ready for: HTTP 400."""

    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("InvalidResourceStateFault", message)


def _task_arn_of(params: dict[str, Any]) -> str | None:
    arn = params.get("ReplicationTaskArn")
    if isinstance(arn, str):
        return arn
    for item in params.get("Filters") or []:
        if isinstance(item, dict) and item.get("Name") == "replication-task-arn":
            values = item.get("Values") or []
            return str(values[0]) if values else None
    return None


def _instance_arn_of(params: dict[str, Any]) -> str | None:
    arn = params.get("ReplicationInstanceArn")
    if isinstance(arn, str):
        return arn
    for item in params.get("Filters") or []:
        if isinstance(item, dict) and item.get("Name") == "replication-instance-arn":
            values = item.get("Values") or []
            return str(values[0]) if values else None
    return None


class FakeDms:
    """Fault injector keyed by task ARN; see the module docstring."""

    def __init__(
        self,
        clock: VirtualClock | None = None,
        *,
        region: str = REGION,
        account_id: str = ACCOUNT_ID,
        starting_seconds: float = 10.0,
        endpoint_url: str | None = None,
    ) -> None:
        self._clock = clock
        self.region = region
        self.account_id = account_id
        self.default_starting_seconds = starting_seconds
        self.endpoint_url = endpoint_url
        self.calls: list[DmsCall] = []
        self._lock = threading.RLock()
        self._scripts: dict[str, _TaskScript] = {}
        self._events: list[tuple[float, int, Callable[[float], None]]] = []
        self._seq = itertools.count()
        self._throttle_calls = 0
        self._refused_starts = 0
        self._throttle_until = float("-inf")
        self._throttle_operations: frozenset[str] | None = None
        self._setup_client: Any = None
        self._undo: Undo | None = None
        self._endpoints: tuple[str, str] | None = None
        self._instance_arn: str | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def clock(self) -> VirtualClock:
        return self._clock if self._clock is not None else active_clock()

    def now(self) -> float:
        return self.clock.now()

    def install(self) -> Undo:
        """Start intercepting DMS requests; the undo stops it."""
        if self._undo is None:
            self._undo = add_dms_hook(self)
        return self.uninstall

    def uninstall(self) -> None:
        if self._undo is not None:
            self._undo()
            self._undo = None

    def __enter__(self) -> FakeDms:
        self.install()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.uninstall()

    @property
    def backend(self) -> Any:
        return dms_backends[self.account_id][self.region]

    def _client(self) -> Any:
        if self._setup_client is None:
            self._setup_client = boto3.client(
                "dms",
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                config=Config(user_agent_extra=HARNESS_USER_AGENT),
            )
        return self._setup_client

    # ------------------------------------------------------------------ building resources

    def create_instance(self, identifier: str = "repl-instance-1") -> str:
        """A replication instance (``available``); returns its ARN."""
        response = self._client().create_replication_instance(
            ReplicationInstanceIdentifier=identifier,
            ReplicationInstanceClass="dms.t3.medium",
        )
        arn = str(response["ReplicationInstance"]["ReplicationInstanceArn"])
        self.backend.replication_instances[arn].status = "available"
        if self._instance_arn is None:
            self._instance_arn = arn
        return arn

    def create_endpoints(self, prefix: str = "orders") -> tuple[str, str]:
        """A MySQL source and a PostgreSQL target endpoint; returns their ARNs."""
        client = self._client()
        source = client.create_endpoint(
            EndpointIdentifier=f"{prefix}-source",
            EndpointType="source",
            EngineName="mysql",
            ServerName="source.example.internal",
            Port=3306,
            Username="dms",
            Password="secret",
        )["Endpoint"]["EndpointArn"]
        target = client.create_endpoint(
            EndpointIdentifier=f"{prefix}-target",
            EndpointType="target",
            EngineName="postgres",
            ServerName="target.example.internal",
            Port=5432,
            Username="dms",
            Password="secret",
            DatabaseName="orders",
        )["Endpoint"]["EndpointArn"]
        return str(source), str(target)

    def create_task(
        self,
        identifier: str = "orders-cdc",
        *,
        migration_type: str = "full-load-and-cdc",
        instance_arn: str | None = None,
        starting_seconds: float | None = None,
    ) -> str:
        """A task in status ``ready`` (creating instance/endpoints on first use); its ARN."""
        if instance_arn is None:
            instance_arn = self._instance_arn or self.create_instance()
        if self._endpoints is None:
            self._endpoints = self.create_endpoints()
        source, target = self._endpoints
        response = self._client().create_replication_task(
            ReplicationTaskIdentifier=identifier,
            SourceEndpointArn=source,
            TargetEndpointArn=target,
            ReplicationInstanceArn=instance_arn,
            MigrationType=migration_type,
            TableMappings=DEFAULT_TABLE_MAPPINGS,
        )
        arn = str(response["ReplicationTask"]["ReplicationTaskArn"])
        advance_task(self.task(arn))  # creating -> ready
        self._scripts[arn] = _TaskScript(
            starting_seconds=self.default_starting_seconds
            if starting_seconds is None
            else starting_seconds
        )
        return arn

    # ------------------------------------------------------------------ reading state

    def task(self, task_arn: str) -> Any:
        """moto's task object (raises KeyError when it does not exist)."""
        return self.backend.replication_tasks[task_arn]

    def exists(self, task_arn: str) -> bool:
        self._advance()
        return task_arn in self.backend.replication_tasks

    def status(self, task_arn: str) -> str:
        self._advance()
        task = self.task(task_arn)
        advance_task(task)
        return str(task.status)

    def describe(self, task_arn: str) -> dict[str, Any]:
        """The task as DescribeReplicationTasks would show it now (without settings)."""
        self._advance()
        task = self.task(task_arn)
        advance_task(task)
        task.without_settings = True
        try:
            return dict(task.to_dict())
        finally:
            task.without_settings = False

    def instance_status(self, instance_arn: str | None = None) -> str:
        self._advance()
        return str(self.backend.replication_instances[self._instance(instance_arn)].status)

    def calls_for(self, task_arn: str | None = None, operation: str | None = None) -> list[DmsCall]:
        with self._lock:
            return [
                call
                for call in self.calls
                if (task_arn is None or call.task_arn == task_arn)
                and (operation is None or call.operation == operation)
            ]

    def restarts(self, task_arn: str | None = None) -> int:
        """Successful StartReplicationTask calls (for one task, or all)."""
        return sum(1 for call in self.calls_for(task_arn, "StartReplicationTask") if call.ok)

    def start_types(self, task_arn: str | None = None) -> list[str | None]:
        return [c.start_type for c in self.calls_for(task_arn, "StartReplicationTask") if c.ok]

    # ------------------------------------------------------------------ scripting

    def _script(self, task_arn: str) -> _TaskScript:
        if task_arn not in self._scripts:
            self._scripts[task_arn] = _TaskScript(starting_seconds=self.default_starting_seconds)
        return self._scripts[task_arn]

    def _instance(self, instance_arn: str | None) -> str:
        arn = instance_arn or self._instance_arn
        if arn is None:
            raise ValueError("no replication instance yet")
        return arn

    def _schedule(self, at: float, action: Callable[[float], None]) -> None:
        with self._lock:
            heapq.heappush(self._events, (at, next(self._seq), action))

    def _advance(self) -> None:
        """Apply every scripted transition that is due by the virtual now, in time order."""
        now = self.now()
        with self._lock:
            while self._events and self._events[0][0] <= now:
                at, _, action = heapq.heappop(self._events)
                action(at)

    def _bump(self, task_arn: str) -> int:
        script = self._script(task_arn)
        script.generation += 1
        return script.generation

    def _when_current(
        self, task_arn: str, generation: int, action: Callable[[Any, float], None]
    ) -> Callable[[float], None]:
        def run(at: float) -> None:
            task = self.backend.replication_tasks.get(task_arn)
            if task is not None and self._script(task_arn).generation == generation:
                action(task, at)

        return run

    @staticmethod
    def _as_datetime(at: float) -> datetime:
        return datetime.fromtimestamp(at, tz=UTC)

    def set_running(self, task_arn: str, *, since: float | None = None) -> None:
        """Put the task in ``running`` now (started ``since`` virtual epoch seconds)."""
        self._bump(task_arn)
        task = self.task(task_arn)
        started = self.now() if since is None else since
        task.status = "running"
        task.pending_status = None
        task.start_date = self._as_datetime(started)
        task.ever_started = True
        if getattr(task, "fresh_start_date", None) is None:
            task.fresh_start_date = task.start_date

    def set_failed(
        self,
        task_arn: str,
        message: str = RECOVERABLE_MESSAGE,
        *,
        stop_reason: str | None = None,
        status: str = "failed",
    ) -> None:
        """Fail the task now with DMS-shaped ``LastFailureMessage`` and ``StopReason``."""
        self._bump(task_arn)
        self._fail(self.task(task_arn), self.now(), StartFailure(message, 0, stop_reason, status))

    def _fail(self, task: Any, at: float, failure: StartFailure) -> None:
        task.status = failure.status
        task.pending_status = None
        task.last_failure_message = failure.message
        task.stop_reason = failure.stop_reason or stop_reason_of(failure.message)
        task.stop_date = self._as_datetime(at)
        if task.start_date is None:
            task.start_date = self._as_datetime(at)
        task.ever_started = True
        if getattr(task, "fresh_start_date", None) is None:
            task.fresh_start_date = task.start_date

    def fail_in(
        self,
        task_arn: str,
        seconds: float,
        message: str = RECOVERABLE_MESSAGE,
        *,
        stop_reason: str | None = None,
        status: str = "failed",
    ) -> None:
        """Fail the task ``seconds`` virtual seconds from now (unless its state is forced or it
        is restarted first)."""
        generation = self._script(task_arn).generation
        failure = StartFailure(message, seconds, stop_reason, status)
        self._schedule(
            self.now() + seconds,
            self._when_current(task_arn, generation, lambda t, at: self._fail(t, at, failure)),
        )

    def operator_stop(self, task_arn: str) -> None:
        """A person stopped the task: ``stopped`` with "Stop Reason NORMAL"."""
        self._bump(task_arn)
        task = self.task(task_arn)
        task.status = "stopped"
        task.pending_status = None
        task.stop_reason = NORMAL_STOP_REASON
        task.stop_date = self.clock.now_datetime()

    def full_load_finished(self, task_arn: str) -> None:
        """A full-load task ended: ``stopped`` with "Stop Reason FULL_LOAD_ONLY_FINISHED"."""
        self._bump(task_arn)
        task = self.task(task_arn)
        task.status = "stopped"
        task.pending_status = None
        task.stop_reason = FULL_LOAD_FINISHED_STOP_REASON
        task.stop_date = self.clock.now_datetime()

    def set_starting_seconds(self, task_arn: str, seconds: float) -> None:
        """How long the task stays ``starting`` after each StartReplicationTask."""
        self._script(task_arn).starting_seconds = seconds

    def fail_after_start(
        self,
        task_arn: str,
        message: str = RECOVERABLE_MESSAGE,
        *,
        times: int = 1,
        after_running_seconds: float = 30.0,
        stop_reason: str | None = None,
        status: str = "failed",
    ) -> None:
        """The next ``times`` starts each fail after ``after_running_seconds`` of running.

        Starts after those hold. Calls accumulate: ``fail_after_start(t, "A")`` then
        ``fail_after_start(t, "B")`` scripts "first restart fails with A, second with B".
        """
        failure = StartFailure(message, after_running_seconds, stop_reason, status)
        self.script_starts(task_arn, [failure] * times)

    def script_starts(self, task_arn: str, failures: Sequence[StartFailure]) -> None:
        """Append per-start failures, in order, to the task's script."""
        self._script(task_arn).start_failures.extend(failures)

    def throttle(
        self,
        *,
        calls: int = 0,
        seconds: float = 0.0,
        operations: Sequence[str] | None = None,
    ) -> None:
        """Answer the next ``calls`` DMS calls, and every call for ``seconds`` virtual seconds,
        with ``ThrottlingException`` (HTTP 400). ``operations`` limits it to those operations."""
        with self._lock:
            self._throttle_calls = calls
            self._throttle_until = self.now() + seconds if seconds > 0 else float("-inf")
            self._throttle_operations = frozenset(operations) if operations else None

    def refuse_starts(self, times: int = 1) -> None:
        """Refuse the next ``times`` StartReplicationTask calls with ``InvalidResourceStateFault``,
        as DMS does when the instance changes state between a describe and the start."""
        with self._lock:
            self._refused_starts = times

    def instance_unavailable(
        self,
        instance_arn: str | None = None,
        *,
        status: str = "modifying",
        seconds: float = 60.0,
    ) -> None:
        """The replication instance shows ``status`` for ``seconds``, then ``available``."""
        arn = self._instance(instance_arn)
        instance = self.backend.replication_instances[arn]
        instance.status = status

        def back(at: float) -> None:
            current = self.backend.replication_instances.get(arn)
            if current is not None and current.status == status:
                current.status = "available"

        self._schedule(self.now() + seconds, back)

    def delete_task(
        self, task_arn: str, *, after_describe_calls: int = 0, deleting_seconds: float = 0.0
    ) -> None:
        """Delete the task now, or after it has been described ``after_describe_calls`` times.

        Once gone, DescribeReplicationTasks filtered by its ARN and StartReplicationTask raise
        ``ResourceNotFoundFault``. With ``deleting_seconds`` it first shows ``deleting``.
        """
        if after_describe_calls > 0:
            script = self._script(task_arn)
            script.delete_after_describes = after_describe_calls
            script.deleting_seconds = deleting_seconds
            return
        self._delete(task_arn, deleting_seconds)

    def _delete(self, task_arn: str, deleting_seconds: float) -> None:
        self._bump(task_arn)
        task = self.backend.replication_tasks.get(task_arn)
        if task is None:
            return
        if deleting_seconds <= 0:
            self.backend.replication_tasks.pop(task_arn, None)
            return
        task.status = "deleting"
        task.pending_status = None
        self._schedule(
            self.now() + deleting_seconds,
            lambda at: self.backend.replication_tasks.pop(task_arn, None),
        )

    # ------------------------------------------------------------------ DmsHook protocol

    def before_dms_call(self, operation: str, params: dict[str, Any]) -> None:
        self._advance()
        with self._lock:
            if self._throttle_operations is None or operation in self._throttle_operations:
                if self._throttle_calls > 0:
                    self._throttle_calls -= 1
                    raise ThrottlingError()
                if self.now() < self._throttle_until:
                    raise ThrottlingError()
            if operation == "StartReplicationTask" and self._refused_starts > 0:
                self._refused_starts -= 1
                raise InvalidResourceStateError(
                    "Replication instance is not in a valid state to start the task"
                )
        if operation == "DescribeReplicationTasks":
            arn = _task_arn_of(params)
            script = self._scripts.get(arn) if arn else None
            if arn and script and script.delete_after_describes is not None:
                if script.delete_after_describes <= 0:
                    script.delete_after_describes = None
                    self._delete(arn, script.deleting_seconds)
                else:
                    script.delete_after_describes -= 1

    def after_dms_call(
        self, operation: str, params: dict[str, Any], status: int, error_code: str | None
    ) -> None:
        call = DmsCall(
            at=self.now(),
            operation=operation,
            task_arn=_task_arn_of(params),
            instance_arn=_instance_arn_of(params),
            start_type=params.get("StartReplicationTaskType")
            if operation == "StartReplicationTask"
            else None,
            status=status,
            outcome="ok" if status < 400 else (error_code or f"HTTP{status}"),
        )
        with self._lock:
            self.calls.append(call)

    def on_task_started(self, task: Any, start_type: str) -> bool:
        arn = str(task.arn)
        generation = self._bump(arn)
        script = self._script(arn)
        started = self.now()
        running_at = started + script.starting_seconds

        def to_running(t: Any, at: float) -> None:
            t.status = "running"
            t.pending_status = None

        if script.starting_seconds <= 0:
            to_running(task, started)
        else:
            self._schedule(running_at, self._when_current(arn, generation, to_running))
        if script.start_failures:
            failure = script.start_failures.popleft()
            self._schedule(
                running_at + failure.after_running_seconds,
                self._when_current(arn, generation, lambda t, at: self._fail(t, at, failure)),
            )
        return True
