"""The `brief` embed: house format, escaping, every limit (also under hypothesis)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.brief.model import Brief, KeyDetails
from bot.pipeline.render import MISMATCH_NOTE, render
from bot.text.limits import EMBED_TOTAL_LIMIT
from bot.text.markdown import embed_length
from tests.bot.pipeline.test_render import ITEM, SOURCE

BRIEF_SOURCE = replace(SOURCE, style="brief")
BRIEF = Brief(
    introduction="Northwind Systems agreed to buy Coldfront for $2.1 billion.",
    key_details=KeyDetails(
        who="Northwind Systems; Priya Raman (chief executive)",
        what="Northwind Systems agreed to buy Coldfront",
        when="Tuesday (11 March 2025)",
        where="Austin",
    ),
    why_it_matters=["Racks need liquid cooling.", "The largest deal in its history."],
    takeaway="The deal should close in the third quarter.",
)


def test_brief_embed_has_the_house_format() -> None:
    embed = render(ITEM, BRIEF_SOURCE, "Feed", BRIEF).embed
    assert embed is not None
    assert embed["author"]["name"] == "Tech Wire" and embed["footer"]["text"] == "Tech Wire"
    assert embed["title"] == "A title" and embed["url"] == ITEM.url
    assert embed["description"] == BRIEF.introduction
    assert embed["thumbnail"] == {"url": ITEM.image_url}
    assert embed["timestamp"] == ITEM.published_at.isoformat()  # type: ignore[union-attr]
    names = [f["name"] for f in embed["fields"]]
    assert names == ["Key details", "Why it matters", "Takeaway"]
    details = embed["fields"][0]["value"].splitlines()
    assert details == [
        "**Who:** Northwind Systems; Priya Raman (chief executive)",
        "**What:** Northwind Systems agreed to buy Coldfront",
        "**When:** Tuesday (11 March 2025)",
        "**Where:** Austin",
    ]
    assert embed["fields"][1]["value"].splitlines()[0] == "• Racks need liquid cooling."


def test_summary_style_uses_the_brief_introduction() -> None:
    embed = render(ITEM, SOURCE, "Feed", BRIEF).embed
    assert embed is not None and embed["description"] == BRIEF.introduction
    assert "fields" not in embed


def test_brief_style_without_a_brief_falls_back_to_summary() -> None:
    embed = render(ITEM, BRIEF_SOURCE, "Feed", None).embed
    assert embed is not None and "fields" not in embed and embed["description"]


def test_headline_ignores_the_brief() -> None:
    payload = render(ITEM, replace(SOURCE, style="headline"), "Feed", BRIEF)
    assert payload.embed is None and payload.content == f"A title\n{ITEM.url}"


def test_markdown_and_mentions_are_escaped() -> None:
    brief = BRIEF.model_copy(
        update={
            "introduction": "@everyone **bold** <@123456789012345678>",
            "key_details": KeyDetails(who="@here _x_"),
        }
    )
    embed = render(ITEM, BRIEF_SOURCE, "Feed", brief).embed
    assert embed is not None
    assert "@everyone" not in embed["description"] and "\\*\\*bold" in embed["description"]
    assert "@here" not in embed["fields"][0]["value"]


def test_title_mismatch_is_noticed() -> None:
    brief = BRIEF.model_copy(update={"title_mismatch": True})
    embed = render(ITEM, BRIEF_SOURCE, "Feed", brief).embed
    assert embed is not None and MISMATCH_NOTE in embed["description"]


@settings(max_examples=60, deadline=None)
@given(
    title=st.text(max_size=600),
    intro=st.text(max_size=700),
    details=st.lists(st.one_of(st.none(), st.text(max_size=300)), min_size=6, max_size=6),
    bullets=st.lists(st.text(max_size=200), max_size=3),
    takeaway=st.one_of(st.none(), st.text(max_size=400)),
    name=st.text(max_size=400),
)
def test_every_limit_holds(
    title: str,
    intro: str,
    details: list[str | None],
    bullets: list[str],
    takeaway: str | None,
    name: str,
) -> None:
    brief = Brief(
        introduction=intro,
        key_details=KeyDetails(
            **dict(zip(("who", "what", "when", "where", "why", "how"), details, strict=True))
        ),
        why_it_matters=bullets,
        takeaway=takeaway,
        title_mismatch=bool(len(intro) % 2),
    )
    embed = render(replace(ITEM, title=title), replace(BRIEF_SOURCE, name=name), "F", brief).embed
    assert embed is not None
    assert len(embed["title"]) <= 256 and len(embed["author"]["name"]) <= 256
    assert len(embed.get("description", "")) <= 700
    assert len(embed["footer"]["text"]) <= 2048
    for field in embed.get("fields", []):
        assert 0 < len(field["value"]) <= 1024 and len(field["name"]) <= 256
    assert len(embed.get("fields", [])) <= 25
    assert embed_length(embed) <= EMBED_TOTAL_LIMIT
