"""Guild settings (/newsdesk settings) and health (/newsdesk status)."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from bot.clock import Clock
from bot.errors import InvalidOption
from storage import AsyncStorage
from storage.models import GuildSettings, GuildStatus


def valid_timezone(name: str) -> str:
    """The IANA time zone name, checked. Raises InvalidOption."""
    name = name.strip()
    # Only the names tzdata lists: ZoneInfo also opens folders ("America" raised
    # IsADirectoryError) and files that name no zone ("posixrules").
    if name not in _zone_names():
        raise InvalidOption(
            f"“{name[:60]}” is not a time zone; use an IANA name such as Europe/Berlin or UTC."
        )
    return name


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


class GuildService:
    def __init__(self, storage: AsyncStorage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock

    async def settings(self, guild_id: int) -> GuildSettings:
        return await self._storage.run(self._storage.sync.guilds.settings, guild_id)

    async def status(self, guild_id: int) -> GuildStatus:
        return await self._storage.run(self._storage.sync.guilds.status, guild_id, self._clock())

    async def update(self, guild_id: int, user_id: int, **changes: object) -> GuildSettings:
        """Change the given settings (moderator_role_id, alert_channel_id, timezone,
        merge_stories) and audit the change. Raises InvalidOption."""
        if not changes:
            raise InvalidOption("Give at least one setting to change.")
        if "timezone" in changes:
            changes["timezone"] = valid_timezone(str(changes["timezone"]))
        store = self._storage.sync.guilds
        before = await self._storage.run(store.settings, guild_id)
        after = await self._storage.run(store.update_settings, guild_id, self._clock(), **changes)
        await self._storage.run(
            store.audit,
            guild_id,
            user_id,
            "settings",
            target="guild",
            before={k: getattr(before, k) for k in changes},
            after={k: getattr(after, k) for k in changes},
            now=self._clock(),
        )
        return after
