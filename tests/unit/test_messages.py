"""What a person reads: subject, body and console link."""

from __future__ import annotations

import pytest

from dms_recovery.config import Config
from dms_recovery.messages import TaskRef, body_for, console_link, subject_for
from dms_recovery.models import Action, Decision, Memory, Observation

from .conftest import T0, TASK_ARN, failed_task


@pytest.mark.parametrize(
    ("arn", "link"),
    [
        (
            "arn:aws:dms:us-east-1:123456789012:task:A",
            "https://console.aws.amazon.com/dms/v2/home?region=us-east-1#taskDetails/orders",
        ),
        (
            "arn:aws-cn:dms:cn-north-1:123456789012:task:A",
            "https://console.amazonaws.cn/dms/v2/home?region=cn-north-1#taskDetails/orders",
        ),
        (
            "arn:aws-us-gov:dms:us-gov-west-1:123456789012:task:A",
            "https://console.amazonaws-us-gov.com/dms/v2/home?region=us-gov-west-1#taskDetails/orders",
        ),
    ],
)
def test_console_link_uses_the_partition_console(arn: str, link: str) -> None:
    assert console_link(TaskRef.parse(arn), "orders") == link


def test_give_up_body_names_every_fact_a_person_needs() -> None:
    # given a give-up after three restarts
    memory = Memory(
        started_at=T0,
        attempts=3,
        first_failure_at=T0 - 120,
        recent_restarts=(T0 + 60, T0 + 300, T0 + 900),
    )
    decision = Decision(
        Action.GIVE_UP, "attempts_exhausted", "Gave up after 3 restart(s).", memory, notify=True
    )
    observation = Observation(task=failed_task(), instance_status="available")
    # when the body is written
    body = body_for(decision, observation, TaskRef.parse(TASK_ARN), Config(), T0 + 1200, "exec-42")
    # then it says what, why and where
    for fact in (
        "Gave up after 3 restart(s).",
        "Task:                 orders-cdc",
        f"Task ARN:             {TASK_ARN}",
        "Account:              123456789012",
        "Region:               us-east-1",
        "Status:               failed",
        "Stop reason:          Stop Reason RECOVERABLE_ERROR",
        "Last failure message: Last Error ODBC general error.",
        "Restarts this run:    3 of at most 5",
        "Restarts in window:   3 in the last 24 h (limit 10)",
        "Since the failure:    22 min",
        "What to do: Check the source and target endpoints",
        "https://console.aws.amazon.com/dms/v2/home?region=us-east-1#taskDetails/orders-cdc",
        "Execution: exec-42",
    ):
        assert fact in body


def test_subject_names_task_and_outcome() -> None:
    decision = Decision(Action.SUCCEED, "recovered", "x", Memory(started_at=T0))
    assert (
        subject_for(decision, "orders-cdc") == "DMS auto-recovery: recovered orders-cdc (recovered)"
    )


def test_long_task_names_are_shortened_but_keep_the_outcome() -> None:
    decision = Decision(Action.GIVE_UP, "flapping", "x", Memory(started_at=T0), dry_run=True)
    subject = subject_for(decision, "t" * 255)
    assert len(subject) <= 99
    assert subject.startswith("[dry run] DMS auto-recovery: gave up on ttt")
    assert subject.endswith("... (flapping)")
