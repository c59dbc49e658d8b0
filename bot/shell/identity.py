"""Who the bot is on Discord, and the link that invites it to a server."""

from __future__ import annotations

import discord

from bot.errors import ConfigError
from bot.settings import Settings
from bot.shell.endpoints import use_discord_endpoints

# Exactly what newsdesk uses: reading the channels it posts in, posting embeds, reading
# recent history to check a post went out, and opening a discussion thread on a post when a
# source asks for it. Webhook posts also need Manage Webhooks, granted only where wanted. No
# privileged intent is needed.
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    read_message_history=True,
    create_public_threads=True,
)
SCOPES = ("bot", "applications.commands")


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=SCOPES)


async def bot_identity(settings: Settings, token: str) -> tuple[str, int]:
    """The bot's name and application id, asked of Discord. Raises ConfigError when Discord
    refuses the token, OSError / aiohttp.ClientError when it cannot be reached."""
    use_discord_endpoints(settings.discord_api_url, settings.discord_gateway_url)
    client = discord.Client(intents=discord.Intents.none())
    try:
        await client.login(token)
    except discord.LoginFailure:
        raise ConfigError("Discord refused the token: check DISCORD_TOKEN.") from None
    finally:
        await client.close()
    assert client.user is not None and client.application_id is not None
    return str(client.user), client.application_id
