"""Reading ``terraform show -json`` plans and IAM documents for the plan tests."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
ASL_TEMPLATE = REPO / "asl_templates" / "rendered" / "dms_recovery.asl.json.tftpl"

# IAM action prefix of an SDK-integration service name, where the two differ.
SDK_SERVICE_TO_IAM = {"databasemigration": "dms", "sfn": "states"}
# Optimised integrations whose IAM action is not the API name with a capital letter.
OPTIMISED_TO_IAM = {
    "lambda:invoke": "lambda:InvokeFunction",
    "states:startExecution": "states:StartExecution",
}


def resources(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Every planned resource (root and nested modules) with its values."""
    found: list[dict[str, Any]] = []

    def walk(module: dict[str, Any]) -> None:
        found.extend(module.get("resources", []))
        for child in module.get("child_modules", []):
            walk(child)

    walk(plan["planned_values"]["root_module"])
    return found


def of_type(plan: dict[str, Any], rtype: str) -> list[dict[str, Any]]:
    return [r for r in resources(plan) if r["type"] == rtype and r["mode"] == "managed"]


def in_module(plan: dict[str, Any], rtype: str, module: str) -> list[dict[str, Any]]:
    """Resources of a type in the submodule ``module`` (e.g. "state_machine")."""
    return [
        r
        for r in of_type(plan, rtype)
        if r["address"].startswith(f"module.recovery.module.{module}.")
    ]


def only(items: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(items) == 1, [i["address"] for i in items]
    return items[0]


def outputs(plan: dict[str, Any]) -> dict[str, Any]:
    return dict(plan["planned_values"]["outputs"]["module"]["value"])


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(document: str) -> list[dict[str, Any]]:
    doc = json.loads(document)
    return [dict(s) for s in as_list(doc["Statement"])]


def role_policies(plan: dict[str, Any], module: str) -> list[str]:
    """The inline policies of the role of ``module`` that are known at plan time (see
    ``unknown_at_plan`` for the others)."""
    return [
        r["values"]["policy"]
        for r in in_module(plan, "aws_iam_role_policy", module)
        if "policy" in r["values"]
    ]


def unknown_at_plan(plan: dict[str, Any], attribute: str) -> set[str]:
    """Addresses of the planned resources whose ``attribute`` is only known after apply."""
    return {
        change["address"]
        for change in plan["resource_changes"]
        if change["change"].get("after_unknown", {}).get(attribute) is True
    }


def allowed(plan: dict[str, Any], module: str) -> dict[str, set[str]]:
    """Action -> resources allowed by the inline policies of the role of ``module``."""
    grants: dict[str, set[str]] = {}
    for policy in role_policies(plan, module):
        for stmt in statements(policy):
            assert stmt["Effect"] == "Allow"
            for action in as_list(stmt["Action"]):
                grants.setdefault(action, set()).update(as_list(stmt["Resource"]))
    return grants


def iam_documents(plan: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(address, JSON document) of every IAM, topic and queue policy in the plan known at plan
    time (the KMS policy of a key created in the same apply is not: see ``unknown_at_plan``)."""
    fields = {
        "aws_iam_role_policy": "policy",
        "aws_iam_role": "assume_role_policy",
        "aws_sns_topic_policy": "policy",
        "aws_sqs_queue": "policy",
    }
    for res in resources(plan):
        field = fields.get(res["type"])
        if field and res["mode"] == "managed" and field in res["values"]:
            yield res["address"], res["values"][field]


def asl_integrations(template: str) -> set[str]:
    """Integrations ("aws-sdk:databasemigration:startReplicationTask", "sns:publish", ...)
    named by every "Resource" of the rendered ASL template."""
    found = set()
    for resource in re.findall(r'"Resource"\s*:\s*"([^"]+)"', template):
        match = re.fullmatch(
            r"arn:\$\{partition\}:states:::(.+?)(\.sync(:2)?|\.waitForTaskToken)?", resource
        )
        assert match, f"Resource {resource} is not a Step Functions integration of this partition"
        found.add(match.group(1))
    return found


def iam_action(integration: str) -> str:
    """The IAM action an integration needs (Step Functions developer guide)."""
    if integration.startswith("aws-sdk:"):
        _, service, api = integration.split(":")
        return f"{SDK_SERVICE_TO_IAM.get(service, service)}:{api[0].upper()}{api[1:]}"
    if integration in OPTIMISED_TO_IAM:
        return OPTIMISED_TO_IAM[integration]
    service, api = integration.split(":")
    return f"{service}:{api[0].upper()}{api[1:]}"


def definition_resources(definition: dict[str, Any]) -> Iterator[str]:
    """Every "Resource" of a definition, nested Map/Parallel states included."""
    for state in definition.get("States", {}).values():
        if "Resource" in state:
            yield state["Resource"]
        for branch in state.get("Branches", []):
            yield from definition_resources(branch)
        for key in ("Iterator", "ItemProcessor"):
            if key in state:
                yield from definition_resources(state[key])
