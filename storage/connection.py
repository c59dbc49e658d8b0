"""Opening the database (a SQLite file or a PostgreSQL URL) and turning driver errors
into StorageError."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import sqlite_utils

from storage.database import Database, Dialect, is_postgresql_url
from storage.errors import StorageError

P = ParamSpec("P")
T = TypeVar("T")

# The drivers' base errors; storage.postgres adds psycopg's when it is loaded, so the SQLite
# path never imports psycopg.
_DRIVER_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error,)


def register_driver_error(error: type[Exception]) -> None:
    """Also turn this driver's errors into StorageError."""
    global _DRIVER_ERRORS
    if error not in _DRIVER_ERRORS:
        _DRIVER_ERRORS = (*_DRIVER_ERRORS, error)


class SQLiteDatabase(sqlite_utils.Database):
    """sqlite-utils' Database as a `storage.database.Database`: every call the stores make
    is sqlite-utils' own, unchanged."""

    dialect: Dialect = "sqlite"

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> int:
        return int(self.conn.executemany(sql, rows).rowcount)

    def is_in(self, expression: str, values: Sequence[Any], /) -> tuple[str, list[Any]]:
        return f"{expression} IN ({','.join('?' * len(values))})", list(values)


def open_database(location: str | Path) -> Database:
    """Open the database: a PostgreSQL URL (postgresql://...) or a SQLite file, created if
    needed, in WAL mode.

    Raises StorageError when it cannot be opened or is not a database.
    """
    if is_postgresql_url(location):
        from storage.postgres import open_postgres

        return open_postgres(str(location))
    return open_sqlite(location)


def open_sqlite(path: str | Path) -> SQLiteDatabase:
    try:
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        db = SQLiteDatabase(conn)
        db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses no committed data
        db.execute("PRAGMA busy_timeout = 30000")
    except sqlite3.Error as exc:
        raise StorageError(f"Cannot open the database {path}: {exc}.") from exc
    return db


@contextmanager
def driver_errors() -> Iterator[None]:
    """Re-raise any database driver error as StorageError."""
    try:
        yield
    except _DRIVER_ERRORS as exc:
        raise StorageError(f"Database error: {exc}.") from exc


def wrapped(fn: Callable[P, T]) -> Callable[P, T]:
    """Decorator form of driver_errors for storage methods."""

    @wraps(fn)
    def inner(*args: P.args, **kwargs: P.kwargs) -> T:
        with driver_errors():
            return fn(*args, **kwargs)

    return inner
