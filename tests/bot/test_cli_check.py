"""`newsdesk check`: each problem in one sentence, non-zero exit, the token never shown."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.newsdesk_cli import newsdesk_command

TOKEN = "sekrit-token-value-123"


def check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "DISCORD_"))}
    return subprocess.run(
        [*newsdesk_command(), "check"],
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
