"""Delivery: the outbox is drained oldest first, each post with a fixed nonce.

A crash between posting and recording is safe: the resend carries the same nonce, and
Discord (enforce_nonce) answers with the first message instead of posting again. Webhook
and forum posts take no nonce: they carry an invisible mark of it instead, and are recorded
as tried before they go out, so a resend looks for the mark in the channel first.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Protocol

from bot.brief.model import Brief
from bot.clock import Clock
from bot.errors import SendError
from bot.pipeline.briefing import BriefService
from bot.pipeline.render import render
from bot.stories.desk import StoryDesk, with_coverage
from bot.text.limits import nonce
from bot.text.markdown import MessagePayload
from bot.text.marker import marked
from storage import AsyncStorage
from storage.models import Outgoing, Shards, Source

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = 3600.0


class Sender(Protocol):
    async def send(self, channel_id: int, payload: MessagePayload, nonce: str) -> int:
        """Post and return the message id (through the channel's webhook when the payload
        has a persona). Raises SendError."""
        ...

    def idempotent(self, channel_id: int, payload: MessagePayload) -> bool:
        """Whether Discord drops a resend of this post by its nonce (not for webhook and
        forum posts)."""
        ...

    async def find_marked(self, channel_id: int, nonce: str) -> int | None:
        """The id of a recent webhook post in the channel carrying `nonce`'s mark, if any.
        Raises SendError."""
        ...

    async def edit(self, channel_id: int, message_id: int, payload: MessagePayload) -> None:
        """Replace a posted message's content. Raises SendError."""
        ...


ChannelBlocked = Callable[[list[Source], str], Awaitable[None]]


