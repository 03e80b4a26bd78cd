"""A load-aware virtual clock: fast while the emulator idles, slow while its CPU is saturated.

With a fixed scale, every millisecond moto spends interpreting a state becomes ``scale``
milliseconds of virtual time: at scale 100 a state costs about one virtual second, and a storm of
200 executions cannot issue requests faster than about one per *virtual* second, so a token
bucket refilling at 4/s never empties. AWS interprets states in milliseconds; the waits are what
take time.

:class:`LoadAwareClock` is a :class:`harness.clock.VirtualClock` whose rate follows the process's
CPU use, sampled every few milliseconds: ``idle_scale`` while the process is mostly idle (every
execution is in a Wait state or a retry backoff), ``busy_scale`` while it is busy interpreting.
Waits and backoffs are measured against the same clock, so they last their full virtual length;
only the emulator's own CPU time is compressed. Both systems run on the same clock settings.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from harness.clock import VirtualClock


@contextlib.contextmanager
def make_clock(scale: float, busy_scale: float | None = None) -> Iterator[VirtualClock]:
    """A fixed-scale :class:`VirtualClock`, or a :class:`LoadAwareClock` when ``busy_scale``."""
    if busy_scale is None:
        yield VirtualClock(scale=scale)
        return
    clock = LoadAwareClock(scale, busy_scale)
    try:
        yield clock
    finally:
        clock.close()


class LoadAwareClock(VirtualClock):
    def __init__(
        self,
        idle_scale: float,
        busy_scale: float,
        *,
        busy_threshold: float = 0.5,
        sample_seconds: float = 0.005,
        start: float | None = None,
    ) -> None:
        super().__init__(scale=idle_scale, start=start)
        self.idle_scale = float(idle_scale)
        self.busy_scale = float(busy_scale)
        self.busy_threshold = busy_threshold
        self.sample_seconds = sample_seconds
        self._rate = self.idle_scale
        self._base_real = time.monotonic()
        self._base_virtual = self._virtual_origin
        self._cpu = time.process_time()
        self._load = 0.0
        self.busy_real_seconds = 0.0
        self.idle_real_seconds = 0.0
        self._stop = threading.Event()
        self._monitor = threading.Thread(target=self._watch, name="bench-clock", daemon=True)
        self._monitor.start()

    def _watch(self) -> None:
        while not self._stop.wait(self.sample_seconds):
            now_real = time.monotonic()
            cpu = time.process_time()
            with self._lock:
                elapsed = now_real - self._base_real
                if elapsed <= 0:
                    continue
                load = (cpu - self._cpu) / elapsed
                self._load = 0.5 * self._load + 0.5 * load
                self._base_virtual += elapsed * self._rate
                if self._rate == self.busy_scale:
                    self.busy_real_seconds += elapsed
                else:
                    self.idle_real_seconds += elapsed
                self._base_real = now_real
                self._cpu = cpu
                busy = self._load >= self.busy_threshold
                self._rate = self.busy_scale if busy else self.idle_scale

    def close(self) -> None:
        self._stop.set()
        self._monitor.join(timeout=1)

    def now(self) -> float:
        with self._lock:
            return (
                self._base_virtual
                + (time.monotonic() - self._base_real) * self._rate
                + self._offset
            )

    def real_seconds(self, virtual_seconds: float) -> float:
        # the shortest real time it can take: callers re-check now() after sleeping
        return max(0.0, virtual_seconds) / self.idle_scale

    def sleep(self, virtual_seconds: float) -> None:
        deadline = self.now() + max(0.0, virtual_seconds)
        while True:
            remaining = deadline - self.now()
            if remaining <= 0:
                return
            time.sleep(max(0.001, min(self.real_seconds(remaining), 0.5)))

    def __repr__(self) -> str:
        return (
            f"LoadAwareClock(idle_scale={self.idle_scale}, busy_scale={self.busy_scale}, "
            f"now={self.now():.3f})"
        )
