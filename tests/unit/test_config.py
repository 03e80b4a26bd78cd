"""Configuration: defaults, and errors that name the bad variable."""

from __future__ import annotations

import pytest

from dms_recovery.config import DEFAULT_NON_RECOVERABLE_PATTERNS, Config, ConfigError, load_config


def test_every_setting_has_a_default() -> None:
    assert load_config({}) == Config()


def test_settings_are_read_from_the_environment() -> None:
    config = load_config(
        {
            "MAX_ATTEMPTS": "7",
            "BACKOFF_BASE_SECONDS": "10",
            "BACKOFF_MAX_SECONDS": "20",
            "STABLE_SECONDS": "0",
            "POLL_SECONDS": "5",
            "RECOVERY_BUDGET_SECONDS": "600",
            "MAX_RESTARTS_PER_WINDOW": "3",
            "RESTART_WINDOW_SECONDS": "3600",
            "NON_RECOVERABLE_PATTERNS": '["^boom$"]',
            "DRY_RUN": "TRUE",
        }
    )
    assert (config.max_attempts, config.backoff_base_seconds, config.backoff_max_seconds) == (
        7,
        10,
        20,
    )
    assert (config.stable_seconds, config.poll_seconds, config.recovery_budget_seconds) == (
        0,
        5,
        600,
    )
    assert (config.max_restarts_per_window, config.restart_window_seconds) == (3, 3600)
    assert config.non_recoverable_patterns == ("^boom$",)
    assert config.dry_run is True


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"MAX_ATTEMPTS": "five"}, "MAX_ATTEMPTS must be a whole number"),
        ({"MAX_ATTEMPTS": "0"}, "MAX_ATTEMPTS must be between 1 and 20"),
        ({"POLL_SECONDS": "-1"}, "POLL_SECONDS must be between"),
        (
            {"BACKOFF_BASE_SECONDS": "100", "BACKOFF_MAX_SECONDS": "50"},
            "BACKOFF_MAX_SECONDS must be at least",
        ),
        ({"NON_RECOVERABLE_PATTERNS": "truncat"}, "NON_RECOVERABLE_PATTERNS must be a JSON list"),
        ({"NON_RECOVERABLE_PATTERNS": '["("]'}, "invalid regular expression '('"),
        (
            {"NON_RECOVERABLE_PATTERNS": "[1]"},
            "NON_RECOVERABLE_PATTERNS must be a JSON list of strings",
        ),
        ({"DRY_RUN": "yes"}, "DRY_RUN must be 'true' or 'false'"),
    ],
)
def test_bad_values_are_refused_naming_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace("(", r"\(")):
        load_config(env)


@pytest.mark.parametrize(
    "message",
    [
        "Data truncation: Data too long for column 'c' at row 1",
        "Failed to convert value 'x' to type INTEGER",
        "duplicate key value violates unique constraint",
        "Got fatal error 1236 from master when reading data from binary log",
        "ERROR: requested WAL segment 000000010000000000000002 has already been removed",
    ],
)
def test_default_patterns_recognise_common_data_errors(message: str) -> None:
    import re

    assert any(re.search(p, message, re.IGNORECASE) for p in DEFAULT_NON_RECOVERABLE_PATTERNS)


@pytest.mark.parametrize(
    "message",
    [
        "Last Error ODBC general error. Stop Reason RECOVERABLE_ERROR Error Level RECOVERABLE",
        "Test connection failed for endpoint 'orders-source'",
        "Network error has occurred",
    ],
)
def test_default_patterns_leave_outages_recoverable(message: str) -> None:
    import re

    assert not any(re.search(p, message, re.IGNORECASE) for p in DEFAULT_NON_RECOVERABLE_PATTERNS)
