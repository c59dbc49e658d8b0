"""REST API v10 routes. Every JSON answer carries `Content-Type: application/json` exactly
(discord.py compares with ==), every body the bot sends is validated."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .emulator import NONCE_WINDOW, DiscordEmulator
from .interactions import (
    AUTOCOMPLETE_RESULT,
    DEFERRED_MESSAGE,
    EPHEMERAL,
    MESSAGE,
    InteractionRecord,
)
from .state import (
    DM_CHANNEL,
    FORUM_CHANNEL,
    MANAGE_WEBHOOKS,
    PUBLIC_THREAD,
    Attachment,
    Message,
    Webhook,
    iso_now,
    snowflake,
)
from .validation import (
    Error,
    check_callback_schema,
    check_choices,
    check_commands,
    check_message,
    check_schema,
    nest,
)

API = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Interaction callbacks and webhook calls carry no bot token, like on Discord.
NO_AUTH_PREFIXES = (f"{API}/interactions/", f"{API}/webhooks/", f"{API}/gateway")


class ApiError(Exception):
    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            data["errors"] = self.errors
        return data


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # Not web.json_response: it appends "; charset=utf-8", which discord.py rejects.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def no_content() -> web.Response:
    return web.Response(status=204)


class Body:
    """A request body: the JSON part (plain or `payload_json`) and uploaded files."""

    def __init__(self, data: Any, files: list[tuple[int, str, bytes, str | None]]) -> None:
        self.data = data
        self.files = files


async def read_body(request: web.Request) -> Body:
    if request.content_type.startswith("multipart/"):
        data: Any = None
        files: list[tuple[int, str, bytes, str | None]] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            name = getattr(part, "name", None) or ""
            raw = await part.read()  # type: ignore[union-attr]
            if name == "payload_json":
                data = _loads(raw)
            elif name.startswith("files[") or name == "file":
                index = int(name[6:-1]) if name.startswith("files[") else len(files)
                filename = getattr(part, "filename", None) or f"file{index}"
                content_type = part.headers.get("Content-Type")
                files.append((index, filename, bytes(raw), content_type))
        return Body(data if data is not None else {}, files)
    raw_text = await request.read()
    return Body(_loads(raw_text) if raw_text else None, [])


def _loads(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from exc


class Api:
    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu

    # --- plumbing ------------------------------------------------------------------

    def validate(
        self,
        request: web.Request,
        errors: list[Error],
        *,
        code: int = 50035,
        message: str = "Invalid Form Body",
    ) -> None:
        """Any error: record the body as invalid (the test fails at teardown) and answer 400."""
        if errors:
            nested = nest(errors)
            self.emu.invalid_bodies.append((request.method, request.path, nested))
            self.emu.stats["invalid_bodies"] += 1
            raise ApiError(400, code, message, nested if code == 50035 else None)

    def check_app(self, request: web.Request, key: str = "application_id") -> None:
        if request.match_info[key] != str(self.emu.application_id):
            raise ApiError(404, 10002, "Unknown Application")

    def channel(self, request: web.Request) -> Any:
        cid = int(request.match_info["channel_id"])
        channel = self.emu.channels.get(cid)
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return channel

    def guild(self, request: web.Request) -> Any:
        guild = self.emu.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        return guild

    def make_message(
        self, channel_id: int, body: Body, *, guild_id: int | None, webhook: bool
    ) -> Message:
        data = body.data or {}
        message = Message(
            id=snowflake(),
            channel_id=channel_id,
            author_id=self.emu.bot_user_id,
            guild_id=guild_id,
            webhook_id=self.emu.application_id if webhook else None,
        )
        self.apply(message, body, edit=False)
        message.nonce = str(data["nonce"]) if data.get("nonce") is not None else None
        return message

    def apply(self, message: Message, body: Body, *, edit: bool) -> None:
        data = body.data or {}
        if "content" in data:
            message.content = data["content"] or ""
        if "embeds" in data:
            message.embeds = list(data["embeds"] or [])
        if "components" in data:
            message.components = list(data["components"] or [])
        if "flags" in data and data["flags"] is not None:
            message.flags = int(data["flags"]) | (message.flags & EPHEMERAL)
        if "allowed_mentions" in data:
            message.allowed_mentions = data["allowed_mentions"]
        keep = None
        if "attachments" in data and data["attachments"] is not None:
            keep = {str(a.get("id")) for a in data["attachments"]}
        if edit and keep is not None:
            message.attachments = [a for a in message.attachments if str(a.id) in keep]
        for _index, filename, raw, content_type in sorted(body.files):
            message.attachments.append(self.emu.store_upload(filename, raw, content_type))
        message.payload = data
        if edit:
            message.edits += 1
            message.edited_timestamp = iso_now()

    def message_json(self, message: Message) -> dict[str, Any]:
        return message.api_payload(self.emu.bot_user)

    # --- identity ------------------------------------------------------------------

    async def get_me(self, request: web.Request) -> web.Response:
        data = self.emu.bot_user.payload()
        data.update(verified=True, mfa_enabled=False, email=None, locale="en-US")
        return json_response(data)

    async def get_user(self, request: web.Request) -> web.Response:
        user = self.emu.users.get(int(request.match_info["user_id"]))
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return json_response(user.payload())

    async def get_application(self, request: web.Request) -> web.Response:
        emu = self.emu
        return json_response(
            {
                "id": str(emu.application_id),
                "name": emu.bot_user.username,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": 0,
                "owner": emu.bot_user.payload(),
                "team": None,
                "bot": emu.bot_user.payload(),
                "rpc_origins": [],
                "tags": [],
                "redirect_uris": [],
                "interactions_endpoint_url": None,
            }
        )

    async def get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.emu.gateway_url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "url": self.emu.gateway_url,
                "shards": self.emu.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000,
                    "reset_after": 0,
                    "max_concurrency": self.emu.max_concurrency,
                },
            }
        )

    # --- commands ------------------------------------------------------------------

    def scope(self, request: web.Request) -> str | int:
        self.check_app(request)
        if "guild_id" in request.match_info:
            guild_id: int = self.guild(request).id
            return guild_id
        return "global"

    async def get_commands(self, request: web.Request) -> web.Response:
        return json_response(list(self.emu._commands.get(self.scope(request), [])))

    async def put_commands(self, request: web.Request) -> web.Response:
        scope = self.scope(request)
        body = (await read_body(request)).data
        op = (
            "bulk_set_application_commands"
            if scope == "global"
            else ("bulk_set_guild_application_commands")
        )
        self.validate(request, check_commands(body) + check_schema(op, body))
        return json_response(self.emu.set_commands(scope, body))

    async def post_command(self, request: web.Request) -> web.Response:
        scope = self.scope(request)
        body = (await read_body(request)).data
        op = (
            "create_application_command"
            if scope == "global"
            else ("create_guild_application_command")
        )
        self.validate(request, check_commands([body]) + check_schema(op, body))
        others = [
            c for c in self.emu._commands.get(scope, [])
            if (c["name"], c["type"]) != (body["name"], body.get("type", 1))
        ]  # fmt: skip
        stored = self.emu.set_commands(scope, [*others, body])
        return json_response(stored[-1], status=201)

    # --- guilds, channels, users ---------------------------------------------------

    async def get_guild(self, request: web.Request) -> web.Response:
        data = self.guild(request).payload()
        data["approximate_member_count"] = data["member_count"]
        data["approximate_presence_count"] = 0
        return json_response(data)

    async def get_guild_channels(self, request: web.Request) -> web.Response:
        return json_response([c.payload() for c in self.guild(request).channels.values()])

    async def get_guild_roles(self, request: web.Request) -> web.Response:
        return json_response([r.payload() for r in self.guild(request).roles.values()])

    async def get_member(self, request: web.Request) -> web.Response:
        member = self.guild(request).members.get(int(request.match_info["user_id"]))
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return json_response(member.payload())

    async def get_channel(self, request: web.Request) -> web.Response:
        channel = self.channel(request)
        data = channel.payload()
        if channel.type == DM_CHANNEL and channel.recipient_id is not None:
            data["recipients"] = [self.emu.users[channel.recipient_id].payload()]
        return json_response(data)

    async def create_dm(self, request: web.Request) -> web.Response:
        body = (await read_body(request)).data
        self.validate(request, check_schema("create_dm", body))
        user = self.emu.users.get(int(body.get("recipient_id") or 0))
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        channel = self.emu.dm_channel(user.id)
        data = channel.payload()
        data["recipients"] = [user.payload()]
        return json_response(data)

    # --- channel messages ----------------------------------------------------------

    def writable_channel(self, request: web.Request) -> Any:
        cid = int(request.match_info["channel_id"])
        if cid in self.emu.forbidden_channels:
            raise ApiError(403, 50013, "Missing Permissions")
        channel = self.channel(request)
        if channel.type == DM_CHANNEL and channel.recipient_id in self.emu.closed_dm_users:
            raise ApiError(403, 50007, "Cannot send messages to this user")
        return channel

    async def list_messages(self, request: web.Request) -> web.Response:
        channel = self.channel(request)
        limit = int(request.query.get("limit", "50"))
        newest_first = list(reversed(self.emu.messages(channel.id)))[:limit]
        return json_response([self.message_json(m) for m in newest_first])

    async def post_message(self, request: web.Request) -> web.Response:
        channel = self.writable_channel(request)
        body = await read_body(request)
        data = body.data
        errors = check_message(
            data, require_allowed_mentions=self.emu.require_allowed_mentions
        ) + check_schema("create_message", data)
        if isinstance(data, dict) and not (
            data.get("content") or data.get("embeds") or body.files or data.get("components")
            or data.get("sticker_ids") or data.get("poll")
        ):  # fmt: skip
            errors.append(("_root", "EMPTY_MESSAGE", "Cannot send an empty message"))
            self.validate(request, errors, code=50006, message="Cannot send an empty message")
        self.validate(request, errors)
        nonce = data.get("nonce")
        key = (self.emu.bot_user_id, channel.id, str(nonce))
        if nonce is not None and data.get("enforce_nonce"):
            earlier = self.emu.nonces.get(key)
            if earlier is not None and time.monotonic() - earlier.created_monotonic < NONCE_WINDOW:
                self.emu.stats["nonce_dedupes"] += 1
                return json_response(self.message_json(earlier))
        message = self.make_message(channel.id, body, guild_id=channel.guild_id, webhook=False)
        if nonce is not None:
            self.emu.nonces[key] = message
        self.emu.add_message(message)
        return json_response(self.message_json(message))

    def channel_message(self, request: web.Request) -> Message:
        channel = self.channel(request)
        message = self.emu.message_index.get(int(request.match_info["message_id"]))
        if message is None or message.deleted or message.channel_id != channel.id:
            raise ApiError(404, 10008, "Unknown Message")
        return message

    async def get_message(self, request: web.Request) -> web.Response:
        return json_response(self.message_json(self.channel_message(request)))

    async def patch_message(self, request: web.Request) -> web.Response:
        message = self.channel_message(request)
        body = await read_body(request)
        self.validate(request, check_message(body.data) + check_schema("update_message", body.data))
        self.apply(message, body, edit=True)
        payload = self.message_json(message)
        self.emu.gateway.dispatch("MESSAGE_UPDATE", payload)
        return json_response(payload)

    async def delete_message(self, request: web.Request) -> web.Response:
        message = self.channel_message(request)
        message.deleted = True
        event = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id is not None:
            event["guild_id"] = str(message.guild_id)
        self.emu.gateway.dispatch("MESSAGE_DELETE", event)
        return no_content()

    # --- interactions --------------------------------------------------------------

    async def interaction_callback(self, request: web.Request) -> web.Response:
        emu = self.emu
        record = emu.interactions.get(int(request.match_info["interaction_id"]))
        if record is None or record.token != request.match_info["interaction_token"]:
            raise ApiError(404, 10062, "Unknown interaction")
        now = time.monotonic()
        if now - record.created > emu.answer_deadline:
            record.late_callbacks += 1
            emu.stats["late_callbacks"] += 1
            raise ApiError(404, 10062, "Unknown interaction")
        if record.callback_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        body = await read_body(request)
        data = body.data
        errors = check_callback_schema(data)
        kind = data.get("type") if isinstance(data, dict) else None
        inner = (data or {}).get("data") or {}
        if kind == MESSAGE:
            errors = (
                check_message(
                    inner, require_allowed_mentions=emu.require_allowed_mentions, prefix="data"
                )
                + errors
            )
        elif kind == AUTOCOMPLETE_RESULT:
            errors = check_choices(inner.get("choices")) + errors
        self.validate(request, errors)
        record.callback_type, record.callback_at, record.callback_body = kind, now, data
        if kind in (MESSAGE, DEFERRED_MESSAGE):
            message = Message(
                id=snowflake(),
                channel_id=record.channel_id,
                author_id=emu.bot_user_id,
                guild_id=record.guild_id,
                webhook_id=emu.application_id,
            )
            if kind == MESSAGE:
                self.apply(message, Body(inner, body.files), edit=False)
            else:
                message.flags = int(inner.get("flags") or 0) | 128  # LOADING
            record.original = message
        elif kind == AUTOCOMPLETE_RESULT:
            record.choices = list(inner.get("choices") or [])
        if request.query.get("with_response") not in ("1", "true", "True"):
            return no_content()
        answer: dict[str, Any] = {
            "interaction": {
                "id": str(record.id),
                "type": record.type,
                "activity_instance_id": None,
                "response_message_id": str(record.original.id) if record.original else None,
                "response_message_loading": kind == DEFERRED_MESSAGE,
                "response_message_ephemeral": bool(
                    record.original and record.original.flags & EPHEMERAL
                ),
            }
        }
        if kind == MESSAGE and record.original is not None:
            answer["resource"] = {"type": MESSAGE, "message": self.message_json(record.original)}
        return json_response(answer)

    def webhook_record(self, request: web.Request) -> InteractionRecord:
        self.check_app(request, "webhook_id")
        record = self.emu.interactions_by_token.get(request.match_info["webhook_token"])
        if record is None or record.expired(time.monotonic()):
            raise ApiError(404, 10015, "Unknown Webhook")
        if record.callback_type is None:
            # Discord only opens the follow-up webhook once the interaction is acknowledged.
            raise ApiError(404, 10015, "Unknown Webhook")
        return record

    # --- threads and forums ----------------------------------------------------------

    async def create_thread(self, request: web.Request) -> web.Response:
        """A forum post: a thread and its first message (same id), with the tags asked for."""
        forum = self.writable_channel(request)
        if forum.type != FORUM_CHANNEL:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        body = await read_body(request)
        data = body.data or {}
        inner = data.get("message") or {}
        errors = check_schema("create_thread", data) + check_message(
            inner, require_allowed_mentions=self.emu.require_allowed_mentions, prefix="message"
        )
        known = {int(t["id"]) for t in forum.available_tags}
        tags = [int(t) for t in data.get("applied_tags") or []]
        if any(t not in known for t in tags) or len(tags) > 5:
            errors.append(("applied_tags", "INVALID_TAG", "Unknown or too many tags"))
        self.validate(request, errors)
        message = self.make_message(
            0, Body(inner, body.files), guild_id=forum.guild_id, webhook=False
        )
        thread = self.emu.add_thread(forum, str(data["name"]), message.id, tags)
        message.channel_id = thread.id
        self.emu.add_message(message)
        self.emu.stats["forum_posts"] += 1
        return json_response({**thread.payload(), "message": self.message_json(message)})

    async def create_thread_from_message(self, request: web.Request) -> web.Response:
        message = self.channel_message(request)
        body = await read_body(request)
        self.validate(request, check_schema("create_thread_from_message", body.data))
        if message.id in self.emu.channels:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        parent = self.channel(request)
        thread = self.emu.add_thread(parent, str(body.data["name"]), message.id, [])
        return json_response(thread.payload())

    async def active_threads(self, request: web.Request) -> web.Response:
        guild = self.guild(request)
        threads = [
            c.payload()
            for c in self.emu.channels.values()
            if c.type == PUBLIC_THREAD and c.guild_id == guild.id
        ]
        return json_response({"threads": threads, "members": []})

    # --- channel webhooks ----------------------------------------------------------

    def webhook_channel(self, request: web.Request) -> Any:
        channel = self.writable_channel(request)
        if not self.emu.bot_may(channel, MANAGE_WEBHOOKS):
            raise ApiError(403, 50013, "Missing Permissions")
        return channel

    async def list_channel_webhooks(self, request: web.Request) -> web.Response:
        channel = self.webhook_channel(request)
        hooks = [h for h in self.emu.webhooks.values() if h.channel_id == channel.id]
        return json_response([h.payload() for h in hooks])

    async def create_webhook(self, request: web.Request) -> web.Response:
        channel = self.webhook_channel(request)
        body = await read_body(request)
        self.validate(request, check_schema("create_webhook", body.data))
        hook = Webhook(
            id=snowflake(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            name=str(body.data["name"]),
            token=secrets.token_urlsafe(48),
            application_id=self.emu.application_id,
            user=self.emu.bot_user,
        )
        self.emu.webhooks[hook.id] = hook
        self.emu.stats["webhooks_created"] += 1
        return json_response(hook.payload())

    def channel_webhook(self, request: web.Request) -> Webhook | None:
        """The channel webhook the path names, None when it names an interaction's."""
        hook = self.emu.webhooks.get(int(request.match_info["webhook_id"]))
        if hook is None:
            return None
        if hook.token != request.match_info["webhook_token"]:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        if (
            hook.channel_id in self.emu.forbidden_channels
            or hook.channel_id not in self.emu.channels
        ):
            raise ApiError(404, 10015, "Unknown Webhook")
        return hook

    async def execute_webhook(self, request: web.Request, hook: Webhook) -> web.Response:
        body = await read_body(request)
        data = body.data or {}
        errors = check_message(
            data, require_allowed_mentions=self.emu.require_allowed_mentions
        ) + check_schema("execute_webhook", data)
        self.validate(request, errors)
        message = self.make_message(hook.channel_id, body, guild_id=hook.guild_id, webhook=True)
        message.webhook_id = hook.id
        message.webhook_author = hook.author(data.get("username"), data.get("avatar_url"))
        self.emu.add_message(message)
        self.emu.stats["webhook_posts"] += 1
        if request.query.get("wait", "").lower() in ("1", "true"):
            return json_response(self.message_json(message))
        return no_content()

    def hook_message(self, request: web.Request, hook: Webhook) -> Message:
        message = self.emu.message_index.get(int(request.match_info["message_id"]))
        if message is None or message.deleted or message.webhook_id != hook.id:
            raise ApiError(404, 10008, "Unknown Message")
        return message

    # --- interaction follow-ups (and channel webhooks on the same paths) -------------

    async def post_followup(self, request: web.Request) -> web.Response:
        hook = self.channel_webhook(request)
        if hook is not None:
            return await self.execute_webhook(request, hook)
        record = self.webhook_record(request)
        body = await read_body(request)
        errors = check_message(
            body.data, require_allowed_mentions=self.emu.require_allowed_mentions
        ) + check_schema("execute_webhook", body.data)
        self.validate(request, errors)
        message = self.make_message(record.channel_id, body, guild_id=record.guild_id, webhook=True)
        original = record.original
        if (
            record.callback_type == DEFERRED_MESSAGE
            and original is not None
            and original.edits == 0
            and not record.followups
        ):
            # The first follow-up after a deferral replaces the "thinking" message.
            message.id = original.id
            message.flags |= original.flags & EPHEMERAL
            record.original = message
        record.followups.append(message)
        self.emu.message_index[message.id] = message
        if request.query.get("wait", "").lower() in ("1", "true"):
            return json_response(self.message_json(message))
        return no_content()

    def webhook_message(self, request: web.Request) -> tuple[InteractionRecord, Message]:
        record = self.webhook_record(request)
        mid = request.match_info["message_id"]
        if mid == "@original":
            message = record.original
        else:
            message = next((m for m in record.followups if str(m.id) == mid), None)
            if message is None and record.original is not None and str(record.original.id) == mid:
                message = record.original
        if message is None or message.deleted:
            raise ApiError(404, 10008, "Unknown Message")
        return record, message

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        hook = self.channel_webhook(request)
        if hook is not None:
            return json_response(self.message_json(self.hook_message(request, hook)))
        return json_response(self.message_json(self.webhook_message(request)[1]))

    async def patch_webhook_message(self, request: web.Request) -> web.Response:
        hook = self.channel_webhook(request)
        if hook is not None:
            message = self.hook_message(request, hook)
        else:
            _record, message = self.webhook_message(request)
        body = await read_body(request)
        original = request.match_info["message_id"] == "@original"
        op = "update_original_webhook_message" if original else "update_webhook_message"
        self.validate(request, check_message(body.data) + check_schema(op, body.data))
        self.apply(message, body, edit=True)
        message.flags &= ~128  # no longer loading
        return json_response(self.message_json(message))

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        hook = self.channel_webhook(request)
        if hook is not None:
            message = self.hook_message(request, hook)
        else:
            _record, message = self.webhook_message(request)
        message.deleted = True
        return no_content()

    # --- attachments (our own CDN) -------------------------------------------------

    async def get_attachment(self, request: web.Request) -> web.Response:
        attachment: Attachment | None = self.emu.uploads.get(int(request.match_info["id"]))
        if attachment is None:
            return web.Response(status=404)
        return web.Response(body=attachment.data, content_type=attachment.content_type)

    async def unknown(self, request: web.Request) -> web.Response:
        self.emu.stats["unknown_routes"] += 1
        self.emu.stats[f"unknown {request.method} {request.path}"] += 1
        self.emu.unknown_routes.append((request.method, request.path))
        return json_response({"message": "404: Not Found", "code": 0}, status=404)


