"""The planned rule patterns against real-shaped DMS events (tests/events/), matched with
moto's EventBridge pattern engine, and the readable alert the SNS target would send."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from moto.events.models import EventPattern
from tfplan_helpers import of_type

pytestmark = pytest.mark.terraform

EVENTS = Path(__file__).resolve().parents[1] / "events"

MUST_MATCH = [
    "task-failed-recoverable.json",
    "task-failed-fatal.json",
    "task-failed-docs-shape.json",
    "task-stopped.json",
    # Matches on purpose: the decider reads the StopReason and skips a finished task.
    "task-stopped-full-load-finished.json",
]
MUST_NOT_MATCH = [
    "task-started.json",
    "task-created.json",
    "instance-failover-started.json",
    "serverless-replication-failed.json",
]


def load(name: str) -> dict[str, Any]:
    return dict(json.loads((EVENTS / name).read_text()))


def patterns(plan: dict[str, Any]) -> list[EventPattern]:
    rules = of_type(plan, "aws_cloudwatch_event_rule")
    return [EventPattern.load(r["values"]["event_pattern"]) for r in rules]


def matched(plan: dict[str, Any], event: dict[str, Any]) -> bool:
    return any(p.matches_event(event) for p in patterns(plan))


@pytest.mark.parametrize("sample", MUST_MATCH)
def test_failed_and_stopped_events_of_a_watched_task_match(
    plans: dict[str, Any], sample: str
) -> None:
    assert matched(plans["default"], load(sample))


@pytest.mark.parametrize("sample", MUST_NOT_MATCH)
def test_other_events_do_not_match(plans: dict[str, Any], sample: str) -> None:
    assert not matched(plans["default"], load(sample))


def test_failed_event_of_another_task_does_not_match(plans: dict[str, Any]) -> None:
    event = load("task-failed-recoverable.json")
    event["resources"] = ["arn:aws:dms:us-east-1:123456789012:task:SOMEOTHERTASK0000000000000"]
    assert not matched(plans["default"], event)


def test_every_task_matches_exactly_one_rule_at_the_supported_maximum(
    plans: dict[str, Any],
) -> None:
    plan = plans["maximum"]
    compiled = patterns(plan)
    for rule in of_type(plan, "aws_cloudwatch_event_rule"):
        for task in json.loads(rule["values"]["event_pattern"])["resources"]:
            event = copy.deepcopy(load("task-failed-fatal.json"))
            event["resources"] = [task]
            assert sum(p.matches_event(event) for p in compiled) == 1, task


def render_alert(transformer: dict[str, Any], event: dict[str, Any]) -> str:
    """What EventBridge sends for a string input template: <name> replaced by the JSON path."""

    def value(path: str) -> str:
        node: Any = event
        for part in re.findall(r"[^.\[\]$]+", path):
            node = node[int(part)] if isinstance(node, list) else node.get(part, "")
        return str(node)

    text = transformer["input_template"]
    for name, path in transformer["input_paths"].items():
        text = text.replace(f"<{name}>", value(path))
    return str(json.loads(text))


@pytest.mark.parametrize(
    ("scenario", "domain"),
    [("default", "console.aws.amazon.com"), ("china", "console.amazonaws.cn")],
)
def test_alert_is_readable_text_with_console_links(
    plans: dict[str, Any], scenario: str, domain: str
) -> None:
    plan = plans[scenario]
    (alert,) = [
        t["values"]
        for t in of_type(plan, "aws_cloudwatch_event_target")
        if t["values"]["input_transformer"]
    ][:1]
    event = load("task-failed-fatal.json")
    text = render_alert(alert["input_transformer"][0], event)
    assert "REPLICATION_TASK_FAILED" in text
    assert event["resources"][0] in text
    assert event["detail"]["detailMessage"] in text
    assert event["time"] in text
    assert f"https://{domain}/dms/v2/home?region=us-east-1#tasks" in text
    assert f"https://{domain}/states/home?region=us-east-1#/statemachines/view/" in text
    assert "{" not in text  # not the raw event JSON
