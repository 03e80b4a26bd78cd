"""Bad input to the running system, through the executed workflow (not only the handler).

The decider refuses input over MAX_INPUT_BYTES and input of the wrong shape with a GIVE_UP
decision; the state machine then ends the recovery, tells a person why, touches no task and
leaves no lease behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dms_recovery.handler import MAX_INPUT_BYTES, lambda_handler
from harness.moto_corrections import register_lambda_handler
from harness.workflow import ExecutionResult

from .conftest import Recovery, dms_event

pytestmark = pytest.mark.workflow

DECIDER = "dms-recovery-decider"
Handler = Callable[[Any, Any], Any]


@pytest.fixture
def use_decider() -> Iterator[Callable[[Handler], None]]:
    """Run a wrapper instead of the decider for this test only."""
    undos = []
    yield lambda handler: undos.append(register_lambda_handler(DECIDER, handler))
    for undo in reversed(undos):
        undo()


def own_notification(result: ExecutionResult) -> tuple[str, str]:
    """The one notification of this execution (every message names its execution)."""
    own = [n for n in result.notifications if result.execution_arn in n.message]
    assert len(own) == 1, [n.subject for n in own]
    assert own[0].subject is not None
    return own[0].subject, own[0].message


def decider_inputs() -> tuple[list[dict[str, Any]], Handler]:
    """A pass-through decider that records what the state machine sent it."""
    seen: list[dict[str, Any]] = []

    def recording(event: Any, context: Any) -> Any:
        seen.append(event)
        return lambda_handler(event, context)

    return seen, recording


def test_an_oversized_event_ends_the_recovery_before_the_lease_and_says_why(
    recovery: Recovery, use_decider: Callable[[Handler], None]
) -> None:
    # given a DMS event whose detail carries more than the decider accepts (EventBridge events
    # are at most 256 KiB, so this can arrive)
    event = dms_event(recovery.task_arn)
    event["detail"]["detailMessage"] = "x" * (MAX_INPUT_BYTES + 1024)
    seen, recording = decider_inputs()
    use_decider(recording)
    # when the workflow runs
    result = recovery.run(event)
    # then the decider saw the whole event in the Begin call's trigger, above the bound
    (begin,) = seen
    assert begin["phase"] == "begin"
    assert len(json.dumps(begin)) > MAX_INPUT_BYTES
    # and the execution fails: no lease, no DMS call, a notification that says why
    assert (result.status, result.error) == ("FAILED", "RecoveryNotStarted")
    assert "Take lease" not in result.states_entered()
    assert recovery.env.dms.calls_for() == []
    assert recovery.restarts() == 0
    assert recovery.lease() is None
    subject, message = own_notification(result)
    assert subject.startswith("DMS auto-recovery: gave up on ")
    assert subject.endswith("(input too large)")
    assert len(subject) <= 99
    assert f"exceeds {MAX_INPUT_BYTES}" in message
    assert recovery.task_arn in message
    assert len(message) < 10_000  # the oversized text itself is not echoed back


def test_a_wrong_shaped_look_gives_up_without_a_restart_and_releases_the_lease(
    recovery: Recovery, use_decider: Callable[[Handler], None]
) -> None:
    # given a decider input corrupted on its way in (memory is not an object)
    def corrupting(event: Any, context: Any) -> Any:
        if event.get("phase") == "look":
            event = {**event, "memory": "not an object"}
        return lambda_handler(event, context)

    use_decider(corrupting)
    # when the workflow runs
    result = recovery.run()
    # then the decider's GIVE_UP ends it as a give-up: nothing restarted, lease released
    assert (result.status, result.error) == ("FAILED", "GaveUp")
    assert recovery.restarts() == 0
    item = recovery.lease()
    assert item is not None
    assert "lease_owner" not in item
    subject, message = own_notification(result)
    assert subject == "DMS auto-recovery: gave up on orders-cdc (input not understood)"
    assert "Input not understood" in message
    assert "memory" in message


def test_a_wrong_shaped_begin_ends_the_recovery_and_says_why(
    recovery: Recovery, use_decider: Callable[[Handler], None]
) -> None:
    # given a Begin call that lost its execution id
    def corrupting(event: Any, context: Any) -> Any:
        if event.get("phase") == "begin":
            event = {k: v for k, v in event.items() if k != "execution_id"}
        return lambda_handler(event, context)

    use_decider(corrupting)
    result = recovery.run()
    assert (result.status, result.error) == ("FAILED", "RecoveryNotStarted")
    assert recovery.restarts() == 0
    assert recovery.lease() is None
    (note,) = [n for n in result.notifications if "Input not understood" in n.message]
    assert note.subject is not None
    assert note.subject.endswith("(input not understood)")
    assert "execution_id" in note.message
