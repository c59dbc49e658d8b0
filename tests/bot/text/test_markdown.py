"""bot.text.markdown: feed text made inert for Discord."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.text.markdown import clean, link, truncate

# A masked link forms only where `[` is not escaped; a mention only where `@` or `<@` is whole.
_LIVE_LINK = re.compile(r"(?<!\\)\[[^\]]*\]\(")
_LIVE_MENTION = re.compile(r"@(everyone|here)|<[@#][!&]?\d")

_pieces = st.sampled_from(
    [
        "[phish](https://evil.example/x)",
        "[a](<https://evil.example>)",
        "](",
        "[",
        "@everyone",
        "@here",
        "<@123456789012345678>",
        "<#1>",
        "**bold**",
        "`code`",
        "> quote",
        "# Heading",
        "https://example.com/a_b*c",
        " ",
        "word",
    ]
)


@given(st.lists(_pieces, max_size=12).map("".join))
def test_no_masked_link_or_mention_survives(text: str) -> None:
    cleaned = clean(text)
    assert not _LIVE_LINK.search(cleaned), cleaned
    assert not _LIVE_MENTION.search(cleaned), cleaned


def test_every_masked_link_is_broken_not_only_the_first() -> None:
    text = "[one](https://a.example) and [two](https://b.example) and [three](https://c.example)"
    assert clean(text).count("\\[") == 3


def test_plain_urls_stay_whole() -> None:
    assert clean("see https://example.com/a_b*c now") == "see https://example.com/a_b*c now"


def test_link_escapes_the_title_and_makes_the_url_safe() -> None:
    made = link("Big [news]", "https://example.com/a (b)")
    assert made == "[Big \\[news\\]](<https://example.com/a%20%28b%29>)"


def test_truncate_never_leaves_a_dangling_escape() -> None:
    assert not truncate("a" * 10 + "\\" + "b" * 20, 12).endswith("\\…")
