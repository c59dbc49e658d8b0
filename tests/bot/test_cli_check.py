"""`newsdesk check`: each problem in one sentence, non-zero exit, the token never shown."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.discord_emulator import DiscordEmulator
from tests.newsdesk_cli import newsdesk_command

TOKEN = "sekrit-token-value-123"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def check(tmp_path: Path, *verb: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "DISCORD_"))}
    # Never Discord itself: a closed local port unless a test gives the emulator.
    clean["NEWSDESK_DISCORD_API_URL"] = f"http://127.0.0.1:{closed_port()}/api/v10"
    return subprocess.run(
        [*newsdesk_command(), *(verb or ["check"])],
        cwd=tmp_path,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_all_good(tmp_path: Path) -> None:
    result = check(tmp_path, DISCORD_TOKEN=TOKEN, NEWSDESK_DATABASE=str(tmp_path / "n.db"))
    assert result.returncode == 0, result.stderr
    assert TOKEN not in result.stdout + result.stderr


def test_missing_token(tmp_path: Path) -> None:
    result = check(tmp_path, NEWSDESK_DATABASE=str(tmp_path / "n.db"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DISCORD_TOKEN is not set" in lines[0]


def test_database_in_a_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "nope" / "n.db"
    result = check(tmp_path, DISCORD_TOKEN=TOKEN, NEWSDESK_DATABASE=str(path))
    assert result.returncode == 1
    assert "does not exist" in result.stderr and str(path.parent) in result.stderr
    assert "Traceback" not in result.stderr


def test_a_postgresql_url_is_refused_until_support_is_complete(tmp_path: Path) -> None:
    # #20: the PostgreSQL backend is not selectable while some stores are not ported.
    url = "postgresql://newsdesk@localhost/newsdesk"
    result = check(tmp_path, DISCORD_TOKEN=TOKEN, NEWSDESK_DATABASE=url)
    assert result.returncode == 1
    assert "PostgreSQL support is not complete yet" in result.stderr
    assert "Traceback" not in result.stderr


def test_database_in_a_read_only_folder(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        folder = Path("/sys")  # not writable even by root
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
    result = check(tmp_path, DISCORD_TOKEN=TOKEN, NEWSDESK_DATABASE=str(folder / "n.db"))
    assert result.returncode == 1
    assert "is not writable" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("variable", ["NEWSDESK_DISCORD_API_URL", "NEWSDESK_DISCORD_GATEWAY_URL"])
def test_bad_url_is_one_sentence_without_the_token(tmp_path: Path, variable: str) -> None:
    result = check(
        tmp_path,
        DISCORD_TOKEN=TOKEN,
        NEWSDESK_DATABASE=str(tmp_path / "n.db"),
        **{variable: "not a url"},
    )
    assert result.returncode == 1
    assert variable in result.stderr and "Traceback" not in result.stderr
    assert TOKEN not in result.stdout + result.stderr


def test_no_token_in_run_output_either(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "DISCORD_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={
            **clean,
            "NEWSDESK_DATABASE": str(tmp_path / "n.db"),
            "NEWSDESK_DISCORD_API_URL": "ftp://x",
        },
        timeout=60,
        check=False,
    )
    assert result.returncode != 0 and "NEWSDESK_DISCORD_API_URL" in result.stderr


async def check_async(tmp_path: Path, **env: str) -> tuple[int, str, str]:
    """`newsdesk check` without blocking this event loop (the emulator runs in it)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "DISCORD_"))}
    process = await asyncio.create_subprocess_exec(
        *newsdesk_command(),
        "check",
        cwd=tmp_path,
        env={**clean, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def test_the_token_is_checked_with_discord_and_the_invite_printed(
    tmp_path: Path, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    env = {"NEWSDESK_DATABASE": str(tmp_path / "n.db"), "NEWSDESK_DISCORD_API_URL": emu.api_url}
    code, out, err = await check_async(tmp_path, DISCORD_TOKEN=emu.token, **env)
    assert code == 0, err
    assert "belongs to Newsdesk" in out and str(emu.application_id) in out
    assert "scope=bot+applications.commands" in out and "permissions=34359823360" in out
    code, _, err = await check_async(tmp_path, DISCORD_TOKEN="not-the-token", **env)
    assert code == 1 and "Discord refused the token" in err


def test_an_unreachable_discord_is_said_not_failed(tmp_path: Path) -> None:
    result = check(tmp_path, DISCORD_TOKEN=TOKEN, NEWSDESK_DATABASE=str(tmp_path / "n.db"))
    assert result.returncode == 0 and "could not be reached" in result.stdout


def test_invite_reads_the_application_id_from_the_token(tmp_path: Path) -> None:
    token = base64.b64encode(b"123456789012345678").decode().rstrip("=") + ".x.y"
    result = check(tmp_path, "invite", DISCORD_TOKEN=token)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "https://discord.com/oauth2/authorize?client_id=123456789012345678"
        "&scope=bot+applications.commands&permissions=34359823360"
    )
    assert check(tmp_path, "invite", DISCORD_TOKEN="junk").returncode == 2


@pytest.mark.parametrize(
    "verb",
    [
        ["run"],
        ["check"],
        ["invite"],
        ["poll"],
        ["sync-commands"],
        ["preview"],
        ["sources", "import"],
        ["sources", "export"],
    ],
)
def test_every_verb_and_option_explains_itself(tmp_path: Path, verb: list[str]) -> None:
    result = check(tmp_path, *verb, "--help")
    assert result.returncode == 0
    text = result.stdout
    description = text.split("\n\n")[1]
    assert len(description) > 40, text
    options = [line for line in text.splitlines() if line.strip().startswith("--")]
    assert all(len(line.split(maxsplit=2)) == 3 or "help" in line for line in options), text
    if "--guild" in text or "--channel" in text:
        assert "Developer Mode" in text and "Copy ID" in text
