"""Follow one execution and print its timeline as it happens.

Each row: virtual time since the DMS event, the step, the DMS task's status at that moment, the
restarts made so far, and what the step decided or did. The decisions are the decider Lambda's
results as they appear in the execution history (``TaskSucceeded`` of ``lambda:invoke``).
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO

from harness.clock import VirtualClock
from harness.fake_dms import FakeDms

_ERROR_CODE = re.compile(r"\b([A-Z][A-Za-z]+(?:Exception|Fault))\b")
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})
QUIET_STATE_TYPES = ("Choice", "Pass")
DETAIL_WIDTH = 96
STEP_WIDTH = 24


@dataclass
class Decision:
    action: str
    reason: str
    explanation: str
    wait_seconds: float


def clock_text(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"T+{seconds // 60:02d}:{seconds % 60:02d}"


def _short(text: str, width: int = DETAIL_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


class Timeline:
    """Prints the rows of one execution; :meth:`follow` returns DescribeExecution at its end."""

    def __init__(
        self,
        stepfunctions: Any,
        dms: FakeDms,
        clock: VirtualClock,
        task_arn: str,
        origin: float,
        out: TextIO = sys.stdout,
        live: bool | None = None,
    ) -> None:
        self.sfn = stepfunctions
        self.dms = dms
        self.clock = clock
        self.task_arn = task_arn
        self.origin = origin  # virtual epoch seconds of the DMS event
        self.out = out
        self.live = out.isatty() if live is None else live
        self.restarts = 0
        self.task_status = dms.status(task_arn)  # as the workflow last saw it
        self.decisions: list[Decision] = []
        self._state = ""
        self._state_type = ""
        self._status_line = False

    # ------------------------------------------------------------------ output

    def header(self) -> None:
        self._print(
            f"  {'time':<8} {'step':<{STEP_WIDTH}} {'task seen':<10} {'restarts':>8}  "
            "decision (reason): explanation / detail"
        )

    def row(self, at: float, step: str, detail: str = "") -> None:
        when = clock_text(at - self.origin)
        self._print(
            f"  {when:<8} {_short(step, STEP_WIDTH):<{STEP_WIDTH}} {self.task_status:<10} "
            f"{self.restarts:>8}  {_short(detail)}".rstrip()
        )

    def _print(self, line: str) -> None:
        self._clear_status()
        print(line, file=self.out, flush=True)

    def _status(self, text: str) -> None:
        if self.live:
            self.out.write("\r\033[2K" + text)
            self.out.flush()
            self._status_line = True

    def _clear_status(self) -> None:
        if self._status_line:
            self.out.write("\r\033[2K")
            self.out.flush()
            self._status_line = False

    # ------------------------------------------------------------------ following

    def virtual_at(self, stamp: datetime) -> float:
        """The virtual instant of a history timestamp (the server stamps events in real time)."""
        return self.clock.now() - (time.time() - stamp.timestamp()) * self.clock.scale

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        for page in self.sfn.get_paginator("get_execution_history").paginate(
            executionArn=execution_arn
        ):
            events.extend(page["events"])
        return events

    def follow(self, execution_arn: str, timeout: float = 300.0, poll: float = 0.1) -> Any:
        """Print rows until the execution ends (real ``timeout`` seconds at most)."""
        seen = 0
        deadline = time.monotonic() + timeout
        while True:
            described = self.sfn.describe_execution(executionArn=execution_arn)
            events = self.history(execution_arn)
            for event in events[seen:]:
                self.on_event(event)
            seen = len(events)
            if described["status"] in TERMINAL:
                self._clear_status()
                return described
            if time.monotonic() > deadline:
                self._clear_status()
                raise TimeoutError(f"the execution was still running after {timeout:.0f} s")
            self._status(
                f"  … {clock_text(self.clock.now() - self.origin)}  in {self._state!r} "
                f"(virtual time: 1 s real = {self.clock.scale:g} s)"
            )
            time.sleep(poll)

    def on_event(self, event: dict[str, Any]) -> None:
        kind = str(event["type"])
        at = self.virtual_at(event["timestamp"])
        if kind.endswith("StateEntered"):
            self._state = str(event["stateEnteredEventDetails"]["name"])
            self._state_type = kind.removesuffix("StateEntered")
            if self._state_type == "Wait":
                wait = self.decisions[-1].wait_seconds if self.decisions else 0
                self.row(at, self._state, f"wait {wait:.0f} s" if wait else "")
            elif self._state_type in ("Succeed", "Fail"):
                self.row(at, self._state)
        elif kind == "TaskSucceeded":
            self._task_succeeded(at, event["taskSucceededEventDetails"])
        elif kind == "TaskFailed":
            details = event["taskFailedEventDetails"]
            error = str(details.get("error", ""))
            if "ResourceNotFound" in error:
                self.task_status = "(gone)"
            codes = _ERROR_CODE.findall(str(details.get("cause", "")))
            code = next((c for c in codes if c.lower() not in error.lower()), "")
            self.row(at, self._state, f"call failed: {error}" + (f" ({code})" if code else ""))
        elif kind in ("ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut"):
            outcome = kind.removeprefix("Execution").upper()
            details = event.get("executionFailedEventDetails") or {}
            name, cause = details.get("error", ""), details.get("cause", "")
            self.row(at, f"execution {outcome}", f"error {name}: {cause}" if details else "")

    def _task_succeeded(self, at: float, details: dict[str, Any]) -> None:
        resource_type = str(details.get("resourceType", ""))
        resource = str(details.get("resource", ""))
        output = _json(details.get("output"))
        if resource_type == "lambda":
            payload = _json(output.get("Payload")) if isinstance(output, dict) else None
            if isinstance(payload, dict):
                decision = Decision(
                    str(payload.get("action", "")),
                    str(payload.get("reason", "")),
                    str(payload.get("explanation", "")),
                    float(payload.get("wait_seconds") or 0),
                )
                self.decisions.append(decision)
                if decision.action != "BEGIN":
                    self.row(
                        at,
                        self._state,
                        f"{decision.action} ({decision.reason}): {decision.explanation}",
                    )
            return
        if resource.lower().startswith("startreplicationtask"):
            self.restarts += 1
            if isinstance(output, dict) and output.get("ReplicationTask"):
                self.task_status = str(output["ReplicationTask"].get("Status", "starting"))
            self.row(at, self._state, f"StartReplicationTask #{self.restarts} (resume-processing)")
        elif resource.lower().startswith("describereplicationtasks"):
            seen = ""
            if isinstance(output, dict) and output.get("ReplicationTasks"):
                seen = str(output["ReplicationTasks"][0].get("Status", ""))
                self.task_status = seen
            self.row(at, self._state)
        elif resource_type == "sns":
            self.row(at, self._state, "notification published")
        elif resource_type == "dynamodb":
            self.row(at, self._state)
