"""Moderators' regular expressions, run by RE2: linear time whatever the pattern, so no
pattern (`(a+)+$`) can stall the bot on a long text, as a backtracking engine would."""

from __future__ import annotations

from functools import lru_cache

import re2

MAX_PATTERN = 300

_OPTIONS = re2.Options()
_OPTIONS.case_sensitive = False  # as keywords are: moderators think in words, not cases
_OPTIONS.log_errors = False  # a bad pattern is the moderator's to hear, not the log's


class PatternError(ValueError):
    """The pattern is too long or RE2 cannot read it; the message says why."""


@lru_cache(maxsize=1024)
def compiled(pattern: str) -> re2._Regexp:
    """The compiled pattern. Raises PatternError."""
    if len(pattern) > MAX_PATTERN:
        raise PatternError(f"it is longer than {MAX_PATTERN} characters")
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "it cannot be read"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(str(reason)) from None


def matches(pattern: str, text: str) -> bool:
    """Whether the pattern occurs anywhere in text. Raises PatternError."""
    return compiled(pattern).search(text) is not None
