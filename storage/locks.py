"""Work that one process of several must do alone (PostgreSQL advisory locks).

Several `newsdesk run` processes may share one PostgreSQL database (#21). A job that must
run once for all of them (follow DMs, command sync, an identify turn) runs in the process
holding its lock. The lock belongs to the process's database session: a process that dies
or loses its connection holds it no longer, and another takes it on its next try. On SQLite
there is one process, which holds every lock.
"""

from __future__ import annotations

import zlib

from storage.connection import wrapped
from storage.database import Database


def lock_key(name: str) -> int:
    """A stable 32-bit key for a lock's name (PostgreSQL's advisory locks take a number)."""
    return zlib.crc32(f"newsdesk:{name}".encode())


class LockStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    @wrapped
    def try_hold(self, name: str) -> bool:
        """Whether this process holds the lock `name` now, taking it if it is free.
        Asking again while holding it takes it no second time. Raises StorageError."""
        if self._db.dialect != "postgresql":
            return True
        key = lock_key(name)
        held = self._db.execute(
            """SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
               AND classid = 0 AND objid::bigint = ? AND objsubid = 1""",
            [key],
        ).fetchone()
        if held is not None:
            return True
        row = self._db.execute("SELECT pg_try_advisory_lock(?)", [key]).fetchone()
        return bool(row[0])

    @wrapped
    def release(self, name: str) -> None:
        """Let another process take the lock `name`. Raises StorageError."""
        if self._db.dialect == "postgresql":
            self._db.execute("SELECT pg_advisory_unlock(?)", [lock_key(name)])
