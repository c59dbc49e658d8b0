"""APScheduler set-up: stable job ids, coalescing, one instance, and jobs that never die."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


def make_scheduler() -> AsyncIOScheduler:
    return AsyncIOScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )


def guarded(name: str, job: Job) -> Job:
    """Log a job's exception with its traceback and let the job run again next time. A job
    cancelled because the bot is stopping ends quietly: that is no failure."""

    async def run() -> None:
        try:
            await job()
        except asyncio.CancelledError:
            log.debug("background job %s stopped with the bot", name)
        except Exception:
            log.exception("background job %s failed; it will run again", name)

    return run


def add_interval_job(scheduler: AsyncIOScheduler, job_id: str, job: Job, seconds: float) -> None:
    scheduler.add_job(
        guarded(job_id, job),
        "interval",
        seconds=seconds,
        id=job_id,
        replace_existing=True,
        next_run_time=datetime.now(UTC),
    )


def wake(scheduler: AsyncIOScheduler, job_id: str) -> None:
    """Run an interval job now instead of at its next tick (no-op before start)."""
    job = scheduler.get_job(job_id)
    if job is not None and scheduler.running:
        job.modify(next_run_time=datetime.now(UTC))
