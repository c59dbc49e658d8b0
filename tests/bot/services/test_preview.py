"""`newsdesk preview URL_OR_FILE [--json]`, run as the real command."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bot.services.preview import local_time, title_and_text
from tests.feed_server import FeedServer
from tests.newsdesk_cli import newsdesk_command

FIELDS = {
    "title",
    "url",
    "source",
    "published",
    "introduction",
    "key_details",
    "why_it_matters",
    "takeaway",
}
DETAILS = {"who", "what", "when", "where", "why", "how"}

ARTICLE_HTML = """<!doctype html><html><head>
<title>Northwind to buy Coldfront | Datacenter Ledger</title>
<meta property="og:site_name" content="Datacenter Ledger">
<meta property="article:published_time" content="2025-03-12T14:05:00+00:00"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/about">About us</a></nav>
<article><h1>Northwind Systems to buy Coldfront for $2.1 billion</h1>
<p>Northwind Systems said on Tuesday that it had agreed to buy Coldfront, a maker of
liquid-cooling equipment for data centres, for $2.1 billion in cash.</p>
<p>Coldfront, which is based in Austin, sells cold plates and coolant distribution units
that sit next to racks of AI servers, where air cooling can no longer carry away the heat.</p>
<p>"Every customer we talk to is redesigning their halls around liquid," said Priya Raman,
chief executive of Northwind Systems.</p>
<p>Northwind will pay for the acquisition with cash on hand and a new term loan. The
companies expect the deal to close in the third quarter, subject to regulatory approval.</p>
<p>Analysts said the purchase reflects how quickly power density in server racks is rising,
which could push more operators to liquid cooling.</p>
<p>Share this article</p></article>
<aside>Sign up for our newsletter to get the day's stories in your inbox.</aside>
<footer>Copyright 2025 Datacenter Ledger. All rights reserved.</footer></body></html>"""


def preview(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "DISCORD_"))}
    env["NEWSDESK_ALLOW_PRIVATE_HOSTS"] = "127.0.0.1"
    return subprocess.run(
        [*newsdesk_command(), "preview", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_preview_json_of_an_html_article_file(tmp_path: Path) -> None:
    page = tmp_path / "article.html"
    page.write_text(ARTICLE_HTML, encoding="utf-8")
    result = preview(str(page), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == FIELDS
    assert set(data["key_details"]) == DETAILS
    assert "Northwind Systems" in data["introduction"]
    assert data["key_details"]["where"] == "Austin"
    assert data["key_details"]["when"] == "Tuesday (11 March 2025)"
    assert isinstance(data["why_it_matters"], list) and data["why_it_matters"]
    assert "newsletter" not in json.dumps(data).lower()


def test_preview_json_of_a_text_article_and_a_feed_file(tmp_path: Path) -> None:
    text = tmp_path / "article.txt"
    text.write_text("Acme buys Bolt\n\nAcme Corp agreed to buy Bolt Labs for $2 billion.\n")
    data = json.loads(preview(str(text), "--json", cwd=tmp_path).stdout)
    assert set(data) == FIELDS and data["title"] == "Acme buys Bolt"
    feed = Path(__file__).resolve().parents[2] / "feeds" / "rss20.xml"
    data = json.loads(preview(str(feed), "--json", cwd=tmp_path).stdout)
    assert set(data) == FIELDS and data["source"] and data["url"].startswith("https://")


def test_preview_in_the_terminal_and_refusals(tmp_path: Path) -> None:
    page = tmp_path / "article.html"
    page.write_text(ARTICLE_HTML, encoding="utf-8")
    result = preview(str(page), cwd=tmp_path)
    assert result.returncode == 0
    assert "Key details" in result.stdout and "Northwind Systems" in result.stdout
    missing = preview(str(tmp_path / "nope.xml"), cwd=tmp_path)
    assert missing.returncode == 1 and "Cannot read" in missing.stderr


async def test_preview_of_a_feed_url(feed_server: FeedServer, tmp_path: Path) -> None:
    feed = feed_server.add_feed("/a.xml", title="Alpha Wire", kind="rss")
    feed.add_item(title="Old story", summary="Nothing much happened at Acme Corp.")
    feed.add_item(
        title="Acme buys Bolt",
        summary="Acme Corp said on Tuesday it had agreed to buy Bolt Labs for $2 billion.",
    )
    result = await asyncio.to_thread(preview, feed_server.url("/a.xml"), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["title"] == "Acme buys Bolt" and data["source"] == "Alpha Wire"


def test_a_text_file_without_a_title_line_gets_its_first_sentence_cut_at_a_word() -> None:
    body = (
        "The city council of Springfield voted on Tuesday to approve a new bridge across the "
        "river after two years of debate over its cost, officials said. It opens in 2027."
    )
    title, text = title_and_text(body)
    assert title.endswith("…") and len(title) <= 120
    assert body.startswith(title[:-1].rstrip()) and not title[:-1].endswith(" ")
    assert body.split()[len(title[:-1].split()) - 1] == title[:-1].split()[-1]  # a whole word
    assert text == body
    assert title_and_text("- Breaking: bridge approved\n\nThe council voted.") == (
        "Breaking: bridge approved",
        "The council voted.",
    )
    assert title_and_text("# Bridge approved\nThe council voted.")[0] == "Bridge approved"


def test_dates_are_shown_as_the_reader_reads_them() -> None:
    shown = local_time(datetime(2025, 7, 15, 12, 0, tzinfo=UTC))
    assert "2025" in shown and "Jul" in shown and "T12:00:00" not in shown and "+00:00" not in shown


async def test_a_local_address_is_refused_naming_the_setting(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.add_feed("/a.xml", title="A", kind="rss").add_items(1)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "DISCORD_"))}
    result = await asyncio.to_thread(
        subprocess.run,
        [*newsdesk_command(), "preview", feed_server.url("/a.xml")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1 and "NEWSDESK_ALLOW_PRIVATE_HOSTS" in result.stderr
