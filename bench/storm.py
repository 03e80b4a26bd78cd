"""The fleet storm: N tasks on one replication instance fail together (a failover).

Every task fails at the same instant with a recoverable error and DMS emits one
REPLICATION_TASK_FAILED per task; EventBridge starts one execution per event. All DMS requests
of the account pass through one token bucket (:mod:`bench.token_bucket`, burst and refill an
assumption), which answers ``ThrottlingException`` past it. With ``failover_seconds`` > 0 the
instance also shows ``rebooting`` for that long (default 0: the failover has completed by the time
the events arrive, so throttling is the only obstacle).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bench.clock import make_clock
from bench.parse_cache import cached_asl_parsing
from bench.scenarios import STARTING_SECONDS
from bench.systems import SYSTEMS, EventBus, ExecutionRecord, collect, wait_until_quiet
from bench.token_bucket import DEFAULT_BURST, DEFAULT_REFILL_PER_SECOND, TokenBucket
from harness.fake_dms import DmsCall
from harness.workflow import local_aws

FAILOVER_MESSAGE = (
    "Last Error Replication instance failover in progress; connection to the source lost. "
    "Stop Reason RECOVERABLE_ERROR Error Level RECOVERABLE"
)


@dataclass
class StormObservation:
    system: str
    tasks: int
    recovered: int
    executions: list[ExecutionRecord]
    calls: list[DmsCall]
    t0: float
    all_running_after: float | None
    cutoff_seconds: float
    real_seconds: float
    assumption: str
    scale: float

    @property
    def ended_on_throttling(self) -> int:
        return sum(1 for e in self.executions if e.ended_on_throttling)

    @property
    def failed_executions(self) -> int:
        return sum(1 for e in self.executions if e.status == "FAILED")

    @property
    def looping(self) -> int:
        return sum(1 for e in self.executions if e.status == "LOOPING")

    def rate_series(self) -> tuple[list[int], list[int]]:
        """DMS requests per virtual second since t0: (attempted, throttled)."""
        if not self.calls:
            return [], []
        end = max(c.at for c in self.calls) - self.t0
        size = max(1, math.ceil(end) + 1)
        attempted = [0] * size
        throttled = [0] * size
        for call in self.calls:
            second = max(0, int(call.at - self.t0))
            attempted[second] += 1
            if call.outcome == "ThrottlingException":
                throttled[second] += 1
        return attempted, throttled

    def peak_rate(self) -> tuple[int, int]:
        """(peak attempted, peak accepted) DMS requests in any one virtual second."""
        attempted, throttled = self.rate_series()
        if not attempted:
            return 0, 0
        accepted = [a - t for a, t in zip(attempted, throttled, strict=True)]
        return max(attempted), max(accepted)

    def as_dict(self) -> dict[str, Any]:
        attempted, throttled = self.rate_series()
        peak_attempted, peak_accepted = self.peak_rate()
        return {
            "system": self.system,
            "tasks": self.tasks,
            "recovered": self.recovered,
            "recovered_share": round(self.recovered / self.tasks, 3) if self.tasks else None,
            "executions": len(self.executions),
            "executions_ended_on_throttling": self.ended_on_throttling,
            "executions_failed": self.failed_executions,
            "executions_still_looping": self.looping,
            "ends": dict(Counter(e.how for e in self.executions).most_common()),
            "failures": [
                {"error": e.error, "cause": (e.cause or "")[:500]}
                for e in self.executions
                if e.status == "FAILED"
            ][:5],
            "dms_calls": len(self.calls),
            "dms_throttled": sum(1 for c in self.calls if c.outcome == "ThrottlingException"),
            "peak_dms_requests_per_s": peak_attempted,
            "peak_dms_accepted_per_s": peak_accepted,
            "all_running_after_s": None
            if self.all_running_after is None
            else round(self.all_running_after, 1),
            "state_transitions": sum(e.transitions for e in self.executions),
            "cutoff_s": self.cutoff_seconds,
            "scale": self.scale,
            "real_seconds": round(self.real_seconds, 2),
            "assumption": self.assumption,
            "requests_per_s": attempted,
            "throttled_per_s": throttled,
        }


def run_storm(
    system_name: str,
    tasks: int,
    *,
    scale: float,
    cutoff_seconds: float,
    busy_scale: float | None = None,
    burst: float = DEFAULT_BURST,
    refill: float = DEFAULT_REFILL_PER_SECOND,
    failover_seconds: float = 0.0,
    settle_seconds: float = 150.0,
    poll_seconds: float = 5.0,
) -> StormObservation:
    real_start = time.monotonic()
    with (
        cached_asl_parsing(),
        make_clock(scale, busy_scale) as clock,
        local_aws(clock=clock, starting_seconds=STARTING_SECONDS) as env,
    ):
        dms = env.dms
        instance = dms.create_instance("repl-instance-storm")
        arns = [dms.create_task(f"orders-{i:04d}", instance_arn=instance) for i in range(tasks)]
        for arn in arns:
            dms.set_running(arn, since=dms.now() - 3600)
        system = SYSTEMS[system_name]()
        system.deploy(env, arns)
        bus = EventBus(env, system, arns, poll_virtual_seconds=poll_seconds)
        with TokenBucket(env.clock, burst=burst, refill=refill) as bucket:
            t0 = dms.now()
            for arn in arns:
                dms.set_failed(arn, FAILOVER_MESSAGE)
            if failover_seconds > 0:
                dms.instance_unavailable(instance, status="rebooting", seconds=failover_seconds)
            calls_before = len(dms.calls)
            bus.start()
            try:
                for arn in arns:
                    bus.deliver(arn, "REPLICATION_TASK_FAILED")
                wait_until_quiet(
                    bus,
                    cutoff_at=t0 + cutoff_seconds,
                    settle_virtual=settle_seconds,
                    not_before=t0 + failover_seconds,
                )
            finally:
                bus.stop()
                records = collect(env, bus)
                system.close()
            calls = list(dms.calls[calls_before:])
        finals = {arn: bus.status(arn) for arn in arns}
        recovered = sum(1 for s in finals.values() if s == "running")
        all_running_after: float | None = None
        if recovered == tasks:
            all_running_after = max(bus.timeline[arn][-1][0] for arn in arns) - t0
        return StormObservation(
            system=system_name,
            tasks=tasks,
            recovered=recovered,
            executions=records,
            calls=calls,
            t0=t0,
            all_running_after=all_running_after,
            cutoff_seconds=cutoff_seconds,
            real_seconds=time.monotonic() - real_start,
            assumption=bucket.assumption,
            scale=scale,
        )
