"""The Discord boundary for everything newsdesk sends on its own (posts, edits, alerts,
digests, follow DMs): discord.py's errors become one `SendError`, so no layer below the
shell needs to know discord.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import discord

from bot.errors import SendError
from bot.text.markdown import MessagePayload
from bot.text.marker import carries

NO_MENTIONS = discord.AllowedMentions.none()
WEBHOOK_NAME = "newsdesk"  # the channel webhook's own name; each post sets its persona's
RECENT_POSTS = 50  # how far back a resend looks for a webhook post that went out


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

    async def send(self, channel_id: int, payload: MessagePayload, nonce: str) -> int:
        if payload.persona is not None:
            return await self._send_as_webhook(channel_id, payload)
        channel = self._client.get_partial_messageable(channel_id)
        with discord_errors():
            message = await channel.send(
                content=payload.content,
                embed=_embed(payload),  # type: ignore[arg-type]
                nonce=nonce,
                allowed_mentions=_mentions(payload),
            )
        return message.id

    async def edit(self, channel_id: int, message_id: int, payload: MessagePayload) -> None:
        if payload.persona is not None:  # only its webhook may edit a webhook's post
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
        channel = self._client.get_partial_messageable(channel_id)
        with discord_errors():
            async for message in channel.history(limit=RECENT_POSTS):
                footers = " ".join(e.footer.text or "" for e in message.embeds)
                if message.webhook_id and carries(f"{message.content} {footers}", nonce):
                    return message.id
        return None

    async def _send_as_webhook(self, channel_id: int, payload: MessagePayload) -> int:
        assert payload.persona is not None
        hook = await self._webhook(channel_id)
        with discord_errors():
            message = await hook.send(
                content=payload.content or discord.utils.MISSING,
                embed=_embed(payload) or discord.utils.MISSING,
                username=payload.persona.name,
                avatar_url=payload.persona.avatar_url or discord.utils.MISSING,
                allowed_mentions=_mentions(payload),
                wait=True,
            )
        return message.id

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
