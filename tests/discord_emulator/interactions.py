"""Interactions the test sends as a user: building `data.options` from the registered
command, and the record/result objects that follow the bot's answer."""

# The public API takes `timeout=` on purpose (the tests written against it use it).
# ruff: noqa: ASYNC109

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .state import Message

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = (
    3, 4, 5, 6, 7, 8, 9, 10, 11,
)  # fmt: skip
OPTION_TYPE_NAMES = {
    STRING: "STRING", INTEGER: "INTEGER", BOOLEAN: "BOOLEAN", USER: "USER", CHANNEL: "CHANNEL",
    ROLE: "ROLE", MENTIONABLE: "MENTIONABLE", NUMBER: "NUMBER", ATTACHMENT: "ATTACHMENT",
}  # fmt: skip
APPLICATION_COMMAND, AUTOCOMPLETE = 2, 4
DEFERRED_MESSAGE, MESSAGE, AUTOCOMPLETE_RESULT = 5, 4, 8
EPHEMERAL = 64
ANSWER_DEADLINE = 3.0  # seconds Discord gives the bot to call back
TOKEN_LIFETIME = 15 * 60


def object_id(value: Any) -> int:
    """Tests may pass ids or the emulator's dataclasses."""
    return int(getattr(value, "id", value))


@dataclass
class InteractionRecord:
    id: int
    token: str
    type: int
    guild_id: int | None
    channel_id: int
    user_id: int
    command: str
    payload: dict[str, Any]
    created: float = field(default_factory=time.monotonic)
    callback_type: int | None = None
    callback_at: float | None = None
    callback_body: dict[str, Any] | None = None
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    late_callbacks: int = 0  # callbacks refused with 10062

    @property
    def answered(self) -> bool:
        """Whether the user would see an answer (a deferral is not one yet)."""
        if self.callback_type is None:
            return False
        if self.callback_type == DEFERRED_MESSAGE:
            return bool(self.followups) or (self.original is not None and self.original.edits > 0)
        return True

    def expired(self, now: float) -> bool:
        return now - self.created > TOKEN_LIFETIME


class InteractionResult:
    """What the user saw; attributes read the live record, so later edits show."""

    def __init__(self, emu: DiscordEmulator, record: InteractionRecord) -> None:
        self._emu = emu
        self.record = record

    def __repr__(self) -> str:
        return (
            f"<InteractionResult /{self.record.command} callback={self.callback_type} "
            f"text={self.text!r}>"
        )

    @property
    def callback_type(self) -> int | None:
        return self.record.callback_type

    @property
    def message(self) -> dict[str, Any] | None:
        original = self.record.original
        return original.to_dict() if original is not None and not original.deleted else None

    @property
    def content(self) -> str:
        return (self.message or {}).get("content") or ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list((self.message or {}).get("embeds") or [])

    @property
    def ephemeral(self) -> bool:
        return bool((self.message or {}).get("flags", 0) & EPHEMERAL)

    @property
    def followups(self) -> list[dict[str, Any]]:
        return [m.to_dict() for m in self.record.followups if not m.deleted]

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        return self.record.choices

    def _visible(self) -> list[Message]:
        """Original then follow-ups, each once (the first follow-up after a deferral *is*
        the original message)."""
        out: list[Message] = []
        for m in [self.record.original, *self.record.followups]:
            if m is not None and not m.deleted and all(m is not seen for seen in out):
                out.append(m)
        return out

    @property
    def text(self) -> str:
        return "\n".join(message_text(m) for m in self._visible())

    @property
    def files(self) -> list[tuple[str, bytes]]:
        return [f for m in self._visible() for f in m.files]

    @property
    def elapsed_ack(self) -> float:
        if self.record.callback_at is None:
            return float("inf")
        return self.record.callback_at - self.record.created

    async def wait_answer(self, timeout: float = 10) -> InteractionResult:
        await self._emu.wait_for(
            lambda: self.record.answered,
            timeout=timeout,
            message=lambda: (
                f"no answer to /{self.record.command} within {timeout}s: " + describe(self.record)
            ),
        )
        return self

    async def wait_followups(self, n: int, timeout: float = 10) -> list[dict[str, Any]]:
        await self._emu.wait_for(
            lambda: len(self.record.followups) >= n,
            timeout=timeout,
            message=lambda: (
                f"/{self.record.command}: {len(self.record.followups)} of {n} "
                f"follow-ups within {timeout}s"
            ),
        )
        return self.followups


def describe(record: InteractionRecord) -> str:
    parts = [f"callback_type={record.callback_type}"]
    if record.late_callbacks:
        parts.append(f"{record.late_callbacks} callback(s) after {ANSWER_DEADLINE}s -> 404 10062")
    parts.append(f"followups={len(record.followups)}")
    return ", ".join(parts)


def embed_text(embed: dict[str, Any]) -> list[str]:
    out = [embed.get("title"), (embed.get("author") or {}).get("name"), embed.get("description")]
    for fld in embed.get("fields") or []:
        out += [fld.get("name"), fld.get("value")]
    out.append((embed.get("footer") or {}).get("text"))
    return [s for s in out if s]


def message_text(message: Message) -> str:
    parts = [message.content] if message.content else []
    for embed in message.embeds:
        parts += embed_text(embed)
    return "\n".join(parts)


# --- building data.options ------------------------------------------------------------


