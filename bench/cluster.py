"""Benchmark of story matching (bot/stories/cluster.py): quality on the development set
and what one match costs. Run by hand:

    .venv/bin/python bench/cluster.py [--events /work/devdata/events.jsonl] [--candidates 500]
                                      [--half 0|1]

Quality: the items of events.jsonl (bench/devsets/README.md) arrive one by one in replay
order, each source (ECB+, GVA, AllSides) on its own; each item joins the story `best_story` names
among the stories started in the 48 hours before it, or starts its own. Items are cut to
four text lengths (title only, a 60-word summary, a 300-word body, the full article) so a
short feed and a long one are each measured. Reported per length:

- precision: of the pairs of items put in one story, the share that report one event;
- recall: of the pairs of items of one event published within 48 hours of each other, the
  share put in one story;
- false merges per 1,000 posts: items that joined a story whose first post reports
  another event (each one hides a story from readers), per 1,000 items replayed.

ECB+ items have no usable dates (the two events of a topic are years apart), so they are
all given one time and scored on content; GVA and AllSides items keep their publication
day. AllSides (general news from 145 outlets, three outlets per story, about 90 words of
each report) is the set most like the feeds the bot reads; ECB+ and GVA are adversarial
(two events of one kind with the same people; thousands of near-identical shootings).

Timing: `best_story` for one new item against `--candidates` recent 300-word items (the
last 48 hours of a guild), median and p99. Writes bench/results/cluster.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import statistics
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.stories.cluster import THRESHOLD, Fingerprint, StoryText, fingerprint

try:  # the story-level matcher (#19); the item-level one before it
    from bot.stories.cluster import best_story as _best_story
except ImportError:  # pragma: no cover - the BEFORE figures
    _best_story = None

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
EVENTS = Path("/work/devdata/events.jsonl")
WINDOW = timedelta(hours=48)
FIXED_TIME = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Event:
    event: str
    item: StoryText


def _words(text: str, limit: int) -> str:
    return " ".join(text.split()[:limit])


LENGTHS: dict[str, Callable[[str], str]] = {
    "title only": lambda text: "",
    "60-word summary": lambda text: _words(text, 60),
    "300-word body": lambda text: _words(text, 300),
    "full article": lambda text: text,
}


def load(path: Path) -> dict[str, list[tuple[str, str, str, datetime, str]]]:
    """Per source: (event, title, text, published, outlet) in replay order."""
    sets: dict[str, list[tuple[int, str, tuple[str, str, str, datetime, str]]]] = defaultdict(list)
    for line in path.read_text().splitlines():
        row = json.loads(line)
        name = row["id"].split(":", 1)[0]  # ecbplus, gva, allsides
        if name == "ecbplus":
            published = FIXED_TIME
        else:
            published = datetime.fromisoformat(row["published"][:10]).replace(tzinfo=UTC)
        outlet = row["outlet"] or row["id"]  # ECB texts have no outlet: each its own
        key = (published.isoformat(), row["order"])
        sets[name].append(
            (key, row["id"], (row["event"], row["title"], row["text"], published, outlet))
        )  # type: ignore[arg-type]
    return {name: [r for _, _, r in sorted(rows)] for name, rows in sets.items()}


def match(new: Fingerprint, stories: Sequence[tuple[int, Sequence[Fingerprint]]]) -> int | None:
    if _best_story is not None:
        return _best_story(new, stories)
    # Before #19: the best-scoring member of any story, whichever member it is.
    from bot.stories.cluster import best_match

    members = [(key, fp) for key, fps in stories for fp in fps]
    return best_match(new, members)


@dataclass
class Quality:
    tp: int = 0
    merged_pairs: int = 0
    true_pairs: int = 0
    found_pairs: int = 0
    false_merges: int = 0
    items: int = 0

    def add(self, other: Quality) -> None:
        for name in ("tp", "merged_pairs", "true_pairs", "found_pairs", "false_merges", "items"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def row(self) -> dict[str, float]:
        return {
            "precision": round(self.tp / self.merged_pairs, 4) if self.merged_pairs else 1.0,
            "recall": round(self.found_pairs / self.true_pairs, 4) if self.true_pairs else 1.0,
            "false_merges_per_1000": round(1000 * self.false_merges / self.items, 2),
            "merged_pairs": self.merged_pairs,
            "true_pairs": self.true_pairs,
        }


def replay(events: list[Event]) -> Quality:
    fps = [fingerprint(e.item) for e in events]
    story_of: list[int] = []
    members: dict[int, list[int]] = {}
    q = Quality(items=len(events))
    start = 0
    for i, fp in enumerate(fps):
        while fps[start].published < fp.published - WINDOW:
            start += 1
        open_stories = sorted({story_of[j] for j in range(start, i)})
        stories = [(s, [fps[m] for m in members[s]]) for s in open_stories]
        found = match(fp, stories)
        if found is None:
            story_of.append(i)
            members[i] = [i]
            continue
        story_of.append(found)
        members[found].append(i)
        q.false_merges += events[found].event != events[i].event
    for story in members.values():
        for a, b in itertools.combinations(story, 2):
            q.merged_pairs += 1
            q.tp += events[a].event == events[b].event
    by_event: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(events):
        by_event[e.event].append(i)
    for items in by_event.values():
        for a, b in itertools.combinations(items, 2):
            if abs(fps[a].published - fps[b].published) <= WINDOW:
                q.true_pairs += 1
                q.found_pairs += story_of[a] == story_of[b]
    return q


def half_of(event: str) -> int:
    """The half of the development events an event is in: thresholds are tuned on half 0
    and only measured on half 1 (docs/story-merging.md)."""
    return zlib.crc32(event.encode()) % 2


def quality(path: Path, half: int | None = None) -> dict[str, dict[str, dict[str, float]]]:
    sets = load(path)
    if half is not None:
        sets = {name: [r for r in rows if half_of(r[0]) == half] for name, rows in sets.items()}
    out: dict[str, dict[str, dict[str, float]]] = {}
    for length, cut in LENGTHS.items():
        total = Quality()
        out[length] = {}
        for name, rows in sets.items():
            events = [Event(ev, StoryText(t, cut(x), p, o)) for ev, t, x, p, o in rows]
            q = replay(events)
            out[length][name] = q.row()
            total.add(q)
        out[length]["all"] = total.row()
    return out


def timing(path: Path, count: int, rounds: int) -> dict[str, float]:
    rows = load(path)["gva"]
    items = [StoryText(t, _words(x, 300), FIXED_TIME, o) for _, t, x, _, o in rows]
    pool = [
        fingerprint(
            StoryText(
                s.title, s.text, FIXED_TIME - timedelta(minutes=i * 2880 // count), f"feed {i}"
            )
        )
        for i, s in enumerate(items[:count])
    ]
    stories = [(i, [fp]) for i, fp in enumerate(pool)]
    samples = []
    for s in items[count : count + rounds]:
        fp = fingerprint(StoryText(s.title, s.text, FIXED_TIME, "the new one"))
        begin = time.perf_counter_ns()
        match(fp, stories)
        samples.append((time.perf_counter_ns() - begin) / 1e6)
    samples.sort()
    sizes = [len(fp.to_json().encode()) for fp in pool]
    return {
        "median_ms": round(statistics.median(samples), 3),
        "p99_ms": round(samples[int(0.99 * (len(samples) - 1))], 3),
        "fingerprint_json_median_bytes": int(statistics.median(sizes)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=Path, default=EVENTS)
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument(
        "--half", type=int, choices=(0, 1), help="only the events of one half (0: tuned on)"
    )
    args = parser.parse_args()

    scores = quality(args.events, args.half)
    times = timing(args.events, args.candidates, args.rounds)
    print(f"story matching on {args.events}, threshold {THRESHOLD}")
    print(f"{'length':<18}{'set':<9}{'precision':>10}{'recall':>8}{'false/1000':>11}{'pairs':>8}")
    for length, sets in scores.items():
        for name, r in sets.items():
            print(
                f"{length:<18}{name:<9}{r['precision']:>10.3f}{r['recall']:>8.3f}"
                f"{r['false_merges_per_1000']:>11.2f}{r['merged_pairs']:>8}"
            )
    print(
        f"match vs {args.candidates} recent (300-word bodies): median {times['median_ms']} ms, "
        f"p99 {times['p99_ms']} ms; fingerprint JSON median "
        f"{times['fingerprint_json_median_bytes']} bytes"
    )
    results = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "threshold": THRESHOLD,
        "half": args.half,
        "quality": scores,
        "timing": times,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "cluster.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
