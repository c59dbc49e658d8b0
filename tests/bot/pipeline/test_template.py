from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.brief.model import MAX_DETAIL, MAX_INTRO, MAX_TAKEAWAY, Brief, KeyDetails
from bot.pipeline.render import render
from bot.pipeline.template import PLACEHOLDERS, TEMPLATE_LIMIT, fill, template_problem
from bot.text.limits import DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT
from bot.text.markdown import embed_length
from storage.models import Item
from tests.models import make_source

NOW = datetime(2026, 12, 3, 13, 5, tzinfo=UTC)
ITEM = Item(
    id=1,
    feed_id=1,
    key="k",
    title="Acme ships a faster chip",
    url="https://example.com/chip",
    summary="Acme said on Tuesday that its chip is twice as fast. It ships in March.",
    content="",
    author="Jo Writer",
    image_url="https://example.com/chip.png",
    published_at=NOW,
    first_seen_at=NOW,
    brief_json=None,
    categories=("Hardware", "Chips"),
)
BRIEF = Brief(
    introduction="Acme said on Tuesday that its new chip is twice as fast.",
    key_details=KeyDetails(who="Acme", when="Tuesday"),
    why_it_matters=["Phones last longer.", "Rivals must answer."],
    takeaway="The chip ships in March.",
)
EVERY = " ".join(f"{name}={{{name}}}" for name in PLACEHOLDERS)


@pytest.mark.parametrize(
    ("template", "sentence"),
    [
        ("{titel}", "no placeholder {titel}: did you mean {title}?"),
        ("{why_it_maters}", "did you mean {why_it_matters}?"),
        ("{zzzzzz}", "no placeholder {zzzzzz}: see /source edit's help."),
        ("{title.__class__}", "no placeholder {title.__class__}"),
        ("{title[0]}", "no placeholder {title[0]}"),
        ("{title!r}", "Write {title} without !r"),
        ("{title:>40}", "Only {published} takes a format"),
        ("{published:{title}}", "at most 60 characters"),
        ("{}", "needs a name"),
        ("{title", "cannot be read"),
        ("x" * (TEMPLATE_LIMIT + 1), f"at most {TEMPLATE_LIMIT} characters"),
    ],
)
def test_a_template_that_cannot_be_used_says_why(template: str, sentence: str) -> None:
    problem = template_problem(template)
    assert problem is not None and sentence in problem


def test_every_placeholder_and_literal_braces_are_accepted() -> None:
    assert template_problem(EVERY) is None
    assert template_problem("{{literal}} **{title}** {published:%Y-%m-%d %H:%M}") is None


def test_every_placeholder_is_filled() -> None:
    text = fill(EVERY, ITEM, BRIEF, source_name="Tech Wire", timezone="UTC", limit=4096)
    assert "title=Acme ships a faster chip" in text
    assert "link=https://example.com/chip" in text and "image=https://example.com/chip.png" in text
    assert "source=Tech Wire" in text and "author=Jo Writer" in text
    assert "categories=Hardware, Chips" in text
    assert "introduction=Acme said on Tuesday that its new chip is twice as fast." in text
    assert "who=Acme" in text and "when=Tuesday" in text and "where= " in text
    assert "why_it_matters=• Phones last longer.\n• Rivals must answer." in text
    assert "takeaway=The chip ships in March." in text
    assert "summary=Acme said on Tuesday that its chip is twice as fast. It ships in March." in text


def test_dates_are_in_the_servers_time_zone() -> None:
    text = fill(
        "{published} / {published:%A %H:%M}",
        ITEM,
        None,
        source_name="s",
        timezone="Europe/Berlin",
        limit=200,
    )
    assert text == "03 Dec 2026, 14:05 CET / Thursday 14:05"
    assert fill("{published}", ITEM, None, source_name="s", timezone="Nowhere/Else", limit=99) == (
        "03 Dec 2026, 13:05 UTC"
    )


def test_feed_text_is_escaped_and_the_moderators_markdown_kept() -> None:
    hostile = replace(
        ITEM, title="@everyone **win** <@&123456789012345678>", author="[x](https://e)"
    )
    text = fill(
        "**{title}** by {author}", hostile, None, source_name="s", timezone="UTC", limit=500
    )
    assert text.startswith("**") and "\\*\\*win\\*\\*" in text
    assert "@everyone" not in text and "<@&123456789012345678>" not in text
    assert "\\[x](https://e)" in text  # a masked link is broken, as in every post


def test_every_placeholder_at_its_limit_fits_discord() -> None:
    long = "word " * 2000
    item = replace(
        ITEM,
        title=long,
        summary=long,
        author=long,
        categories=tuple(f"tag{n} " * 20 for n in range(10)),
    )
    brief = Brief(
        introduction=("intro " * 200)[:MAX_INTRO],
        key_details=KeyDetails(**{n: ("d " * 200)[:MAX_DETAIL] for n in KeyDetails.model_fields}),
        why_it_matters=[("b " * 200)[:300]] * 3,
        takeaway=("t " * 300)[:MAX_TAKEAWAY],
    )
    template = "\n".join(f"**{name}:** {{{name}}}" for name in PLACEHOLDERS)
    assert template_problem(template) is None
    source = make_source(name="n" * 100, template=template, embed_color=0x1E90FF)
    embed = render(item, source, "Feed", brief).embed
    assert embed is not None
    assert len(embed["description"]) <= DESCRIPTION_LIMIT
    assert embed_length(embed) <= EMBED_TOTAL_LIMIT
    # The moderator's labels all survive; the values share what room is left.
    assert all(f"**{name}:**" in embed["description"] for name in PLACEHOLDERS)
    assert embed["color"] == 0x1E90FF


def test_a_template_replaces_the_style_and_colour_and_picture_apply_to_any_embed() -> None:
    source = make_source(template="{who} · {when}\n{link}", show_image=False)
    embed = render(ITEM, source, "Feed", BRIEF).embed
    assert embed is not None
    assert embed["title"] == ITEM.title and embed["description"] == (
        "Acme · Tuesday\nhttps://example.com/chip"
    )
    assert "thumbnail" not in embed and "fields" not in embed
    plain = render(ITEM, make_source(style="summary", embed_color=0xFF0000), "Feed").embed
    assert plain is not None and plain["color"] == 0xFF0000 and "thumbnail" in plain
