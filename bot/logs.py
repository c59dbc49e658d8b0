"""Logging, configured once; secrets are scrubbed from every record."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from bot.redact import hide_credentials

REDACTED = "[redacted]"


class RedactSecrets(logging.Filter):
    """Replaces each secret (the bot token, API keys) and every URL password wherever it
    would be printed."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self._scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info:
            # Formatter prints exc_text when exc_info is gone: keep only the scrubbed text.
            record.exc_text = self._scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True

    def _scrub(self, text: str) -> str:
        text = hide_credentials(text)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


class ReconnectOneLine(logging.Filter):
    """discord.py logs every reconnect attempt with a traceback; a lost connection is no bug,
    so the line keeps the error's name and drops the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg).startswith("Attempting a reconnect"):
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} after {type(error).__name__}: {error}"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


def setup_logging(level: str, secrets: Iterable[str] = ()) -> None:
    """Log to stderr at `level`; discord.py's chatty gateway logs stay at INFO or above, the
    scheduler's job lines at DEBUG."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("discord.gateway", "discord.client"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLevelName(level)))
    client = logging.getLogger("discord.client")
    if not any(isinstance(f, ReconnectOneLine) for f in client.filters):
        client.addFilter(ReconnectOneLine())
    # "Running job ..." / "executed successfully" every few seconds: shown only when debugging.
    jobs = logging.DEBUG if logging.getLevelName(level) <= logging.DEBUG else logging.WARNING
    logging.getLogger("apscheduler.executors.default").setLevel(jobs)
    logging.getLogger("apscheduler.scheduler").setLevel(logging.WARNING)
