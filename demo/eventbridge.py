"""Deliver an event the way EventBridge would: moto stores rules but never invokes Step Functions
or SNS targets, so this reads the rules and targets back from the server, matches the event
against each rule's pattern (moto's own EventBridge pattern matcher) and acts for each target:

- a Step Functions target: ``StartExecution`` with the event as input (the module's target has
  no Input/InputPath/InputTransformer: the state machine takes the event as emitted);
- an SNS target: ``Publish`` of the event, or of its InputTransformer's output.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from jsonpath_ng.ext.parser import parse as parse_jsonpath
from moto.events.models import EventPattern

_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.-]+)>")


@dataclass(frozen=True)
class Delivery:
    """One target an event was delivered to."""

    rule: str
    target_id: str
    target_arn: str
    service: str  # "states" or "sns"
    execution_arn: str | None = None  # for a Step Functions target
    message_id: str | None = None  # for an SNS target


def matches(pattern: str | None, event: dict[str, Any]) -> bool:
    """True when ``event`` matches the rule's event pattern (EventBridge semantics)."""
    return bool(EventPattern.load(pattern).matches_event(event))  # type: ignore[arg-type]


def _path_value(path: str, event: dict[str, Any]) -> Any:
    found = parse_jsonpath(path).find(event)
    return found[0].value if found else None


def transform(event: dict[str, Any], transformer: dict[str, Any] | None) -> str:
    """What the target receives: the event as JSON, or the InputTransformer's output.

    Each ``<name>`` of the template becomes the value at ``InputPathsMap[name]``; inside a JSON
    string it is inserted escaped. A template that is one JSON string (the module's readable
    alert) is delivered as that text, so ``\\n`` becomes a line break.
    """
    if not transformer:
        return json.dumps(event)
    paths: dict[str, str] = transformer.get("InputPathsMap") or {}
    values = {name: _path_value(path, event) for name, path in paths.items()}

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        text = value if isinstance(value, str) else json.dumps(value)
        return json.dumps(text)[1:-1]

    filled = _PLACEHOLDER.sub(fill, str(transformer.get("InputTemplate", "")))
    try:
        parsed = json.loads(filled)
    except ValueError:
        return filled
    return parsed if isinstance(parsed, str) else json.dumps(parsed)


class EventBridge:
    """Rule matching and target delivery against the server behind the given clients."""

    def __init__(self, events: Any, stepfunctions: Any, sns: Any) -> None:
        self.events = events
        self.stepfunctions = stepfunctions
        self.sns = sns

    def rules(self) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self.events.list_rules(**({"NextToken": token} if token else {}))
            rules.extend(page.get("Rules", []))
            token = page.get("NextToken")
            if not token:
                return rules

    def targets(self, rule: str) -> list[dict[str, Any]]:
        targets: list[dict[str, Any]] = self.events.list_targets_by_rule(Rule=rule)["Targets"]
        return targets

    def matching_rules(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """The enabled rules whose pattern matches ``event``."""
        return [
            rule
            for rule in self.rules()
            if rule.get("State", "ENABLED") == "ENABLED"
            and rule.get("EventPattern")
            and matches(rule["EventPattern"], event)
        ]

    def deliver(self, event: dict[str, Any]) -> list[Delivery]:
        """Send ``event`` to every target of every matching rule; what was done, in order."""
        deliveries: list[Delivery] = []
        for rule in self.matching_rules(event):
            for target in self.targets(rule["Name"]):
                deliveries.append(self._deliver_to(rule["Name"], target, event))
        return deliveries

    def _deliver_to(self, rule: str, target: dict[str, Any], event: dict[str, Any]) -> Delivery:
        arn = str(target["Arn"])
        service = arn.split(":")[2]
        if "Input" in target:
            payload = str(target["Input"])
        elif "InputPath" in target:
            payload = json.dumps(_path_value(str(target["InputPath"]), event))
        else:
            payload = transform(event, target.get("InputTransformer"))
        if service == "states":
            execution = self.stepfunctions.start_execution(
                stateMachineArn=arn, name=f"event-{uuid.uuid4().hex[:20]}", input=payload
            )
            return Delivery(
                rule, target["Id"], arn, service, execution_arn=execution["executionArn"]
            )
        if service == "sns":
            published = self.sns.publish(TopicArn=arn, Message=payload)
            return Delivery(rule, target["Id"], arn, service, message_id=published["MessageId"])
        raise ValueError(
            f"rule {rule} has a {service} target ({arn}), which the demo cannot deliver"
        )
