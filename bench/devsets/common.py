"""Shared helpers for the development-set builders: mirrors, records, text.

A *mirror* is a bare git repository brought onto this machine by the search tool's
``fetch`` (``/work/.mirror/<owner>+<name>/repo``, sometimes with the git directory one
level down in ``repo/.git``). Builders read files from its ``HEAD`` commit with one
``git cat-file --batch`` process per mirror, so thousands of small files cost one process.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

MIRROR_ROOT = Path(os.environ.get("DEVSETS_MIRRORS", "/work/.mirror"))
OUT_DIR = Path(os.environ.get("DEVSETS_OUT", "/work/devdata"))

Record = dict[str, Any]


class MissingMirrorError(RuntimeError):
    """A repository the builders read has not been fetched onto this machine."""

    def __init__(self, repo: str, root: Path) -> None:
        self.repo = repo
        super().__init__(
            f"mirror of {repo} not found under {root}/{repo.replace('/', '+')}/repo\n"
            f"  -> fetch it with the search tool: fetch github:{repo}\n"
            f"     (or point DEVSETS_MIRRORS at the folder that holds the mirrors)"
        )


def git_dir(repo: str, root: Path = MIRROR_ROOT) -> Path:
    """The bare git directory of ``owner/name``'s mirror; raises `MissingMirrorError`."""
    base = root / repo.replace("/", "+") / "repo"
    for candidate in (base, base / ".git"):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    raise MissingMirrorError(repo, root)


@dataclass
class Mirror:
    """Read-only access to the ``HEAD`` tree of one fetched repository."""

    repo: str
    root: Path = MIRROR_ROOT
    path: Path = field(init=False)
    _batch: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.path = git_dir(self.repo, self.root)

    def __enter__(self) -> Mirror:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", "--git-dir", str(self.path), *args],
            check=True,
            capture_output=True,
        )
        return done.stdout.decode("utf-8", "replace")

    @property
    def commit(self) -> str:
        return self._git("rev-parse", "HEAD").strip()

    def files(self, under: str = "") -> list[str]:
        """Paths of the files in ``HEAD`` (below ``under`` when given), sorted."""
        args = ["ls-tree", "-r", "-z", "--name-only", "HEAD"]
        if under:
            args += ["--", under]
        return sorted(p for p in self._git(*args).split("\0") if p)

    def read(self, path: str) -> bytes | None:
        """The bytes of ``HEAD:path``; None when absent (e.g. too large for the snapshot)."""
        batch = self._open_batch()
        assert batch.stdin is not None and batch.stdout is not None
        batch.stdin.write(f"HEAD:{path}\n".encode())
        batch.stdin.flush()
        header = batch.stdout.readline().decode("utf-8", "replace").split()
        if len(header) != 3 or header[1] != "blob":
            return None
        size = int(header[2])
        data = _read_exactly(batch.stdout, size)
        batch.stdout.read(1)  # the newline after each object
        return data

    def text(self, path: str) -> str | None:
        data = self.read(path)
        if data is None:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", "replace")

    def _open_batch(self) -> subprocess.Popen[bytes]:
        if self._batch is None:
            self._batch = subprocess.Popen(
                ["git", "--git-dir", str(self.path), "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        return self._batch

    def close(self) -> None:
        if self._batch is not None:
            assert self._batch.stdin is not None
            self._batch.stdin.close()
            self._batch.wait(timeout=30)
            self._batch = None


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks: list[bytes] = []
    left = size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise OSError("git cat-file ended early")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# --- text -------------------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\u00a0\u2009\u200a\u202f]+")
_BLANKS = re.compile(r"\n\s*\n+")


def clean_paragraphs(text: str) -> str:
    """Paragraphs trimmed, inner runs of spaces collapsed, one blank line between them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = (_SPACES.sub(" ", p).strip() for p in _BLANKS.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def word_count(text: str) -> int:
    return len(text.split())


def stable_key(*parts: str) -> str:
    """A deterministic pseudo-random sort key (so samples do not follow file order)."""
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


def unique(phrases: Iterable[str]) -> list[str]:
    """Phrases in first-seen order, empty ones and case-insensitive repeats dropped."""
    seen: set[str] = set()
    out: list[str] = []
    for phrase in phrases:
        phrase = phrase.strip()
        key = phrase.casefold()
        if phrase and key not in seen:
            seen.add(key)
            out.append(phrase)
    return out


# --- output -----------------------------------------------------------------------------


def write_jsonl(path: Path, records: Iterable[Mapping[str, Any]]) -> int:
    """Write records as UTF-8 JSON Lines (atomically); returns how many were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    count = 0
    with tmp.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    tmp.replace(path)
    return count


def read_jsonl(path: Path) -> Iterator[Record]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)
