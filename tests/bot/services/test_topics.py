"""Key phrases and trending stories, computed from stored items; DM and search rendering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services.follows import dm_embed, normalize_keywords
from bot.services.topics import key_phrases, most_covered
from bot.shell.replies import snippet_markdown
from bot.text.limits import nonce
from bot.text.markdown import link, safe_url
from storage.follows import DMBatch, FollowMatch
from storage.search import MARK_END, MARK_START, StoryLine

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_key_phrases_are_what_the_period_talks_about() -> None:
    period = [
        "Open-weight models from Mistral top the charts.",
        "Why open-weight models matter for startups",
        "Regulators look at open-weight models and safety",
        "Subsea cable cut near Yemen",
        "Repair ship heads to the subsea cable break",
        "The weather is nice today.",
    ]
    background = [f"Quarterly earnings and the weather report {n}" for n in range(40)]
    phrases = key_phrases(period, background, limit=5)
    assert [p.lower() for p in phrases[:2]] == ["open-weight models", "subsea cable"]
    assert "the" not in [p.lower() for p in phrases]
    assert all(p.lower() != "models" for p in phrases)  # folded into the longer phrase
    assert "weather" not in " ".join(phrases).lower()  # common in the background


def test_key_phrases_keep_the_written_form() -> None:
    docs = ["OpenAI ships GPT-5", "OpenAI ships GPT-5 to everyone", "GPT-5 reviews"]
    assert key_phrases(docs, limit=3)[0] in {"OpenAI ships GPT-5", "GPT-5"}
    assert key_phrases([], limit=3) == []


def line(n: int, feed: int, title: str, story: int | None = None) -> StoryLine:
    return StoryLine(n, feed, title, None, "", f"Source {feed}", NOW - timedelta(hours=n), story)


def test_most_covered_groups_by_story_then_title() -> None:
    lines = [
        line(1, 1, "Chip plant opens", story=7),
        line(2, 2, "New fab starts production", story=7),
        line(3, 3, "Chip plant opens in Arizona", story=7),
        line(4, 1, "Cable cut"),
        line(5, 2, "Cable cut!"),
        line(6, 1, "Lonely story"),
    ]
    top = most_covered(lines)
    assert [s.coverage for s in top] == [3, 2, 1]
    assert top[0].sources == ["Source 3", "Source 2", "Source 1"]
    assert top[1].title.startswith("Cable cut")


def test_dm_embed_lists_every_match_within_limits() -> None:
    matches = [
        FollowMatch(n, n, f"@everyone story {n} " + "x" * 200, f"https://e.example/{n}",
                    "Wire", NOW, "chip")
        for n in range(1, 60)
    ]  # fmt: skip
    embed = dm_embed(DMBatch(1, 2, matches), "Newsroom")
    assert len(embed["description"]) <= 4096
    assert "@everyone" not in embed["description"]
    assert "more: use /topic search" in embed["description"]
    assert embed["title"] == "59 new stories for your follows"
    assert len(nonce("nf", "abcdef01", DMBatch(1, 2, matches).first_id * 10**30)) == 25


def test_links_and_snippets_cannot_break_markdown() -> None:
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://e.example/a b)") == "https://e.example/a%20b%29"
    assert link("[x](y) **z**", "https://e.example") == r"[\[x\](y) \*\*z\*\*](<https://e.example>)"
    marked = f"a {MARK_START}*chip*{MARK_END} b"
    assert snippet_markdown(marked) == r"a **\*chip\*** b"
    assert MARK_START not in snippet_markdown(f"{MARK_START}x")
    assert normalize_keywords("  Open-Weight   MODELS ") == "open-weight models"
