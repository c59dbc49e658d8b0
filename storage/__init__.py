"""The data-access layer: typed methods per table group over SQLite (sqlite-utils) or
PostgreSQL (psycopg): docs/storage-backends.md."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.async_storage import AsyncStorage
    from storage.storage import Storage

__all__ = ["AsyncStorage", "Storage"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: `storage.errors` and `storage.models` are imported by every
    # layer (and every parser process), which need not load sqlite-utils for them.
    if name == "AsyncStorage":
        from storage.async_storage import AsyncStorage

        return AsyncStorage
    if name == "Storage":
        from storage.storage import Storage

        return Storage
    raise AttributeError(name)
