"""`DiscordEmulator`: the world, the public test API, and the aiohttp server around it."""

# The public API takes `timeout=` on purpose (the tests written against it use it).
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .faults import Faults
from .gateway import DIRECT_MESSAGES, GUILD_MEMBERS, GUILD_MESSAGES, Gateway
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    InteractionRecord,
    InteractionResult,
    OptionBuilder,
    find_command,
    object_id,
)
from .state import (
    ADMINISTRATOR,
    DM_CHANNEL,
    EVERYONE_PERMISSIONS,
    FORUM_CHANNEL,
    PUBLIC_THREAD,
    Attachment,
    Channel,
    Guild,
    Member,
    Message,
    Role,
    User,
    Webhook,
    snowflake,
)

NONCE_WINDOW = 5 * 60  # seconds a repeated nonce returns the earlier message
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
# wait_for also re-checks this often, for conditions on state outside the emulator
# (the bot's cache, a subprocess); emulator changes wake it at once.
FALLBACK_RECHECK = 0.1


class EmulatorTimeout(TimeoutError, AssertionError):
    """A wait ran out; both a TimeoutError and a test failure with a readable message."""


@dataclass
class CommandRegistration:
    scope: str | int  # "global" or a guild id
    body: list[dict[str, Any]]
    at: float = field(default_factory=time.monotonic)


