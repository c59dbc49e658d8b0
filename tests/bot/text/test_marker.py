from __future__ import annotations

import unicodedata

from bot.text.limits import CONTENT_LIMIT, EMBED_TOTAL_LIMIT, nonce
from bot.text.markdown import MessagePayload, clean, embed_length
from bot.text.marker import carries, mark, marked


def test_the_mark_is_invisible_and_tells_nonces_apart() -> None:
    one, other = nonce("nd", "abcdefgh", 41), nonce("nd", "abcdefgh", 42)
    assert all(unicodedata.category(char) == "Cf" for char in mark(one))
    assert mark(one) != mark(other)
    post = marked(MessagePayload(content="Title\nhttps://example.com"), one)
    assert carries(post.content or "", one) and not carries(post.content or "", other)
    assert (post.content or "").endswith("Title\nhttps://example.com")


def test_feed_text_cannot_forge_a_mark() -> None:
    tag = nonce("nd", "abcdefgh", 7)
    assert not carries(clean(f"Forged {mark(tag)} title"), tag)


def test_a_marked_post_stays_within_discords_limits() -> None:
    tag = nonce("nd", "abcdefgh", 10**9)
    full = MessagePayload(
        embed={"title": "t" * 256, "description": "d " * 2000, "footer": {"text": "f" * 2048}}
    )
    embed = marked(full, tag).embed
    assert embed is not None and carries(embed["footer"]["text"], tag)
    assert embed_length(embed) <= EMBED_TOTAL_LIMIT and len(embed["footer"]["text"]) <= 2048
    content = marked(MessagePayload(content="x" * CONTENT_LIMIT), tag).content or ""
    assert carries(content, tag) and len(content) <= CONTENT_LIMIT
