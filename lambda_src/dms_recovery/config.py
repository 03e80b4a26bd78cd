"""Configuration from environment variables, validated once into a frozen dataclass."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

# Data errors a restart cannot fix. Matched case-insensitively anywhere in DMS's StopReason /
# LastFailureMessage, which often carry the whole "Last Error ... Stop Reason ..." text.
DEFAULT_NON_RECOVERABLE_PATTERNS: tuple[str, ...] = (
    r"truncat",
    r"data too long",
    r"conversion (error|failed)",
    r"failed to convert",
    r"invalid (character|byte sequence|input syntax)",
    r"duplicate key",
    r"duplicate entry",
    r"unique constraint",
    r"violates (foreign key|not-null|check) constraint",
    r"constraint violation",
    r"error 1236",
    r"could not find first log file name in binary log",
    r"requested wal segment .* has already been removed",
    r"replication slot .* does not exist",
    r"ora-01291",
    r"ora-00308",
    r"table mapping",
)


class ConfigError(ValueError):
    """A configuration variable holds a value the decider cannot use."""


@dataclass(frozen=True)
class Config:
    """Every setting of the recovery policy, in seconds unless the name says otherwise."""

    max_attempts: int = 5
    backoff_base_seconds: int = 60
    backoff_max_seconds: int = 900
    stable_seconds: int = 120
    poll_seconds: int = 30
    recovery_budget_seconds: int = 7200
    max_restarts_per_window: int = 10
    restart_window_seconds: int = 86400
    non_recoverable_patterns: tuple[str, ...] = DEFAULT_NON_RECOVERABLE_PATTERNS
    dry_run: bool = False
    # Margin added to the budget for the lease lifetime: a look in flight when the budget ends
    # must still find its own lease.
    lease_margin_seconds: int = 900


_INT_RANGES: dict[str, tuple[str, int, int]] = {
    "MAX_ATTEMPTS": ("max_attempts", 1, 20),
    "BACKOFF_BASE_SECONDS": ("backoff_base_seconds", 1, 3600),
    "BACKOFF_MAX_SECONDS": ("backoff_max_seconds", 1, 3600),
    "STABLE_SECONDS": ("stable_seconds", 0, 3600),
    "POLL_SECONDS": ("poll_seconds", 1, 3600),
    "RECOVERY_BUDGET_SECONDS": ("recovery_budget_seconds", 10, 86400),
    "MAX_RESTARTS_PER_WINDOW": ("max_restarts_per_window", 1, 1000),
    "RESTART_WINDOW_SECONDS": ("restart_window_seconds", 60, 7 * 86400),
}


def _int_setting(env: Mapping[str, str], name: str, low: int, high: int, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _patterns_setting(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("NON_RECOVERABLE_PATTERNS")
    if raw is None or raw.strip() == "":
        return DEFAULT_NON_RECOVERABLE_PATTERNS
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"NON_RECOVERABLE_PATTERNS must be a JSON list of strings: {error}"
        ) from None
    if not isinstance(parsed, list) or not all(isinstance(item, str) for item in parsed):
        raise ConfigError("NON_RECOVERABLE_PATTERNS must be a JSON list of strings")
    for pattern in parsed:
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as error:
            raise ConfigError(
                f"NON_RECOVERABLE_PATTERNS holds an invalid regular expression {pattern!r}: {error}"
            ) from None
    return tuple(parsed)


def _bool_setting(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "false").strip().lower()
    if raw in ("true", "false"):
        return raw == "true"
    raise ConfigError(f"{name} must be 'true' or 'false', got {env.get(name)!r}")


def load_config(env: Mapping[str, str]) -> Config:
    """Read and validate every setting; raise ConfigError naming the first bad variable."""
    defaults = Config()
    values = {
        field: _int_setting(env, name, low, high, getattr(defaults, field))
        for name, (field, low, high) in _INT_RANGES.items()
    }
    if values["backoff_max_seconds"] < values["backoff_base_seconds"]:
        raise ConfigError(
            "BACKOFF_MAX_SECONDS must be at least BACKOFF_BASE_SECONDS "
            f"({values['backoff_max_seconds']} < {values['backoff_base_seconds']})"
        )
    return Config(
        **values,
        non_recoverable_patterns=_patterns_setting(env),
        dry_run=_bool_setting(env, "DRY_RUN"),
    )
