"""Polling throughput, newsdesk against the Python peer `reader`, on the same local feeds in
the same run (run by hand, not in the suite).

    .venv/bin/python -m bench.poll                       # 2,000 sources, reader 1/8/16 workers
    .venv/bin/python -m bench.poll --sources 500 --workers 8
    .venv/bin/python -m bench.poll --skip-reader

A local feed server (tests/feed_server.py, 127.0.0.1 only) serves N feeds, RSS 2.0 and
Atom 1.0 alternately, 20-100 realistic items each (tests/feed_corpus.py: HTML summaries,
some full content, authors, categories, images, 5% with edge cases), plus faults: 2% slow
(2 s), 2% answering 500, 0.5% oversized (11 MB, past the 10 MB cap).

Phases, each timed (wall; CPU and peak RSS of the command with its parser processes; feeds/s;
items/s):

1. **newsdesk first sight** = one ``newsdesk sources import`` of the OPML files: every feed fetched,
   parsed, every item stored and FTS-indexed, its delivery marked skipped, nothing posted
   and no brief made. This is newsdesk's "all new" (see docs/performance.md: importing is
   where a new source's backlog is stored; a later ``poll --once`` would find them known).
2. **newsdesk all unchanged** = ``newsdesk poll --once`` with every feed made due: each
   answers 304 (ETag) or the same body.
3. **reader** (lemon24/reader, installed by this script in its own venv with sgmllib3k):
   for each worker setting a fresh database, ``add_feed`` for each URL, then
   ``update_feeds_iter(scheduled=False, workers=W)`` timed: its first sight of every
   item. Then a second update (all unchanged) at the best worker setting.

Host names: newsdesk allows 2 requests at once per host (docs/reliability.md), so a run
where 2,000 feeds share one host would measure that rule, not the pipeline. The OPML spells
127.0.0.1 in 100 ways (``127.0x0.0.1``, ``0x7f.0.0.1``... all the same address) so the per-host
limit sees 100 hosts, as a real source list would. reader has no per-host limit and gets
the plain URLs. All traffic goes to 127.0.0.1.

Prints one table; JSON goes to bench/results/poll.json.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.services.opml import OpmlFeed, write_opml  # noqa: E402
from tests.feed_corpus import fill  # noqa: E402
from tests.feed_server import Feed, FeedServer  # noqa: E402
from tests.newsdesk_cli import newsdesk_command  # noqa: E402

RESULTS = ROOT / "bench" / "results"
READER_VENV = Path(tempfile.gettempdir()) / "newsdesk-bench-reader-venv"
READER_SPEC = ["reader>=3.26,<4", "sgmllib3k"]
TARGET = ["--guild", "1", "--channel", "2"]
OPML_OUTLINES = 500

READER_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    from reader import make_reader
    db, urls_file, workers, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    urls = open(urls_file).read().split()
    reader = make_reader(db)
    for url in urls:
        reader.add_feed(url, allow_invalid_url=True)
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        new = updated = errors = 0
        for url, value in reader.update_feeds_iter(scheduled=False, workers=workers):
            if isinstance(value, Exception):
                errors += 1
            elif value is not None:
                new += value.new
                updated += value.modified
        out.append({"wall": time.perf_counter() - start, "new": new, "modified": updated,
                    "errors": errors})
    print(json.dumps(out))
    """
)


def host_spellings(count: int) -> list[str]:
    """Distinct spellings of 127.0.0.1 (inet_aton forms with hex octets; aiohttp 3.14 refuses
    decimal octets with leading zeros as not canonical)."""
    firsts = ["127", "0x7f", "0x07f", "0x007f", "0x0007f"]
    zeros = ["0", "0x0", "0x00", "0x000", "0x0000"]
    ones = ["1", "0x1", "0x01", "0x001", "0x0001"]
    spellings = [f"{a}.{b}.{c}.{d}" for a in firsts for b in zeros for c in zeros for d in ones]
    return spellings[:count]


def cached(feed: Feed) -> None:
    """Render the feed once (the server would otherwise re-render it for every request)."""
    body = Feed.render(feed)
    feed.render = lambda: body  # type: ignore[method-assign]


