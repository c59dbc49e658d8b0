"""Who may moderate: Manage Server, or the guild's moderator role.

The one moderator check: every cog whose commands are moderator commands (`/newsdesk`,
`/source`, `/digest`) returns `moderator_check` from its `interaction_check`, so the bot
checks every one of them itself, whatever the guild's command-permission overrides say.
Autocomplete does not pass through `interaction_check`; moderator autocompletes ask
`is_moderator` and offer nothing to others."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.shell.interactions import Interaction
from storage import AsyncStorage

REFUSAL = (
    "You need the Manage Server permission or this server's newsdesk moderator role to do that."
)


async def is_moderator(interaction: Interaction, storage: AsyncStorage) -> bool:
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    # interaction.permissions is what Discord computed for this member in this channel.
    perms = interaction.permissions
    if perms.administrator or perms.manage_guild:
        return True
    settings = await storage.run(storage.sync.guilds.settings, interaction.guild_id)
    role_id = settings.moderator_role_id
    return role_id is not None and any(role.id == role_id for role in interaction.user.roles)


async def moderator_check(interaction: Interaction, storage: AsyncStorage) -> bool:
    """For a cog's `interaction_check`: raises CheckFailure (so the tree's on_error answers
    with the refusal) unless the member may moderate."""
    if not await is_moderator(interaction, storage):
        raise app_commands.CheckFailure(REFUSAL)
    return True
