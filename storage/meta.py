"""Key-value facts about the installation (command hash, instance id) and counters."""

from __future__ import annotations

from storage.connection import wrapped
from storage.database import Database


class MetaStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    @wrapped
    def get(self, key: str) -> str | None:
        """The value stored under key, or None. Raises StorageError."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    @wrapped
    def set(self, key: str, value: str) -> None:
        """Store value under key, replacing any earlier one. Raises StorageError."""
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    @wrapped
    def increment(self, name: str, by: int = 1) -> None:
        """Add to a named counter (shown by /newsdesk status). Raises StorageError."""
        self._db.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value",
            [name, by],
        )

    @wrapped
    def counters(self) -> dict[str, int]:
        """Every counter by name. Raises StorageError."""
        return {row["name"]: row["value"] for row in self._db.query("SELECT * FROM counters")}
