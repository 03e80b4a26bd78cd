"""``python -m bench``: run every scenario and the storm for both systems; write the results.

python -m bench                        # what `make bench` runs
python -m bench --scenarios operator_stop --storm-sizes ''   # one scenario, no storm
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from bench import report
from bench.scenarios import SCENARIO_KEYS, SCENARIOS, run_scenario
from bench.storm import run_storm
from bench.systems import MODULE_DECIDER_ENV
from bench.token_bucket import ASSUMPTION, DEFAULT_BURST, DEFAULT_REFILL_PER_SECOND

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", type=float, default=100.0, help="virtual clock scale (idle)")
    parser.add_argument(
        "--busy-scale",
        type=float,
        default=5.0,
        help="clock scale while the emulator's CPU is saturated (0: fixed --scale)",
    )
    parser.add_argument("--cutoff", type=float, default=3600.0, help="virtual s per scenario")
    parser.add_argument("--scenarios", default=",".join(SCENARIO_KEYS))
    parser.add_argument("--systems", default="module,seed")
    parser.add_argument("--storm-sizes", default="50,200", help="comma list; '' for none")
    parser.add_argument("--storm-scale", type=float, default=20.0)
    parser.add_argument("--storm-busy-scale", type=float, default=0.5)
    parser.add_argument("--storm-cutoff", type=float, default=3600.0)
    parser.add_argument("--burst", type=float, default=DEFAULT_BURST)
    parser.add_argument("--refill", type=float, default=DEFAULT_REFILL_PER_SECOND)
    parser.add_argument("--failover-seconds", type=float, default=0.0)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument(
        "--publish", type=Path, default=None, help="also copy results.md and the PNGs here"
    )
    parser.add_argument("--no-charts", action="store_true")
    parser.add_argument(
        "--jobs",
        type=int,
        default=2,
        help="processes: the largest storm runs beside the rest (moto is one GIL per process)",
    )
    parser.add_argument("--worker", type=Path, default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


COMMON_OPTIONS = (
    "scale",
    "busy_scale",
    "cutoff",
    "systems",
    "storm_scale",
    "storm_busy_scale",
    "storm_cutoff",
    "burst",
    "refill",
    "failover_seconds",
)


def run_parts(args: argparse.Namespace, keys: list[str], sizes: list[int]) -> dict[str, Any]:
    """Run the work here, or split it over ``--jobs`` processes and merge what they write."""
    if args.jobs < 2 or not sizes or args.worker is not None:
        return run_work(args, keys, sizes)
    largest = max(sizes)
    rest = [n for n in sizes if n != largest]
    common: list[str] = []
    for name in COMMON_OPTIONS:
        common += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    args.out.mkdir(parents=True, exist_ok=True)
    plans = [
        (",".join(keys), ",".join(map(str, rest)), args.out / "part-1.json"),
        ("", str(largest), args.out / "part-2.json"),
    ]
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench",
                *common,
                "--scenarios",
                scenario_keys,
                "--storm-sizes",
                storm_sizes,
                "--worker",
                str(path),
            ],
            cwd=ROOT,
        )
        for scenario_keys, storm_sizes, path in plans
    ]
    codes = [child.wait() for child in children]
    if any(codes):
        raise SystemExit(f"a benchmark process failed: exit codes {codes}")
    merged: dict[str, Any] = {"scenario_results": [], "storm_results": []}
    for _, _, path in plans:
        part = json.loads(path.read_text())
        merged["scenario_results"] += part["scenario_results"]
        merged["storm_results"] += part["storm_results"]
        path.unlink()
    merged["storm_results"].sort(key=lambda r: (r["tasks"], r["system"]))
    return merged


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.disable(logging.CRITICAL)  # moto logs every caught SDK error with its whole AST
    started = time.monotonic()
    keys = [k for k in args.scenarios.split(",") if k]
    unknown = sorted(set(keys) - set(SCENARIO_KEYS))
    if unknown:
        print(f"unknown scenarios {unknown}; known: {', '.join(SCENARIO_KEYS)}", file=sys.stderr)
        return 2
    sizes = [int(n) for n in args.storm_sizes.split(",") if n.strip()]
    work = run_parts(args, keys, sizes)
    if args.worker is not None:
        args.worker.write_text(json.dumps(work))
        return 0
    results = build_results(args, keys, work, started)
    args.out.mkdir(parents=True, exist_ok=True)
    chart_paths = [] if args.no_charts else report.charts(results, args.out)
    report.write_json(results, args.out / "results.json")
    (args.out / "results.md").write_text(report.render_markdown(results, chart_paths))
    print()
    print(report.render_text(results))
    print(f"\nwrote {args.out}/results.json, results.md and {len(chart_paths)} chart(s)")
    if args.publish is not None:
        args.publish.mkdir(parents=True, exist_ok=True)
        for path in [args.out / "results.md", *map(Path, chart_paths)]:
            shutil.copy2(path, args.publish / path.name)
        print(f"copied results.md and the charts to {args.publish}")
    return 0


T = TypeVar("T")


def _twice(run: Callable[[], T]) -> T:
    """Run once more if the emulator itself breaks (moto has the odd thread race)."""
    try:
        return run()
    except Exception:
        traceback.print_exc()
        print("[bench] the emulator failed; running that part again", file=sys.stderr)
        return run()


def run_work(args: argparse.Namespace, keys: list[str], sizes: list[int]) -> dict[str, Any]:
    systems = [s for s in args.systems.split(",") if s]
    scenario_results: list[dict[str, Any]] = []
    for scenario in SCENARIOS:
        if scenario.key not in keys:
            continue
        for system in systems:
            obs = _twice(
                lambda scenario=scenario, system=system: run_scenario(
                    scenario,
                    system,
                    scale=args.scale,
                    busy_scale=args.busy_scale or None,
                    cutoff_seconds=args.cutoff,
                )
            )
            row = obs.as_dict()
            scenario_results.append(row)
            print(
                f"[bench] {scenario.key:<22} {system:<7} correct={row['correct']!s:<5} "
                f"restarts={row['restarts']:<4} looping={row['still_looping']:<3} "
                f"({row['real_seconds']:.1f} s real)",
                flush=True,
            )
    storm_results: list[dict[str, Any]] = []
    for size in sizes:
        for system in systems:
            storm = _twice(
                lambda size=size, system=system: run_storm(
                    system,
                    size,
                    scale=args.storm_scale,
                    busy_scale=args.storm_busy_scale or None,
                    cutoff_seconds=args.storm_cutoff,
                    burst=args.burst,
                    refill=args.refill,
                    failover_seconds=args.failover_seconds,
                )
            )
            row = storm.as_dict()
            storm_results.append(row)
            print(
                f"[bench] storm {size:<4} {system:<7} recovered={row['recovered']}/{size} "
                f"throttled-ends={row['executions_ended_on_throttling']} "
                f"({row['real_seconds']:.1f} s real)",
                flush=True,
            )
    return {"scenario_results": scenario_results, "storm_results": storm_results}


def build_results(
    args: argparse.Namespace, keys: list[str], work: dict[str, Any], started: float
) -> dict[str, Any]:
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "environment": f"Python {platform.python_version()}, {os.cpu_count()} CPU(s), moto 5.2.5",
        "config": {
            "scale": args.scale,
            "busy_scale": args.busy_scale or None,
            "cutoff_s": args.cutoff,
            "storm_scale": args.storm_scale,
            "storm_busy_scale": args.storm_busy_scale or None,
            "storm_cutoff_s": args.storm_cutoff,
            "storm_burst": args.burst,
            "storm_refill": args.refill,
            "storm_failover_s": args.failover_seconds,
            "storm_assumption": ASSUMPTION.format(burst=args.burst, refill=args.refill),
            "module_settings": MODULE_DECIDER_ENV,
        },
        "scenarios": [
            {k: v for k, v in asdict(s).items() if k in ("key", "title", "fault", "expected")}
            | {"should_run": s.should_run}
            for s in SCENARIOS
            if s.key in keys
        ],
        **work,
        "wall_seconds": time.monotonic() - started,
    }
    return results


if __name__ == "__main__":
    sys.exit(main())
