"""One tiny benchmark scenario for both systems, to keep `make bench` working (not a timing test).

The seed's state machine restarts a task an operator stopped; this module leaves it alone and
says so. Plus the token bucket the storm relies on.
"""

from __future__ import annotations

import json
import logging

import pytest

from bench.scenarios import SCENARIOS, run_scenario
from bench.systems import seed_definition
from bench.token_bucket import TokenBucket
from harness.clock import VirtualClock

pytestmark = pytest.mark.workflow

OPERATOR_STOP = next(s for s in SCENARIOS if s.key == "operator_stop")


def test_seed_definition_is_the_literal_translation() -> None:
    definition = json.loads(seed_definition("aws-cn", "arn:aws-cn:lambda:fn"))
    states = definition["States"]["任务状态判断和处理"]["Iterator"]["States"]
    assert definition["StartAt"] == "检查DMS任务状态"
    assert states["开始启动任务"]["Parameters"]["StartReplicationTaskType"] == "resume-processing"
    assert states["开始启动任务"]["Resource"].startswith("arn:aws-cn:states:::aws-sdk:")
    assert states["任务状态"]["Default"] == "Success"
    assert "Retry" not in states["开始启动任务"]
    assert "Catch" not in states["检查任务状态"]


def test_operator_stop_seed_restarts_it_and_the_module_does_not() -> None:
    logging.disable(logging.CRITICAL)
    try:
        seed = run_scenario(OPERATOR_STOP, "seed", scale=100, cutoff_seconds=600, settle_seconds=40)
        module = run_scenario(
            OPERATOR_STOP, "module", scale=100, cutoff_seconds=600, settle_seconds=40
        )
    finally:
        logging.disable(logging.NOTSET)
    assert (seed.restarts, seed.unwanted_restarts, seed.final_status) == (1, 1, "running")
    assert not seed.correct
    assert seed.notification_kind == "raw event"
    assert (module.restarts, module.final_status, module.correct) == (0, "stopped", True)
    assert module.all_ended and module.notification_kind == "readable"
    assert module.as_dict()["ends"] == "SUCCEEDED (Done)"


def test_token_bucket_bursts_then_refills_on_the_virtual_clock() -> None:
    clock = VirtualClock(scale=1.0, start=1000.0)
    bucket = TokenBucket(clock, burst=3, refill=2)
    start = clock.now()
    assert [bucket.take(start) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(start + 0.5)
    assert not bucket.take(start + 0.5)
    assert [bucket.take(start + 10) for _ in range(4)] == [True, True, True, False]
    assert (bucket.accepted, bucket.rejected) == (7, 3)
