"""The handler: the schema contract, refusals of bad input, and the clock it supplies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dms_recovery import validation
from dms_recovery.handler import MAX_INPUT_BYTES, lambda_handler

from .conftest import TASK_ARN

EVENTS = Path(__file__).resolve().parent.parent / "events"
SCHEMA = validation.contract()


def schema_for(name: str) -> dict[str, Any]:
    return {**SCHEMA["$defs"][name], "$defs": SCHEMA["$defs"]}


def assert_valid_output(output: dict[str, Any]) -> None:
    jsonschema.validate(output, schema_for("output"))


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dms_recovery.clock.epoch_seconds", lambda: 1_800_000_000.0)
    for name in ("MAX_ATTEMPTS", "DRY_RUN", "RECOVERY_BUDGET_SECONDS"):
        monkeypatch.delenv(name, raising=False)


def begin() -> dict[str, Any]:
    return lambda_handler(
        {"phase": "begin", "task_arn": TASK_ARN, "execution_id": "e1", "trigger": {}}, None
    )


def test_begin_supplies_the_clock_and_lease_expiry() -> None:
    output = begin()
    assert_valid_output(output)
    assert output["action"] == "BEGIN"
    assert output["lease"]["now"] == "1800000000"
    # budget (7200 s) plus the margin (900 s)
    assert output["lease"]["expires_at"] == str(1_800_000_000 + 7200 + 900)
    assert output["memory"]["started_at"] == 1_800_000_000.0


def test_a_look_at_a_failed_task_restarts_it_and_records_the_restart() -> None:
    described = json.loads((EVENTS / "describe-replication-tasks-failed.json").read_text())
    output = lambda_handler(
        {
            "phase": "look",
            "task_arn": TASK_ARN,
            "execution_id": "e1",
            "memory": begin()["memory"],
            "lease": {"item": {"recent_restarts": {"L": [{"N": "1799990000"}]}}},
            "look": {"tasks": described["ReplicationTasks"], "instance": {"status": "available"}},
        },
        None,
    )
    assert_valid_output(output)
    assert output["action"] == "RESTART"
    assert output["start_type"] == "resume-processing"
    assert output["lease"]["restarts"] == [{"N": "1799990000"}, {"N": "1800000000"}]
    # the lease item is kept until the newest restart leaves the window
    assert output["lease"]["retain_until"] == str(1_800_000_000 + 86400)


@pytest.mark.parametrize(
    "event",
    [
        "garbage",
        None,
        [],
        {},
        {"phase": "begin"},
        {"phase": "sideways", "task_arn": TASK_ARN, "execution_id": "e"},
        {"phase": "look", "task_arn": TASK_ARN, "execution_id": "e"},
        {"phase": "look", "task_arn": TASK_ARN, "execution_id": "e", "memory": {}, "look": {}},
        {
            "phase": "look",
            "task_arn": 7,
            "execution_id": "e",
            "memory": {"started_at": 1},
            "look": {},
        },
    ],
)
def test_input_it_cannot_understand_gives_up_with_a_notice(event: Any) -> None:
    output = lambda_handler(event, None)
    assert_valid_output(output)
    assert (output["action"], output["notify"]) == ("GIVE_UP", True)
    assert output["reason"] == "input_not_understood"
    assert "Input not understood" in output["message"]


def test_oversized_input_is_refused() -> None:
    event = {
        "phase": "begin",
        "task_arn": TASK_ARN,
        "execution_id": "e",
        "trigger": {"x": "y" * MAX_INPUT_BYTES},
    }
    output = lambda_handler(event, None)
    assert (output["action"], output["reason"]) == ("GIVE_UP", "input_too_large")


def test_bad_configuration_gives_up_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_ATTEMPTS", "lots")
    output = begin()
    assert (output["action"], output["reason"]) == ("GIVE_UP", "bad_configuration")
    assert "MAX_ATTEMPTS must be a whole number" in output["message"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
input_like = st.fixed_dictionaries(
    {},
    optional={
        "phase": st.sampled_from(["begin", "look", "other"]),
        "task_arn": st.text(max_size=3) | st.integers(),
        "execution_id": st.text(max_size=3),
        "memory": st.fixed_dictionaries(
            {}, optional={"started_at": json_values, "attempts": json_values}
        ),
        "look": json_values,
        "lease": json_values,
    },
)


@settings(max_examples=400, deadline=None)
@given(input_like)
def test_the_handler_validator_agrees_with_jsonschema(candidate: dict[str, Any]) -> None:
    ours = validation.errors(candidate, "input") == []
    theirs = jsonschema.Draft202012Validator(schema_for("input")).is_valid(candidate)
    assert ours == theirs


@settings(max_examples=200, deadline=None)
@given(input_like)
def test_the_handler_never_raises_and_always_answers_in_contract(candidate: dict[str, Any]) -> None:
    assert_valid_output(lambda_handler(candidate, None))


def test_refusals_tell_the_reader_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (
        "What to do: Start the recovery with a DMS event"
        in lambda_handler("garbage", None)["message"]
    )
    monkeypatch.setenv("DRY_RUN", "maybe")
    assert "What to do: Fix the module input" in begin()["message"]
