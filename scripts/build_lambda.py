"""Package the decider into a zip with deterministic bytes, or check the committed one.

Fixed timestamps, sorted entries and fixed modes mean the same source always gives the same
file, so Terraform's source_code_hash only changes when the code does.

    python scripts/build_lambda.py --source lambda_src --output dist/lambda.zip
    python scripts/build_lambda.py --source lambda_src --check dist/lambda.zip
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from pathlib import Path

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_PACKAGED_SUFFIXES = (".py", ".json")


def package_bytes(source: Path) -> bytes:
    """The zip of every .py and .json file under `source`, paths relative to it."""
    files = sorted(
        path
        for path in source.rglob("*")
        if path.is_file() and path.suffix in _PACKAGED_SUFFIXES and "__pycache__" not in path.parts
    )
    if not files:
        raise SystemExit(f"error: no .py or .json files under {source}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(source).as_posix(), date_time=_FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="folder holding the package")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--output", type=Path, help="write the zip here")
    target.add_argument("--check", type=Path, help="fail if this zip differs from a fresh build")
    args = parser.parse_args(argv)
    fresh = package_bytes(args.source)
    if args.check is not None:
        if not args.check.exists() or args.check.read_bytes() != fresh:
            print(
                f"error: {args.check} is stale or missing: run 'make build' and commit it",
                file=sys.stderr,
            )
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(fresh)
    print(f"wrote {args.output} ({len(fresh)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
