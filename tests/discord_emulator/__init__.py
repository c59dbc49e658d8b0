"""A local Discord (REST v10 + gateway websocket) for end-to-end tests of the real,
unmodified discord.py client. Point the client at `emu.api_url` / `emu.gateway_url`.

Notes for test authors:
- `emu.messages(channel)` holds channel posts only; interaction replies and follow-ups are
  read from the `InteractionResult` that `emu.slash()` returns.
- The first follow-up after a deferral replaces the "thinking" message (as on Discord), so
  it is both `r.message` and `r.followups[0]`; `r.text` counts it once.
- Every message-creating body must carry `allowed_mentions`
  (`DiscordEmulator(require_allowed_mentions=False)` turns that off).
- Waits raise `EmulatorTimeout`, both a `TimeoutError` and an `AssertionError`.
- `emu.slash_nowait()` dispatches without waiting; `await r.wait_answer()` later.
- Regenerate `openapi_subset.json` with `python -m tests.discord_emulator.extract_spec`.
"""

from .emulator import CommandRegistration, DiscordEmulator, EmulatorTimeout
from .interactions import InteractionResult
from .state import Attachment, Channel, Guild, Member, Message, Role, User

__all__ = [
    "Attachment",
    "Channel",
    "CommandRegistration",
    "DiscordEmulator",
    "EmulatorTimeout",
    "Guild",
    "InteractionResult",
    "Member",
    "Message",
    "Role",
    "User",
]
