"""Issue 2: the real process, end to end, against the local Discord emulator."""

from __future__ import annotations

from collections.abc import Callable

from bot import __version__
from tests.discord_emulator import DiscordEmulator
from tests.e2e.harness import BotProcess, setup_guild


async def ask_status(emu: DiscordEmulator, guild: int, channel: int, member: int) -> str:
    reply = await emu.slash(guild, channel, member, "newsdesk status", timeout=10)
    assert reply.ephemeral
    assert reply.elapsed_ack < 3
    return reply.text


async def test_start_register_answer_and_stop_cleanly(
    discord_emulator: DiscordEmulator, newsdesk: Callable[..., BotProcess]
) -> None:
    emu = discord_emulator
    guild, channel, _, mod = setup_guild(emu)
    bot = newsdesk()
    await bot.start()
    await emu.wait_for_commands(timeout=10)
    assert len(emu.command_registrations) == 1
    names = {c["name"] for c in emu.commands()}
    assert {"newsdesk", "source"} <= names

    text = await ask_status(emu, guild, channel, mod)
    assert "Sources" in text and "0 ok" in text and __version__ in text
    assert await bot.stop() == 0
    assert "Traceback" not in bot.log()
    assert "test-token" not in bot.log()

    # Same commands: a second start does not register them again.
    await bot.start()
    assert "Sources" in await ask_status(emu, guild, channel, mod)
    assert len(emu.command_registrations) == 1
    assert await bot.stop() == 0


async def test_the_same_scenario_survives_429_503_and_reconnect(
    discord_emulator: DiscordEmulator, newsdesk: Callable[..., BotProcess]
) -> None:
    emu = discord_emulator
    guild, channel, _, mod = setup_guild(emu)
    emu.faults.rest(status=429, retry_after=0.3, count=1, method="PUT", path_contains="/commands")
    emu.faults.rest(status=503, count=1, method="POST", path_contains="/callback")
    bot = newsdesk()
    await bot.start()
    await emu.wait_for_commands(timeout=10)
    resumes = emu.stats.get("resumes", 0)
    await emu.gateway_reconnect()
    await emu.wait_for(lambda: emu.stats.get("resumes", 0) > resumes, timeout=15)
    assert "Sources" in await ask_status(emu, guild, channel, mod)
    assert await bot.stop() == 0
    assert len(emu.command_registrations) == 1
