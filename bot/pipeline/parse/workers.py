"""Where feeds are parsed: off the event loop, in worker processes when the machine has
cores to spare, else in a thread.

Parsing is most of the CPU of polling and is Python-heavy, so in a thread it competes with
the event loop and the storage thread for one interpreter lock; worker processes let it use
the other cores (docs/performance.md has the numbers). A worker that dies (a parser crash
on a hostile document) costs only the feeds it was parsing: the pool is replaced, the feed
is tried once more in a process of its own, and if that dies too it gets a clear error.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.errors import NotAFeed
from bot.pipeline.fetch import FetchResult
from bot.pipeline.parse import ParsedFeed, parse_feed

log = logging.getLogger(__name__)

WATCH_SECONDS = 1.0
"""How often a worker checks that the bot process is still there."""

ParseFunction = Callable[[bytes, str, "str | None"], ParsedFeed]


def default_processes() -> int:
    """One worker process per core on a machine with two or more, none on a single core
    or where processes cannot start from a fork server (Windows)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 0 if (cores or 1) < 2 else min(cores or 1, 4)


class FeedParser:
    """Parses fetched feeds off the event loop. ``processes=0`` parses in a thread.

    ``parse`` must be a module-level function (worker processes import it by name)."""

    def __init__(self, processes: int = 0, *, parse: ParseFunction = parse_feed) -> None:
        self._processes = processes
        self._parse = parse
        self._pool: ProcessPoolExecutor | None = None

    async def parse(self, result: FetchResult) -> ParsedFeed:
        """Raises NotAFeed (also when this document makes the parser process die)."""
        args = (result.body, result.url, result.content_type)
        if not self._processes:
            return await asyncio.to_thread(self._parse, *args)
        if self._pool is None:
            self._pool = _pool(self._processes)
        pool = self._pool
        try:
            return await asyncio.wrap_future(pool.submit(self._parse, *args))
        except BrokenProcessPool:
            if self._pool is pool:
                self._pool = None  # the next document gets a new pool
            pool.shutdown(wait=False, cancel_futures=True)
        # A worker died, parsing this document or another one: try this one alone, so the
        # document that kills a parser never takes others down with it twice.
        log.warning("a parser process died; parsing %s again on its own", result.url)
        alone = _pool(1)
        try:
            return await asyncio.wrap_future(alone.submit(self._parse, *args))
        except BrokenProcessPool:
            raise NotAFeed(
                "The feed could not be parsed: the parser stopped on this document."
            ) from None
        finally:
            alone.shutdown(wait=False)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _pool(processes: int) -> ProcessPoolExecutor:
    # forkserver: workers fork from a clean process, never from this threaded one. It
    # preloads the parser, which every worker would otherwise import again.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["bot.pipeline.parse"])
    return ProcessPoolExecutor(
        processes, mp_context=context, initializer=_exit_with, initargs=(os.getpid(),)
    )


def _exit_with(bot_pid: int) -> None:
    """In a worker: run below the bot's priority, and exit soon after the bot process is
    gone. A killed bot (SIGKILL, the OOM killer) never shuts its pool down, and its workers,
    children of the forkserver, would otherwise wait for work forever, keeping the
    forkserver alive too."""
    threading.Thread(target=_watch, args=(bot_pid,), name="watch-bot", daemon=True).start()
    # Parsing is batch work: when cores are short, the event loop (heartbeat, replies) and
    # the storage thread go first. Importing 2,000 feeds: 5,900 -> 6,200 items/s.
    os.nice(5)


def _watch(bot_pid: int) -> None:
    while True:
        time.sleep(WATCH_SECONDS)
        try:
            os.kill(bot_pid, 0)
        except (ProcessLookupError, PermissionError):  # gone, or its pid reused by another user
            os._exit(0)
