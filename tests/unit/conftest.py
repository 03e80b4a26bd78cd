"""Builders for policy inputs: a look at a task as the state machine would pass it."""

from __future__ import annotations

import pytest

from dms_recovery.config import Config
from dms_recovery.models import Memory, Observation, TaskView

TASK_ARN = "arn:aws:dms:us-east-1:123456789012:task:ORDERSCDC7QXKZ3N5L2T"
T0 = 1_800_000_000.0


def task(status: str, stop_reason: str = "", message: str = "") -> TaskView:
    return TaskView(
        arn=TASK_ARN,
        identifier="orders-cdc",
        status=status,
        stop_reason=stop_reason,
        last_failure_message=message,
        migration_type="full-load-and-cdc",
    )


def failed_task(
    message: str = "Last Error ODBC general error. Stop Reason RECOVERABLE_ERROR",
) -> TaskView:
    return task("failed", "Stop Reason RECOVERABLE_ERROR", message)


def look(task_view: TaskView | None, instance: str | None = "available") -> Observation:
    if task_view is None:
        return Observation(task_missing=True)
    return Observation(task=task_view, instance_status=instance)


@pytest.fixture
def config() -> Config:
    return Config(
        max_attempts=3,
        backoff_base_seconds=60,
        backoff_max_seconds=900,
        stable_seconds=120,
        poll_seconds=30,
        recovery_budget_seconds=7200,
        max_restarts_per_window=5,
        restart_window_seconds=86400,
    )


@pytest.fixture
def fresh() -> Memory:
    return Memory(started_at=T0)
