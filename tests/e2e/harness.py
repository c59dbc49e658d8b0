"""Runs the real `newsdesk run` process against the local Discord emulator."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from pathlib import Path
from typing import Any

from tests.discord_emulator import DiscordEmulator
from tests.feed_server import FeedServer
from tests.newsdesk_cli import newsdesk_command

TOKEN = "test-token"
MANAGE_GUILD = 0x20


class BotProcess:
    """One `newsdesk run` subprocess; its output goes to a log file the test can read."""

    def __init__(self, emulator: DiscordEmulator, workdir: Path, **env: str) -> None:
        self.emulator = emulator
        self.workdir = workdir
        self.database = workdir / "newsdesk.db"
        self.log_path = workdir / "bot.log"
        self.env = {
            "DISCORD_TOKEN": TOKEN,
            "NEWSDESK_DATABASE": str(self.database),
            "NEWSDESK_DISCORD_API_URL": emulator.api_url,
            "NEWSDESK_DISCORD_GATEWAY_URL": emulator.gateway_url,
            "NEWSDESK_MIN_INTERVAL_SECONDS": "1",
            "NEWSDESK_DEFAULT_INTERVAL_SECONDS": "1",
            "NEWSDESK_ALLOW_PRIVATE_HOSTS": "127.0.0.1",
            "NEWSDESK_LOG_LEVEL": "DEBUG",
            **env,
        }
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self, *, wait_ready: bool = True) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "DISCORD_"))}
        env.update(self.env)
        identifies = self.emulator.stats.get("identifies", 0)
        log = self.log_path.open("ab")
        log.write(f"\n===== start {self.starts + 1} =====\n".encode())
        log.flush()
        self.process = await asyncio.create_subprocess_exec(
            *newsdesk_command(),
            "run",
            cwd=self.workdir,
            env=env,
            stdout=log,
            stderr=log,
            stdin=asyncio.subprocess.DEVNULL,
        )
        log.close()
        self.starts += 1
        if wait_ready:
            await self.emulator.wait_for(
                lambda: self.emulator.stats.get("identifies", 0) > identifies or self.exited,
                timeout=30,
            )
            assert not self.exited, f"newsdesk exited early:\n{self.log()}"
            await self.emulator.wait_until_ready(timeout=30)

    @property
    def exited(self) -> bool:
        return self.process is not None and self.process.returncode is not None

    async def stop(self) -> int:
        """SIGTERM, and the exit code (within 20 s)."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(20):
            return await self.process.wait()

    async def kill(self) -> None:
        """SIGKILL: a crash at whatever point the process is."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()

    def pending_deliveries(self) -> int:
        """Deliveries the bot has not recorded as sent yet, read from its real database."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as db:
            return int(
                db.execute("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'").fetchone()[0]
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


# -- the world a test sets up ---------------------------------------------------------------

REFUSAL = "Manage Server permission or this server's newsdesk moderator role"


def world(emu: DiscordEmulator, name: str = "A") -> dict[str, int]:
    """A guild with channels `news` and `other`, a moderator and a member without rights."""
    guild = emu.add_guild(f"Guild {name}")
    return {
        "guild": guild.id,
        "news": emu.add_text_channel(guild.id, "news").id,
        "other": emu.add_text_channel(guild.id, "other").id,
        "mod": emu.add_member(guild.id, f"mod{name}", permissions=MANAGE_GUILD).id,
        "member": emu.add_member(guild.id, f"member{name}", permissions=0).id,
    }


def setup_guild(emu: DiscordEmulator, name: str = "A") -> tuple[int, int, int, int]:
    """The ids of a new world's guild, `news`, `other` and moderator."""
    w = world(emu, name)
    return w["guild"], w["news"], w["other"], w["mod"]


async def slash(
    emu: DiscordEmulator, w: dict[str, int], who: str, command: str, **options: Any
) -> str:
    attachments = options.pop("attachments", None)
    reply = await emu.slash(
        w["guild"], w["news"], w[who], command, options=options, attachments=attachments
    )
    assert reply.ephemeral, f"/{command} replied publicly"
    assert "Traceback" not in reply.text and "went wrong on our side" not in reply.text
    return reply.text


async def polls(srv: FeedServer, path: str, more: int) -> None:
    """Wait until the bot has fetched `path` `more` more times (proof that it polled)."""
    await srv.wait_for_requests(path, len(srv.requests(path)) + more, timeout=20)