async def run_measured(argv: list[str], env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """Run a command to completion: wall time, and CPU and peak RSS of it with every process
    it starts (newsdesk parses in worker processes).

    The command's own CPU and peak RSS come from GNU time; its descendants are sampled every
    20 ms (their CPU as last seen, so up to 20 ms each is missed; the tree's peak RSS is the
    largest sum over a sample, an upper bound since forked workers share pages)."""
    start = time.perf_counter()
    # Output goes to a file: a full pipe would block the child.
    with tempfile.NamedTemporaryFile() as stats, tempfile.TemporaryFile() as out:
        timed = ["/usr/bin/time", "-f", "%M %U %S", "-o", stats.name, *argv]
        process = subprocess.Popen(timed, env=env, cwd=cwd, stdout=out, stderr=out)  # noqa: ASYNC220
        waited = asyncio.ensure_future(asyncio.to_thread(os.wait4, process.pid, 0))
        workers_cpu: dict[int, float] = {}
        tree_rss = 0
        while not waited.done():
            tree_rss = max(tree_rss, _sample_tree(process.pid, workers_cpu))
            await asyncio.wait([waited], timeout=0.02)
        _, status, _ = waited.result()
        wall = time.perf_counter() - start
        out.seek(0)
        stdout = out.read().decode(errors="replace")
        stats.seek(0)
        rss_kb, user, system = stats.read().decode().split()[-3:]
    process.returncode = os.waitstatus_to_exitcode(status)
    own_cpu = float(user) + float(system)
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(own_cpu + sum(workers_cpu.values()), 2),
        "main_cpu_s": round(own_cpu, 2),
        "peak_rss_mb": round(int(rss_kb) / 1024, 1),
        "tree_peak_rss_mb": round(max(tree_rss / 2**20, int(rss_kb) / 1024), 1),
        "exit": process.returncode,
        "stdout": stdout.strip()[-2000:],
    }


def _sample_tree(time_pid: int, workers_cpu: dict[int, float]) -> int:
    """RSS summed over the measured command and its descendants; records the descendants'
    CPU seconds by pid."""
    try:
        command = psutil.Process(time_pid).children()  # GNU time's one child: the command
    except psutil.Error:
        return 0
    total = 0
    for root in command:
        try:
            total += root.memory_info().rss
            descendants = root.children(recursive=True)
        except psutil.Error:
            continue
        for child in descendants:
            try:
                with child.oneshot():
                    total += child.memory_info().rss
                    times = child.cpu_times()
                workers_cpu[child.pid] = times.user + times.system
            except psutil.Error:
                pass
    return total


def ensure_reader() -> Path:
    python = READER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(READER_VENV)], check=True)
    check = subprocess.run([str(python), "-c", "import reader"], capture_output=True)
    if check.returncode != 0:
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *READER_SPEC], check=True, timeout=600
        )
    return python


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


def compile_project() -> None:
    """Write the project's bytecode once, as installing a package does: without it every
    command this bench starts compiles bot/ and storage/ again (0.1 s each; this sandbox
    sets PYTHONDONTWRITEBYTECODE, so the commands never write it themselves)."""
    for package in ("bot", "storage", "cogs"):
        compileall.compile_dir(ROOT / package, quiet=1)


def copy_archive(archive: Path, db: Path) -> None:
    """Start from a copy of a large database; its own feeds are never polled (not local)."""
    print(f"copying the archive {archive} ...", flush=True)
    shutil.copyfile(archive, db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE feeds SET next_due_at = '9999-01-01T00:00:00.000000Z'")


def make_due(db: Path, port: int) -> None:
    """Make the local feeds due (not those of an --archive)."""
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE feeds SET next_due_at = '2000-01-01T00:00:00.000000Z' WHERE url LIKE ?",
            [f"%:{port}/%"],
        )


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="newsdesk-bench-poll-"))
    results: dict[str, Any] = {"sources": args.sources, "machine": platform.machine()}
    async with FeedServer() as srv:
        feeds, faults = serve_feeds(srv, args.sources, rng)
        items_served = sum(len(f.items) for f in feeds)
        body_mb = sum(len(f.render()) for f in feeds) / 1e6
        results |= {"items_served": items_served, "feed_mb": round(body_mb, 1), "faults": faults}
        ours = opml_feeds(feeds, srv.port)
        db = work / "newsdesk.db"
        if args.archive:
            copy_archive(args.archive, db)
            results["archive_items"] = count(db, "SELECT COUNT(*) FROM items")
        env = {
            **os.environ,
            "NEWSDESK_DATABASE": str(db),
            "NEWSDESK_ALLOW_PRIVATE_HOSTS": "127.0.0.0/8",
            "NEWSDESK_MAX_SOURCES_PER_GUILD": str(args.sources + 10),
            "NEWSDESK_LOG_LEVEL": "WARNING",
        }
        results["newsdesk_first_sight"] = await newsdesk_first_sight(
            ours, env, work, db, results.get("archive_items", 0)
        )
        make_due(db, srv.port)
        results["newsdesk_unchanged"] = await newsdesk_unchanged(env, work)
        if not args.skip_reader:
            results["reader"] = await reader_runs(feeds, args.workers, args.sources, work)
            results |= ratios(results)
    results["python"] = platform.python_version()
    results["sqlite"] = sqlite3.sqlite_version
    return results


