"""Opening the database and turning SQLite errors into StorageError."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import sqlite_utils

from storage.errors import StorageError

P = ParamSpec("P")
T = TypeVar("T")


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database file in WAL mode.

    Raises StorageError when the file cannot be opened or is not a database.
    """
    try:
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        db = sqlite_utils.Database(conn)
        db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses no committed data
        db.execute("PRAGMA busy_timeout = 30000")
    except sqlite3.Error as exc:
        raise StorageError(f"Cannot open the database {path}: {exc}.") from exc
    return db


@contextmanager
def sqlite_errors() -> Iterator[None]:
    """Re-raise any sqlite3 error as StorageError."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StorageError(f"Database error: {exc}.") from exc


def wrapped(fn: Callable[P, T]) -> Callable[P, T]:
    """Decorator form of sqlite_errors for storage methods."""

    @wraps(fn)
    def inner(*args: P.args, **kwargs: P.kwargs) -> T:
        with sqlite_errors():
            return fn(*args, **kwargs)

    return inner
