"""How datetimes are stored: ISO 8601 text in UTC, so SQL compares them as strings."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(value: datetime | None) -> str | None:
    """Aware datetime -> sortable UTC text. Raises ValueError on a naive datetime."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to storage; use timezone-aware UTC")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db(value: str | None) -> datetime | None:
    return None if value is None else from_db_required(value)


def from_db_required(value: str) -> datetime:
    # Reads what to_db wrote ("Z" is UTC); 50x faster than strptime, which showed in
    # profiles of reading thousands of items for a digest.
    return datetime.fromisoformat(value)
