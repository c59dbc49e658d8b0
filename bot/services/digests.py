"""Digests: the period's top stories in one message, on a cron schedule per guild.

Schedules are APScheduler cron triggers in the guild's time zone (daylight-saving changes
included); the database keeps them, so they survive restarts, and a digest missed while the
bot was down is sent once on start if it is less than 6 hours late.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.clock import Clock
from bot.errors import InvalidOption, NotFound
from bot.pipeline.deliver import Sender
from bot.scheduler import guarded
from bot.services.guilds import valid_timezone
from bot.text.limits import DESCRIPTION_LIMIT, TITLE_LIMIT, nonce
from bot.text.markdown import MessagePayload, clean, first_sentences, link, truncate
from storage import AsyncStorage
from storage.digests import DigestCandidate, DigestSchedule
from storage.models import Shards

log = logging.getLogger(__name__)

FREQUENCIES = ("daily", "weekdays", "weekly")
MAX_STORIES = 10
MISSED_GRACE = timedelta(hours=6)
_WINDOW = {"daily": timedelta(days=1), "weekdays": timedelta(days=3), "weekly": timedelta(days=7)}
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_time(text: str) -> tuple[int, int]:
    """'09:30' -> (9, 30). Raises InvalidOption."""
    match = _TIME.match(text.strip())
    if not match:
        raise InvalidOption(f"“{text[:20]}” is not a time; use 24-hour HH:MM, such as 09:00.")
    return int(match.group(1)), int(match.group(2))


def trigger(schedule: DigestSchedule) -> CronTrigger:
    hour, minute = parse_time(schedule.time)
    days = {"daily": "*", "weekdays": "mon-fri", "weekly": "mon"}[schedule.frequency]
    return CronTrigger(
        day_of_week=days, hour=hour, minute=minute, timezone=ZoneInfo(schedule.timezone)
    )


def fire_times(schedule: DigestSchedule, start: datetime, end: datetime) -> list[datetime]:
    """Every scheduled instant in (start, end], in UTC."""
    cron, times = trigger(schedule), []
    previous = None
    moment = cron.get_next_fire_time(None, start)
    while moment is not None and moment <= end:
        if moment > start:
            times.append(moment)
        previous = moment
        moment = cron.get_next_fire_time(previous, moment + timedelta(seconds=1))
    return times


def missed_fire(schedule: DigestSchedule, now: datetime) -> datetime | None:
    """The scheduled instant that passed unsent within the grace period, if any."""
    since = max(schedule.last_sent_at or now - MISSED_GRACE, now - MISSED_GRACE)
    times = fire_times(schedule, since, now)
    return times[-1] if times else None


def rank(candidates: list[DigestCandidate], now: datetime) -> list[DigestCandidate]:
    """Most covered first, then newest; at most ten."""

    def score(c: DigestCandidate) -> tuple[float, datetime]:
        hours = (now - c.newest).total_seconds() / 3600
        return (c.sources - min(hours, 48) / 48, c.newest)

    return sorted(candidates, key=score, reverse=True)[:MAX_STORIES]


def sentence(candidate: DigestCandidate) -> str:
    if candidate.brief_json:
        try:
            intro = str(json.loads(candidate.brief_json).get("introduction") or "")
        except (ValueError, AttributeError):
            intro = ""
        if intro:
            return first_sentences(intro, 1)
    return first_sentences(candidate.summary, 1)


def compose(stories: list[DigestCandidate], title: str) -> MessagePayload:
    lines = []
    for number, story in enumerate(stories, start=1):
        linked = link(story.title, story.url, 150)
        count = f"{story.sources} sources" if story.sources > 1 else "1 source"
        lines.append(f"**{number}.** {linked} · {count}\n{truncate(clean(sentence(story)), 200)}")
    description = "\n".join(lines)[:DESCRIPTION_LIMIT]
    embed = {"type": "rich", "title": truncate(title, TITLE_LIMIT), "description": description}
    return MessagePayload(embed=embed)


@dataclass(frozen=True, slots=True)
class DigestResult:
    sent: bool
    stories: int


class Digests:
    def __init__(
        self,
        storage: AsyncStorage,
        sender: Sender,
        clock: Clock,
        scheduler: AsyncIOScheduler,
        *,
        shards: Shards | None = None,
    ) -> None:
        self._storage = storage
        self._sender = sender
        self._clock = clock
        self._scheduler = scheduler
        self._shards = shards  # digests of these shards' guilds only (other processes: the rest)

    async def start(self) -> None:
        """Register every stored schedule of this process's guilds; send what was missed
        while the bot was down."""
        for schedule in await self._storage.run(self._storage.sync.digests.all):
            if self._shards is not None and not self._shards.owns(schedule.guild_id):
                continue
            self._register(schedule)
            missed = missed_fire(schedule, self._clock())
            if missed is not None:
                log.info("sending the digest of guild %d missed at %s", schedule.guild_id, missed)
                await self.send(schedule.guild_id, missed)

    async def set(
        self,
        guild_id: int,
        user_id: int,
        *,
        channel_id: int,
        time: str,
        frequency: str,
        timezone: str,
    ) -> DigestSchedule:
        """Raises InvalidOption."""
        parse_time(time)
        if frequency not in FREQUENCIES:
            raise InvalidOption(f"`frequency` must be one of: {', '.join(FREQUENCIES)}.")
        now = self._clock()
        schedule = await self._storage.run(
            self._storage.sync.digests.set,
            guild_id,
            channel_id=channel_id,
            time=time.strip(),
            frequency=frequency,
            timezone=valid_timezone(timezone),
            now=now,
        )
        await self._storage.run(
            self._storage.sync.guilds.audit,
            guild_id,
            user_id,
            "digest set",
            target="digest",
            before=None,
            after=asdict(schedule),
            now=now,
        )
        self._register(schedule)
        return schedule

    async def off(self, guild_id: int, user_id: int) -> None:
        """Raises NotFound when there is no digest."""
        if not await self._storage.run(self._storage.sync.digests.delete, guild_id):
            raise NotFound("This server has no digest. Set one with /digest set.")
        if self._scheduler.get_job(_job_id(guild_id)):
            self._scheduler.remove_job(_job_id(guild_id))
        await self._storage.run(
            self._storage.sync.guilds.audit,
            guild_id,
            user_id,
            "digest off",
            target="digest",
            before=None,
            after=None,
            now=self._clock(),
        )

    def next_run(self, guild_id: int) -> datetime | None:
        job = self._scheduler.get_job(_job_id(guild_id))
        return None if job is None else job.next_run_time

    async def send(self, guild_id: int, fire_time: datetime | None = None) -> DigestResult:
        """Compose and post the digest now. Raises NotFound when there is no digest."""
        schedule = await self._storage.run(self._storage.sync.digests.get, guild_id)
        if schedule is None:
            raise NotFound("This server has no digest. Set one with /digest set.")
        now = self._clock()
        moment = fire_time or now
        candidates = await self._storage.run(
            self._storage.sync.digests.candidates,
            guild_id,
            moment - _WINDOW[schedule.frequency],
            now + timedelta(seconds=1),
        )
        stories = rank(candidates, now)
        local = moment.astimezone(ZoneInfo(schedule.timezone))
        title = f"{schedule.frequency.capitalize()} digest · {local:%a %d %b %Y}"
        if not stories:
            await self._storage.run(self._storage.sync.digests.record_sent, guild_id, [], now)
            return DigestResult(sent=False, stories=0)
        tag = nonce("dg", guild_id % 10**12, int(moment.timestamp()))
        await self._sender.send(schedule.channel_id, compose(stories, title), tag)
        await self._storage.run(
            self._storage.sync.digests.record_sent,
            guild_id,
            [key for s in stories for key in s.keys],
            now,
        )
        return DigestResult(sent=True, stories=len(stories))

    def _register(self, schedule: DigestSchedule) -> None:
        guild_id = schedule.guild_id

        async def run() -> None:
            # The fire time, not the clock, names this digest: a resend after a crash
            # carries the same nonce and Discord answers with the first message.
            now = self._clock()
            current = await self._storage.run(self._storage.sync.digests.get, guild_id)
            if current is not None:
                times = fire_times(current, now - timedelta(days=8), now + timedelta(seconds=5))
                await self.send(guild_id, times[-1] if times else None)

        self._scheduler.add_job(
            guarded(_job_id(guild_id), run),
            trigger(schedule),
            id=_job_id(guild_id),
            replace_existing=True,
            misfire_grace_time=int(MISSED_GRACE.total_seconds()),
        )


def _job_id(guild_id: int) -> str:
    return f"digest-{guild_id}"