@dataclass
class OptionBuilder:
    """Turns Python values into `data.options` + `data.resolved` for one registered command."""

    emu: DiscordEmulator
    guild_id: int | None
    command_path: str
    resolved: dict[str, dict[str, Any]] = field(default_factory=dict)

    def build(
        self,
        command: dict[str, Any],
        path: list[str],
        values: dict[str, Any],
        attachments: dict[str, tuple[str, bytes]],
        focused: str | None,
    ) -> list[dict[str, Any]]:
        options = command.get("options") or []
        if path:
            name = path[0]
            sub = next((o for o in options if o["name"] == name and o["type"] in (1, 2)), None)
            if sub is None:
                names = [o["name"] for o in options if o["type"] in (1, 2)]
                raise AssertionError(f"/{self.command_path}: no subcommand {name!r} (have {names})")
            inner = self.build(sub, path[1:], values, attachments, focused)
            return [{"type": sub["type"], "name": name, "options": inner}]
        if any(o["type"] in (1, 2) for o in options):
            names = [o["name"] for o in options]
            raise AssertionError(f"/{self.command_path} needs a subcommand: one of {names}")
        by_name = {o["name"]: o for o in options}
        given = {**values, **attachments}
        unknown = set(given) - set(by_name)
        if unknown:
            raise AssertionError(
                f"/{self.command_path}: unknown option(s) {sorted(unknown)}; "
                f"registered: {sorted(by_name)}"
            )
        if focused is not None and focused not in by_name:
            raise AssertionError(f"/{self.command_path}: no option {focused!r} to focus")
        missing = [
            o["name"]
            for o in options
            if o.get("required") and o["name"] not in given and o["name"] != focused
        ]
        if missing and focused is None:
            raise AssertionError(f"/{self.command_path}: missing required option(s) {missing}")
        out = []
        for opt in options:  # registered order, like the client
            name = opt["name"]
            if name not in given and name != focused:
                continue
            if name == focused:
                entry = {"type": opt["type"], "name": name, "value": given.get(name, ""),
                         "focused": True}  # fmt: skip
                if opt["type"] != STRING:
                    entry["value"] = str(entry["value"])  # what the user typed so far
            else:
                entry = {"type": opt["type"], "name": name,
                         "value": self._value(opt, given[name])}  # fmt: skip
            out.append(entry)
        return out

    def _value(self, opt: dict[str, Any], value: Any) -> Any:
        kind, name = opt["type"], opt["name"]
        try:
            if kind == STRING:
                return str(value)
            if kind == INTEGER:
                return int(value)
            if kind == NUMBER:
                return float(value)
            if kind == BOOLEAN:
                if not isinstance(value, bool):
                    raise TypeError("expected a bool")
                return value
            if kind == USER:
                return self._user(object_id(value))
            if kind == CHANNEL:
                return self._channel(object_id(value))
            if kind == ROLE:
                return self._role(object_id(value))
            if kind == MENTIONABLE:
                target = object_id(value)
                if self.guild_id is not None and target in self.emu.guilds[self.guild_id].roles:
                    return self._role(target)
                return self._user(target)
            if kind == ATTACHMENT:
                filename, data = value
                return self._attachment(filename, data)
        except (TypeError, ValueError, KeyError) as exc:
            raise AssertionError(
                f"/{self.command_path}: bad value {value!r} for {OPTION_TYPE_NAMES.get(kind)} "
                f"option {name!r}: {exc}"
            ) from exc
        raise AssertionError(f"/{self.command_path}: option type {kind} not supported")

    def _section(self, key: str) -> dict[str, Any]:
        return self.resolved.setdefault(key, {})

    def _user(self, user_id: int) -> str:
        user = self.emu.users[user_id]
        self._section("users")[str(user_id)] = user.payload()
        if self.guild_id is not None:
            guild = self.emu.guilds[self.guild_id]
            member = guild.members.get(user_id)
            if member is not None:
                perms = guild.permissions_of(user_id)
                self._section("members")[str(user_id)] = member.payload(
                    with_user=False, permissions=perms
                )
        return str(user_id)

    def _channel(self, channel_id: int) -> str:
        channel = self.emu.channels[channel_id]
        data = channel.payload()
        data["name"] = channel.name
        perms = 0
        if channel.guild_id is not None:
            perms = self.emu.guilds[channel.guild_id].permissions_of(self.emu.bot_user_id)
        data["permissions"] = str(perms)
        self._section("channels")[str(channel_id)] = data
        return str(channel_id)

    def _role(self, role_id: int) -> str:
        assert self.guild_id is not None, "roles only exist in guilds"
        role = self.emu.guilds[self.guild_id].roles[role_id]
        self._section("roles")[str(role_id)] = role.payload()
        return str(role_id)

    def _attachment(self, filename: str, data: bytes) -> str:
        attachment = self.emu.store_upload(filename, bytes(data))
        self._section("attachments")[str(attachment.id)] = attachment.payload()
        return str(attachment.id)


def find_command(
    emu: DiscordEmulator, guild_id: int | None, root: str
) -> tuple[dict[str, Any], int | None]:
    """The registered chat-input command named `root`: guild first, then global."""
    scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
    for scope in scopes:
        for command in emu.commands(guild_id=scope):
            if command["name"] == root and command.get("type", 1) == 1:
                return command, scope
    known = sorted(
        {c["name"] for s in scopes for c in emu.commands(guild_id=s) if c.get("type", 1) == 1}
    )
    raise AssertionError(f"no registered command /{root} (registered: {known})")


Predicate = Callable[[], bool]
