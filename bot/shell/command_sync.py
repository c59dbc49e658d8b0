"""Register slash commands only when their definitions changed (Discord rate-limits syncs)."""

from __future__ import annotations

import hashlib
import json
import logging

import discord
from discord import app_commands

from storage import AsyncStorage

log = logging.getLogger(__name__)


def commands_hash(
    tree: app_commands.CommandTree[discord.Client], guild: discord.abc.Snowflake | None
) -> str:
    payload = [command.to_dict(tree) for command in tree.get_commands(guild=guild)]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


async def sync_commands(
    tree: app_commands.CommandTree[discord.Client],
    storage: AsyncStorage,
    *,
    dev_guild_id: int | None,
    force: bool = False,
) -> bool:
    """Sync globally, or to the development guild when one is set; skip when the stored hash
    matches (unless forced). Returns whether a sync was sent."""
    guild = discord.Object(id=dev_guild_id) if dev_guild_id else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    scope = f"guild:{dev_guild_id}" if guild else "global"
    key = f"commands_hash:{tree.client.application_id}:{scope}"
    digest = commands_hash(tree, guild)
    if not force and await storage.run(storage.sync.meta.get, key) == digest:
        log.info("slash commands unchanged (%s); not syncing", scope)
        return False
    synced = await tree.sync(guild=guild)
    await storage.run(storage.sync.meta.set, key, digest)
    log.info("synced %d slash commands (%s)", len(synced), scope)
    return True
