"""PostgreSQL through psycopg 3: the `Database` the stores use, over one connection.

The stores write SQLite's SQL; this module turns each text into psycopg's form once (the
translation is cached by text, so a repeated query costs a dictionary look-up) and never
touches the SQLite path. The translation is mechanical, outside string literals, quoted
names and comments:

- placeholders: `?` becomes `%s`, `:name` becomes `%(name)s` (a `::` cast is left
  alone), and a literal `%` becomes `%%`;
- SQLite's planner hints are dropped: a unary `+` before a column (`+d.guild_id`, which
  keeps SQLite off an index; PostgreSQL plans from statistics) and `CROSS JOIN` (SQLite's
  fixed join order) becomes `JOIN`. So a binary `+` is written with a space after it.

What differs in meaning (GREATEST for SQLite's two-argument MAX, `IS DISTINCT FROM`,
`= ANY(...)` for a list, a tsvector for FTS5) is written per dialect in the store, where
`db.dialect` says which engine it talks to.

One connection per Storage, in autocommit mode: `atomic()` is psycopg's transaction block
(BEGIN ... COMMIT, a savepoint when nested), as sqlite-utils' is on SQLite. Storage is used
from one thread at a time (AsyncStorage's worker), which is what one connection allows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.rows import dict_row

from storage.connection import register_driver_error
from storage.database import Dialect, Params
from storage.errors import StorageError

register_driver_error(psycopg.Error)

_TOKEN = re.compile(
    r"""(?P<literal>'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*)
      | (?P<cast>::)
      | (?P<named>:[A-Za-z_]\w*)
      | (?P<positional>\?)
      | (?P<percent>%)
      | (?P<hint>(?<=[\s(])\+(?=[A-Za-z_]))
      | (?P<cross>\bCROSS\s+JOIN\b)""",
    re.VERBOSE | re.IGNORECASE,
)


def _replace(match: re.Match[str]) -> str:
    kind = match.lastgroup
    text = match.group()
    if kind == "literal":
        return text.replace("%", "%%")
    if kind == "named":
        return f"%({text[1:]})s"
    if kind == "positional":
        return "%s"
    if kind == "percent":
        return "%%"
    if kind == "hint":
        return ""
    if kind == "cross":
        return "JOIN"
    return text  # a cast


@lru_cache(maxsize=4096)
def to_psycopg(sql: str) -> str:
    """SQLite-flavoured SQL as psycopg wants it (see the module docstring)."""
    return _TOKEN.sub(_replace, sql)


class PostgresDatabase:
    dialect: Dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Params | None = None, /) -> psycopg.Cursor[Any]:
        return self.conn.execute(to_psycopg(sql), parameters if parameters is not None else ())

    def query(self, sql: str, params: Params | None = None, /) -> Iterator[dict[str, Any]]:
        cursor = self.conn.cursor(row_factory=dict_row)
        yield from cursor.execute(to_psycopg(sql), params if params is not None else ())

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> int:
        with self.conn.cursor() as cursor:
            cursor.executemany(to_psycopg(sql), rows)
            return cursor.rowcount

    def executescript(self, sql: str, /) -> object:
        # No parameters: the text goes as it is, several statements in one round trip.
        return self.conn.execute(sql)

    def atomic(self) -> AbstractContextManager[object]:
        return self.conn.transaction()

    def is_in(self, expression: str, values: Sequence[Any], /) -> tuple[str, list[Any]]:
        return f"{expression} = ANY(?)", [list(values)]

    def table_names(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
        return [str(row[0]) for row in rows]

    def server_version(self) -> str:
        """The server's version, as `SHOW server_version` says it."""
        row = self.conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else ""

    def close(self) -> None:
        self.conn.close()


def open_postgres(url: str) -> PostgresDatabase:
    """Connect to the database at `url`. Raises StorageError when it cannot."""
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise StorageError(f"Cannot connect to the database {_redacted(url)}: {exc}.") from exc
    return PostgresDatabase(conn)


def _redacted(url: str) -> str:
    """The URL without its password."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)