ROUTES: list[tuple[str, str, str]] = [
    ("GET", "/users/@me", "get_me"),
    ("GET", "/users/{user_id}", "get_user"),
    ("POST", "/users/@me/channels", "create_dm"),
    ("GET", "/oauth2/applications/@me", "get_application"),
    ("GET", "/gateway", "get_gateway"),
    ("GET", "/gateway/bot", "get_gateway_bot"),
    ("GET", "/applications/{application_id}/commands", "get_commands"),
    ("PUT", "/applications/{application_id}/commands", "put_commands"),
    ("POST", "/applications/{application_id}/commands", "post_command"),
    ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", "get_commands"),
    ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", "put_commands"),
    ("POST", "/applications/{application_id}/guilds/{guild_id}/commands", "post_command"),
    ("GET", "/guilds/{guild_id}", "get_guild"),
    ("GET", "/guilds/{guild_id}/channels", "get_guild_channels"),
    ("GET", "/guilds/{guild_id}/roles", "get_guild_roles"),
    ("GET", "/guilds/{guild_id}/members/{user_id}", "get_member"),
    ("GET", "/channels/{channel_id}", "get_channel"),
    ("GET", "/channels/{channel_id}/messages", "list_messages"),
    ("POST", "/channels/{channel_id}/messages", "post_message"),
    ("GET", "/channels/{channel_id}/messages/{message_id}", "get_message"),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}", "patch_message"),
    ("DELETE", "/channels/{channel_id}/messages/{message_id}", "delete_message"),
    ("POST", "/channels/{channel_id}/threads", "create_thread"),
    ("POST", "/channels/{channel_id}/messages/{message_id}/threads", "create_thread_from_message"),
    ("GET", "/guilds/{guild_id}/threads/active", "active_threads"),
    ("GET", "/channels/{channel_id}/webhooks", "list_channel_webhooks"),
    ("POST", "/channels/{channel_id}/webhooks", "create_webhook"),
    ("POST", "/interactions/{interaction_id}/{interaction_token}/callback", "interaction_callback"),
    ("POST", "/webhooks/{webhook_id}/{webhook_token}", "post_followup"),
    ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", "get_webhook_message"),
    (
        "PATCH",
        "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
        "patch_webhook_message",
    ),
    (
        "DELETE",
        "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
        "delete_webhook_message",
    ),
]


