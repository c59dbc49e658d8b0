"""The Discord boundary for everything newsdesk sends on its own (posts, edits, alerts,
digests, follow DMs): discord.py's errors become one `SendError`, so no layer below the
shell needs to know discord.py."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import discord

from bot.errors import SendError
from bot.text.markdown import MessagePayload
from bot.text.marker import carries

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
WEBHOOK_NAME = "newsdesk"  # the channel webhook's own name; each post sets its persona's
RECENT_POSTS = 50  # how far back a resend looks for a webhook post that went out
RECENT_FORUM_POSTS = 20  # each costs a request: only after a crash mid-post
MAX_TAGS = 5  # Discord's limit per forum post


@contextmanager
def discord_errors() -> Iterator[None]:
    """Turn what a send can raise into SendError."""
    try:
        yield
    except discord.Forbidden as exc:
        raise SendError("blocked", exc.text or str(exc.status)) from exc
    except discord.NotFound as exc:
        raise SendError("gone", exc.text or str(exc.status)) from exc
    except discord.HTTPException as exc:
        if exc.status == 400:
            raise SendError("refused", exc.text or str(exc.status)) from exc
        raise SendError("retry", f"Discord error {exc.status}") from exc
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise SendError("retry", f"network error: {type(exc).__name__}") from exc


def _mentions(payload: MessagePayload) -> discord.AllowedMentions:
    """No mention at all, or exactly the source's ping role: never @everyone, @here or a user."""
    if payload.ping_role_id is None:
        return NO_MENTIONS
    return discord.AllowedMentions(
        everyone=False, users=False, roles=[discord.Object(payload.ping_role_id)]
    )


async def _open_thread(channel: object, message_id: int, name: str) -> None:
    """A discussion thread on a post; the post stands without it. A resend that Discord
    answered with the first post finds its thread already there."""
    if not isinstance(channel, discord.TextChannel):
        return  # not cached (or not a text channel): no thread this time
    try:
        await channel.get_partial_message(message_id).create_thread(name=name)
    except discord.HTTPException as exc:
        if exc.code != THREAD_EXISTS:
            log.warning("could not open a thread on message %d: %s", message_id, exc)


def _embed(payload: MessagePayload) -> discord.Embed | None:
    return discord.Embed.from_dict(payload.embed) if payload.embed else None


