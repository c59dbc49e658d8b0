"""The one async wrapper: every storage call runs on one worker thread, off the event loop."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from storage.storage import Storage

P = ParamSpec("P")
T = TypeVar("T")


class AsyncStorage:
    """Runs storage calls on a single thread: SQLite connections want one writer, and the
    gateway heartbeat must never wait for the disk.

        feeds = await store.run(store.sync.feeds.due, now)
    """

    def __init__(self, storage: Storage) -> None:
        self.sync = storage
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storage")

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def close(self) -> None:
        await self.run(self.sync.close)
        self._executor.shutdown(wait=True)
