"""Build the development sets (briefs, key details, events) from fetched public mirrors.

Run:  python bench/devsets/build.py [--out /work/devdata] [--mirrors /work/.mirror]

Reads only the git mirrors that the search tool's ``fetch`` put under ``--mirrors``
(no network), and writes UTF-8 JSON Lines plus a manifest to ``--out``:

- ``briefs.jsonl``   articles with human reference summaries      (summaries.py)
- ``details.jsonl``  articles with who/what/when/where references (ecbplus.py, gva.py)
- ``events.jsonl``   articles labelled with the event they report (ecbplus.py, gva.py,
                     allsides.py)
- ``manifest.json``  counts per set and source, and the commit of every mirror read

See README.md beside this file for provenance, licences and caveats.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import allsides
import ecbplus
import gva
import summaries
from common import (
    MIRROR_ROOT,
    OUT_DIR,
    Mirror,
    MissingMirrorError,
    Record,
    write_jsonl,
)

SETS = ("briefs", "details", "events")
REPOS: dict[str, tuple[str, ...]] = {
    "briefs": (summaries.GUM_REPO, summaries.XSUM_REPO, summaries.BBC_REPO),
    "details": (ecbplus.REPO, gva.REPO),
    "events": (ecbplus.REPO, gva.REPO, allsides.REPO),
}
# The commits the README describes; another snapshot still builds, with a warning.
EXPECTED_COMMITS = {
    "HLTCHKUST/framing-bias-metric": "1586f55a9011853224ca4d0cee164c46f6137557",
    "Miguel-G-Soares/PRI_proj1": "04750a1fb35aa0e2111e85416e8f54c088cf366a",
    "amir-zeldes/gum": "72ce5ac14978a324c2fd18d49484e65292cbe316",
    "cltl/ECB-parser": "eba7c4d1caa758816bcee3139bdd4e6688dee00d",
    "cltl/LongTailQATask": "1306bad62fb2750583548a1f5880abe086b3f1c4",
    "voidism/Lookback-Lens": "f2846ef21deecc4c016fc44a1820373e3f255e96",
}
# Held out for testing: never read, whatever a mirror folder is called.
FORBIDDEN = ("cnn_dailymail", "cnn-dailymail", "giveme5w1h")


def _check(repos: Iterable[str], root: Path) -> dict[str, Mirror]:
    mirrors: dict[str, Mirror] = {}
    missing: list[MissingMirrorError] = []
    for repo in dict.fromkeys(repos):
        if any(bad in repo.lower() for bad in FORBIDDEN):
            raise SystemExit(f"{repo} is a held-out test source and must not be read")
        try:
            mirrors[repo] = Mirror(repo, root)
        except MissingMirrorError as error:
            missing.append(error)
    if missing:
        for mirror in mirrors.values():
            mirror.close()
        print("Missing mirrors; nothing was written:\n", file=sys.stderr)
        for problem in missing:
            print(f"- {problem}\n", file=sys.stderr)
        raise SystemExit(2)
    return mirrors


def build_briefs(m: dict[str, Mirror]) -> list[Record]:
    records = list(summaries.gum_records(m[summaries.GUM_REPO]))
    records += summaries.xsum_records(m[summaries.XSUM_REPO])
    records += summaries.bbc_records(m[summaries.BBC_REPO])
    return records


class _Sources:
    """ECB+ and GVA parsed once, shared by the details and events sets."""

    def __init__(self, m: dict[str, Mirror]) -> None:
        self.mirrors = m
        self._ecb: list[ecbplus.Item] | None = None
        self._gva: tuple[list[gva.Article], dict[str, gva.Incident]] | None = None
        self.gva_dropped: dict[str, int] = {}

    @property
    def ecb(self) -> list[ecbplus.Item]:
        if self._ecb is None:
            self._ecb = ecbplus.load(self.mirrors[ecbplus.REPO])
        return self._ecb

    @property
    def gva(self) -> tuple[list[gva.Article], dict[str, gva.Incident]]:
        if self._gva is None:
            mirror = self.mirrors[gva.REPO]
            articles, self.gva_dropped = gva.load_articles(mirror)
            self._gva = (articles, gva.load_incidents(mirror))
        return self._gva


def build_details(sources: _Sources) -> list[Record]:
    articles, incidents = sources.gva
    return [*ecbplus.detail_records(sources.ecb), *gva.detail_records(articles, incidents)]


def build_events(sources: _Sources) -> list[Record]:
    articles, incidents = sources.gva
    return [
        *ecbplus.event_records(sources.ecb),
        *gva.event_records(articles, incidents),
        *allsides.event_records(sources.mirrors[allsides.REPO]),
    ]


def _source_name(record: Record) -> str:
    return str(record["id"]).split(":", 1)[0]


def _stats(name: str, records: Sequence[Record]) -> dict[str, Any]:
    stats: dict[str, Any] = {
        "items": len(records),
        "by_source": dict(sorted(Counter(_source_name(r) for r in records).items())),
    }
    if name == "events":
        events = Counter(str(r["event"]) for r in records)
        stats["events"] = len(events)
        stats["events_with_2plus_items"] = sum(1 for n in events.values() if n >= 2)
        stats["items_in_2plus_events"] = sum(n for n in events.values() if n >= 2)
        stats["with_published"] = sum(1 for r in records if r.get("published"))
    if name == "details":
        for key in ("who", "what", "when", "where"):
            stats[f"with_{key}"] = sum(1 for r in records if r.get(key))
    return stats


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--mirrors", type=Path, default=MIRROR_ROOT)
    parser.add_argument("--only", choices=SETS, action="append", help="build only these sets")
    args = parser.parse_args(argv)
    wanted = tuple(args.only or SETS)
    mirrors = _check((r for s in wanted for r in REPOS[s]), args.mirrors)
    sources = _Sources(mirrors)
    builders: dict[str, Callable[[], list[Record]]] = {
        "briefs": lambda: build_briefs(mirrors),
        "details": lambda: build_details(sources),
        "events": lambda: build_events(sources),
    }
    manifest_path = args.out / "manifest.json"
    manifest: dict[str, Any] = {"mirrors": {}, "sets": {}}
    if manifest_path.is_file():  # keep what --only does not rebuild
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    try:
        for name in wanted:
            records = builders[name]()
            path = args.out / f"{name}.jsonl"
            write_jsonl(path, records)
            manifest["sets"][name] = {"file": str(path), **_stats(name, records)}
            print(f"{name:8} {len(records):6} items -> {path}")
        commits = {repo: m.commit for repo, m in sorted(mirrors.items())}
        for repo, commit in commits.items():
            if EXPECTED_COMMITS.get(repo, commit) != commit:
                print(f"warning: {repo} is at {commit}, README describes {EXPECTED_COMMITS[repo]}")
        manifest["mirrors"].update(commits)
    finally:
        for mirror in mirrors.values():
            mirror.close()
    if sources.gva_dropped:
        manifest["gva_dropped"] = sources.gva_dropped
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(manifest["sets"], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
