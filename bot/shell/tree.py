"""The command tree: one place that turns errors into sentences for the user."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.errors import NewsdeskError, UserError, explain
from bot.redact import hide_credentials
from storage.errors import StoreError

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong on our side. It has been logged; please try again later."


def error_sentence(error: BaseException) -> str:
    """The one sentence a user sees for an error raised by a command."""
    if isinstance(error, NewsdeskError):
        return hide_credentials(error.user_message)
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works only inside a server."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You may not use this command here."
    return UNEXPECTED


class NewsTree(app_commands.CommandTree[discord.Client]):
    async def on_error(
        self, interaction: discord.Interaction[discord.Client], error: app_commands.AppCommandError
    ) -> None:
        original = getattr(error, "original", error)
        if isinstance(original, StoreError):
            original = explain(original)
        if isinstance(original, UserError | app_commands.CheckFailure):
            log.info("refused /%s: %s", _name(interaction), error_sentence(original))
        elif isinstance(original, NewsdeskError):
            log.warning("/%s failed: %s", _name(interaction), original)
        else:
            log.error("/%s raised", _name(interaction), exc_info=original)
        await reply_ephemeral(interaction, error_sentence(original))


async def reply_ephemeral(interaction: discord.Interaction[discord.Client], text: str) -> None:
    """Answer, or follow up if already answered; never raise (the interaction may be gone)."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error reply to /%s", _name(interaction))


def _name(interaction: discord.Interaction[discord.Client]) -> str:
    return interaction.command.qualified_name if interaction.command else "?"
