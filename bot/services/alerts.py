"""Alerts to moderators: one message when a source starts failing, one when it recovers,
and one when posting to its channel stops. The database holds which alerts went out, so a
restart neither repeats nor forgets one."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.errors import SendError
from bot.pipeline.deliver import Sender
from bot.text.limits import nonce
from bot.text.markdown import MessagePayload, clean
from storage import AsyncStorage
from storage.models import Shards, Source
from storage.sources import AlertDue

log = logging.getLogger(__name__)

FAILING_AFTER = 3  # consecutive failed polls before moderators hear of it


def alert_text(due: AlertDue) -> str:
    name = clean(due.source.name)
    if due.kind == "gone":
        return (
            f"⏸️ **{name}** is paused: {clean(due.error or 'the feed is gone')}. "
            f"Fix the URL, then `/source resume`."
        )
    if due.kind == "failing":
        return (
            f"⚠️ **{name}** has failed {due.failures} polls in a row ({clean(due.error or '')})."
            f" newsdesk keeps retrying with growing delays; see `/source info`."
        )
    return f"✅ **{name}** is working again; anything it published meanwhile will be posted."


class Alerts:
    def __init__(
        self, storage: AsyncStorage, sender: Sender, clock: Clock, *, shards: Shards | None = None
    ) -> None:
        self._storage = storage
        self._sender = sender
        self._clock = clock
        self._shards = shards  # alerts of these shards' guilds only (other processes: the rest)

    async def send_due(self) -> int:
        """Send every failing / recovered / gone alert not sent yet; return how many."""
        store = self._storage.sync.sources
        sent = 0
        for due in await self._storage.run(store.alerts_due, FAILING_AFTER):
            if self._shards is not None and not self._shards.owns(due.source.guild_id):
                continue
            channel = due.alert_channel_id or due.source.channel_id
            tag = nonce("na", due.source.id, due.kind[0], due.stamp)
            try:
                await self._sender.send(channel, MessagePayload(content=alert_text(due)), tag)
            except SendError as exc:
                log.warning(
                    "could not alert about source %d in %d: %s", due.source.id, channel, exc
                )
                continue
            await self._storage.run(store.set_alerted, [due.source.id], due.kind != "recovered")
            sent += 1
        return sent

    async def channel_blocked(self, sources: list[Source], reason: str) -> None:
        """Posting to a channel stopped: tell each guild's alert channel once."""
        for source in sources:
            settings = await self._storage.run(self._storage.sync.guilds.settings, source.guild_id)
            channel = settings.alert_channel_id
            if channel is None or channel == source.channel_id:
                log.warning(
                    "source %d stopped (%s) and its guild has no other alert channel",
                    source.id,
                    reason,
                )
                continue
            text = (
                f"🚫 **{clean(source.name)}** can no longer post in <#{source.channel_id}>: "
                f"{clean(reason)}. Fix it, then `/source resume` (or `/source edit` another "
                f"channel)."
            )
            try:
                await self._sender.send(
                    channel,
                    MessagePayload(content=text),
                    nonce("nc", source.id, int(self._clock().timestamp())),
                )
            except SendError as exc:
                log.warning("could not send the channel alert for source %d: %s", source.id, exc)
