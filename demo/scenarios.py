"""The incidents the demo can stage, the DMS event each one makes, and what must follow.

A scenario changes the (fake) DMS task the way the incident would, builds the EventBridge event
DMS emits for it, and states the outcome the module must produce; the demo exits 0 only when
that outcome happened.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from harness.fake_dms import RECOVERABLE_MESSAGE, FakeDms

DETAIL_TYPE = "DMS Replication Task State Change"
DATA_ERROR_MESSAGE = (
    "Last Error Data truncation: Data too long for column 'note' at row 1 "
    "Stop Reason FATAL_ERROR Error Level FATAL"
)
SOURCE_DOWN_MESSAGE = (
    "Last Error Test connection failed for endpoint 'orders-source': "
    "Can't connect to MySQL server on 'source.example.internal' (110). "
    "Stop Reason RECOVERABLE_ERROR Error Level RECOVERABLE"
)
# DMS event ids (see tests/events/README): 0078 failed, 0079 stopped.
EVENT_IDS = {
    "REPLICATION_TASK_FAILED": "DMS-EVENT-0078",
    "REPLICATION_TASK_STOPPED": "DMS-EVENT-0079",
}


def dms_event(
    task_arn: str, event_type: str, message: str, *, at: float, category: str = "Failure"
) -> dict[str, Any]:
    """The event DMS sends to EventBridge for ``task_arn`` (shape of tests/events/*.json)."""
    parts = task_arn.split(":")
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": DETAIL_TYPE,
        "source": "aws.dms",
        "account": parts[4],
        "time": datetime.fromtimestamp(at, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": parts[3],
        "resources": [task_arn],
        "detail": {
            "eventId": EVENT_IDS.get(event_type, "DMS-EVENT-0078"),
            "eventType": event_type,
            "detailMessage": message,
            "type": "REPLICATION_TASK",
            "category": category,
        },
    }


@dataclass(frozen=True)
class Expected:
    """What a person must see at the end of the scenario."""

    execution_status: str  # SUCCEEDED or FAILED
    restarts: int  # successful StartReplicationTask calls made by the recovery
    task_status: str  # the DMS task's status at the end
    subject_suffix: str  # how the recovery's notification subject ends
    error: str | None = None  # the execution's error when it failed


@dataclass(frozen=True)
class Outcome:
    """What actually happened."""

    execution_status: str
    restarts: int
    task_status: str
    subjects: list[str]
    error: str | None

    def problems(self, expected: Expected) -> list[str]:
        """Differences from ``expected``, as sentences (empty when it all happened)."""
        found: list[str] = []
        if self.execution_status != expected.execution_status:
            found.append(
                f"the execution ended {self.execution_status}, expected {expected.execution_status}"
            )
        if expected.error is not None and self.error != expected.error:
            found.append(f"the execution's error was {self.error}, expected {expected.error}")
        if self.restarts != expected.restarts:
            found.append(f"{self.restarts} restart(s), expected {expected.restarts}")
        if self.task_status != expected.task_status:
            found.append(f"the task is {self.task_status}, expected {expected.task_status}")
        if not any(s.endswith(expected.subject_suffix) for s in self.subjects):
            found.append(f"no notification ending {expected.subject_suffix!r}")
        return found


@dataclass(frozen=True)
class Scenario:
    """One incident: how to stage it, the event it makes, the expected outcome."""

    name: str
    title: str  # one line for the header
    story: str  # what happens, in a sentence or two
    event_type: str
    event_message: str
    event_category: str
    stage: Callable[[FakeDms, str], None] = field(repr=False)
    expected: Expected
    verdict: str  # the one-line verdict when it went as expected

    def event(self, task_arn: str, at: float) -> dict[str, Any]:
        return dms_event(
            task_arn, self.event_type, self.event_message, at=at, category=self.event_category
        )


def _transient_outage(dms: FakeDms, task: str) -> None:
    # The source database goes down: DMS gives up and fails the task. It is still down when the
    # first restart runs (that restart fails again after 20 s), and back for the second one.
    dms.set_failed(task, SOURCE_DOWN_MESSAGE)
    dms.fail_after_start(task, SOURCE_DOWN_MESSAGE, times=1, after_running_seconds=20)


def _operator_stop(dms: FakeDms, task: str) -> None:
    dms.operator_stop(task)


def _data_error(dms: FakeDms, task: str) -> None:
    dms.set_failed(task, DATA_ERROR_MESSAGE)


def _throttling(dms: FakeDms, task: str) -> None:
    # The task fails once; meanwhile DMS's API throttles every call for two minutes.
    dms.set_failed(task, RECOVERABLE_MESSAGE)
    dms.throttle(seconds=120)


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            name="transient-outage",
            title="the source database is down for a few minutes, then back",
            story=(
                "DMS fails the task when the source becomes unreachable. The first restart "
                "fails again (the source is still down); the second one holds."
            ),
            event_type="REPLICATION_TASK_FAILED",
            event_message=SOURCE_DOWN_MESSAGE,
            event_category="Failure",
            stage=_transient_outage,
            expected=Expected("SUCCEEDED", 2, "running", "(recovered)"),
            verdict="RECOVERED: the task is running again after 2 restarts, and a person was told",
        ),
        Scenario(
            name="operator-stop",
            title="a person stops the task on purpose",
            story=(
                "An operator stops the task (StopReason NORMAL). DMS emits "
                "REPLICATION_TASK_STOPPED; the module must leave the task alone."
            ),
            event_type="REPLICATION_TASK_STOPPED",
            event_message="Replication task stopped",
            event_category="StateChange",
            stage=_operator_stop,
            expected=Expected("SUCCEEDED", 0, "stopped", "(operator stop)"),
            verdict="LEFT ALONE: a person's stop was not undone (0 restarts), with a notice",
        ),
        Scenario(
            name="data-error",
            title="a row does not fit the target column (data truncation)",
            story=(
                "DMS fails the task on a data error. A restart would fail the same way, so the "
                "module must give up at once and say what to fix."
            ),
            event_type="REPLICATION_TASK_FAILED",
            event_message=DATA_ERROR_MESSAGE,
            event_category="Failure",
            stage=_data_error,
            expected=Expected("FAILED", 0, "failed", "(non recoverable)", error="GaveUp"),
            verdict="GAVE UP LOUDLY: no restart, the execution failed, the alert quotes the error",
        ),
        Scenario(
            name="throttling",
            title="the task fails while the DMS API throttles every call for two minutes",
            story=(
                "The task fails once; DMS answers ThrottlingException to every call for two "
                "minutes. The workflow retries with backoff, then restarts the task."
            ),
            event_type="REPLICATION_TASK_FAILED",
            event_message=RECOVERABLE_MESSAGE,
            event_category="Failure",
            stage=_throttling,
            expected=Expected("SUCCEEDED", 1, "running", "(recovered)"),
            verdict="RECOVERED through throttling: 1 restart once DMS answered again",
        ),
    )
}
DEFAULT_SCENARIO = "transient-outage"
