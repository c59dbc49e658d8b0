"""Benchmark of story matching (bot/cluster.py): what one new item costs.

    .venv/bin/python bench/cluster.py [--candidates 500] [--rounds 5]

Measures, per item: building its fingerprint; matching it against N candidates (the last
48 hours of a guild) with `best_match`; and reading N stored fingerprints back with
`Fingerprint.from_json`, which a caller that loads candidates from storage pays too.
Candidates are the fixture's articles (tests/data/stories/), repeated under other source
names and times until there are N, so many of them resemble the new item: a worse case
than a real guild's mix. Prints a table and writes bench/results/cluster.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.stories.cluster import THRESHOLD, Fingerprint, StoryText, best_match, fingerprint

ROOT = Path(__file__).resolve().parent.parent
STORIES = ROOT / "tests" / "data" / "stories"
RESULTS = ROOT / "bench" / "results"


def load_items() -> list[StoryText]:
    items = []
    for name in ("stories.json", "holdout.json"):
        for a in json.loads((STORIES / name).read_text())["articles"]:
            published = datetime.fromisoformat(a["published"])
            items.append(StoryText(a["title"], a["text"], published, a["source"]))
    return items


def candidates_for(items: list[StoryText], count: int, now: datetime) -> list[StoryText]:
    """`count` items spread over the 48 hours before `now`, each under its own source."""
    out = []
    for i in range(count):
        base = items[i % len(items)]
        published = now - timedelta(minutes=(i * 2880) // max(count, 1))
        out.append(replace(base, published=published, source=f"feed {i}"))
    return out


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    """Per-call times in microseconds."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1000)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_us": round(statistics.median(ordered), 1),
        "p95_us": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "max_us": round(ordered[-1], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    items = load_items()
    now = max(i.published for i in items) + timedelta(hours=1)
    pool = [fingerprint(c) for c in candidates_for(items, args.candidates, now)]
    keyed = list(enumerate(pool))
    stored = [fp.to_json() for fp in pool]

    fingerprint_us: list[float] = []
    match_us: list[float] = []
    matches = 0
    for _ in range(args.rounds):
        for item in items:
            new_item = replace(item, published=now, source="the new one")
            start = time.perf_counter_ns()
            fp = fingerprint(new_item)
            middle = time.perf_counter_ns()
            found = best_match(fp, keyed)
            end = time.perf_counter_ns()
            fingerprint_us.append((middle - start) / 1000)
            match_us.append((end - middle) / 1000)
            matches += found is not None
    load_us = timed(lambda: [Fingerprint.from_json(s) for s in stored], args.rounds)

    sizes = [len(s.encode()) for s in stored]
    results = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "threshold": THRESHOLD,
        "candidates": args.candidates,
        "items_measured": len(items) * args.rounds,
        "items_that_matched": matches,
        "fingerprint": summary(fingerprint_us),
        "best_match_against_candidates": summary(match_us),
        "per_candidate_us": round(statistics.median(match_us) / args.candidates, 2),
        "from_json_all_candidates": summary(load_us),
        "fingerprint_json_bytes": {
            "median": int(statistics.median(sizes)),
            "max": max(sizes),
        },
    }

    rows = [
        ("fingerprint(item)", results["fingerprint"]),
        (f"best_match vs {args.candidates}", results["best_match_against_candidates"]),
        (f"from_json x {args.candidates}", results["from_json_all_candidates"]),
    ]
    print(f"story matching, {len(items) * args.rounds} items, Python {results['python']}")
    print(f"{'operation':<26}{'median':>12}{'p95':>12}{'max':>12}")
    for name, s in rows:
        print(
            f"{name:<26}{s['median_us'] / 1000:>10.3f}ms{s['p95_us'] / 1000:>10.3f}ms"
            f"{s['max_us'] / 1000:>10.3f}ms"
        )
    print(
        f"per candidate {results['per_candidate_us']} µs; fingerprint JSON median "
        f"{results['fingerprint_json_bytes']['median']} bytes, "
        f"max {results['fingerprint_json_bytes']['max']}; "
        f"{matches} of {len(items) * args.rounds} new items matched a candidate (the pool "
        "holds their own texts under other sources: every score is computed in full)"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "cluster.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