class DiscordSender:
    """Posts, edits and DMs through discord.py; channels need not be cached. Built before
    the client (the app needs it first), then connected to it."""

    def __init__(self) -> None:
        self._connected: discord.Client | None = None
        self._webhooks: dict[int, discord.Webhook] = {}  # channel id -> newsdesk's webhook

    def connect(self, client: discord.Client) -> None:
        self._connected = client

    @property
    def _client(self) -> discord.Client:
        if self._connected is None:
            raise SendError("retry", "not connected to Discord yet")
        return self._connected

    def idempotent(self, channel_id: int, payload: MessagePayload) -> bool:
        """Whether Discord itself drops a resend (a channel message with a nonce); webhook
        posts and forum posts take no nonce."""
        return payload.persona is None and not isinstance(
            self._client.get_channel(channel_id), discord.ForumChannel
        )

    async def send(self, channel_id: int, payload: MessagePayload, nonce: str) -> int:
        channel = self._client.get_channel(channel_id)
        if isinstance(channel, discord.ForumChannel):
            return await self._post_in_forum(channel, payload)
        with discord_errors():
            if payload.persona is not None:
                message: discord.Message = await self._send_as_webhook(channel_id, payload)
            else:
                message = await self._client.get_partial_messageable(channel_id).send(
                    content=payload.content,
                    embed=_embed(payload),  # type: ignore[arg-type]
                    nonce=nonce,
                    allowed_mentions=_mentions(payload),
                )
        if payload.open_thread:
            await _open_thread(channel, message.id, payload.thread_name or "Discussion")
        return message.id

    async def edit(self, channel_id: int, message_id: int, payload: MessagePayload) -> None:
        if isinstance(self._client.get_channel(channel_id), discord.ForumChannel):
            channel_id = message_id  # a forum post's first message lives in its own thread
        elif payload.persona is not None:  # only its webhook may edit a webhook's post
            hook = await self._webhook(channel_id)
            with discord_errors():
                await hook.edit_message(
                    message_id,
                    content=payload.content,
                    embed=_embed(payload),
                    allowed_mentions=_mentions(payload),
                )
            return
        message = self._client.get_partial_messageable(channel_id).get_partial_message(message_id)
        with discord_errors():
            await message.edit(
                content=payload.content, embed=_embed(payload), allowed_mentions=_mentions(payload)
            )

    async def find_marked(self, channel_id: int, nonce: str) -> int | None:
        with discord_errors():
            async for message in self._recent_posts(channel_id):
                footers = " ".join(e.footer.text or "" for e in message.embeds)
                if carries(f"{message.content} {footers}", nonce):
                    return message.id
        return None

    async def _recent_posts(self, channel_id: int) -> AsyncIterator[discord.Message]:
        """The channel's newest messages, or the first message of a forum's newest posts."""
        forum = self._client.get_channel(channel_id)
        if not isinstance(forum, discord.ForumChannel):
            async for message in self._client.get_partial_messageable(channel_id).history(
                limit=RECENT_POSTS
            ):
                yield message
            return
        threads = [t for t in await forum.guild.active_threads() if t.parent_id == forum.id]
        for thread in sorted(threads, key=lambda t: t.id, reverse=True)[:RECENT_FORUM_POSTS]:
            yield await thread.fetch_message(thread.id)

    async def _post_in_forum(self, forum: discord.ForumChannel, payload: MessagePayload) -> int:
        """A forum post (a thread) titled with the story, tagged with the forum's tags that
        the item's categories name, or else the source's default tag. Posts as newsdesk."""
        wanted = {tag.casefold() for tag in payload.tags}
        tags = [t for t in forum.available_tags if t.name.casefold() in wanted][:MAX_TAGS]
        fallback = payload.fallback_tag.casefold()
        tags = tags or [t for t in forum.available_tags if t.name.casefold() == fallback]
        with discord_errors():
            posted = await forum.create_thread(
                name=payload.thread_name or "News",
                content=payload.content or discord.utils.MISSING,
                embed=_embed(payload) or discord.utils.MISSING,
                applied_tags=tags,
                allowed_mentions=_mentions(payload),
            )
        return posted.message.id

    async def _send_as_webhook(
        self, channel_id: int, payload: MessagePayload
    ) -> discord.WebhookMessage:
        assert payload.persona is not None
        hook = await self._webhook(channel_id)
        return await hook.send(
            content=payload.content or discord.utils.MISSING,
            embed=_embed(payload) or discord.utils.MISSING,
            username=payload.persona.name,
            avatar_url=payload.persona.avatar_url or discord.utils.MISSING,
            allowed_mentions=_mentions(payload),
            wait=True,
        )

    async def _webhook(self, channel_id: int) -> discord.Webhook:
        """newsdesk's webhook in the channel: found once, made when there is none.
        Raises SendError (blocked without Manage Webhooks)."""
        hook = self._webhooks.get(channel_id)
        if hook is not None:
            return hook
        client = self._client
        with discord_errors():
            channel = client.get_channel(channel_id) or await client.fetch_channel(channel_id)
            if not isinstance(channel, discord.TextChannel):
                raise SendError("refused", "webhooks post only in text channels")
            mine = [
                h
                for h in await channel.webhooks()
                if h.token and h.user is not None and client.user and h.user.id == client.user.id
            ]
            hook = mine[0] if mine else await channel.create_webhook(name=WEBHOOK_NAME)
        self._webhooks[channel_id] = hook
        return hook

    async def send_dm(self, user_id: int, embed: dict[str, Any], nonce: str) -> None:
        with discord_errors():
            channel = await self._client.create_dm(discord.Object(user_id))
            await channel.send(
                embed=discord.Embed.from_dict(embed), nonce=nonce, allowed_mentions=NO_MENTIONS
            )

    def guild_name(self, guild_id: int) -> str:
        guild = self._client.get_guild(guild_id)
        return guild.name if guild is not None else "your server"
