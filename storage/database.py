"""What the stores need from a database, on either engine (docs/storage-backends.md).

A store holds a `Database` and writes SQLite's SQL: `?` and `:name` placeholders, rows as
tuples from `execute` and as dicts from `query`, `atomic()` for a transaction (nested
blocks are savepoints). Two implementations:

- `storage.connection.SQLiteDatabase`: sqlite-utils' Database itself (a subclass adding
  `dialect`, `executemany` and `is_in`), so the SQLite path does exactly what it did
  before: no wrapper call, no SQL translation.
- `storage.postgres.PostgresDatabase`: one psycopg 3 connection; each SQL text is
  translated once (cached) into psycopg's form.

Where the engines differ in meaning, not just in spelling, a store branches on
`db.dialect`, locally and rarely. This module imports no driver: the settings import it
to recognise a PostgreSQL URL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgresql"]
Params = Sequence[Any] | dict[str, Any]

POSTGRESQL_COMPLETE = False
"""Whether every store runs on PostgreSQL: until then the app refuses a PostgreSQL URL
(the storage layer and its tests open one)."""
POSTGRESQL_NOT_COMPLETE = (
    "PostgreSQL support is not complete yet: set NEWSDESK_DATABASE to a SQLite file path "
    "(the default is newsdesk.db)"
)


def is_postgresql_url(location: object) -> bool:
    """Whether a NEWSDESK_DATABASE value names a PostgreSQL server, not a SQLite file."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


class Cursor(Protocol):
    """The result of `Database.execute`: rows as tuples."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Database(Protocol):
    """The operations the stores use, with sqlite-utils' signatures."""

    @property
    def dialect(self) -> Dialect: ...

    def execute(self, sql: str, parameters: Params | None = None, /) -> Cursor: ...

    def query(self, sql: str, params: Params | None = None, /) -> Iterator[dict[str, Any]]: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> int:
        """Run one statement per row; how many rows they changed in all."""
        ...

    def executescript(self, sql: str, /) -> object:
        """Run several statements without parameters (a migration)."""
        ...

    def atomic(self) -> AbstractContextManager[object]: ...

    def is_in(self, expression: str, values: Sequence[Any], /) -> tuple[str, list[Any]]:
        """`expression` is one of `values`: the SQL condition and its parameters."""
        ...

    def table_names(self) -> list[str]: ...

    def close(self) -> None: ...
