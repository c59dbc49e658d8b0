"""Follows: members follow keywords; new matching stories reach them by DM, batched.

The notifier runs as a scheduler job: it matches the items stored since its last run
(storage keeps the cursor and the notifications in one transaction), then sends each
member at most one DM per DM_EVERY listing all their waiting matches. Each DM carries a
nonce fixed by its batch, so a resend after a crash does not post twice. A member whose
DMs are closed keeps their follows and is told the next time they use a /topic command.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any, Protocol

from bot.clock import Clock
from bot.errors import InvalidOption, SendError, user_errors
from bot.settings import Settings
from bot.text.limits import DESCRIPTION_LIMIT, nonce
from bot.text.markdown import clean, link, truncate
from storage import AsyncStorage
from storage.follows import DMBatch, Follow
from storage.search import query_words

log = logging.getLogger(__name__)
DM_LOCK = "follow-dms"

DM_EVERY = timedelta(minutes=10)
KEYWORDS_MAX = 100
DM_DESCRIPTION_LIMIT = DESCRIPTION_LIMIT - 96  # room for the header line


def notify_tick_seconds(settings: Settings) -> float:
    """How often new items are matched: a tenth of the polling floor, 1 s to 30 s."""
    return min(max(settings.min_interval_seconds / 10, 1.0), 30.0)


def normalize_keywords(text: str) -> str:
    """Keywords as stored: whitespace folded, lower case. Raises InvalidOption."""
    keywords = " ".join(text.split()).lower()
    if len(keywords) > KEYWORDS_MAX:
        raise InvalidOption(f"Keywords can be at most {KEYWORDS_MAX} characters.")
    if not query_words(keywords):
        raise InvalidOption(
            "Give a word or phrase to follow (letters or digits), such as “open-weight models”."
        )
    return keywords


def dm_embed(batch: DMBatch, guild_name: str) -> dict[str, Any]:
    """The one DM of a batch: every match, one line each, within Discord's limits."""
    lines: list[str] = []
    size = 0
    for shown, match in enumerate(batch.matches):
        source = f" · {truncate(clean(match.source_name), 80)}" if match.source_name else ""
        line = f"• {link(match.title, match.url)}{source} · “{clean(match.keywords)}”"
        rest = len(batch.matches) - shown
        if size + len(line) + 1 > DM_DESCRIPTION_LIMIT - 80:
            lines.append(f"…and {rest} more: use /topic search in the server to see them.")
            break
        lines.append(line)
        size += len(line) + 1
    count = len(batch.matches)
    return {
        "type": "rich",
        "title": f"{count} new {'story' if count == 1 else 'stories'} for your follows",
        "description": "\n".join(lines),
        "footer": {"text": truncate(f"{clean(guild_name)} · /topic unfollow stops a follow", 2048)},
    }


class FollowService:
    """/topic follow, unfollow, following."""

    def __init__(self, storage: AsyncStorage, settings: Settings, clock: Clock) -> None:
        self._storage = storage
        self._settings = settings
        self._clock = clock

    async def follow(self, guild_id: int, user_id: int, text: str) -> str:
        """Follow keywords; returns them as stored. Raises InvalidOption, Duplicate,
        LimitReached."""
        keywords = normalize_keywords(text)
        with user_errors():
            await self._storage.run(
                self._storage.sync.follows.add,
                guild_id,
                user_id,
                keywords,
                limit=self._settings.max_follows_per_member,
                now=self._clock(),
            )
        return keywords

    async def unfollow(self, guild_id: int, user_id: int, text: str) -> str:
        """Raises InvalidOption, NotFound."""
        keywords = normalize_keywords(text)
        with user_errors():
            await self._storage.run(self._storage.sync.follows.remove, guild_id, user_id, keywords)
        return keywords

    async def following(self, guild_id: int, user_id: int) -> list[Follow]:
        return await self._storage.run(self._storage.sync.follows.of_member, guild_id, user_id)


class DMSender(Protocol):
    async def send_dm(self, user_id: int, embed: dict[str, Any], nonce: str) -> None:
        """Raises SendError (blocked: the member's DMs are closed)."""
        ...

    def guild_name(self, guild_id: int) -> str: ...


class FollowNotifier:
    def __init__(
        self,
        storage: AsyncStorage,
        sender: DMSender,
        clock: Clock,
        *,
        instance: str,
        every: timedelta = DM_EVERY,
    ) -> None:
        self._storage = storage
        self._sender = sender
        self._clock = clock
        self._instance = instance
        self._every = every
        self._lock = asyncio.Lock()

    async def run_once(self) -> int:
        """Match new items, then send the DMs that are due; return how many were sent."""
        store = self._storage.sync.follows
        async with self._lock:
            # Several processes on one database: the one holding the lock sends every DM.
            if not await self._storage.run(self._storage.sync.locks.try_hold, DM_LOCK):
                return 0
            matched = await self._storage.run(store.match_new, self._clock())
            if matched:
                log.info("%d new follow match(es)", matched)
            batches = await self._storage.run(store.claim_batches, self._clock(), every=self._every)
            sent = 0
            for batch in batches:
                sent += await self._send(batch)
            return sent

    async def _send(self, batch: DMBatch) -> int:
        store = self._storage.sync.follows
        embed = dm_embed(batch, self._sender.guild_name(batch.guild_id))
        try:
            await self._sender.send_dm(
                batch.user_id, embed, nonce("nf", self._instance[:8], batch.first_id)
            )
        except SendError as exc:
            if exc.kind in ("blocked", "gone"):
                log.info("no DM to member %d of guild %d (%s)", batch.user_id, batch.guild_id, exc)
                await self._storage.run(store.mark_dms_closed, batch, self._clock())
            elif exc.kind == "refused":
                log.error("Discord refused a follow DM (%s); embed: %r", exc.detail, embed)
                await self._storage.run(store.mark_failed, batch, self._clock())
            else:
                log.warning("follow DM failed (%s); will retry", exc.detail)
            return 0
        await self._storage.run(store.mark_sent, batch, self._clock())
        return 1
