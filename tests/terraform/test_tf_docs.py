"""The README's input/output tables are generated from variables.tf / outputs.tf (make docs)."""

from __future__ import annotations

from scripts.tf_docs import README, ROOT, blocks, description, render


def test_every_variable_and_output_is_described() -> None:
    for path, kind in ((ROOT / "variables.tf", "variable"), (ROOT / "outputs.tf", "output")):
        for name, body in blocks(path, kind):
            assert description(body), f"{kind} {name} has no description"


def test_readme_tables_match_variables_and_outputs() -> None:
    doc = README.read_text()
    assert render(doc) == doc, "README.md tables are stale: run 'make docs' and commit"
