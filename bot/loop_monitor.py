"""Measures event-loop lag: how late a timer fires. A late loop means late heartbeats and
expired interactions, so /newsdesk status shows it."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
from collections import deque
from dataclasses import dataclass

INTERVAL = 0.05
WINDOW = 6000  # samples: five minutes at 50 ms


@dataclass(frozen=True, slots=True)
class LagStats:
    samples: int
    p50_ms: float
    p99_ms: float
    max_ms: float


class LoopMonitor:
    def __init__(self, interval: float = INTERVAL, window: int = WINDOW) -> None:
        self._interval = interval
        self._lags: deque[float] = deque(maxlen=window)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="loop-monitor")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            expected = loop.time() + self._interval
            await asyncio.sleep(self._interval)
            self._lags.append(max(0.0, loop.time() - expected))

    def stats(self) -> LagStats | None:
        if len(self._lags) < 2:
            return None
        lags = sorted(self._lags)
        p99 = statistics.quantiles(lags, n=100, method="inclusive")[98]
        return LagStats(len(lags), 1000 * statistics.median(lags), 1000 * p99, 1000 * lags[-1])
