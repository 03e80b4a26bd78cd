"""Benchmark: this module's recovery state machine against the seed's, on the same faults.

Run it with ``make bench`` (or ``python -m bench --help``); see docs/benchmark.md.
"""

import sys
from pathlib import Path

# The decider package lives in lambda_src/ (pytest adds it through pyproject; `python -m bench`
# needs it too, as the harness imports dms_recovery.handler in-process).
_LAMBDA_SRC = str(Path(__file__).resolve().parent.parent / "lambda_src")
if _LAMBDA_SRC not in sys.path:
    sys.path.append(_LAMBDA_SRC)
