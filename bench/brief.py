"""Benchmark of the embedded summarizer: milliseconds per ~800-word article and memory.

Run by hand:  .venv/bin/python bench/brief.py [--rounds 5]

Articles are made from the gold set (tests/data/gold): each one's body, followed by other
gold bodies, paragraph by paragraph, until it is about 800 words. Prints a table and writes
JSON to bench/results/brief-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.brief.embedded import Article, summarize  # noqa: E402
from tests.bot.brief.gold import load  # noqa: E402

WORDS = 800


def articles() -> list[Article]:
    gold = load()
    out = []
    for index, first in enumerate(gold):
        paragraphs: list[str] = []
        words = 0
        for g in gold[index:] + gold[:index]:
            for para in g.text.split("\n\n"):
                if words >= WORDS:
                    break
                paragraphs.append(para)
                words += len(para.split())
        out.append(Article(first.title, "\n\n".join(paragraphs), first.published))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    batch = articles()
    summarize(batch[0])  # warm-up: sentence splitter, gazetteer
    timings = []
    for _ in range(args.rounds):
        for article in batch:
            started = time.perf_counter()
            summarize(article)
            timings.append((time.perf_counter() - started) * 1000)
    tracemalloc.start()
    for article in batch:
        summarize(article)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    timings.sort()
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "articles": len(batch),
        "words_per_article": round(statistics.fmean(len(a.text.split()) for a in batch)),
        "runs": len(timings),
        "median_ms": round(statistics.median(timings), 2),
        "p99_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.99))], 2),
        "max_ms": round(timings[-1], 2),
        "peak_traced_mib": round(peak / 2**20, 2),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    folder = ROOT / "bench" / "results"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"brief-{datetime.now(UTC):%Y%m%d}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
