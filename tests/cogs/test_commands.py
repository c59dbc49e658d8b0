"""Every cog loads; command names are unique and every command and option is described."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.app import open_app
from bot.settings import Settings
from bot.shell.client import EXTENSIONS, NewsBot


def walk(options: list[dict[str, Any]], path: str, seen: list[str]) -> None:
    names = [o["name"] for o in options]
    assert len(names) == len(set(names)), f"duplicate names under {path}: {names}"
    for option in options:
        where = f"{path} {option['name']}"
        # discord.py fills a missing description with "…"
        assert option.get("description") not in (None, "", "…"), f"{where} has no description"
        seen.append(where)
        walk(option.get("options", []), where, seen)


async def test_cogs_load_with_unique_described_commands(tmp_path: Path) -> None:
    settings = Settings(database=tmp_path / "db.sqlite", discord_token=None)
    async with open_app(settings) as app:
        bot = NewsBot(app, background=False)
        for extension in EXTENSIONS:
            await bot.load_extension(extension)
        payload = [command.to_dict(bot.tree) for command in bot.tree.get_commands()]
        seen: list[str] = []
        walk(payload, "", seen)
        assert {c["name"] for c in payload} >= {"newsdesk", "source"}
        assert " source add url" in seen and " newsdesk status" in seen
        for command in payload:
            assert command.get("contexts") == [0] or command.get("dm_permission") is False
        await bot.close()
