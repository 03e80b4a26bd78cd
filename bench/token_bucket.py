"""A per-account token bucket over every DMS API request, as a DMS hook of the harness.

AWS does not publish DMS's API rate limits. Archived DMS documentation mentions a bucket of about
100 requests refilled at about 4 per second; these are the defaults here and an *assumption*,
labelled as such in every report. Both figures are per virtual second, so they scale with the
virtual clock exactly like every wait and fault duration.

Requests past the bucket are answered ``ThrottlingException`` (HTTP 400), the same error the fake
DMS's own ``throttle()`` raises, and do not take a token (a rejected request costs nothing).
"""

from __future__ import annotations

import threading
from typing import Any

from harness.clock import VirtualClock
from harness.fake_dms import ThrottlingError
from harness.moto_corrections import Undo, add_dms_hook

DEFAULT_BURST = 100.0
DEFAULT_REFILL_PER_SECOND = 4.0
ASSUMPTION = (
    "DMS API token bucket: burst {burst:g} requests, refill {refill:g}/s per account "
    "(an assumption: AWS publishes no figures; archived DMS docs mention about 100 and 4/s)"
)


class TokenBucket:
    """``burst`` tokens, ``refill`` tokens per virtual second; one token per DMS request."""

    def __init__(
        self,
        clock: VirtualClock,
        *,
        burst: float = DEFAULT_BURST,
        refill: float = DEFAULT_REFILL_PER_SECOND,
    ) -> None:
        if burst < 1 or refill <= 0:
            raise ValueError("burst must be >= 1 and refill > 0")
        self.clock = clock
        self.burst = float(burst)
        self.refill = float(refill)
        self._tokens = float(burst)
        self._last = clock.now()
        self._lock = threading.Lock()
        self.accepted = 0
        self.rejected = 0
        self._undo: Undo | None = None

    @property
    def assumption(self) -> str:
        return ASSUMPTION.format(burst=self.burst, refill=self.refill)

    def take(self, now: float | None = None) -> bool:
        """Take one token at virtual time ``now``; False when the bucket is empty."""
        with self._lock:
            at = self.clock.now() if now is None else now
            if at > self._last:
                self._tokens = min(self.burst, self._tokens + (at - self._last) * self.refill)
                self._last = at
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                self.accepted += 1
                return True
            self.rejected += 1
            return False

    # ------------------------------------------------------------------ DmsHook protocol

    def before_dms_call(self, operation: str, params: dict[str, Any]) -> None:
        if not self.take():
            raise ThrottlingError()

    def after_dms_call(
        self, operation: str, params: dict[str, Any], status: int, error_code: str | None
    ) -> None:
        return None

    def on_task_started(self, task: Any, start_type: str) -> bool:
        return False

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> TokenBucket:
        self._undo = add_dms_hook(self)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._undo is not None:
            self._undo()
            self._undo = None
