"""The rendered state machine: placeholders, the render CLI, drift and statelint."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scripts.render_asl import DEFAULT_RENDERED, PLACEHOLDERS, SAMPLE_VALUES, fill, render_template

ROOT = Path(__file__).resolve().parents[2]
STATELINT = Path(sys.executable).parent / "statelint"


def run_render(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "scripts/render_asl.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def values(partition: str = "aws", arns: int = 1) -> dict[str, str]:
    task_arns = [f"arn:{partition}:dms:cn-north-1:123456789012:task:T{i}" for i in range(arns)]
    return {**SAMPLE_VALUES, "partition": partition, "watched_task_arns": json.dumps(task_arns)}


def states(definition: dict[str, Any]) -> dict[str, Any]:
    return definition["States"]  # type: ignore[no-any-return]


def test_committed_template_is_current() -> None:
    assert DEFAULT_RENDERED.read_text() == render_template()


def test_only_the_documented_placeholders_remain() -> None:
    found = set(re.findall(r"\$\{(\w+)\}", DEFAULT_RENDERED.read_text()))
    assert found == set(PLACEHOLDERS)


def test_cli_prints_the_final_definition() -> None:
    args = [f"--var={name}={value}" for name, value in values().items()]
    result = run_render(*args)
    assert result.returncode == 0, result.stderr
    definition = json.loads(result.stdout)
    assert definition["StartAt"] == "Read input"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--var=partition=aws"], "missing --var for decider_function_arn"),
        (
            [*(f"--var={k}={v}" for k, v in SAMPLE_VALUES.items()), "--var=colour=red"],
            "unknown --var colour",
        ),
        (["--var=oops"], "--var expects NAME=VALUE"),
    ],
)
def test_cli_names_the_bad_variable(args: list[str], message: str) -> None:
    result = run_render(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_watched_task_arns_must_be_a_json_array() -> None:
    bad = {**SAMPLE_VALUES, "watched_task_arns": "arn:aws:dms:us-east-1:1:task:A"}
    result = run_render(*(f"--var={k}={v}" for k, v in bad.items()))
    assert "watched_task_arns must be a JSON array" in result.stderr


@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
def test_every_resource_is_in_the_partition(partition: str) -> None:
    definition = fill(render_template(), values(partition))
    resources = [s["Resource"] for s in states(definition).values() if "Resource" in s]
    assert resources
    assert all(r.startswith(f"arn:{partition}:states:::") for r in resources)


@pytest.mark.parametrize(("partition", "arns"), [("aws", 1), ("aws-cn", 3), ("aws-us-gov", 140)])
def test_statelint_accepts_every_variant(tmp_path: Path, partition: str, arns: int) -> None:
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(fill(render_template(), values(partition, arns))))
    result = subprocess.run([STATELINT, str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_statelint_catches_a_broken_definition(tmp_path: Path) -> None:
    definition = fill(render_template(), values())
    states(definition)["Wait"]["Next"] = "Nowhere"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(definition))
    result = subprocess.run([STATELINT, str(path)], capture_output=True, text=True, check=False)
    assert result.returncode != 0


def test_restart_only_ever_resumes() -> None:
    text = json.dumps(fill(render_template(), values()))
    restart = states(json.loads(text))["Restart task"]
    assert restart["Parameters"]["StartReplicationTaskType"] == "resume-processing"
    assert "reload-target" not in text


def test_describe_is_filtered_by_arn_without_settings() -> None:
    describe = states(fill(render_template(), values()))["Describe task"]
    assert describe["Parameters"]["WithoutSettings"] is True
    assert describe["Parameters"]["Filters"][0]["Name"] == "replication-task-arn"


def test_timeout_is_only_a_backstop_above_the_longest_budget() -> None:
    definition = fill(render_template(), values())
    longest_budget = 1440 * 60
    assert definition["TimeoutSeconds"] > longest_budget


def test_exactly_two_ends_are_quiet() -> None:
    """Every path to an end passes a successful Publish, except the two quiet ends (and the
    end that reports a failed Publish, which fails the execution so alarms see it)."""
    graph = states(fill(render_template(), values()))

    def edges(state: dict[str, Any]) -> list[tuple[str, bool]]:
        """(next state, whether this state's own work succeeded on that edge)."""
        found = [(state["Next"], True)] if "Next" in state else []
        found += [(c["Next"], True) for c in state.get("Choices", [])]
        found += [(c["Next"], False) for c in state.get("Catch", [])]
        if "Default" in state:
            found.append((state["Default"], True))
        return found

    quiet_ends: set[str] = set()
    pending = [("Read input", False)]
    seen: set[tuple[str, bool]] = set()
    while pending:
        name, notified = pending.pop()
        if (name, notified) in seen:
            continue
        seen.add((name, notified))
        state = graph[name]
        publishes = state.get("Resource", "").endswith(":sns:publish")
        if state["Type"] in ("Succeed", "Fail") and not notified:
            quiet_ends.add(name)
        for following, succeeded in edges(state):
            pending.append((following, notified or (publishes and succeeded)))
    assert quiet_ends == {"Lease held elsewhere", "Nothing to do", "Notification failed"}
