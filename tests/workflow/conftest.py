"""Scenario fixtures: the rendered state machine on corrected moto, the real decider in-process,
and the fake DMS, all on a virtual clock so minutes of recovery take seconds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.workflow import ExecutionResult, WorkflowEnv, local_aws
from scripts.render_asl import fill, render_template

EVENTS = Path(__file__).resolve().parent.parent / "events"
# 1 real second = 100 virtual seconds: the production-shaped settings below run in seconds.
CLOCK_SCALE = 100.0
DECIDER_ENV = {
    "MAX_ATTEMPTS": "3",
    "BACKOFF_BASE_SECONDS": "60",
    "BACKOFF_MAX_SECONDS": "300",
    "STABLE_SECONDS": "120",
    "POLL_SECONDS": "30",
    "RECOVERY_BUDGET_SECONDS": "3600",
    "MAX_RESTARTS_PER_WINDOW": "4",
    "RESTART_WINDOW_SECONDS": "86400",
}


def dms_event(task_arn: str, sample: str = "task-failed-recoverable.json") -> dict[str, Any]:
    """A real-shaped DMS EventBridge event for `task_arn`."""
    event: dict[str, Any] = json.loads((EVENTS / sample).read_text())
    event["resources"] = [task_arn]
    return event


@dataclass
class Recovery:
    """One deployed recovery workflow watching one DMS task."""

    env: WorkflowEnv
    task_arn: str
    state_machine_arn: str
    topic_arn: str
    table: str

    def run(self, payload: Any = None, timeout: float = 90.0) -> ExecutionResult:
        event = dms_event(self.task_arn) if payload is None else payload
        return self.env.run(self.state_machine_arn, event, timeout)

    def lease(self) -> dict[str, Any] | None:
        return self.env.lease(self.task_arn, self.table)

    def restarts(self) -> int:
        return self.env.dms.restarts(self.task_arn)


def deploy(env: WorkflowEnv, decider_env: dict[str, str], watched: list[str]) -> dict[str, str]:
    """Create topic, table, decider and the rendered state machine; return the placeholders."""
    values = {
        "partition": "aws",
        "decider_function_arn": env.create_decider_function(environment=decider_env),
        "notification_topic_arn": env.create_topic(),
        "lease_table_name": env.create_lease_table(),
        "watched_task_arns": json.dumps(watched),
    }
    values["state_machine_arn"] = env.create_state_machine(fill(render_template(), values))
    return values


@pytest.fixture
def decider_env() -> dict[str, str]:
    return dict(DECIDER_ENV)


@pytest.fixture
def recovery(decider_env: dict[str, str]) -> Iterator[Recovery]:
    """A failed full-load-and-cdc task on an available instance, watched by the workflow."""
    with local_aws(scale=CLOCK_SCALE) as env:
        env.dms.create_instance()
        task = env.dms.create_task("orders-cdc")
        env.dms.set_running(task)
        env.dms.set_failed(task)
        values = deploy(env, decider_env, [task])
        yield Recovery(
            env,
            task,
            values["state_machine_arn"],
            values["notification_topic_arn"],
            values["lease_table_name"],
        )
