"""How tests start the installed `newsdesk` command."""

from __future__ import annotations

import sys
from pathlib import Path


def newsdesk_command() -> list[str]:
    script = Path(sys.executable).with_name("newsdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
