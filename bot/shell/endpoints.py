"""Point discord.py at the configured Discord (the real one, or a local emulator in tests)."""

from __future__ import annotations

import discord.gateway
import discord.http
import yarl


def use_discord_endpoints(api_url: str, gateway_url: str) -> None:
    # discord.py reads these class attributes on every request and connection (2.7).
    discord.http.Route.BASE = api_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
