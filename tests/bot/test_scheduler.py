"""Background jobs: a failure is logged and retried; a stop is not a failure."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.scheduler import guarded


async def test_a_failing_job_is_logged_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    async def broken() -> None:
        raise RuntimeError("boom")

    await guarded("broken", broken)()
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "broken failed" in record.getMessage() and record.exc_info is not None


async def test_a_job_cancelled_at_shutdown_ends_quietly(caplog: pytest.LogCaptureFixture) -> None:
    started = asyncio.Event()

    async def waits() -> None:
        started.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(guarded("waits", waits)())
    await started.wait()
    task.cancel()
    await task  # ends, no CancelledError out of the job: the scheduler logs nothing
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
