"""The Lambda package: deterministic bytes, the handler inside, and the drift check."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from scripts.build_lambda import main, package_bytes

ROOT = Path(__file__).resolve().parents[2]


def test_same_source_gives_the_same_bytes() -> None:
    assert package_bytes(ROOT / "lambda_src") == package_bytes(ROOT / "lambda_src")


def test_committed_package_is_current() -> None:
    assert (ROOT / "dist" / "lambda.zip").read_bytes() == package_bytes(ROOT / "lambda_src")


def test_package_holds_the_handler_and_the_schema_and_nothing_else() -> None:
    names = zipfile.ZipFile(io.BytesIO(package_bytes(ROOT / "lambda_src"))).namelist()
    assert "dms_recovery/handler.py" in names
    assert "dms_recovery/schema.json" in names
    assert all(name.startswith("dms_recovery/") and "__pycache__" not in name for name in names)


def test_check_fails_on_a_stale_package(tmp_path: Path) -> None:
    stale = tmp_path / "lambda.zip"
    stale.write_bytes(b"old")
    assert main(["--source", str(ROOT / "lambda_src"), "--check", str(stale)]) == 1
    assert main(["--source", str(ROOT / "lambda_src"), "--output", str(stale)]) == 0
    assert main(["--source", str(ROOT / "lambda_src"), "--check", str(stale)]) == 0
