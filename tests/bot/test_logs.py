"""bot.logs and start-up noise: the log says what happens, not that a timer ticked."""

from __future__ import annotations

import logging

import discord
import pytest

import bot.shell.client  # noqa: F401 - importing the shell is what silences the voice warning
from bot.logs import setup_logging


@pytest.fixture(autouse=True)
def _restore_logging() -> object:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_scheduler_job_lines_show_only_when_debugging() -> None:
    jobs = logging.getLogger("apscheduler.executors.default")
    setup_logging("INFO")
    assert not jobs.isEnabledFor(logging.INFO)
    assert jobs.isEnabledFor(logging.WARNING)
    setup_logging("DEBUG")
    assert jobs.isEnabledFor(logging.DEBUG)


def test_no_voice_warning_on_start(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        discord.Client(intents=discord.Intents.none())
    assert not [r for r in caplog.records if "PyNaCl" in r.getMessage()]
