"""An invisible mark on a webhook post, so a resend after a crash can find the post instead
of posting it twice (webhooks take no nonce). Pure functions.

The mark is the delivery's nonce written in four zero-width characters (two bits each),
behind a word joiner, at the start of the embed's footer or of the content: nothing a
reader sees, and nothing a feed can forge (feed text is cleaned of zero-width characters).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.text.limits import CONTENT_LIMIT, EMBED_TOTAL_LIMIT, FOOTER_LIMIT
from bot.text.markdown import MessagePayload, embed_length, truncate

_START = "\u2060"
_DIGITS = "\u200b\u200c\u200d\u2063"  # zero-width space, non-joiner, joiner, separator


def mark(nonce: str) -> str:
    """The invisible form of `nonce` (ASCII, as every nonce newsdesk makes)."""
    bits = "".join(
        _DIGITS[(byte >> shift) & 3] for byte in nonce.encode() for shift in (6, 4, 2, 0)
    )
    return _START + bits + _START


def marked(payload: MessagePayload, nonce: str) -> MessagePayload:
    """The payload carrying the mark, still within Discord's limits."""
    tag = mark(nonce)
    if payload.embed is None:
        content = payload.content or ""
        return replace(payload, content=tag + truncate(content, CONTENT_LIMIT - len(tag)))
    embed: dict[str, Any] = {**payload.embed}
    footer = dict(embed.get("footer") or {})
    footer["text"] = tag + truncate(footer.get("text", ""), FOOTER_LIMIT - len(tag))
    embed["footer"] = footer
    over = embed_length(embed) - EMBED_TOTAL_LIMIT
    if over > 0 and embed.get("description"):
        embed["description"] = truncate(embed["description"], len(embed["description"]) - over)
    return replace(payload, embed=embed)


def carries(text: str, nonce: str) -> bool:
    """Whether a posted message's content or footer carries the mark of `nonce`."""
    return mark(nonce) in text
