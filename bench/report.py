"""Tables (stdout and Markdown), results.json and the PNG charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SYSTEM_LABELS = {"module": "this module", "seed": "seed (2023)"}
COLORS = {"module": "#1f77b4", "seed": "#d62728"}


def _fmt_seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 3600:
        return f"{value / 3600:.1f} h"
    if value >= 600:
        return f"{value / 60:.0f} min"
    return f"{value:.0f} s"


def _ends(row: dict[str, Any]) -> str:
    if row["still_looping"]:
        looping = row["still_looping"]
        ended = row["executions"] - looping
        text = f"NO: {looping} still looping at the {_fmt_seconds(row['cutoff_s'])} cut-off"
        if ended:
            text += f" ({ended} others ended)"
        projected = row["projected_s_to_25000_events"]
        if projected is not None:
            text += f"; 25,000-event limit after ~{_fmt_seconds(projected)}"
        return text
    return f"yes: {row['ends']}"


def scenario_rows(results: dict[str, Any]) -> list[list[str]]:
    titles = {s["key"]: s["title"] for s in results["scenarios"]}
    rows = []
    for row in results["scenario_results"]:
        notes = row["notifications"]
        kind = row["notification_kind"]
        rows.append(
            [
                titles.get(row["scenario"], row["scenario"]),
                SYSTEM_LABELS[row["system"]],
                "yes" if row["correct"] else "NO",
                f"{row['restarts']}",
                f"{row['unwanted_restarts']}",
                _fmt_seconds(row["time_to_recovery_s"]),
                _ends(row),
                f"{row['state_transitions']} ({row['history_events']} ev)",
                f"{row['dms_calls']}"
                + (f" ({row['dms_throttled']} throttled)" if row["dms_throttled"] else ""),
                f"{notes} {kind}".strip() if notes else "0",
            ]
        )
    return rows


SCENARIO_HEADER = [
    "Scenario",
    "System",
    "Correct",
    "Restarts",
    "Unwanted",
    "Time to recovery",
    "Execution ended? (how)",
    "Transitions (history events)",
    "DMS calls",
    "Notifications",
]

STORM_HEADER = [
    "Tasks",
    "System",
    "Recovered",
    "Executions ended on throttling",
    "Executions failed / looping",
    "Peak DMS req/s (accepted)",
    "DMS calls (throttled)",
    "Every task running after",
    "Transitions",
]


def storm_rows(results: dict[str, Any]) -> list[list[str]]:
    rows = []
    for row in results["storm_results"]:
        recovered = f"{row['recovered']}/{row['tasks']} ({100 * row['recovered_share']:.0f}%)"
        after = row["all_running_after_s"]
        rows.append(
            [
                str(row["tasks"]),
                SYSTEM_LABELS[row["system"]],
                recovered,
                str(row["executions_ended_on_throttling"]),
                f"{row['executions_failed']} / {row['executions_still_looping']}",
                f"{row['peak_dms_requests_per_s']} ({row['peak_dms_accepted_per_s']})",
                f"{row['dms_calls']} ({row['dms_throttled']})",
                _fmt_seconds(after)
                if after is not None
                else f"never (cut-off {_fmt_seconds(row['cutoff_s'])})",
                str(row["state_transitions"]),
            ]
        )
    return rows


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"

    return "\n".join([line(header), line(["---"] * len(header)), *(line(r) for r in rows)])


def text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def settings_lines(results: dict[str, Any]) -> list[str]:
    cfg = results["config"]
    lines = [
        f"- Clock: scenarios {_clock(cfg['scale'], cfg['busy_scale'])}; storm "
        f"{_clock(cfg['storm_scale'], cfg['storm_busy_scale'])}. The same clock settings for "
        "both systems; every time is in virtual (unscaled) seconds.",
        f"- Cut-off: {_fmt_seconds(cfg['cutoff_s'])} per scenario, "
        f"{_fmt_seconds(cfg['storm_cutoff_s'])} for the storm; what still runs then is stopped "
        "and reported as still looping.",
        "- This module: the rendered state machine with the decider's default settings "
        f"({', '.join(f'{k}={v}' for k, v in cfg['module_settings'].items())}).",
        "- Seed: `bench/seed_baseline.asl.json`, the 2023 state machine translated literally "
        "(states, waits and choices as written, partition a variable), with its ARN-wrapping "
        'Lambda; input `{"replication-task-arn": [<task ARN>]}` from its input transformer.',
        "- Events: every time a task becomes `failed` or `stopped`, DMS emits an event and each "
        "system's rule starts one execution (EventBridge does not deduplicate).",
        f"- Storm: {cfg['storm_assumption']}.",
        f"- Wall time of this run: {results['wall_seconds']:.0f} s real; {results['environment']}.",
    ]
    return lines


def _clock(scale: float, busy: float | None) -> str:
    if not busy:
        return f"scale {scale:g} (1 real s = {scale:g} virtual s)"
    return (
        f"scale {scale:g} while the emulator idles and {busy:g} while its CPU is saturated "
        "(load-aware clock, see docs/benchmark.md)"
    )


def render_markdown(results: dict[str, Any], charts: list[str]) -> str:
    parts = [
        "# Benchmark results: this module vs the seed's state machine",
        "",
        f"Generated by `make bench` on {results['generated_at']}.",
        "",
        *settings_lines(results),
        "",
        "## Scenarios",
        "",
        markdown_table(SCENARIO_HEADER, scenario_rows(results)),
        "",
        "Time to recovery counts from the moment the fault is gone (source back, throttling over, "
        "instance available) to the task running again. Unwanted restarts: restarts of a task a "
        "person stopped, that finished, or that has a data error; a second restart for one "
        "failure. The seed's notifications are its EventBridge rule's raw event JSON, one per "
        "event; this module's are readable messages saying what happened and why.",
        "",
        "| Scenario | Fault injected | Correct outcome |",
        "| --- | --- | --- |",
        *(f"| {s['title']} | {s['fault']} | {s['expected']} |" for s in results["scenarios"]),
        "",
    ]
    if results["storm_results"]:
        parts += [
            "## Fleet storm",
            "",
            f"N tasks on one replication instance fail together (a failover). "
            f"{results['config']['storm_assumption']}.",
            "",
            markdown_table(STORM_HEADER, storm_rows(results)),
            "",
        ]
    if charts:
        parts += ["## Charts", ""]
        parts += [f"![{Path(c).stem}]({Path(c).name})" for c in charts]
        parts.append("")
    return "\n".join(parts)


def render_text(results: dict[str, Any]) -> str:
    out = [
        "Benchmark: this module vs the seed's state machine (virtual seconds)",
        *settings_lines(results),
        "",
        text_table(SCENARIO_HEADER, scenario_rows(results)),
    ]
    if results["storm_results"]:
        out += ["", "Fleet storm", text_table(STORM_HEADER, storm_rows(results))]
    return "\n".join(out)


def write_json(results: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def charts(results: dict[str, Any], out_dir: Path) -> list[str]:
    """Write the PNG charts; return their paths."""
    import matplotlib  # noqa: PLC0415 - only the full run needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    written = [_ttr_chart(results, out_dir, plt), _storm_chart(results, out_dir, plt)]
    return [str(path) for path in written if path is not None]


def _ttr_chart(results: dict[str, Any], out_dir: Path, plt: Any) -> Path | None:
    titles = {s["key"]: s["title"] for s in results["scenarios"]}
    recovering = [s["key"] for s in results["scenarios"] if s["should_run"]]
    rows = {(r["scenario"], r["system"]): r for r in results["scenario_results"]}
    present = [k for k in recovering if any((k, s) in rows for s in SYSTEM_LABELS)]
    if not present:
        return None
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.38
    top = max(
        [
            rows[(k, s)]["time_to_recovery_s"] or 0
            for k in present
            for s in SYSTEM_LABELS
            if (k, s) in rows
        ]
        + [60]
    )
    for offset, system in ((-width / 2, "module"), (width / 2, "seed")):
        for i, key in enumerate(present):
            row = rows.get((key, system))
            if row is None:
                continue
            value = row["time_to_recovery_s"]
            x = i + offset
            if value is None:
                ax.bar(x, top * 0.05, width, color="none", edgecolor=COLORS[system], hatch="//")
                ax.text(x, top * 0.07, "not\nrecovered", ha="center", va="bottom", fontsize=8)
            else:
                ax.bar(x, value, width, color=COLORS[system])
                ax.text(x, value, f"{value:.0f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(present)))
    ax.set_xticklabels([titles[k] for k in present], fontsize=9)
    ax.set_ylabel("virtual seconds from fault cleared to task running")
    ax.set_title("Time to recovery per scenario")
    handles = [plt.Rectangle((0, 0), 1, 1, color=COLORS[s]) for s in ("module", "seed")]
    ax.legend(handles, [SYSTEM_LABELS["module"], SYSTEM_LABELS["seed"]])
    fig.tight_layout()
    path = out_dir / "time_to_recovery.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _storm_chart(results: dict[str, Any], out_dir: Path, plt: Any) -> Path | None:
    storms = results["storm_results"]
    sizes = sorted({r["tasks"] for r in storms})
    if not sizes:
        return None
    fig, axes = plt.subplots(len(sizes), 1, figsize=(9, 3.2 * len(sizes)), squeeze=False)
    refill = results["config"]["storm_refill"]
    for ax, size in zip(axes[:, 0], sizes, strict=True):
        for row in storms:
            if row["tasks"] != size:
                continue
            series = _smooth(row["requests_per_s"], 5)
            ok = _smooth(
                [a - t for a, t in zip(row["requests_per_s"], row["throttled_per_s"], strict=True)],
                5,
            )
            label = SYSTEM_LABELS[row["system"]]
            ax.plot(series, color=COLORS[row["system"]], label=f"{label}: attempted")
            ax.plot(ok, color=COLORS[row["system"]], linestyle=":", label=f"{label}: accepted")
        ax.axhline(refill, color="grey", linestyle="--", linewidth=1, label=f"refill {refill:g}/s")
        ax.set_title(f"Storm, {size} tasks: DMS requests per second (5 s average)")
        ax.set_xlabel("virtual seconds since the failover")
        ax.set_ylabel("requests/s")
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8)
    fig.tight_layout()
    path = out_dir / "storm_requests_per_second.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _smooth(values: list[int], window: int) -> list[float]:
    out: list[float] = []
    total = 0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out
