"""The backend machinery itself: choosing an engine by URL, translating SQL for psycopg,
errors on both engines (#20)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from storage import Storage
from storage.connection import SQLiteDatabase
from storage.database import is_postgresql_url
from storage.errors import StorageError
from storage.postgres import PostgresDatabase, to_psycopg


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "SELECT * FROM t WHERE a = ? AND b IN (?, ?)",
            "SELECT * FROM t WHERE a = %s AND b IN (%s, %s)",
        ),
        ("UPDATE t SET a = :now WHERE id = :_id", "UPDATE t SET a = %(now)s WHERE id = %(_id)s"),
        # Inside literals, quoted names and comments nothing is a placeholder; every % doubles.
        (
            "SELECT '?', ':x', 'it''s 50%', \"a?b\" -- why? :y\n",
            "SELECT '?', ':x', 'it''s 50%%', \"a?b\" -- why? :y\n",
        ),
        ("SELECT x::text, 1 % 2", "SELECT x::text, 1 %% 2"),
        # SQLite's planner hints go; arithmetic stays.
        ("WHERE +d.guild_id = ? AND (+guild_id = ?)", "WHERE d.guild_id = %s AND (guild_id = %s)"),
        (
            "SET value = counters.value + excluded.value",
            "SET value = counters.value + excluded.value",
        ),
        (
            "FROM items i CROSS JOIN deliveries d ON d.item_id = i.id",
            "FROM items i JOIN deliveries d ON d.item_id = i.id",
        ),
        ("SELECT 'a CROSS JOIN b'", "SELECT 'a CROSS JOIN b'"),
    ],
)  # fmt: skip
def test_sql_is_translated_for_psycopg(sql: str, expected: str) -> None:
    assert to_psycopg(sql) == expected


def test_the_engine_follows_the_location(tmp_path: object, postgres_url: str) -> None:
    assert is_postgresql_url(postgres_url) and is_postgresql_url("postgres://h/db")
    assert not is_postgresql_url("newsdesk.db") and not is_postgresql_url(None)
    sqlite = Storage(f"{tmp_path}/a.db")
    postgres = Storage(postgres_url)
    assert isinstance(sqlite.db, SQLiteDatabase) and sqlite.db.dialect == "sqlite"
    assert isinstance(postgres.db, PostgresDatabase) and postgres.db.dialect == "postgresql"
    assert postgres.db.server_version().split(".")[0].isdigit()
    assert postgres.integrity_ok()
    sqlite.close()
    postgres.close()


def test_an_unreachable_server_is_a_storage_error_without_the_password(tmp_path: object) -> None:
    url = f"postgresql://newsdesk:sekrit@/nothing?host={tmp_path}&connect_timeout=2"
    with pytest.raises(StorageError) as caught:
        Storage(url)
    assert "sekrit" not in str(caught.value) and "newsdesk:***@" in str(caught.value)


def test_a_failed_transaction_leaves_no_trace_on_either_engine(database: str) -> None:
    store = Storage(database)
    with pytest.raises((sqlite3.Error, psycopg.Error)):  # noqa: SIM117
        with store.db.atomic():
            store.meta.set("kept", "no")
            store.db.execute("INSERT INTO no_such_table VALUES (1)")
    assert store.meta.get("kept") is None
    store.meta.set("kept", "yes")  # the connection is usable after the error
    assert store.meta.get("kept") == "yes"
    store.close()
