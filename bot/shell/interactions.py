"""Reading a slash-command interaction: the one type cogs take, and the guild it came from."""

from __future__ import annotations

import discord
from discord import app_commands

Interaction = discord.Interaction[discord.Client]


def guild_id(interaction: Interaction) -> int:
    """The id of the guild the command was used in. Every command group is `guild_only`, so
    Discord never sends one from a DM; if it did, the member is told the command works only
    inside a server (the tree's error handler answers `NoPrivateMessage`)."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


def channel_name(interaction: Interaction, channel_id: int) -> str:
    """The name of a channel of the interaction's guild as the bot's cache knows it, or its
    id when the cache has not got it (deleted, or not visible to the bot)."""
    channel = interaction.guild.get_channel(channel_id) if interaction.guild else None
    return channel.name if channel is not None else str(channel_id)
