"""Running the client: the app and the Discord connection opened together, closed on a
signal; and a one-off login to register the slash commands."""

from __future__ import annotations

import asyncio
import signal

import discord

from bot.app import open_app
from bot.errors import ConfigError
from bot.settings import Settings
from bot.shell.client import NewsBot
from bot.shell.command_sync import sync_commands
from bot.shell.endpoints import use_discord_endpoints
from bot.shell.senders import DiscordSender

TOKEN_REFUSED = "Discord refused the token: check DISCORD_TOKEN."


async def run_bot(settings: Settings, token: str) -> None:
    """Run until SIGINT or SIGTERM. Raises ConfigError when Discord refuses the token."""
    use_discord_endpoints(settings.discord_api_url, settings.discord_gateway_url)
    sender = DiscordSender()
    async with open_app(settings, sender=sender) as app:
        bot = NewsBot(app)
        sender.connect(bot)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: asyncio.create_task(bot.close()))
        try:
            async with bot:
                await bot.start(token)
        except discord.LoginFailure:
            raise ConfigError(TOKEN_REFUSED) from None


async def register_commands(settings: Settings, token: str, guild_id: int | None) -> None:
    """Register the slash commands now, changed or not. Raises ConfigError."""
    use_discord_endpoints(settings.discord_api_url, settings.discord_gateway_url)
    async with open_app(settings) as app:
        bot = NewsBot(app, background=False)
        async with bot:
            try:
                await bot.login(token)  # runs setup_hook, which loads the cogs
            except discord.LoginFailure:
                raise ConfigError(TOKEN_REFUSED) from None
            await sync_commands(
                bot.tree, app.storage, dev_guild_id=guild_id or settings.dev_guild_id, force=True
            )
