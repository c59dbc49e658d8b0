"""`newsdesk sources import|export` and `newsdesk poll --once`, as a user runs them."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
from pathlib import Path

from bot.services.opml import OpmlFeed, read_opml, write_opml
from tests.feed_server import FeedServer
from tests.newsdesk_cli import newsdesk_command


async def newsdesk(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "DISCORD_"))}
    env.update(
        NEWSDESK_DATABASE=str(tmp_path / "n.db"),
        NEWSDESK_ALLOW_PRIVATE_HOSTS="127.0.0.1",
        NEWSDESK_MIN_INTERVAL_SECONDS="60",
        NEWSDESK_DEFAULT_INTERVAL_SECONDS="60",
    )
    process = await asyncio.create_subprocess_exec(
        *newsdesk_command(),
        *args,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def make_all_due(database: Path) -> None:
    with sqlite3.connect(database) as db:
        db.execute("UPDATE feeds SET next_due_at = '2000-01-01T00:00:00.000000Z'")


async def test_import_poll_export(tmp_path: Path, feed_server: FeedServer) -> None:
    srv = feed_server
    for name in ("a", "b", "c"):
        srv.add_feed(f"/{name}.xml", title=f"Feed {name.upper()}", kind="rss").add_items(3)
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(
        write_opml(
            [
                *(OpmlFeed(srv.url(f"/{n}.xml"), f"Feed {n.upper()}") for n in "abc"),
                OpmlFeed(srv.url("/missing.xml"), "Missing"),
            ]
        )
    )

    code, out, err = await newsdesk(
        tmp_path, "sources", "import", str(opml), "--guild", "1", "--channel", "10"
    )
    assert "3 added, 0 duplicate, 1 failed" in out
    assert "Importing feeds" in err and "missing.xml" in err and "404" in err
    assert code == 1
    code, out, _ = await newsdesk(
        tmp_path, "sources", "import", str(opml), "--guild", "1", "--channel", "10"
    )
    assert "0 added, 3 duplicate, 1 failed" in out

    srv.feeds["/a.xml"].add_items(2, prefix="New")
    make_all_due(tmp_path / "n.db")
    code, out, _ = await newsdesk(tmp_path, "poll", "--once")
    assert code == 0
    assert re.search(r"polled 3 feed\(s\): 1 with new items, 2 unchanged, 0 failed", out), out
    assert "2 new item(s) stored, 2 delivery(ies) queued, 2 brief(s) made" in out
    with sqlite3.connect(tmp_path / "n.db") as db:
        rows = db.execute(
            "SELECT i.title FROM deliveries d JOIN items i ON i.id = d.item_id "
            "WHERE d.state = 'pending' ORDER BY d.id"
        ).fetchall()
    assert [r[0] for r in rows] == ["New 1", "New 2"]
    with sqlite3.connect(tmp_path / "n.db") as db:
        briefed = db.execute(
            "SELECT COUNT(*) FROM items WHERE brief_json IS NOT NULL AND title LIKE 'New %'"
        ).fetchone()[0]
    assert briefed == 2
    code, out, _ = await newsdesk(tmp_path, "poll", "--once")
    assert "polled 0 feed(s)" in out  # nothing is due again yet

    code, out, _ = await newsdesk(tmp_path, "sources", "export", "--guild", "1")
    assert code == 0
    exported = read_opml(out.encode())
    assert sorted(f.url for f in exported) == sorted(srv.url(f"/{n}.xml") for n in "abc")
    code, _, err = await newsdesk(tmp_path, "sources", "export", "--guild", "2")
    assert code == 1 and "no sources" in err


async def test_import_refuses_a_bad_file_in_one_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_text("<html>not opml</html>")
    code, _out, err = await newsdesk(
        tmp_path, "sources", "import", str(bad), "--guild", "1", "--channel", "10"
    )
    assert code == 1 and "lists no feeds" in err and "Traceback" not in err
    code, _, err = await newsdesk(
        tmp_path,
        "sources",
        "import",
        str(tmp_path / "nope.opml"),
        "--guild",
        "1",
        "--channel",
        "10",
    )
    assert code == 1 and "Cannot read" in err


async def test_import_takes_several_files_in_one_run(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    srv = feed_server
    for name in "abc":
        srv.add_feed(f"/{name}.xml", title=f"Feed {name}", kind="atom").add_items(2)
    first, second, bad = tmp_path / "1.opml", tmp_path / "2.opml", tmp_path / "bad.opml"
    first.write_bytes(write_opml([OpmlFeed(srv.url(f"/{n}.xml"), n) for n in "ab"]))
    second.write_bytes(write_opml([OpmlFeed(srv.url(f"/{n}.xml"), n) for n in "bc"]))
    bad.write_text("<html>not opml</html>")
    target = ["--guild", "1", "--channel", "10"]

    # A bad file anywhere in the list: nothing is added, and the sentence names the file.
    code, _out, err = await newsdesk(tmp_path, "sources", "import", str(first), str(bad), *target)
    assert code == 1 and "bad.opml" in err and "lists no feeds" in err
    assert not (tmp_path / "n.db").exists() or sources(tmp_path) == []

    code, out, _ = await newsdesk(tmp_path, "sources", "import", str(first), str(second), *target)
    assert code == 0 and "3 added, 1 duplicate, 0 failed" in out  # b is in both files
    assert sources(tmp_path) == sorted(srv.url(f"/{n}.xml") for n in "abc")


def sources(tmp_path: Path) -> list[str]:
    with sqlite3.connect(tmp_path / "n.db") as db:
        rows = db.execute("SELECT f.url FROM sources s JOIN feeds f ON f.id = s.feed_id").fetchall()
    return sorted(row[0] for row in rows)


async def test_a_feed_listed_twice_in_one_file_is_a_duplicate_and_progress_shows_n_of_n(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    srv = feed_server
    for name in "ab":
        srv.add_feed(f"/{name}.xml", title=f"Feed {name}", kind="rss").add_items(1)
    opml = tmp_path / "twice.opml"
    listed = [OpmlFeed(srv.url(f"/{n}.xml"), n) for n in "aba"]
    opml.write_bytes(write_opml(listed))
    code, out, err = await newsdesk(
        tmp_path, "sources", "import", str(opml), "--guild", "1", "--channel", "10"
    )
    assert code == 0 and "2 added, 1 duplicate, 0 failed" in out, out + err
    assert "3/3" in err  # the progress line counts feeds as n/N
