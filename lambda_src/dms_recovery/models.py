"""Typed values the policy reads and writes. Plain data: no behaviour, no AWS imports."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Action(StrEnum):
    """What the workflow does next."""

    BEGIN = "BEGIN"  # the clock and lease values the workflow needs before its first look
    RESTART = "RESTART"  # StartReplicationTask with resume-processing, then wait
    WAIT = "WAIT"  # wait, then look again
    SUCCEED = "SUCCEED"  # recovered and stable: notify, release, end
    SKIP = "SKIP"  # nothing to do (quietly or with a notice): release, end
    GIVE_UP = "GIVE_UP"  # cannot or must not recover: notify, release, end as failed


class ErrorKind(StrEnum):
    """How a failed AWS call is treated."""

    NOT_FOUND = "not_found"
    INVALID_STATE = "invalid_state"
    THROTTLED = "throttled"
    ACCESS_DENIED = "access_denied"
    OTHER = "other"


@dataclass(frozen=True)
class CallError:
    """An error a Catch handed to the decider: which call failed, and how."""

    call: str  # "describe task", "describe instance" or "start task"
    name: str
    cause: str
    kind: ErrorKind


@dataclass(frozen=True)
class TaskView:
    """The fields of a described DMS task the policy rests on."""

    arn: str
    identifier: str
    status: str
    stop_reason: str = ""
    last_failure_message: str = ""
    migration_type: str = ""
    replication_instance_arn: str = ""
    stopped_at: float | None = None


@dataclass(frozen=True)
class Observation:
    """One look at the task: what DescribeReplicationTasks and friends said, or how they failed."""

    task: TaskView | None = None
    task_missing: bool = False
    instance_status: str | None = None
    error: CallError | None = None


@dataclass(frozen=True)
class Memory:
    """What one execution carries from look to look (round-tripped through the state machine)."""

    started_at: float
    attempts: int = 0
    last_restart_at: float | None = None
    running_since: float | None = None
    first_failure_at: float | None = None
    last_failure: str = ""
    unknown_looks: int = 0
    error_streak: int = 0
    recent_restarts: tuple[float, ...] = ()


@dataclass(frozen=True)
class Decision:
    """The policy's answer for one look."""

    action: Action
    reason: str  # a stable code, e.g. "operator_stop"
    explanation: str  # one sentence a person reads
    memory: Memory
    wait_seconds: int = 0
    notify: bool = False
    dry_run: bool = False
    details: dict[str, str] = field(default_factory=dict)
