"""Turn what the state machine collected (raw SDK output, caught errors, the lease item) into
the typed values the policy reads. Pure: no AWS imports."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .models import CallError, ErrorKind, Memory, Observation, TaskView

# Substrings of Step Functions error names (AWS's and moto's spellings), checked in order.
_ERROR_KINDS: tuple[tuple[ErrorKind, tuple[str, ...]], ...] = (
    (ErrorKind.NOT_FOUND, ("resourcenotfound",)),
    (ErrorKind.INVALID_STATE, ("invalidresourcestate",)),
    (ErrorKind.ACCESS_DENIED, ("accessdenied", "unauthorized", "kmsaccessdenied")),
    (
        ErrorKind.THROTTLED,
        (
            "throttl",
            "toomanyrequests",
            "requestlimitexceeded",
            "databasemigrationexception",
            "serviceunavailable",
            "internalfailure",
            "states.timeout",
        ),
    ),
)


def classify_error(name: str) -> ErrorKind:
    """Map a Step Functions error name to how the policy treats it."""
    lowered = name.lower()
    for kind, needles in _ERROR_KINDS:
        if any(needle in lowered for needle in needles):
            return kind
    return ErrorKind.OTHER


def _call_error(call: str, raw: Mapping[str, Any]) -> CallError:
    name = str(raw.get("Error", "UnknownError"))
    return CallError(call, name, str(raw.get("Cause", ""))[:2000], classify_error(name))


def observe(look: Mapping[str, Any]) -> Observation:
    """Read one look: {"tasks", "instance"?, "start_error"?}, or the {Error, Cause} of a Catch."""
    if "Error" in look:
        return Observation(error=_call_error("describe task", look))
    start_error = look.get("start_error")
    if isinstance(start_error, Mapping):
        return Observation(error=_call_error("start task", start_error))
    tasks = look.get("tasks")
    if not isinstance(tasks, list) or not tasks or not isinstance(tasks[0], Mapping):
        return Observation(task_missing=True)
    task = _task_view(tasks[0])
    instance = look.get("instance")
    if isinstance(instance, Mapping) and "Error" in instance:
        return Observation(task=task, error=_call_error("describe instance", instance))
    status = instance.get("status") if isinstance(instance, Mapping) else None
    return Observation(task=task, instance_status=str(status) if status is not None else None)


def _task_view(raw: Mapping[str, Any]) -> TaskView:
    stats = raw.get("ReplicationTaskStats")
    stopped_at = parse_time(stats.get("StopDate")) if isinstance(stats, Mapping) else None
    return TaskView(
        arn=str(raw.get("ReplicationTaskArn", "")),
        identifier=str(raw.get("ReplicationTaskIdentifier", "")),
        status=str(raw.get("Status", "")),
        stop_reason=str(raw.get("StopReason", "")),
        last_failure_message=str(raw.get("LastFailureMessage", "")),
        migration_type=str(raw.get("MigrationType", "")),
        replication_instance_arn=str(raw.get("ReplicationInstanceArn", "")),
        stopped_at=stopped_at,
    )


def parse_time(value: object) -> float | None:
    """Epoch seconds from what SDK integrations return for a date (epoch number or ISO-8601)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


def recent_restarts(lease_item: Mapping[str, Any]) -> tuple[float, ...]:
    """Restart times kept in the lease item: {"recent_restarts": {"L": [{"N": "..."}]}}."""
    attribute = lease_item.get("recent_restarts")
    values = attribute.get("L") if isinstance(attribute, Mapping) else None
    if not isinstance(values, list):
        return ()
    restarts = []
    for value in values:
        number = value.get("N") if isinstance(value, Mapping) else None
        try:
            restarts.append(float(str(number)))
        except ValueError:
            continue
    return tuple(restarts)


def memory_from(raw: Mapping[str, Any]) -> Memory:
    """Rebuild the execution's memory from its JSON form (validated by the schema already)."""
    return Memory(
        started_at=float(raw["started_at"]),
        attempts=int(raw.get("attempts", 0)),
        last_restart_at=_optional_float(raw.get("last_restart_at")),
        running_since=_optional_float(raw.get("running_since")),
        first_failure_at=_optional_float(raw.get("first_failure_at")),
        last_failure=str(raw.get("last_failure", "")),
        unknown_looks=int(raw.get("unknown_looks", 0)),
        error_streak=int(raw.get("error_streak", 0)),
        recent_restarts=tuple(float(t) for t in raw.get("recent_restarts", ())),
    )


def memory_to_json(memory: Memory) -> dict[str, Any]:
    """The JSON form the state machine carries to the next look."""
    return {
        "started_at": memory.started_at,
        "attempts": memory.attempts,
        "last_restart_at": memory.last_restart_at,
        "running_since": memory.running_since,
        "first_failure_at": memory.first_failure_at,
        "last_failure": memory.last_failure,
        "unknown_looks": memory.unknown_looks,
        "error_streak": memory.error_streak,
        "recent_restarts": list(memory.recent_restarts),
    }


def _optional_float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
