"""The gateway websocket: HELLO, HEARTBEAT/ACK, IDENTIFY -> READY + GUILD_CREATE, RESUME with
replay of missed events, RECONNECT / INVALID_SESSION / dropped connections on demand.

Frames go out as plain text JSON even though the client asks for zlib-stream: discord.py only
decompresses binary frames."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT = 0, 1, 2, 6, 7
REQUEST_GUILD_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11

GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12

# Events kept per session for RESUME; older ones are lost, as on Discord.
REPLAY_BUFFER = 5000


class Connection:
    """One websocket; frames are queued synchronously and written by one task, so any
    code (even sync test code) can dispatch while order is kept."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.ws = ws
        self.transport = request.transport
        self.session: Session | None = None
        self._queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._writer = asyncio.create_task(self._write())

    def send(self, frame: dict[str, Any]) -> None:
        self._queue.put_nowait(frame)

    async def _write(self) -> None:
        while (frame := await self._queue.get()) is not None:
            try:
                await self.ws.send_str(json.dumps(frame))
            except (ConnectionError, RuntimeError):
                return

    def abort(self) -> None:
        """Drop the TCP connection without a close frame (the client sees 1006)."""
        self._writer.cancel()
        if self.transport is not None:
            self.transport.abort()

    async def finish(self) -> None:
        self._queue.put_nowait(None)
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(self._writer, 1)


