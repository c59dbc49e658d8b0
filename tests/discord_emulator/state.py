"""The emulator's world: users, guilds, channels, roles, members, messages, and the JSON
shapes discord.py expects for each of them."""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_EVERYONE = re.compile(r"@(?:everyone|here)")
_MENTION = re.compile(r"<(@&|@!|@)(\d+)>")

DISCORD_EPOCH_MS = 1_420_070_400_000
ADMINISTRATOR = 0x8
ALL_PERMISSIONS = (1 << 53) - 1
# A realistic @everyone: read, write, embed, attach, react, use commands.
EVERYONE_PERMISSIONS = 0x400 | 0x800 | 0x4000 | 0x8000 | 0x10000 | 0x40 | (1 << 31)

TEXT_CHANNEL = 0
DM_CHANNEL = 1
PUBLIC_THREAD = 11
FORUM_CHANNEL = 15

_counter = itertools.count(1)


def snowflake() -> int:
    """Time-ordered and unique within the process, like Discord's."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (next(_counter) & 0x3FFFFF)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class User:
    id: int
    username: str
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": None if self.bot else self.username,
            "discriminator": "0000" if self.bot else "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
        }


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass
class Channel:
    id: int
    name: str
    type: int = TEXT_CHANNEL
    guild_id: int | None = None
    position: int = 0
    recipient_id: int | None = None  # DM channels only
    available_tags: list[dict[str, Any]] = field(default_factory=list)  # forums
    parent_id: int | None = None  # threads: their channel or forum
    owner_id: int | None = None  # threads: who started it
    applied_tags: list[int] = field(default_factory=list)  # forum posts

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "last_message_id": None,
            "flags": 0,
        }
        if self.guild_id is not None:
            data.update(
                guild_id=str(self.guild_id),
                name=self.name,
                position=self.position,
                permission_overwrites=[],
                parent_id=None,
                nsfw=False,
                topic=None,
                rate_limit_per_user=0,
            )
        if self.type == FORUM_CHANNEL:
            data.update(available_tags=self.available_tags, default_forum_layout=0)
        if self.type == PUBLIC_THREAD:
            data.update(
                parent_id=str(self.parent_id),
                owner_id=str(self.owner_id),
                message_count=1,
                member_count=1,
                applied_tags=[str(t) for t in self.applied_tags],
                thread_metadata={
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": iso_now(),
                    "locked": False,
                    "create_timestamp": iso_now(),
                },
            )
        return data


@dataclass
class Member:
    id: int  # the user's id
    guild_id: int
    user: User
    roles: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=iso_now)

    def payload(self, *, with_user: bool = True, permissions: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "nick": None,
            "avatar": None,
            "banner": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "premium_since": None,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    channels: dict[int, Channel] = field(default_factory=dict)
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)

    def permissions_of(self, user_id: int) -> int:
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.members[user_id]
        total = self.roles[self.id].permissions
        for role_id in member.roles:
            role = self.roles.get(role_id)
            if role is not None:
                total |= role.permissions
        return ALL_PERMISSIONS if total & ADMINISTRATOR else total

    def payload(self) -> dict[str, Any]:
        """GUILD_CREATE / GET /guilds/{id} body; all members are included so discord.py
        considers the guild chunked."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "features": [],
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "application_id": None,
            "unavailable": False,
            "large": False,
            "lazy": True,
            "joined_at": iso_now(),
            "member_count": len(self.members),
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "channels": [c.payload() for c in self.channels.values()],
            "members": [m.payload() for m in self.members.values()],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


MANAGE_WEBHOOKS = 1 << 29


@dataclass
class Webhook:
    """A channel webhook (type 1) made by the bot; executing it posts as `name`/`avatar`,
    or as the username and avatar_url of one execution."""

    id: int
    channel_id: int
    guild_id: int
    name: str
    token: str
    application_id: int
    user: User

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": 1,
            "guild_id": str(self.guild_id),
            "channel_id": str(self.channel_id),
            "name": self.name,
            "avatar": None,
            "token": self.token,
            "application_id": str(self.application_id),
            "user": self.user.payload(),
        }

    def author(self, username: str | None, avatar_url: str | None) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": username or self.name,
            "avatar": None,
            "avatar_url": avatar_url,  # not Discord's shape: kept so tests can read it
            "discriminator": "0000",
            "bot": True,
            "global_name": None,
            "public_flags": 0,
            "flags": 0,
        }


@dataclass
class Attachment:
    id: int
    filename: str
    data: bytes
    url: str
    content_type: str = "application/octet-stream"
    description: str | None = None

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
        }
        if self.description is not None:
            data["description"] = self.description
        return data


@dataclass
class Message:
    """A message the bot posted (channel, DM, or interaction reply/follow-up)."""

    id: int
    channel_id: int
    author_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    nonce: str | None = None
    allowed_mentions: dict[str, Any] | None = None
    payload: dict[str, Any] = field(default_factory=dict)  # last raw body
    attachments: list[Attachment] = field(default_factory=list)
    edits: int = 0
    deleted: bool = False
    guild_id: int | None = None
    webhook_id: int | None = None  # set for interaction replies / follow-ups and webhooks
    webhook_author: dict[str, Any] | None = None  # a channel webhook's name and avatar
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    created_monotonic: float = field(default_factory=time.monotonic)

    @property
    def files(self) -> list[tuple[str, bytes]]:
        return [(a.filename, a.data) for a in self.attachments]

    def pings(self) -> set[str]:
        """Who this message notifies, by Discord's rules: the mentions in its content that
        its allowed_mentions let through ("everyone", "user:<id>", "role:<id>")."""
        allowed = self.allowed_mentions
        parse = (
            set(allowed.get("parse", [])) if allowed is not None else {"everyone", "users", "roles"}
        )
        roles = {str(r) for r in (allowed or {}).get("roles", [])}
        users = {str(u) for u in (allowed or {}).get("users", [])}
        out: set[str] = set()
        if "everyone" in parse and _EVERYONE.search(self.content):
            out.add("everyone")
        for kind, ident in _MENTION.findall(self.content):
            if kind == "@&" and ("roles" in parse or ident in roles):
                out.add(f"role:{ident}")
            elif kind in ("@", "@!") and ("users" in parse or ident in users):
                out.add(f"user:{ident}")
        return out

    def to_dict(self) -> dict[str, Any]:
        """The short form tests read: content, embeds, flags, components, attachments."""
        return {
            "id": str(self.id),
            "content": self.content,
            "embeds": self.embeds,
            "flags": self.flags,
            "components": self.components,
            "attachments": [a.payload() for a in self.attachments],
        }

    def api_payload(self, author: User) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "type": 0,
            "author": self.webhook_author or author.payload(),
            "content": self.content,
            "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [a.payload() for a in self.attachments],
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "flags": self.flags,
        }
        if self.nonce is not None:
            data["nonce"] = self.nonce
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
            data["application_id"] = str(self.webhook_id)
        return data