class Deliverer:
    def __init__(
        self,
        storage: AsyncStorage,
        sender: Sender,
        clock: Clock,
        *,
        instance: str,
        on_channel_blocked: ChannelBlocked | None = None,
        rng: random.Random | None = None,
        briefs: BriefService | None = None,
        stories: StoryDesk | None = None,
        shards: Shards | None = None,
    ) -> None:
        self._storage = storage
        self._sender = sender
        self._clock = clock
        self._instance = instance
        self._on_channel_blocked = on_channel_blocked
        self._rng = rng or random.Random()
        self._briefs = briefs
        self._stories = stories
        self._shards = shards  # only these shards' guilds (other processes post the rest)
        self._lock = asyncio.Lock()

    async def deliver_due(self) -> int:
        """Post everything that is due, channel by channel in order; return how many posted."""
        posted = 0
        async with self._lock:  # one drain at a time, or two could post the same row
            while True:
                due = await self._storage.run(
                    self._storage.sync.deliveries.due, self._clock(), shards=self._shards
                )
                if not due:
                    break
                batch = await self._stories.merge_batch(due) if self._stories else due
                by_channel: dict[int, list[Outgoing]] = defaultdict(list)
                for outgoing in batch:
                    by_channel[outgoing.delivery.channel_id].append(outgoing)
                results = await asyncio.gather(
                    *(self._drain_channel(rows) for rows in by_channel.values())
                )
                posted += sum(done for done, _ in results)
                if len(batch) == len(due) and not any(progress for _, progress in results):
                    break
            if self._stories is not None:
                await self._stories.edit_first_posts(self._edit, self._shards)
        return posted

    async def _drain_channel(self, rows: list[Outgoing]) -> tuple[int, bool]:
        """Post a channel's rows in order, stopping at the first that fails.
        Returns (posted, whether anything changed state)."""
        posted = 0
        for outgoing in rows:
            outcome = await self._deliver_one(outgoing)
            if outcome == "sent":
                posted += 1
            elif outcome == "failed":
                continue  # refused for good: the next post may go on
            else:
                return posted, posted > 0 or outcome == "blocked"
        return posted, True

    async def _deliver_one(self, outgoing: Outgoing) -> str:
        delivery = outgoing.delivery
        payload = await self._payload(outgoing)
        store = self._storage.sync.deliveries
        tag = nonce("nd", self._instance[:8], delivery.id)
        try:
            if self._sender.idempotent(delivery.channel_id, payload):
                message_id = await self._sender.send(delivery.channel_id, payload, tag)
            else:
                message_id = await self._send_marked(outgoing, payload, tag)
        except SendError as exc:
            return await self._failed(outgoing, exc, payload)
        await self._storage.run(store.mark_sent, delivery.id, message_id, self._clock())
        return "sent"

    async def _send_marked(self, outgoing: Outgoing, payload: MessagePayload, tag: str) -> int:
        """A post without a nonce (webhook, forum) is marked, recorded as tried before it
        goes out, and when tried before, first looked for in the channel. Raises SendError."""
        delivery = outgoing.delivery
        if delivery.tried_at is not None:
            found = await self._sender.find_marked(delivery.channel_id, tag)
            if found is not None:
                log.info("delivery %d had gone out before a restart; not posted again", delivery.id)
                return found
        await self._storage.run(
            self._storage.sync.deliveries.mark_tried, delivery.id, self._clock()
        )
        return await self._sender.send(delivery.channel_id, marked(payload, tag), tag)

    async def _failed(self, outgoing: Outgoing, exc: SendError, payload: MessagePayload) -> str:
        """Record why a post did not go out; return the outcome for the channel's drain."""
        delivery = outgoing.delivery
        if exc.kind == "blocked":
            await self._block(delivery.channel_id, f"no permission to post there ({exc.detail})")
            return "blocked"
        if exc.kind == "gone":
            await self._block(delivery.channel_id, "the channel no longer exists")
            return "blocked"
        if exc.kind == "refused":
            log.error(
                "Discord refused delivery %d (%s); payload: %r", delivery.id, exc.detail, payload
            )
            await self._storage.run(
                self._storage.sync.deliveries.mark_failed,
                delivery.id,
                f"Discord refused the post: {exc.detail}"[:500],
            )
            return "failed"
        await self._retry(outgoing, exc.detail)
        return "retry"

    async def _payload(self, outgoing: Outgoing) -> MessagePayload:
        brief = await self._brief(outgoing)
        payload = render(
            outgoing.item, outgoing.source, outgoing.feed_title, brief, timezone=outgoing.timezone
        )
        if self._stories is not None:
            payload = with_coverage(payload, await self._stories.coverage(outgoing.delivery.id))
        return payload

    async def _edit(self, channel_id: int, message_id: int, outgoing: Outgoing) -> bool:
        """Re-render a first post with its coverage; False (try again later) on failure."""
        try:
            await self._sender.edit(channel_id, message_id, await self._payload(outgoing))
        except SendError as exc:
            if exc.kind == "gone":
                return True  # the post was deleted: nothing left to edit
            log.warning("could not edit message %d: %s", message_id, exc)
            return False
        return True

    async def _brief(self, outgoing: Outgoing) -> Brief | None:
        """The item's brief for the styles that show one; None (the post goes out without
        it) when there is no brief service or making the brief failed."""
        shown = outgoing.source.style in ("brief", "summary") or outgoing.source.template
        if self._briefs is None or not shown:
            return None
        try:
            return await self._briefs.brief_for(outgoing.item, fulltext=outgoing.source.fulltext)
        except Exception:
            log.exception(
                "no brief for item %d; posting delivery %d without one",
                outgoing.item.id,
                outgoing.delivery.id,
            )
            return None

    async def _retry(self, outgoing: Outgoing, error: str) -> None:
        attempts = outgoing.delivery.attempts + 1
        delay = min(2.0**attempts, MAX_RETRY_DELAY) * self._rng.uniform(0.5, 1.0)
        when = self._clock() + timedelta(seconds=delay)
        log.warning(
            "delivery %d failed (%s); retrying in %.0f s", outgoing.delivery.id, error, delay
        )
        await self._storage.run(
            self._storage.sync.deliveries.retry_later, outgoing.delivery.id, error, when
        )

    async def _block(self, channel_id: int, reason: str) -> None:
        log.warning("stopped posting to channel %d: %s", channel_id, reason)
        changed = await self._storage.run(
            self._storage.sync.sources.set_channel_error, channel_id, reason
        )
        if changed and self._on_channel_blocked is not None:
            await self._on_channel_blocked(changed, reason)
