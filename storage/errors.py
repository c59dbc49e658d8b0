"""What storage raises. Errors carry data, not sentences: the layers above say them."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error storage raises on purpose."""


class StorageError(StoreError):
    """The database could not be opened, read or written (wraps the driver's error)."""


class RecordNotFound(StoreError):
    """No live `what` (``"source"``, ``"feed"``, ``"follow"``) for `key` in this scope."""

    def __init__(self, what: str, key: int | str) -> None:
        super().__init__(f"no {what} {key!r}")
        self.what = what
        self.key = key


class RecordAmbiguous(StoreError):
    """More than one live `what` answers to `key`; `channels` maps each one's id to the
    channel it posts in, so the caller can ask which."""

    def __init__(self, what: str, key: str, channels: dict[int, int]) -> None:
        super().__init__(f"{len(channels)} {what}s match {key!r}")
        self.what = what
        self.key = key
        self.channels = channels


class RecordExists(StoreError):
    """The `what` to create exists already; `existing` names it."""

    def __init__(self, what: str, existing: str) -> None:
        super().__init__(f"{what} exists: {existing!r}")
        self.what = what
        self.existing = existing


class RecordLimit(StoreError):
    """Creating another `what` would pass the limit; `count` is how many there are."""

    def __init__(self, what: str, count: int) -> None:
        super().__init__(f"{count} {what}s: limit reached")
        self.what = what
        self.count = count
