"""The decider's only source of time, kept in one place so tests can drive a virtual clock."""

import time


def epoch_seconds() -> float:
    """Seconds since the epoch, now."""
    return time.time()
