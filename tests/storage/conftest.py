"""Storage tests run on both engines: a test that takes `database` runs once on a SQLite
file and once on a fresh PostgreSQL database (tests/storage/postgres.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where a Storage opens: a new SQLite file's path or a new PostgreSQL database's URL."""
    if backend == "sqlite":
        return str(tmp_path / "test.db")
    return str(request.getfixturevalue("postgres_url"))
