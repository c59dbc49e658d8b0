"""pytest plugin: the `discord_emulator` fixture (enable with
`pytest_plugins = ["tests.discord_emulator.fixtures"]`)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from .emulator import DiscordEmulator


def describe_invalid(emu: DiscordEmulator) -> str:
    lines = [f"{len(emu.invalid_bodies)} invalid REST bodies were sent to Discord:"]
    for method, path, errors in emu.invalid_bodies:
        lines.append(f"  {method} {path}: {json.dumps(errors)}")
    return "\n".join(lines)


@pytest.fixture
async def discord_emulator() -> AsyncIterator[DiscordEmulator]:
    """A started emulator; at teardown it is stopped and no invalid body may have been sent."""
    emu = DiscordEmulator(token="test-token")
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    assert emu.invalid_bodies == [], describe_invalid(emu)
    assert emu.server_errors == [], "the emulator failed:\n" + "\n".join(emu.server_errors)
