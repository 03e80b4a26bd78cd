"""Lambda entry point: parse the state machine's input, ask the policy, shape the answer.

Whatever arrives, the answer is a decision the state machine can act on: input it cannot
understand, or a bad configuration, ends the recovery with a notification that says so.
"""

from __future__ import annotations

import json
import logging
import os
import random
from dataclasses import replace
from typing import Any

from . import clock, validation
from .config import Config, ConfigError, load_config
from .messages import TaskRef, body_for, subject_for
from .models import Action, Decision, Memory, Observation
from .observe import memory_from, memory_to_json, observe, recent_restarts
from .policy import decide

# Far below Step Functions' 256 KiB payload limit; anything larger is not what the workflow sends.
MAX_INPUT_BYTES = 64 * 1024

logger = logging.getLogger("dms_recovery")
logger.setLevel(logging.INFO)


def _log(level: int, message: str, **fields: object) -> None:
    logger.log(level, json.dumps({"message": message, **fields}, default=str))


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Decide the next step of one recovery. Never raises for bad input or configuration."""
    now = clock.epoch_seconds()
    try:
        config = load_config(os.environ)
    except ConfigError as error:
        _log(logging.ERROR, "configuration error", error=str(error))
        return _refusal(event, Config(), now, "bad_configuration", f"Configuration error: {error}")
    size = len(json.dumps(event, default=str))
    if size > MAX_INPUT_BYTES:
        return _refusal(
            event,
            config,
            now,
            "input_too_large",
            f"Input of {size} bytes exceeds {MAX_INPUT_BYTES}.",
        )
    problems = validation.errors(event, "input")
    if problems:
        _log(logging.ERROR, "input not understood", problems=problems[:10])
        return _refusal(
            event,
            config,
            now,
            "input_not_understood",
            "Input not understood: " + "; ".join(problems[:5]),
        )
    if event["phase"] == "begin":
        return _begin(event, config, now)
    return _look(event, config, now)


def _begin(event: dict[str, Any], config: Config, now: float) -> dict[str, Any]:
    memory = Memory(started_at=now)
    decision = Decision(Action.BEGIN, "begin", "Recovery started.", memory)
    output = _shape(decision, Observation(), event, config, now)
    _log(logging.INFO, "begin", execution_id=event["execution_id"], task_arn=event["task_arn"])
    return output


def _look(event: dict[str, Any], config: Config, now: float) -> dict[str, Any]:
    if "memory" not in event or "look" not in event:
        return _refusal(
            event,
            config,
            now,
            "input_not_understood",
            "Input not understood: look without memory or look.",
        )
    memory = memory_from(event["memory"])
    lease_item = event.get("lease", {}).get("item", {})
    merged = tuple(sorted({*memory.recent_restarts, *recent_restarts(lease_item)}))
    memory = replace(memory, recent_restarts=merged)
    observation = observe(event["look"])
    decision = decide(observation, memory, config, now, random.random())
    output = _shape(decision, observation, event, config, now)
    _log(
        logging.INFO,
        "decision",
        execution_id=event["execution_id"],
        task_arn=event["task_arn"],
        action=output["action"],
        reason=output["reason"],
        wait_seconds=output["wait_seconds"],
        attempts=decision.memory.attempts,
        status=observation.task.status if observation.task else None,
    )
    return output


def _refusal(event: Any, config: Config, now: float, reason: str, text: str) -> dict[str, Any]:
    """A GIVE_UP for input or configuration the decider cannot work with."""
    raw_memory = event.get("memory") if isinstance(event, dict) else None
    try:
        memory = memory_from(raw_memory) if isinstance(raw_memory, dict) else Memory(started_at=now)
    except (KeyError, TypeError, ValueError):
        memory = Memory(started_at=now)
    decision = Decision(Action.GIVE_UP, reason, text[:1000], memory, notify=True)
    safe_event = event if isinstance(event, dict) else {}
    return _shape(decision, Observation(), safe_event, config, now)


def _shape(
    decision: Decision, observation: Observation, event: dict[str, Any], config: Config, now: float
) -> dict[str, Any]:
    """The decision as the state machine reads it, with the clock values it cannot compute."""
    task_arn = str(event.get("task_arn", "unknown"))
    execution_id = str(event.get("execution_id", "unknown"))
    ref = TaskRef.parse(task_arn)
    name = (
        observation.task.identifier
        if observation.task and observation.task.identifier
        else ref.resource_id
    )
    memory = decision.memory
    newest_restart = max(memory.recent_restarts, default=None)
    retain_until = (
        max(now, newest_restart + config.restart_window_seconds) if newest_restart else now
    )
    expires_at = memory.started_at + config.recovery_budget_seconds + config.lease_margin_seconds
    return {
        "action": decision.action.value,
        "reason": decision.reason,
        "explanation": decision.explanation,
        "wait_seconds": decision.wait_seconds,
        "start_type": "resume-processing",
        "notify": decision.notify,
        "subject": subject_for(decision, name),
        "message": body_for(decision, observation, ref, config, now, execution_id),
        "now": now,
        "elapsed_seconds": max(0.0, now - memory.started_at),
        "lease": {
            "now": str(int(now)),
            "expires_at": str(int(max(expires_at, now + 60))),
            "retain_until": str(int(retain_until)),
            "restarts": [{"N": str(int(t))} for t in memory.recent_restarts],
        },
        "memory": memory_to_json(memory),
    }