def serve_feeds(
    srv: FeedServer, sources: int, rng: random.Random
) -> tuple[list[Feed], dict[str, int]]:
    """The feeds, RSS and Atom alternately, with their share of faults; and the faults."""
    feeds: list[Feed] = []
    faults = {"slow": 0, "500": 0, "oversized": 0}
    oversized = b"<rss version='2.0'><channel>" + b" " * (11 * 1024 * 1024) + b"</channel></rss>"
    for number in range(sources):
        kind = "rss" if number % 2 else "atom"
        feed = srv.add_feed(f"/feeds/{number}.xml", title=f"Source {number}", kind=kind)
        fill(feed, rng.randint(20, 100), rng, tricky=0.05)
        cached(feed)
        share = rng.random()
        if share < 0.02:
            srv.delay(feed.path, 2.0)
            faults["slow"] += 1
        elif share < 0.04:
            srv.fail(feed.path, status=500, count=None)
            faults["500"] += 1
        elif share < 0.045:
            srv.serve_bytes(feed.path, oversized, content_type="application/rss+xml")
            faults["oversized"] += 1
        feeds.append(feed)
    return feeds, faults


def opml_feeds(feeds: list[Feed], port: int) -> list[OpmlFeed]:
    """The feeds as newsdesk imports them: 127.0.0.1 spelled 100 ways."""
    spellings = host_spellings(100)
    return [
        OpmlFeed(f"http://{spellings[n % len(spellings)]}:{port}{f.path}", f.title)
        for n, f in enumerate(feeds)
    ]


async def newsdesk_first_sight(
    ours: list[OpmlFeed], env: dict[str, str], work: Path, db: Path, archive_items: int
) -> dict[str, Any]:
    """Phase 1: one `newsdesk sources import` of every feed."""
    # An OPML file holds at most 500 outlines (bot/services/opml.py): files of 500, one import.
    names = []
    for part in range(0, len(ours), OPML_OUTLINES):
        names.append(f"feeds-{part // OPML_OUTLINES}.opml")
        (work / names[-1]).write_bytes(write_opml(ours[part : part + OPML_OUTLINES]))
    run = await run_measured([*newsdesk_command(), "sources", "import", *names, *TARGET], env, work)
    run["last_output"] = run.pop("stdout")
    stored = count(db, "SELECT COUNT(*) FROM items") - archive_items
    run |= {
        "items_stored": stored,
        "items_per_s": round(stored / run["wall_s"]),
        "feeds_per_s": round(len(ours) / run["wall_s"]),
    }
    return run


async def newsdesk_unchanged(env: dict[str, str], work: Path) -> dict[str, Any]:
    """Phase 2: `newsdesk poll --once` with every feed due and unchanged."""
    run = await run_measured([*newsdesk_command(), "poll", "--once"], env, work)
    polled = re.search(r"polled (\d+) feed", run["stdout"])
    run["feeds_polled"] = int(polled.group(1)) if polled else 0
    run["feeds_per_s"] = round(run["feeds_polled"] / run["wall_s"])
    # The command's own report: polling alone, without starting Python and the app
    # (what reader's figure covers: its update_feeds call only).
    phase = re.search(r"in ([\d.]+) s", run["stdout"])
    if phase:
        run["poll_s"] = float(phase.group(1))
        run["poll_feeds_per_s"] = round(run["feeds_polled"] / run["poll_s"])
    return run


