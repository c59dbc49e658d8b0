from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.discord_emulator import DiscordEmulator
from tests.e2e.harness import BotProcess


@pytest.fixture
async def newsdesk(
    discord_emulator: DiscordEmulator, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Callable[..., BotProcess]]:
    """A factory of `newsdesk run` processes; each is killed at the end and its log shown
    when the test failed."""
    made: list[BotProcess] = []

    def make(**env: str) -> BotProcess:
        workdir = tmp_path / f"bot{len(made)}"
        workdir.mkdir()
        bot = BotProcess(discord_emulator, workdir, **env)
        made.append(bot)
        return bot

    yield make
    for bot in made:
        if bot.process is not None:
            await bot.kill()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for bot in made:
            print(f"----- log of {bot.workdir.name} -----\n{bot.log()[-20000:]}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