@dataclass
class Session:
    id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    conn: Connection | None = None
    ready: bool = False
    alive: bool = True  # False once the client closed it cleanly or it was invalidated
    buffer: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=REPLAY_BUFFER))

    def owns(self, guild_id: int | None) -> bool:
        """Whether events of this guild (None: DMs) go to this session: Discord sends a guild
        to shard (guild_id >> 22) % shard_count, and DMs to shard 0."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        if guild_id is None:
            return shard_id == 0
        return (guild_id >> 22) % count == shard_id

    def dispatch(self, event: str, data: Any) -> None:
        self.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.buffer.append(frame)
        if self.conn is not None:
            self.conn.send(frame)


class Gateway:
    def __init__(self, emu: DiscordEmulator, heartbeat_interval_ms: int) -> None:
        self.emu = emu
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()

    # --- queries -------------------------------------------------------------------

    def live_sessions(self) -> list[Session]:
        return [s for s in self.sessions.values() if s.alive and s.conn is not None]

    def is_ready(self) -> bool:
        return any(s.ready for s in self.live_sessions())

    def interaction_target(self, guild_id: int | None = None) -> Session | None:
        """The newest connected session of the guild's shard, else the newest resumable one
        (it gets the event on resume, as Discord would replay it)."""
        live = [s for s in self.live_sessions() if s.owns(guild_id)]
        if live:
            return live[-1]
        alive = [s for s in self.sessions.values() if s.alive and s.owns(guild_id)]
        return alive[-1] if alive else None

    # --- dispatch ------------------------------------------------------------------

    def dispatch(self, event: str, data: Any, *, intent: int | None = None) -> None:
        guild_id = _guild_of(event, data)
        for session in self.sessions.values():
            if (
                session.alive
                and session.ready
                and session.owns(guild_id)
                and (intent is None or session.intents & intent)
            ):
                session.dispatch(event, data)

    # --- faults --------------------------------------------------------------------

    def reconnect(self) -> int:
        for conn in list(self.connections):
            conn.send({"op": RECONNECT, "d": None})
        return len(self.connections)

    def drop(self) -> int:
        for conn in list(self.connections):
            conn.abort()
        return len(self.connections)

    def invalidate(self, resumable: bool) -> int:
        for conn in list(self.connections):
            if conn.session is not None and not resumable:
                conn.session.alive = False
            conn.send({"op": INVALID_SESSION, "d": resumable})
        return len(self.connections)

    async def close_all(self) -> None:
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001)

    # --- the websocket -------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws, request)
        self.connections.add(conn)
        self.emu.stats["gateway_connects"] += 1
        conn.send({"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    self._on_frame(conn, json.loads(msg.data))
                elif msg.type is WSMsgType.ERROR:
                    break
        finally:
            self.connections.discard(conn)
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                # A clean close by the client ends the session; anything else may resume.
                if ws.close_code in (1000, 1001):
                    session.alive = False
            await conn.finish()
            self.emu.changed()
        return ws

    def _on_frame(self, conn: Connection, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == HEARTBEAT:
            self.emu.stats["heartbeats"] += 1
            conn.send({"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            self._identify(conn, data or {})
        elif op == RESUME:
            self._resume(conn, data or {})
        elif op == REQUEST_GUILD_MEMBERS:
            self._members_chunk(conn, data or {})
        elif op in (3, 4):  # presence / voice state updates: accepted, ignored
            pass
        else:
            self.emu.stats["gateway_unknown_ops"] += 1
        self.emu.changed()

    def _authenticate(self, conn: Connection, token: Any) -> bool:
        if token == self.emu.token:
            return True
        self.emu.stats["gateway_auth_failures"] += 1
        asyncio.get_running_loop().create_task(
            conn.ws.close(code=4004, message=b"Authentication failed.")
        )
        return False

    def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if not self._authenticate(conn, data.get("token")):
            return
        shard = data.get("shard")
        guilds = [g for g in self.emu.guilds.values() if Session("", 0, shard).owns(g.id)]
        limit = self.emu.sharding_required_above
        if limit is not None and len(guilds) > limit:
            self.emu.stats["sharding_required"] += 1
            asyncio.get_running_loop().create_task(
                conn.ws.close(code=4011, message=b"Sharding required.")
            )
            return
        session = Session(
            id=secrets.token_hex(16), intents=int(data.get("intents", 0)), shard=shard
        )
        self.sessions[session.id] = session
        conn.session = session
        session.conn = conn
        self.emu.stats["identifies"] += 1
        emu = self.emu
        ready: dict[str, Any] = {
            "v": 10,
            "user": emu.bot_user.payload(),
            "user_settings": {},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": emu.gateway_url,
            "application": {"id": str(emu.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["newsdesk-emulator"],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
            self.emu.stats[f"identifies_shard_{session.shard[0]}"] += 1
        session.dispatch("READY", ready)
        for guild in guilds:
            session.dispatch("GUILD_CREATE", guild.payload())
        session.ready = True

    def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        if not self._authenticate(conn, data.get("token")):
            return
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq") or 0
        missed = [f for f in session.buffer if f["s"] > seq] if session else []
        lost = (
            session is not None and seq < session.seq and (not missed or missed[0]["s"] != seq + 1)
        )
        if session is None or not session.alive or lost:
            self.emu.stats["resume_failures"] += 1
            conn.send({"op": INVALID_SESSION, "d": False})
            return
        old = session.conn
        if old is not None and old is not conn:
            old.abort()
        conn.session = session
        session.conn = conn
        for frame in missed:
            conn.send(frame)
        session.dispatch("RESUMED", {"_trace": ["newsdesk-emulator"]})
        self.emu.stats["resumes"] += 1

    def _members_chunk(self, conn: Connection, data: dict[str, Any]) -> None:
        session = conn.session
        if session is None:
            return
        guild_ids = data.get("guild_id")
        for gid in guild_ids if isinstance(guild_ids, list) else [guild_ids]:
            guild = self.emu.guilds.get(int(gid or 0))
            if guild is None:
                continue
            members = list(guild.members.values())
            if data.get("user_ids"):
                wanted = {int(u) for u in data["user_ids"]}
                members = [m for m in members if m.id in wanted]
            elif data.get("query"):
                members = [m for m in members if m.user.username.startswith(data["query"])]
            if data.get("limit"):
                members = members[: int(data["limit"])]
            chunk: dict[str, Any] = {
                "guild_id": str(guild.id),
                "members": [m.payload() for m in members],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
            }
            if data.get("nonce") is not None:
                chunk["nonce"] = data["nonce"]
            session.dispatch("GUILD_MEMBERS_CHUNK", chunk)


def _guild_of(event: str, data: Any) -> int | None:
    """The guild an event belongs to (None: a DM), which decides the shard it goes to."""
    if not isinstance(data, dict):
        return None
    if event.startswith("GUILD_") and "guild_id" not in data:
        return int(data["id"])
    guild_id = data.get("guild_id")
    return int(guild_id) if guild_id is not None else None
