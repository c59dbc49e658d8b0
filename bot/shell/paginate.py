"""Splitting long replies so nothing is cut silently."""

from __future__ import annotations

from collections.abc import Iterable


def chunk_lines(lines: Iterable[str], limit: int = 4000) -> list[str]:
    """Join lines into pages of at most `limit` characters; a line longer than a page is
    cut with an ellipsis (the only cut, and a visible one)."""
    pages: list[str] = []
    current = ""
    for line in lines:
        if len(line) > limit:
            line = line[: limit - 1] + "…"
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pages.append(current)
            candidate = line
        current = candidate
    if current:
        pages.append(current)
    return pages
