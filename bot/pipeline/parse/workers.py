"""Where feeds are parsed: off the event loop, in worker processes when the machine has
cores to spare, else in a thread.

Parsing is most of the CPU of polling and is Python-heavy, so in a thread it competes with
the event loop and the storage thread for one interpreter lock; worker processes let it use
the other cores (docs/performance.md has the numbers). A worker that dies (a parser crash
on a hostile document) costs only the feeds it was parsing: the pool is replaced, the feed
is tried once more in a process of its own, and if that dies too it gets a clear error.

Parsing one document has a time limit (:data:`PARSE_SECONDS`, of CPU time, so a document
waiting for a busy worker or a worker slowed by the event loop is not charged for it):
markup junk can keep feedparser busy for minutes (10 MB of unclosed tags: over a minute).
A worker past the limit is killed by the kernel (a ``SIGPROF`` interval timer, which also
stops a parser stuck in C code) and replaced as a crashed one is; the document gets
"the feed took too long to read". In a thread (``processes=0``) nothing can stop the parse:
the caller stops waiting for it at the limit, with the same sentence.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any

from bot.errors import ParserStopped
from bot.pipeline.fetch import FetchResult
from bot.pipeline.parse import ParsedFeed, parse_feed

log = logging.getLogger(__name__)

WATCH_SECONDS = 1.0
"""How often a worker checks that the bot process is still there."""

PARSE_SECONDS = 20.0
"""The CPU time one document may take to parse. The largest real feeds (10 MB, 10,000
items) take about 3 s."""

TOO_SLOW = "The feed took too long to read (more than {seconds:g} s), so it was not parsed."
CRASHED = "The feed could not be parsed: the parser stopped on this document."

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

    ``parse`` must be a module-level function (worker processes import it by name);
    ``time_limit`` is the CPU seconds one document may take (tests lower it)."""

    def __init__(
        self,
        processes: int = 0,
        *,
        parse: ParseFunction = parse_feed,
        time_limit: float = PARSE_SECONDS,
    ) -> None:
        self._processes = processes
        self._parse = parse
        self._limit = time_limit
        self._pool: ProcessPoolExecutor | None = None

    async def parse(self, result: FetchResult) -> ParsedFeed:
        """Raises NotAFeed (also when this document makes the parser process die or takes
        longer than the time limit)."""
        args = (result.body, result.url, result.content_type)
        if not self._processes:
            try:
                return await asyncio.wait_for(
                    asyncio.to_thread(self._parse, *args), timeout=self._limit
                )
            except TimeoutError:
                log.warning("parsing %s took over %g s; no longer waiting", result.url, self._limit)
                raise ParserStopped(TOO_SLOW.format(seconds=self._limit)) from None
        if self._pool is None:
            self._pool = _pool(self._processes)
        pool = self._pool
        try:
            return await asyncio.wrap_future(
                pool.submit(_parse_timed, self._parse, self._limit, *args)
            )
        except BrokenProcessPool:
            if self._pool is pool:
                self._pool = None  # the next document gets a new pool
            pool.shutdown(wait=False, cancel_futures=True)
        # A worker died (crashed or past the time limit), parsing this document or another
        # one: try this one alone, so the document that kills a parser never takes others
        # down with it twice, and its own death tells which of the two it was.
        log.warning("a parser process died; parsing %s again on its own", result.url)
        return await _parse_alone(self._parse, self._limit, args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _parse_timed(
    parse: ParseFunction, limit: float, body: bytes, url: str, content_type: str | None
) -> ParsedFeed:
    """In a worker: ``parse`` under a CPU-time limit. Past it the kernel sends SIGPROF,
    whose default action ends the process, wherever the parser is (Python or C code)."""
    signal.setitimer(signal.ITIMER_PROF, limit)
    try:
        return parse(body, url, content_type)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


async def _parse_alone(
    parse: ParseFunction, limit: float, args: tuple[bytes, str, str | None]
) -> ParsedFeed:
    """Parse one document in a process of its own; NotAFeed if that process dies."""
    context = multiprocessing.get_context("forkserver")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_alone, args=(sender, os.getpid(), parse, limit, args), daemon=True
    )
    process.start()
    sender.close()  # the child holds the only writer: its death ends the read
    try:
        outcome = await asyncio.to_thread(_receive, receiver, process)
    except BaseException:  # cancelled (the bot closing): do not leave the parse running
        process.kill()  # the receiving thread then reads the end and closes the pipe
        raise
    if outcome is not None:
        kind, value = outcome
        if kind == "error":
            raise value
        return value  # type: ignore[no-any-return]
    if process.exitcode == -signal.SIGPROF:
        log.warning("parsing %s took over %g s; the parser was stopped", args[1], limit)
        raise ParserStopped(TOO_SLOW.format(seconds=limit))
    log.warning("the parser died on %s (exit code %s)", args[1], process.exitcode)
    raise ParserStopped(CRASHED)


def _alone(
    sender: Connection,
    bot_pid: int,
    parse: ParseFunction,
    limit: float,
    args: tuple[bytes, str, str | None],
) -> None:
    """The process of :func:`_parse_alone`: the result, or the exception, down the pipe."""
    _exit_with(bot_pid)
    outcome: tuple[str, Any]
    try:
        outcome = ("result", _parse_timed(parse, limit, *args))
    except Exception as error:  # carried back to the caller, as a pool would
        outcome = ("error", error)
    sender.send(outcome)
    sender.close()


def _receive(receiver: Connection, process: Any) -> tuple[str, Any] | None:
    """In a thread: the outcome, or None when the process died first. The thread owns the
    pipe and closes it: closed from the event loop while this read was blocked on it, its
    file number could be reused (by the forkserver's next connection) under the read."""
    try:
        outcome: tuple[str, Any] | None = receiver.recv()
    except EOFError:  # the process died before it answered
        outcome = None
    finally:
        receiver.close()
    process.join()
    return outcome


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
