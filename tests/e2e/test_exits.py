"""Issue 16: the process ends with one sentence, or waits for Discord, never a traceback."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

from tests.discord_emulator import DiscordEmulator
from tests.e2e.harness import BotProcess


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_for_log(bot: BotProcess, text: str, count: int = 1) -> None:
    async with asyncio.timeout(30):
        while bot.log().count(text) < count:
            assert not bot.exited, bot.log()
            await asyncio.sleep(0.05)  # a child process's log file has no event to wait on


async def test_a_token_revoked_while_running_ends_with_one_sentence(
    discord_emulator: DiscordEmulator, newsdesk: Callable[..., BotProcess]
) -> None:
    emu = discord_emulator
    bot = newsdesk()
    await bot.start()
    emu.token = "revoked-by-the-owner"
    await emu.gateway_reconnect()  # the resume meets close code 4004
    assert bot.process is not None
    async with asyncio.timeout(30):
        code = await bot.process.wait()
    assert code == 1
    assert "Discord refused the token: check DISCORD_TOKEN." in bot.log()
    assert "Traceback" not in bot.log()


async def test_an_unreachable_api_is_waited_for_with_one_line_per_try(
    newsdesk: Callable[..., BotProcess],
) -> None:
    bot = newsdesk(NEWSDESK_DISCORD_API_URL=f"http://127.0.0.1:{closed_port()}/api/v10")
    await bot.start(wait_ready=False)
    await wait_for_log(bot, "cannot reach the Discord API", count=2)
    assert await bot.stop() == 0
    assert "Traceback" not in bot.log()
    assert "trying again in 2 s" in bot.log() and "trying again in 4 s" in bot.log()


async def test_an_unreachable_gateway_is_waited_for_without_a_crash(
    newsdesk: Callable[..., BotProcess],
) -> None:
    bot = newsdesk(NEWSDESK_DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{closed_port()}/")
    await bot.start(wait_ready=False)
    await wait_for_log(bot, "cannot reach the Discord gateway", count=2)
    assert await bot.stop() == 0
    log = bot.log()
    assert "Traceback" not in log and "AttributeError" not in log
