"""/source pause, resume and edit: repeats change nothing, and the audit log keeps what
changed (#17)."""

from __future__ import annotations

import pytest

from bot.errors import ParserStopped
from bot.pipeline.parse.workers import FeedParser
from bot.services.sources import SettingChange, SourceChanges, SourceService, setting_changes
from bot.shell.replies import edited_text, info_pages, paused_text, resumed_text
from tests.bot.conftest import Pipeline


def audit(pipeline: Pipeline) -> list[tuple[str, dict[str, object], dict[str, object]]]:
    entries = pipeline.storage.sync.guilds.audit_log(1, limit=50)
    return [(e.action, e.before, e.after) for e in reversed(entries)]


async def test_pausing_or_resuming_twice_changes_and_logs_once(pipeline: Pipeline) -> None:
    pipeline.srv.add_feed("/a.xml", title="Alpha", kind="rss").add_items(1)
    source = await pipeline.add("/a.xml")
    first = await pipeline.sources.pause(1, 5, "Alpha")
    again = await pipeline.sources.pause(1, 5, "Alpha")
    assert first.changed and first.source.paused_at is not None
    assert not again.changed and again.source.paused_at == first.source.paused_at
    assert "already paused" in paused_text(again) and "Paused" in paused_text(first)
    resumed = await pipeline.sources.resume(1, 5, str(source.id))
    resumed_again = await pipeline.sources.resume(1, 5, "Alpha")
    assert resumed.changed and resumed.source.paused_at is None
    assert not resumed_again.changed
    assert "not paused" in resumed_text(resumed_again) and "Resumed" in resumed_text(resumed)

    log = audit(pipeline)
    assert [action for action, _, _ in log] == ["source add", "source pause", "source resume"]
    _, before, after = log[1]
    assert (before["paused"], after["paused"]) == (False, True)
    _, before, after = log[2]
    assert (before["paused"], after["paused"]) == (True, False)


async def test_edit_says_what_changed_and_when_nothing_did(pipeline: Pipeline) -> None:
    pipeline.srv.add_feed("/a.xml", title="Alpha", kind="rss").add_items(1)
    await pipeline.add("/a.xml", every_minutes=15)
    edited = await pipeline.sources.edit(
        1, 5, "Alpha", SourceChanges(every_minutes=30, style="headline", exclude="rumour")
    )
    assert edited_text(edited) == (
        "Updated **Alpha**: every 15 → 30 min, style brief → headline, exclude — → rumour."
    )
    same = await pipeline.sources.edit(
        1, 5, "Alpha", SourceChanges(every_minutes=30, style="headline")
    )
    assert not same.changed
    assert edited_text(same) == "Nothing changed: **Alpha** already has those settings."
    renamed = await pipeline.sources.edit(1, 5, "Alpha", SourceChanges(name="Beta", fulltext=True))
    assert edited_text(renamed) == "Updated **Beta**: name Alpha → Beta, full text off → on."
    assert [action for action, _, _ in audit(pipeline)] == [
        "source add",
        "source edit",
        "source edit",
    ]

    # /source info shows each change with its before and after values.
    await pipeline.sources.pause(1, 5, "Beta")
    info = await pipeline.sources.info(1, "Beta")
    text = "\n".join(page.description or "" for page in info_pages(info))
    assert "source pause: active → paused" in text
    assert "source edit: name Alpha → Beta, full text off → on" in text
    assert "source edit: every 15 → 30 min, style brief → headline, exclude — → rumour" in text


def test_older_audit_entries_without_a_setting_show_no_change_of_it() -> None:
    before = {"name": "A", "style": "brief"}
    after = {"name": "A", "style": "digest", "paused": True}
    assert setting_changes(before, after) == [SettingChange("style", "brief", "digest")]
    assert setting_changes(None, after) == []


async def test_a_document_the_parser_is_stopped_on_is_not_read_as_a_page(
    pipeline: Pipeline,
) -> None:
    # Markup junk that keeps the parser busy past its limit is no web page to search for
    # feed links (that would read 10 MB on the event loop): the moderator hears why.
    pipeline.srv.serve_bytes(
        "/junk.xml", b"<rss version='2.0'><channel>" + b"<b>" * 150_000, content_type="text/xml"
    )
    service = SourceService(
        pipeline.storage,
        pipeline.sources._fetcher,
        pipeline.sources._settings,
        pipeline.clock,
        parser=FeedParser(1, time_limit=0.3),
    )
    try:
        with pytest.raises(ParserStopped, match="took too long to read"):
            await service.fetch_feed(pipeline.srv.url("/junk.xml"))
    finally:
        service._parser.close()