def fault_response(status: int, retry_after: float, global_: bool) -> web.Response:
    if status == 429:
        return json_response(
            {
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": global_,
            },
            status=429,
            headers={
                "Via": "1.1 google",  # without it discord.py assumes a Cloudflare ban
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Scope": "global" if global_ else "user",
                **({"X-RateLimit-Global": "true"} if global_ else {}),
            },
        )
    return json_response({"message": f"{status}: emulated server error", "code": 0}, status=status)


def build_app(emu: DiscordEmulator) -> web.Application:
    api = Api(emu)
    templates: dict[str, str] = {}

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API + "/"):
            return await handler(request)
        resource = request.match_info.route.resource
        template = templates.get(resource.canonical if resource else "")
        emu.stats["rest_requests"] += 1
        if template is not None:
            emu.stats[f"{request.method} {template}"] += 1
        try:
            fault = emu.faults.take(request.method, request.path_qs)
            if fault is not None:
                emu.stats["faults_injected"] += 1
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.status is not None:
                    return fault_response(fault.status, fault.retry_after, fault.global_)
            if (
                not request.path.startswith(NO_AUTH_PREFIXES)
                and request.headers.get("Authorization") != f"Bot {emu.token}"
            ):
                emu.stats["unauthorized"] += 1
                return json_response({"message": "401: Unauthorized", "code": 0}, status=401)
            response = await handler(request)
            if fault is not None and fault.delay_after:
                # The request took effect; only the answer is late (a crash window).
                emu.changed()
                await asyncio.sleep(fault.delay_after)
            return response
        except ApiError as exc:
            return json_response(exc.body(), status=exc.status)
        except Exception:
            # An emulator bug must not pass for a Discord outage the client retries.
            emu.server_errors.append(f"{request.method} {request.path}\n{traceback.format_exc()}")
            return json_response({"message": "emulator error", "code": 0}, status=500)
        finally:
            emu.changed()

    app = web.Application(middlewares=[middleware], client_max_size=64 * 1024 * 1024)
    resources: dict[str, web.Resource] = {}
    for method, path, name in ROUTES:
        if path not in resources:
            resources[path] = app.router.add_resource(API + path)
            templates[resources[path].canonical] = path
        resources[path].add_route(method, getattr(api, name))
    app.router.add_get("/gateway", emu.gateway.handle)
    app.router.add_get("/attachments/{id}/{filename}", api.get_attachment)
    app.router.add_route("*", "/{tail:.*}", api.unknown)
    return app
