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


PostChannel = discord.TextChannel | discord.ForumChannel


class PostChannelOption(app_commands.Transformer):
    """A channel a source may post in: text, announcement or forum. Written out because
    discord.py's own `ForumChannel` option also offers media channels (type 16), which the
    API's channel types do not list."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news, discord.ChannelType.forum]

    async def transform(self, interaction: Interaction, value: object, /) -> PostChannel:
        resolved = value.resolve() if isinstance(value, app_commands.AppCommandChannel) else value
        if not isinstance(resolved, discord.TextChannel | discord.ForumChannel):
            raise app_commands.TransformerError(value, self.type, self)
        return resolved
