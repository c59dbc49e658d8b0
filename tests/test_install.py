"""A user's install: a fresh virtual environment with the pip that comes with Python, then
`pip install .`, then `newsdesk preview` of an HTML article (#17: lxml_html_clean was left
out by that pip, and every `fulltext` source silently fell back to the feed's text)."""

from __future__ import annotations

import json
import subprocess
import venv
from pathlib import Path

import pytest

from tests.bot.services.test_preview import ARTICLE_HTML

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_pip_install_with_the_bundled_pip_gives_a_working_preview(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)  # ensurepip: the pip this Python ships
    python = env_dir / "bin" / "python"
    pip_version = subprocess.run(
        [python, "-m", "pip", "--version"], capture_output=True, text=True, check=True
    ).stdout
    install = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    page = tmp_path / "article.html"
    page.write_text(ARTICLE_HTML, encoding="utf-8")
    result = subprocess.run(
        [env_dir / "bin" / "newsdesk", "preview", str(page), "--json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, f"{pip_version}\n{result.stderr[-3000:]}"
    brief = json.loads(result.stdout)
    assert "Northwind" in brief["introduction"] and brief["source"] == "Datacenter Ledger"
    check = subprocess.run(
        [env_dir / "bin" / "newsdesk", "check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "NEWSDESK_DATABASE": str(tmp_path / "n.db")},
    )
    assert "extraction is unavailable" not in check.stderr, check.stderr