async def reader_runs(
    feeds: list[Feed], worker_settings: list[int], sources: int, work: Path
) -> dict[str, dict[str, Any]]:
    """Phase 3: reader's first sight and all unchanged, for each worker setting."""
    python = ensure_reader()
    (work / "urls.txt").write_text("\n".join(f.url for f in feeds))
    (work / "reader_bench.py").write_text(READER_SCRIPT)
    runs = {}
    for workers in worker_settings:
        rdb = work / f"reader-{workers}.sqlite"
        run = await run_measured(
            [str(python), "reader_bench.py", str(rdb), "urls.txt", str(workers), "2"],
            {**os.environ},
            work,
        )
        lines = [line for line in run.pop("stdout").splitlines() if line.startswith("[")]
        rounds = json.loads(lines[-1]) if run["exit"] == 0 and lines else []
        if rounds:
            first, second = rounds
            run |= {
                "update_wall_s": round(first["wall"], 2),
                "items_stored": first["new"],
                "items_per_s": round(first["new"] / first["wall"]),
                "errors": first["errors"],
                "unchanged_wall_s": round(second["wall"], 2),
                "unchanged_feeds_per_s": round(sources / second["wall"]),
            }
        runs[str(workers)] = run
    return runs


def ratios(results: dict[str, Any]) -> dict[str, float]:
    """newsdesk's rates over reader's best ones (none when reader stored nothing)."""
    runs = results["reader"].values()
    best = max(
        (r for r in runs if "items_per_s" in r), key=lambda r: r["items_per_s"], default=None
    )
    if best is None:
        return {}
    ours_rate = results["newsdesk_first_sight"]["items_per_s"]
    found = {"ratio_first_sight": round(ours_rate / best["items_per_s"], 1)}
    # Against reader's best unchanged rate, whichever worker setting gave it.
    best_unchanged = max(r["unchanged_feeds_per_s"] for r in runs if "unchanged_feeds_per_s" in r)
    unchanged = results["newsdesk_unchanged"]
    for key, rate in (("", "feeds_per_s"), ("_polling", "poll_feeds_per_s")):
        if rate in unchanged:
            found[f"ratio_unchanged{key}"] = round(unchanged[rate] / best_unchanged, 1)
    return found


def table(results: dict[str, Any]) -> str:
    lines = [
        f"{results['sources']} sources, {results['items_served']} items, "
        f"{results['feed_mb']} MB of feeds, faults {results['faults']}",
        f"{'run':<28}{'wall s':>8}{'cpu s':>8}{'rss MB':>8}{'all MB':>8}{'feeds/s':>9}"
        f"{'items/s':>9}",
    ]

    def row(name: str, r: dict[str, Any], wall: str = "wall_s", fps: str = "feeds_per_s") -> None:
        lines.append(
            f"{name:<28}{r.get(wall, '-'):>8}{r.get('cpu_s', '-'):>8}"
            f"{r.get('peak_rss_mb', '-'):>8}{r.get('tree_peak_rss_mb', '-'):>8}"
            f"{r.get(fps, '-'):>9}{r.get('items_per_s', '-'):>9}"
        )

    row("newsdesk first sight", results["newsdesk_first_sight"])
    row("newsdesk unchanged", results["newsdesk_unchanged"])
    row("  of which polling", results["newsdesk_unchanged"], wall="poll_s", fps="poll_feeds_per_s")
    for workers, r in results.get("reader", {}).items():
        row(f"reader workers={workers} new", r, wall="update_wall_s", fps="-")
        row(
            f"reader workers={workers} unch.",
            r,
            wall="unchanged_wall_s",
            fps="unchanged_feeds_per_s",
        )
    if "ratio_first_sight" in results:
        lines.append(
            "ratio newsdesk/reader (each at reader's best workers): "
            f"first sight {results['ratio_first_sight']}x, "
            f"unchanged {results['ratio_unchanged']}x "
            f"(polling alone {results.get('ratio_unchanged_polling', '-')}x)"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 8, 16])
    parser.add_argument("--skip-reader", action="store_true")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--archive",
        type=Path,
        help="start from a copy of this database (e.g. bench/search.py's 1,000,000 items)",
    )
    args = parser.parse_args()
    compile_project()
    results = asyncio.run(bench(args))
    print(table(results))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "poll.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
