"""A virtual clock shared by moto's Step Functions interpreter, the fake DMS and the decider.

Real time is scaled by a factor: with ``scale=50`` one real second is fifty virtual seconds, so a
workflow that waits minutes in production runs in seconds in a test while every component still
agrees on "now". While a clock is *active* (``with clock.activate(): ...``):

- moto's Wait states (``Seconds``, ``SecondsPath``, ``Timestamp``, ``TimestampPath``) and Retry
  backoff sleeps last ``virtual_seconds / scale`` real seconds (the hooks live in
  :mod:`harness.moto_corrections` and read :func:`active_clock`);
- ``dms_recovery.clock.epoch_seconds`` (the decider's only source of time) returns ``clock.now()``;
  when that module does not exist yet a stand-in module is registered in ``sys.modules`` for the
  duration, and removed afterwards;
- the fake DMS (:mod:`harness.fake_dms`) times its scripted transitions with the same clock.

The default clock has scale 1 and no offset, i.e. it is the wall clock.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

DECIDER_CLOCK_MODULE = "dms_recovery.clock"


class VirtualClock:
    """Wall-clock time scaled by ``scale`` and shifted by manual :meth:`advance` calls."""

    def __init__(self, scale: float = 1.0, start: float | None = None) -> None:
        if scale <= 0:
            raise ValueError(f"scale must be positive, got {scale!r}")
        self.scale = float(scale)
        self._lock = threading.Lock()
        self._real_origin = time.time()
        self._virtual_origin = self._real_origin if start is None else float(start)
        self._offset = 0.0

    def now(self) -> float:
        """Virtual epoch seconds."""
        with self._lock:
            elapsed_real = time.time() - self._real_origin
            return self._virtual_origin + elapsed_real * self.scale + self._offset

    def now_datetime(self) -> datetime:
        """Virtual now as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now(), tz=UTC)

    def advance(self, virtual_seconds: float) -> None:
        """Jump virtual time forward at once (what a test does instead of sleeping)."""
        if virtual_seconds < 0:
            raise ValueError("a clock only moves forward")
        with self._lock:
            self._offset += virtual_seconds

    def real_seconds(self, virtual_seconds: float) -> float:
        """How long ``virtual_seconds`` lasts in real time."""
        return max(0.0, virtual_seconds) / self.scale

    def sleep(self, virtual_seconds: float) -> None:
        """Sleep for ``virtual_seconds`` of virtual time."""
        real = self.real_seconds(virtual_seconds)
        if real > 0:
            time.sleep(real)

    @contextlib.contextmanager
    def activate(self) -> Iterator[VirtualClock]:
        """Make this the clock of moto's waits/retries, the fake DMS and the decider."""
        global _ACTIVE  # noqa: PLW0603 - one process-wide clock by design
        previous = _ACTIVE
        _ACTIVE = self
        restore = _patch_decider_clock(self)
        try:
            yield self
        finally:
            restore()
            _ACTIVE = previous

    def __repr__(self) -> str:
        return f"VirtualClock(scale={self.scale}, now={self.now():.3f})"


WALL_CLOCK = VirtualClock(scale=1.0)
_ACTIVE: VirtualClock = WALL_CLOCK


def active_clock() -> VirtualClock:
    """The clock currently in charge (the wall clock when none was activated)."""
    return _ACTIVE


def _patch_decider_clock(clock: VirtualClock) -> Callable[[], None]:
    """Point ``dms_recovery.clock.epoch_seconds`` at ``clock.now``; return an undo callable."""
    stand_in = False
    try:
        module = importlib.import_module(DECIDER_CLOCK_MODULE)
    except ImportError:
        module = types.ModuleType(DECIDER_CLOCK_MODULE)
        module.__doc__ = "Stand-in registered by harness.clock while the real module is missing."
        sys.modules[DECIDER_CLOCK_MODULE] = module
        stand_in = True
        parent = sys.modules.get(DECIDER_CLOCK_MODULE.rpartition(".")[0])
        if parent is not None:
            parent.clock = module  # type: ignore[attr-defined]
    missing = object()
    original = getattr(module, "epoch_seconds", missing)
    module.epoch_seconds = clock.now  # type: ignore[attr-defined]

    def restore() -> None:
        if stand_in:
            sys.modules.pop(DECIDER_CLOCK_MODULE, None)
            parent = sys.modules.get(DECIDER_CLOCK_MODULE.rpartition(".")[0])
            if parent is not None and getattr(parent, "clock", None) is module:
                delattr(parent, "clock")
        elif original is missing:
            delattr(module, "epoch_seconds")
        else:
            module.epoch_seconds = original  # type: ignore[attr-defined]

    return restore
