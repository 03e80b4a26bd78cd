"""The notification a person reads: a subject SNS accepts and a body that says what and why."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .config import Config
from .models import Action, Decision, Observation

# SNS rejects a subject of 100 characters or more, with line breaks or control characters, and
# the notification is lost: keep it printable ASCII and below the limit.
MAX_SUBJECT_LENGTH = 99
_PREFIX = "DMS auto-recovery: "

CONSOLE_DOMAINS = {
    "aws": "console.aws.amazon.com",
    "aws-cn": "console.amazonaws.cn",
    "aws-us-gov": "console.amazonaws-us-gov.com",
}


@dataclass(frozen=True)
class TaskRef:
    """Where a task lives, read from its ARN: arn:PARTITION:dms:REGION:ACCOUNT:task:ID."""

    arn: str
    partition: str
    region: str
    account: str
    resource_id: str

    @classmethod
    def parse(cls, arn: str) -> TaskRef:
        parts = arn.split(":", 6)
        if len(parts) == 7 and parts[0] == "arn":
            return cls(arn, parts[1], parts[3], parts[4], parts[6])
        return cls(arn, "aws", "unknown", "unknown", arn)


def console_link(ref: TaskRef, identifier: str) -> str:
    """The DMS console page of the task, on the console domain of its partition."""
    domain = CONSOLE_DOMAINS.get(ref.partition, CONSOLE_DOMAINS["aws"])
    return f"https://{domain}/dms/v2/home?region={ref.region}#taskDetails/{identifier}"


def clean_subject(text: str) -> str:
    """Printable ASCII on one line, at most MAX_SUBJECT_LENGTH characters."""
    ascii_text = text.encode("ascii", "replace").decode("ascii")
    one_line = re.sub(r"[\x00-\x1f\x7f]+", " ", ascii_text)
    single_spaced = re.sub(r" {2,}", " ", one_line).strip() or "DMS auto-recovery notice"
    if len(single_spaced) <= MAX_SUBJECT_LENGTH:
        return single_spaced
    return single_spaced[: MAX_SUBJECT_LENGTH - 3].rstrip() + "..."


_HEADLINES = {
    Action.SUCCEED: "recovered {name}",
    Action.GIVE_UP: "gave up on {name}",
    Action.SKIP: "left {name} alone",
}


def subject_for(decision: Decision, name: str) -> str:
    """One line naming the task and the outcome.

    For example 'DMS auto-recovery: gave up on orders-cdc (flapping)'.
    """
    headline = _HEADLINES.get(decision.action, "{name}").format(name=name)
    dry = "[dry run] " if decision.dry_run else ""
    reason = decision.reason.replace("_", " ")
    suffix = f" ({reason})"
    room = MAX_SUBJECT_LENGTH - len(dry) - len(_PREFIX) - len(suffix)
    if len(headline) > room:
        headline = headline[: max(room - 3, 0)] + "..."
    return clean_subject(f"{dry}{_PREFIX}{headline}{suffix}")


_NEXT_STEPS = {
    "non_recoverable": "Fix the data error or the table mapping, then resume the task by hand.",
    "flapping": "The task keeps failing after recoveries: find the root cause before resuming.",
    "attempts_exhausted": "Check the source and target endpoints, then resume the task by hand.",
    "budget_spent": "Check the source and target endpoints, then resume the task by hand.",
    "access_denied": "Grant the state machine role the action named above.",
    "operator_stop": "Nothing to do if the stop was intended; start the task by hand otherwise.",
    "input_not_understood": 'Start the recovery with a DMS event or {"taskArn": "..."}.',
    "input_too_large": 'Start the recovery with a DMS event or {"taskArn": "..."} only.',
    "bad_configuration": "Fix the module input behind the variable named above, then apply.",
}


def _ago(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return "unknown"
    minutes = seconds / 60
    return f"{minutes:.0f} min" if minutes >= 1 else f"{seconds:.0f} s"


def body_for(
    decision: Decision,
    observation: Observation,
    ref: TaskRef,
    config: Config,
    now: float,
    execution_id: str,
) -> str:
    """The notification text: what happened, why, the facts, and a console link."""
    task = observation.task
    memory = decision.memory
    identifier = task.identifier if task and task.identifier else ref.resource_id
    failure_at = memory.first_failure_at
    last_failure = (task.last_failure_message if task else "") or memory.last_failure
    window_hours = config.restart_window_seconds / 3600
    lines = [
        f"{decision.explanation}",
        "",
        f"Action:               {decision.action.value}{' (dry run)' if decision.dry_run else ''}"
        f" - reason: {decision.reason}",
        f"Task:                 {identifier}",
        f"Task ARN:             {ref.arn}",
        f"Account:              {ref.account}",
        f"Region:               {ref.region}",
        f"Status:               {task.status if task else 'not found'}",
        f"Stop reason:          {(task.stop_reason if task else '') or '-'}",
        f"Last failure message: {last_failure or '-'}",
        f"Restarts this run:    {memory.attempts} of at most {config.max_attempts}",
        f"Restarts in window:   {len(memory.recent_restarts)} in the last {window_hours:g} h "
        f"(limit {config.max_restarts_per_window})",
        f"Since the failure:    {_ago(now - failure_at if failure_at else None)}",
        f"Recovery running for: {_ago(now - memory.started_at)}",
    ]
    if observation.instance_status:
        lines.append(f"Replication instance: {observation.instance_status}")
    if observation.error:
        lines.append(f"Last call error:      {observation.error.call}: {observation.error.name}")
    next_step = _NEXT_STEPS.get(decision.reason)
    if next_step:
        lines += ["", f"What to do: {next_step}"]
    lines += [
        "",
        f"Console:   {console_link(ref, identifier)}",
        f"Execution: {execution_id}",
    ]
    return "\n".join(lines)
