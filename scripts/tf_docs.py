"""Generate the README's input and output tables from variables.tf and outputs.tf.

python scripts/tf_docs.py --write   # rewrite the tables between the README markers
python scripts/tf_docs.py --check   # fail when they are stale (a test runs this too)
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
_BLOCK = re.compile(r'^(variable|output) "([^"]+)" \{\n(.*?)^\}', re.S | re.M)


def _depth(text: str) -> int:
    return sum(text.count(c) for c in "({[") - sum(text.count(c) for c in ")}]")


def attribute(body: str, name: str) -> str | None:
    """The expression of a top-level attribute (joined over lines while brackets stay open)."""
    match = re.search(rf"^  {name}\s*=\s*(.*)$", body, re.M)
    if not match:
        return None
    lines = [match.group(1)]
    rest = body[match.end() :].splitlines()[1:]
    while _depth("\n".join(lines)) > 0 and rest:
        lines.append(rest.pop(0).strip())
    return " ".join(line.strip() for line in lines)


def description(body: str) -> str:
    raw = attribute(body, "description") or '""'
    return raw.strip()[1:-1].replace('\\"', '"')


def blocks(path: Path, kind: str) -> list[tuple[str, str]]:
    """(name, body) of every `variable` or `output` block in a file."""
    return [
        (m.group(2), m.group(3)) for m in _BLOCK.finditer(path.read_text()) if m.group(1) == kind
    ]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def inputs_table(root: Path = ROOT) -> str:
    rows = [
        "| Name | Description | Type | Default | Required |",
        "|------|-------------|------|---------|:--------:|",
    ]
    for name, body in blocks(root / "variables.tf", "variable"):
        default = attribute(body, "default")
        kind = _cell(attribute(body, "type") or "any")
        rows.append(
            f"| `{name}` | {_cell(description(body))} | `{kind}` "
            f"| {'n/a' if default is None else f'`{_cell(default)}`'} "
            f"| {'yes' if default is None else 'no'} |"
        )
    return "\n".join(rows)


def outputs_table(root: Path = ROOT) -> str:
    rows = ["| Name | Description |", "|------|-------------|"]
    rows += [
        f"| `{name}` | {_cell(description(body))} |"
        for name, body in blocks(root / "outputs.tf", "output")
    ]
    return "\n".join(rows)


def render(doc: str, root: Path = ROOT) -> str:
    """`doc` with the text between each pair of markers replaced by the current table."""
    for marker, table in (("INPUTS", inputs_table), ("OUTPUTS", outputs_table)):
        begin, end = f"<!-- BEGIN_TF_{marker} -->", f"<!-- END_TF_{marker} -->"
        if begin not in doc or end not in doc:
            raise SystemExit(f"error: {README.name} lacks the markers {begin} / {end}")
        head, _, tail = doc.partition(begin)
        _, _, tail = tail.partition(end)
        doc = f"{head}{begin}\n{table(root)}\n{end}{tail}"
    return doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="README input/output tables")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="rewrite the tables")
    mode.add_argument("--check", action="store_true", help="fail when the tables are stale")
    args = parser.parse_args(argv)
    current = README.read_text()
    fresh = render(current)
    if args.write:
        README.write_text(fresh)
        return 0
    if fresh != current:
        print("error: README.md tables are stale: run 'make docs' and commit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
