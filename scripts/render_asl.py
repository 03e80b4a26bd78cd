"""Render the state machine: Jinja source -> committed Terraform template -> final ASL JSON.

    python scripts/render_asl.py --write-template asl_templates/rendered/dms_recovery.asl.json.tftpl
    python scripts/render_asl.py --check-template asl_templates/rendered/dms_recovery.asl.json.tftpl
    python scripts/render_asl.py --var partition=aws --var decider_function_arn=... \\
        --var notification_topic_arn=... --var lease_table_name=... \\
        --var 'watched_task_arns=["arn:aws:dms:us-east-1:123456789012:task:ABC"]'

The rendered template's only ${...} placeholders are the runtime values in PLACEHOLDERS; Terraform
fills them with templatefile(), and --var fills them the same way here.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import jinja2

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATE = ROOT / "asl_templates" / "dms_recovery.asl.json.j2"
DEFAULT_RENDERED = ROOT / "asl_templates" / "rendered" / "dms_recovery.asl.json.tftpl"

PLACEHOLDERS: dict[str, str] = {
    "partition": "AWS partition of every ARN: aws, aws-cn or aws-us-gov",
    "decider_function_arn": "ARN of the decider Lambda function",
    "notification_topic_arn": "ARN of the SNS topic notifications go to",
    "lease_table_name": "name of the DynamoDB lease table",
    "watched_task_arns": "JSON array of the DMS task ARNs this state machine may touch",
}
# Values that make a rendered template parse, used to check it before it is written.
SAMPLE_VALUES: dict[str, str] = {
    "partition": "aws",
    "decider_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:dms-recovery",
    "notification_topic_arn": "arn:aws:sns:us-east-1:123456789012:dms-recovery",
    "lease_table_name": "dms-recovery-leases",
    "watched_task_arns": '["arn:aws:dms:us-east-1:123456789012:task:EXAMPLE"]',
}
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


class RenderError(Exception):
    """A template or a value that cannot make a valid state machine."""


def render_template(template: Path = DEFAULT_TEMPLATE) -> str:
    """The Jinja source rendered into the Terraform template text (placeholders kept)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template.parent),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    text = environment.get_template(template.name).render()
    unknown = sorted(set(_PLACEHOLDER.findall(text)) - set(PLACEHOLDERS))
    if unknown or "%{" in text:
        raise RenderError(
            f"template uses unknown placeholders {unknown} (known: {list(PLACEHOLDERS)})"
        )
    parsed = fill(text, SAMPLE_VALUES)
    return _normalise(text, parsed)


def _normalise(text: str, parsed: dict[str, Any]) -> str:
    """Pretty-print the template itself: one canonical layout for reviewers and drift checks."""
    marker = "__PLACEHOLDER_{}__"
    protected = _PLACEHOLDER.sub(lambda m: marker.format(m.group(1)), text)
    protected = protected.replace(
        '"arns": ' + marker.format("watched_task_arns"), '"arns": "__RAW__"'
    )
    data = json.loads(protected)
    pretty = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    pretty = pretty.replace('"arns": "__RAW__"', '"arns": ${watched_task_arns}')
    result = re.sub(r"__PLACEHOLDER_(\w+)__", r"${\1}", pretty)
    if fill(result, SAMPLE_VALUES) != parsed:
        raise RenderError("normalising the template changed its meaning")
    return result


def fill(text: str, values: dict[str, str]) -> dict[str, Any]:
    """Fill every placeholder as templatefile() would and parse the result as ASL JSON."""
    missing = sorted(set(PLACEHOLDERS) - set(values))
    unknown = sorted(set(values) - set(PLACEHOLDERS))
    if missing:
        raise RenderError(f"missing --var for {', '.join(missing)}")
    if unknown:
        raise RenderError(f"unknown --var {', '.join(unknown)} (known: {', '.join(PLACEHOLDERS)})")
    try:
        arns = json.loads(values["watched_task_arns"])
    except json.JSONDecodeError as error:
        raise RenderError(f"watched_task_arns must be a JSON array of ARNs: {error}") from None
    if not isinstance(arns, list) or not all(isinstance(arn, str) for arn in arns):
        raise RenderError("watched_task_arns must be a JSON array of ARN strings")
    filled = _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)
    try:
        parsed: dict[str, Any] = json.loads(filled)
    except json.JSONDecodeError as error:
        raise RenderError(f"the filled template is not valid JSON: {error}") from None
    return parsed


def _parse_vars(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise RenderError(f"--var expects NAME=VALUE, got {pair!r}")
        values[name] = value
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Render the dms-auto-recovery state machine.",
        epilog="Placeholders: " + "; ".join(f"{k}: {v}" for k, v in PLACEHOLDERS.items()),
    )
    parser.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE, help="Jinja source")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write-template", type=Path, help="write the Terraform template here")
    mode.add_argument("--check-template", type=Path, help="fail if this template is stale")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    try:
        rendered = render_template(args.template)
        if args.write_template:
            args.write_template.parent.mkdir(parents=True, exist_ok=True)
            args.write_template.write_text(rendered, encoding="utf-8")
            print(f"wrote {args.write_template}", file=sys.stderr)
            return 0
        if args.check_template:
            current = args.check_template.read_text("utf-8") if args.check_template.exists() else ""
            if current != rendered:
                print(
                    f"error: {args.check_template} is stale: run 'make asl' and commit it",
                    file=sys.stderr,
                )
                return 1
            return 0
        print(json.dumps(fill(rendered, _parse_vars(args.var)), indent=2))
        return 0
    except RenderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
