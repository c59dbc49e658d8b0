"""Running the client: the app and the Discord connection opened together, closed on a
signal; Discord unreachable is waited for, a refused token or a session Discord ends for good
is one sentence and a non-zero exit; and a one-off login to register the slash commands."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

import aiohttp
import discord

from bot.app import open_app
from bot.errors import ConfigError
from bot.pipeline.article import fulltext_unavailable
from bot.settings import Settings
from bot.shell.client import NewsBot
from bot.shell.command_sync import sync_commands
from bot.shell.endpoints import use_discord_endpoints
from bot.shell.senders import DiscordSender

log = logging.getLogger(__name__)

TOKEN_REFUSED = "Discord refused the token: check DISCORD_TOKEN."
RETRY_FIRST = 2.0
RETRY_MAX = 60.0
UNREACHABLE = (OSError, aiohttp.ClientError, TimeoutError, discord.GatewayNotFound)


async def run_bot(settings: Settings, token: str) -> None:
    """Run until SIGINT or SIGTERM. Raises ConfigError when Discord refuses the token or
    ends the session for good."""
    use_discord_endpoints(settings.discord_api_url, settings.discord_gateway_url)
    sender = DiscordSender()
    async with open_app(settings, sender=sender) as app:
        if problem := await asyncio.to_thread(fulltext_unavailable):
            log.warning("%s: `fulltext` sources use their feed's text", problem)
        bot = NewsBot(app)
        sender.connect(bot)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: asyncio.create_task(bot.close()))
        async with bot:
            await _when_reachable(bot, "the Discord API", lambda: _login(bot, token))
            await _when_reachable(
                bot, "the Discord gateway", lambda: _probe_gateway(settings.discord_gateway_url)
            )
            if bot.is_closed():
                return
            try:
                await bot.connect()
            except discord.ConnectionClosed as exc:
                if exc.code == 4004:  # authentication failed: the token was revoked
                    raise ConfigError(TOKEN_REFUSED) from None
                raise ConfigError(
                    f"Discord ended the session (close code {exc.code}: {exc.reason or 'none'})."
                ) from None


async def _login(bot: NewsBot, token: str) -> None:
    try:
        await bot.login(token)  # also runs setup_hook: the cogs and the jobs start here
    except discord.LoginFailure:
        raise ConfigError(TOKEN_REFUSED) from None


async def _probe_gateway(url: str) -> None:
    """Open and close one websocket to the gateway: discord.py cannot recover when its very
    first connection fails (it reads the session of a socket it never had)."""
    timeout = aiohttp.ClientWSTimeout(ws_close=5)
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, timeout=timeout, heartbeat=None) as ws,
    ):
        await ws.close()


async def _when_reachable(bot: NewsBot, what: str, attempt: Callable[[], Awaitable[None]]) -> None:
    """Call `attempt` until it gets through, waiting longer each time (at most a minute),
    one log line per try; give up quietly when the bot is being stopped."""
    delay = RETRY_FIRST
    while not bot.is_closed():
        try:
            await attempt()
            return
        except UNREACHABLE as exc:
            log.warning("cannot reach %s (%s); trying again in %.0f s", what, _why(exc), delay)
        try:
            await asyncio.wait_for(bot.stopping.wait(), delay)
        except TimeoutError:
            delay = min(delay * 2, RETRY_MAX)


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


async def register_commands(settings: Settings, token: str, guild_id: int | None) -> None:
    """Register the slash commands now, changed or not. Raises ConfigError."""
    use_discord_endpoints(settings.discord_api_url, settings.discord_gateway_url)
    async with open_app(settings) as app:
        bot = NewsBot(app, background=False)
        async with bot:
            await _login(bot, token)  # runs setup_hook, which loads the cogs
            await sync_commands(
                bot.tree, app.storage, dev_guild_id=guild_id or settings.dev_guild_id, force=True
            )
