"""Articles that already carry their key details as labelled lines ("Who: ...")."""

from __future__ import annotations

import re

from bot.brief.model import DETAIL_NAMES

_LABEL = re.compile(
    r"^[\s*_•·-]*(?P<label>who|what|when|where|why|how)[\s*_]*[:：][\s*_]*(?P<value>.+?)[\s*_]*$",
    re.IGNORECASE | re.MULTILINE,
)
_HEADING = re.compile(r"^[\s*_#]*key (?:details|facts)[\s*_:]*$", re.IGNORECASE | re.MULTILINE)


def split_labelled(text: str) -> tuple[dict[str, str], str]:
    """The labelled details (when at least three distinct labels are given, one per line)
    and the text without those lines. An article without them gives ({}, text)."""
    found: dict[str, str] = {}
    for m in _LABEL.finditer(text):
        label = m.group("label").lower()
        found.setdefault(label, " ".join(m.group("value").split()))
    if len(found) < 3:
        return {}, text
    rest = _HEADING.sub("", _LABEL.sub("", text))
    return {name: found[name] for name in DETAIL_NAMES if name in found}, rest