class DiscordEmulator:
    """Discord REST v10 + gateway on 127.0.0.1 for the real discord.py client."""

    def __init__(
        self,
        token: str = "test-token",
        *,
        heartbeat_interval_ms: int = 41_250,
        answer_deadline: float = 3.0,
        require_allowed_mentions: bool = True,
        recommended_shards: int = 1,
        max_concurrency: int = 1,
        sharding_required_above: int | None = None,
    ) -> None:
        self.token = token
        self.answer_deadline = answer_deadline
        self.require_allowed_mentions = require_allowed_mentions
        # Sharding: what GET /gateway/bot recommends, how many may identify at once, and the
        # most guilds one session may hold before Discord closes it with 4011.
        self.recommended_shards = recommended_shards
        self.max_concurrency = max_concurrency
        self.sharding_required_above = sharding_required_above
        self.application_id = snowflake()
        self.bot_user_id = self.application_id  # as for every modern Discord app
        self.bot_user = User(self.bot_user_id, "Newsdesk", bot=True)
        self.users: dict[int, User] = {self.bot_user_id: self.bot_user}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.deleted_channels: set[int] = set()
        self.forbidden_channels: set[int] = set()
        self.closed_dm_users: set[int] = set()
        self.dm_channels: dict[int, Channel] = {}  # user id -> DM channel
        self._messages: dict[int, list[Message]] = {}
        self.message_index: dict[int, Message] = {}
        self.nonces: dict[tuple[int, int, str], Message] = {}
        self.webhooks: dict[int, Webhook] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.interactions_by_token: dict[str, InteractionRecord] = {}
        self.uploads: dict[int, Attachment] = {}
        self._commands: dict[str | int, list[dict[str, Any]]] = {}
        self.command_registrations: list[CommandRegistration] = []
        self.faults = Faults()
        self.stats: Counter[str] = Counter()
        self.invalid_bodies: list[tuple[str, str, dict[str, Any]]] = []
        self.unknown_routes: list[tuple[str, str]] = []
        self.server_errors: list[str] = []  # tracebacks of emulator bugs (answered 500)
        self.gateway = Gateway(self, heartbeat_interval_ms)
        self._event = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # --- lifecycle -----------------------------------------------------------------

    async def start(self) -> None:
        from .rest import build_app  # rest imports this module's types

        self._runner = web.AppRunner(build_app(self), handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1) + "/gateway"

    # --- change notification -------------------------------------------------------

    def changed(self) -> None:
        """Wake every `wait_for`; called on each REST request and gateway frame."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 10,
        *,
        message: str | Callable[[], str] | None = None,
    ) -> Any:
        """Until `predicate()` is truthy (returned); re-checked on every state change.
        A slow fallback re-check also catches conditions outside the emulator."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._event
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                text = message() if callable(message) else message
                raise EmulatorTimeout(text or f"condition not met within {timeout}s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, FALLBACK_RECHECK))

    async def wait_until_ready(self, timeout: float = 10) -> None:
        await self.wait_for(
            self.gateway.is_ready,
            timeout,
            message=lambda: (
                f"no bot session got READY within {timeout}s "
                f"(identifies={self.stats['identifies']}, "
                f"connections={len(self.gateway.connections)})"
            ),
        )

    async def wait_for_commands(self, timeout: float = 10) -> list[CommandRegistration]:
        await self.wait_for(
            lambda: self.command_registrations,
            timeout,
            message=f"no command registration PUT within {timeout}s",
        )
        return self.command_registrations

    async def wait_for_messages(
        self, channel_id: Any, count: int, timeout: float = 10
    ) -> list[Message]:
        cid = object_id(channel_id)
        await self.wait_for(
            lambda: len(self.messages(cid)) >= count,
            timeout,
            message=lambda: (
                f"channel {cid}: {len(self.messages(cid))} of {count} messages "
                f"within {timeout}s; invalid bodies: {self.invalid_bodies}"
            ),
        )
        return self.messages(cid)

    # --- building the world --------------------------------------------------------

    def add_user(self, name: str, *, bot: bool = False) -> User:
        user = User(snowflake(), name, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str) -> Guild:
        owner = self.add_user(f"{name} owner")
        guild = Guild(snowflake(), name, owner.id)
        guild.roles[guild.id] = Role(guild.id, guild.id, "@everyone", EVERYONE_PERMISSIONS)
        bot_role = Role(snowflake(), guild.id, self.bot_user.username, ADMINISTRATOR, position=1)
        guild.roles[bot_role.id] = bot_role
        guild.members[owner.id] = Member(owner.id, guild.id, owner)
        guild.members[self.bot_user_id] = Member(
            self.bot_user_id, guild.id, self.bot_user, roles=[bot_role.id]
        )
        self.guilds[guild.id] = guild
        self.gateway.dispatch("GUILD_CREATE", guild.payload())
        self.changed()
        return guild

    def add_text_channel(self, guild_id: Any, name: str) -> Channel:
        guild = self.guilds[object_id(guild_id)]
        channel = Channel(snowflake(), name, guild_id=guild.id, position=len(guild.channels))
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        self.gateway.dispatch("CHANNEL_CREATE", channel.payload())
        self.changed()
        return channel

    def add_forum_channel(self, guild_id: Any, name: str, tags: tuple[str, ...] = ()) -> Channel:
        """A forum: each post is a thread whose first message has the thread's id."""
        guild = self.guilds[object_id(guild_id)]
        available = [
            {"id": str(snowflake()), "name": tag, "moderated": False, "emoji_id": None}
            for tag in tags
        ]
        channel = Channel(
            snowflake(),
            name,
            type=FORUM_CHANNEL,
            guild_id=guild.id,
            position=len(guild.channels),
            available_tags=[{**tag, "emoji_name": None} for tag in available],
        )
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        self.gateway.dispatch("CHANNEL_CREATE", channel.payload())
        self.changed()
        return channel

    def add_thread(self, parent: Channel, name: str, thread_id: int, tags: list[int]) -> Channel:
        thread = Channel(
            thread_id,
            name,
            type=PUBLIC_THREAD,
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=self.bot_user_id,
            applied_tags=tags,
        )
        self.channels[thread.id] = thread
        self.gateway.dispatch("THREAD_CREATE", {**thread.payload(), "newly_created": True})
        return thread

    def threads(self, parent_id: Any) -> list[Channel]:
        """The threads started in a channel or forum, oldest first."""
        parent = object_id(parent_id)
        return sorted(
            (c for c in self.channels.values() if c.parent_id == parent), key=lambda c: c.id
        )

    def tag_names(self, thread: Channel) -> list[str]:
        forum = self.channels[thread.parent_id or 0]
        names = {int(t["id"]): t["name"] for t in forum.available_tags}
        return [names[t] for t in thread.applied_tags]

    def add_role(self, guild_id: Any, name: str, permissions: int = 0) -> Role:
        guild = self.guilds[object_id(guild_id)]
        role = Role(snowflake(), guild.id, name, permissions, position=len(guild.roles))
        guild.roles[role.id] = role
        self.gateway.dispatch(
            "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.payload()}
        )
        self.changed()
        return role

    def add_member(
        self, guild_id: Any, name: str, permissions: int = 0, roles: list[Any] | None = None
    ) -> Member:
        """A user in the guild; `permissions` (a bitfield) comes through a personal role, so
        the bot's own permission math and the interaction's `member.permissions` agree."""
        guild = self.guilds[object_id(guild_id)]
        user = self.add_user(name)
        role_ids = [object_id(r) for r in roles or []]
        if permissions:
            role_ids.append(self.add_role(guild.id, f"{name} permissions", permissions).id)
        member = Member(user.id, guild.id, user, roles=role_ids)
        guild.members[user.id] = member
        self.gateway.dispatch(
            "GUILD_MEMBER_ADD",
            {**member.payload(), "guild_id": str(guild.id)},
            intent=GUILD_MEMBERS,
        )
        self.changed()
        return member

    def delete_channel(self, channel_id: Any) -> None:
        channel = self.channels.pop(object_id(channel_id))
        self.deleted_channels.add(channel.id)
        if channel.guild_id is not None:
            self.guilds[channel.guild_id].channels.pop(channel.id, None)
            self.gateway.dispatch("CHANNEL_DELETE", channel.payload())
        self.changed()

    def set_bot_permissions(self, guild_id: Any, permissions: int) -> None:
        """Give the bot's role in the guild these permissions (it starts as administrator)."""
        guild = self.guilds[object_id(guild_id)]
        role = next(r for r in guild.roles.values() if r.name == self.bot_user.username)
        role.permissions = permissions
        self.gateway.dispatch(
            "GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": role.payload()}
        )
        self.changed()

    def bot_may(self, channel: Channel, permission: int) -> bool:
        guild = self.guilds.get(channel.guild_id or 0)
        return guild is not None and bool(guild.permissions_of(self.bot_user_id) & permission)

    def forbid_channel(self, channel_id: Any) -> None:
        self.forbidden_channels.add(object_id(channel_id))

    def close_dms(self, user_id: Any) -> None:
        self.closed_dm_users.add(object_id(user_id))

    def dm_channel(self, user_id: int) -> Channel:
        channel = self.dm_channels.get(user_id)
        if channel is None:
            channel = Channel(snowflake(), "", type=DM_CHANNEL, recipient_id=user_id)
            self.dm_channels[user_id] = channel
            self.channels[channel.id] = channel
        return channel

    def store_upload(
        self, filename: str, data: bytes, content_type: str | None = None
    ) -> Attachment:
        attachment_id = snowflake()
        attachment = Attachment(
            attachment_id,
            filename,
            data,
            url=f"{self.base_url}/attachments/{attachment_id}/{filename}",
            content_type=content_type or "application/octet-stream",
        )
        self.uploads[attachment_id] = attachment
        return attachment

    # --- reading what the bot did --------------------------------------------------

    def messages(self, channel_id: Any) -> list[Message]:
        """Messages the bot posted to the channel (not interaction replies), in order."""
        return [m for m in self._messages.get(object_id(channel_id), []) if not m.deleted]

    def dm_messages(self, user_id: Any) -> list[Message]:
        channel = self.dm_channels.get(object_id(user_id))
        return self.messages(channel.id) if channel is not None else []

    def add_message(self, message: Message) -> None:
        self._messages.setdefault(message.channel_id, []).append(message)
        self.message_index[message.id] = message
        channel = self.channels.get(message.channel_id)
        intent = (
            DIRECT_MESSAGES
            if channel is not None and channel.type == DM_CHANNEL
            else GUILD_MESSAGES
        )
        self.gateway.dispatch("MESSAGE_CREATE", message.api_payload(self.bot_user), intent=intent)

    def commands(self, guild_id: Any = None) -> list[dict[str, Any]]:
        scope: str | int = "global" if guild_id is None else object_id(guild_id)
        return list(self._commands.get(scope, []))

    def set_commands(self, scope: str | int, body: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Bulk overwrite; ids stay stable per (name, type), as on Discord."""
        old = {(c["name"], c.get("type", 1)): c for c in self._commands.get(scope, [])}
        stored = []
        for raw in body:
            kind = raw.get("type", 1)
            previous = old.get((raw["name"], kind))
            command = {
                "description": "",
                "default_member_permissions": None,
                "dm_permission": True,
                "nsfw": False,
                **raw,
                "type": kind,
                "id": previous["id"] if previous else str(snowflake()),
                "application_id": str(self.application_id),
                "version": str(snowflake()),
            }
            if scope != "global":
                command["guild_id"] = str(scope)
            stored.append(command)
        self._commands[scope] = stored
        self.command_registrations.append(CommandRegistration(scope, body))
        return stored

    # --- acting as a user ----------------------------------------------------------

    def _interaction(
        self,
        kind: int,
        guild_id: Any,
        channel_id: Any,
        member_id: Any,
        name: str,
        options: dict[str, Any] | None,
        attachments: dict[str, tuple[str, bytes]] | None,
        focused: str | None = None,
    ) -> InteractionRecord:
        gid, cid, uid = object_id(guild_id), object_id(channel_id), object_id(member_id)
        guild = self.guilds.get(gid)
        assert guild is not None, f"unknown guild {gid}"
        channel = self.channels.get(cid)
        assert channel is not None and channel.guild_id == gid, f"no channel {cid} in guild {gid}"
        member = guild.members.get(uid)
        assert member is not None, f"user {uid} is not a member of guild {gid}"
        root, *path = name.split()
        command, scope = find_command(self, gid, root)
        builder = OptionBuilder(self, gid, name)
        built = builder.build(command, path, options or {}, attachments or {}, focused)
        data: dict[str, Any] = {"id": command["id"], "name": root, "type": 1, "options": built}
        if builder.resolved:
            data["resolved"] = builder.resolved
        if scope is not None:
            data["guild_id"] = str(scope)
        session = self.gateway.interaction_target(gid)
        assert session is not None, "no bot session is connected to receive the interaction"
        channel_data = channel.payload()
        channel_data["permissions"] = str(guild.permissions_of(uid))
        payload: dict[str, Any] = {
            "id": str(snowflake()),
            "application_id": str(self.application_id),
            "type": kind,
            "token": secrets.token_urlsafe(48),
            "version": 1,
            "guild_id": str(gid),
            "guild": {"id": str(gid), "locale": "en-US", "features": []},
            "channel_id": str(cid),
            "channel": channel_data,
            "member": member.payload(permissions=guild.permissions_of(uid)),
            "app_permissions": str(guild.permissions_of(self.bot_user_id)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(gid)},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "data": data,
        }
        record = InteractionRecord(
            id=int(payload["id"]),
            token=payload["token"],
            type=kind,
            guild_id=gid,
            channel_id=cid,
            user_id=uid,
            command=name,
            payload=payload,
        )
        self.interactions[record.id] = record
        self.interactions_by_token[record.token] = record
        self.stats["interactions"] += 1
        session.dispatch("INTERACTION_CREATE", payload)
        self.changed()
        return record

    def slash_nowait(
        self,
        guild_id: Any,
        channel_id: Any,
        member_id: Any,
        name: str,
        options: dict[str, Any] | None = None,
        attachments: dict[str, tuple[str, bytes]] | None = None,
    ) -> InteractionResult:
        """Dispatch a slash command and return at once; `await r.wait_answer()` later."""
        record = self._interaction(
            APPLICATION_COMMAND, guild_id, channel_id, member_id, name, options, attachments
        )
        return InteractionResult(self, record)

    async def slash(
        self,
        guild_id: Any,
        channel_id: Any,
        member_id: Any,
        name: str,
        options: dict[str, Any] | None = None,
        attachments: dict[str, tuple[str, bytes]] | None = None,
        timeout: float = 10,
    ) -> InteractionResult:
        result = self.slash_nowait(guild_id, channel_id, member_id, name, options, attachments)
        return await result.wait_answer(timeout)

    async def autocomplete(
        self,
        guild_id: Any,
        channel_id: Any,
        member_id: Any,
        name: str,
        options: dict[str, Any] | None = None,
        focused: str | None = None,
        timeout: float = 10,
    ) -> list[dict[str, Any]]:
        assert focused is not None, "autocomplete needs the focused option's name"
        record = self._interaction(
            AUTOCOMPLETE, guild_id, channel_id, member_id, name, options, None, focused
        )
        await InteractionResult(self, record).wait_answer(timeout)
        assert record.choices is not None, f"autocomplete answered with {record.callback_type}"
        return record.choices

    # --- gateway faults ------------------------------------------------------------

    async def gateway_reconnect(self) -> int:
        """op 7 to every connected session; returns how many got it."""
        return self.gateway.reconnect()

    async def gateway_drop(self) -> int:
        """Abort every gateway TCP connection without a close frame."""
        count = self.gateway.drop()
        self.changed()
        return count

    async def gateway_invalidate(self, resumable: bool = False) -> int:
        return self.gateway.invalidate(resumable)
