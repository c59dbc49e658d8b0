"""The data-access layer: SQLite through sqlite-utils, typed methods per table group."""

from storage.async_storage import AsyncStorage
from storage.storage import Storage

__all__ = ["AsyncStorage", "Storage"]
