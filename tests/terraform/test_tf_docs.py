"""The input/output tables of docs/terraform.md are generated from variables.tf / outputs.tf.

Regenerate them with ``.venv/bin/python tests/terraform/test_tf_docs.py --write``; the tests fail
when the committed tables are stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "terraform.md"
BLOCK = re.compile(r'^(variable|output) "([^"]+)" \{\n(.*?)^\}', re.S | re.M)


def _attr(body: str, name: str) -> str | None:
    """The expression of a top-level attribute (multi-line when brackets stay open)."""
    match = re.search(rf"^  {name}\s*=\s*(.*)$", body, re.M)
    if not match:
        return None
    lines = [match.group(1)]
    rest = body[match.end() :].splitlines()[1:]
    depth = lambda text: sum(text.count(c) for c in "({[") - sum(text.count(c) for c in ")}]")  # noqa: E731
    while depth("\n".join(lines)) > 0 and rest:
        lines.append(rest.pop(0).strip())
    return " ".join(line.strip() for line in lines)


def _description(body: str) -> str:
    raw = _attr(body, "description") or '""'
    return raw.strip()[1:-1].replace('\\"', '"')


def blocks(path: Path, kind: str) -> list[tuple[str, str]]:
    return [
        (m.group(2), m.group(3)) for m in BLOCK.finditer(path.read_text()) if m.group(1) == kind
    ]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def inputs_table() -> str:
    rows = [
        "| Name | Description | Type | Default | Required |",
        "|------|-------------|------|---------|:--------:|",
    ]
    for name, body in blocks(REPO / "variables.tf", "variable"):
        default = _attr(body, "default")
        rows.append(
            f"| `{name}` | {_cell(_description(body))} | `{_cell(_attr(body, 'type') or 'any')}` "
            f"| {'n/a' if default is None else f'`{_cell(default)}`'} "
            f"| {'yes' if default is None else 'no'} |"
        )
    return "\n".join(rows)


def outputs_table() -> str:
    rows = ["| Name | Description |", "|------|-------------|"]
    for name, body in blocks(REPO / "outputs.tf", "output"):
        rows.append(f"| `{name}` | {_cell(_description(body))} |")
    return "\n".join(rows)


SECTIONS = {"INPUTS": inputs_table, "OUTPUTS": outputs_table}


def render(doc: str) -> str:
    for marker, table in SECTIONS.items():
        begin, end = f"<!-- BEGIN_TF_{marker} -->", f"<!-- END_TF_{marker} -->"
        head, _, tail = doc.partition(begin)
        _, _, tail = tail.partition(end)
        doc = f"{head}{begin}\n{table()}\n{end}{tail}"
    return doc


def test_every_variable_and_output_is_described() -> None:
    for path, kind in ((REPO / "variables.tf", "variable"), (REPO / "outputs.tf", "output")):
        for name, body in blocks(path, kind):
            assert _description(body), f"{kind} {name} has no description"


def test_docs_tables_match_variables_and_outputs() -> None:
    doc = DOC.read_text()
    assert render(doc) == doc, (
        "docs/terraform.md is stale: run .venv/bin/python tests/terraform/test_tf_docs.py --write"
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        DOC.write_text(render(DOC.read_text()))
    else:
        print(inputs_table())
        print()
        print(outputs_table())
