"""The project's one error tree.

Every error a user may cause or meet carries a ``user_message``: one clear
sentence that says what went wrong and what to do. ``CommandTree.on_error``
shows that sentence; anything outside this tree is a bug and is logged with
its traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from storage.errors import (
    RecordAmbiguous,
    RecordExists,
    RecordLimit,
    RecordNotFound,
    StorageError,
    StoreError,
)


class NewsdeskError(Exception):
    """Base of every error newsdesk raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def user_message(self) -> str:
        return self.message


class ConfigError(NewsdeskError):
    """The configuration is invalid."""


class DatabaseUnavailable(NewsdeskError):
    """The database could not be read or written (storage's StorageError, explained)."""

    @property
    def user_message(self) -> str:
        return "The database could not be read or written; the operator has been told in the logs."


class UserError(NewsdeskError):
    """Bad input from a Discord user: shown as is, ephemerally."""


class InvalidOption(UserError):
    """An option value is out of range or malformed."""


class NotFound(UserError):
    """The named thing does not exist in this guild."""


class Duplicate(UserError):
    """The thing to create exists already."""


class LimitReached(UserError):
    """A per-guild or per-member limit would be exceeded."""


class FetchError(NewsdeskError):
    """A URL could not be fetched. ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class InvalidURL(FetchError, UserError):
    """The URL is malformed or uses a scheme other than http/https."""


class BlockedAddress(FetchError, UserError):
    """The URL resolves to a private, loopback or otherwise reserved address."""


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(
        self, message: str, *, url: str = "", status: int, retry_after: float | None = None
    ) -> None:
        super().__init__(message, url=url, status=status)
        self.retry_after = retry_after


class ResponseTooLarge(FetchError):
    """The body exceeded the size cap (after decompression)."""


class TooManyRedirects(FetchError):
    """More redirects than allowed, or a redirect loop."""


class FetchTimeout(FetchError):
    """Connecting or reading took too long."""


class ConnectionFailed(FetchError):
    """DNS, TCP or TLS failed, or the connection was reset."""


class NotAFeed(UserError):
    """The document is neither a feed nor a page that links to one."""


class ParserStopped(NotAFeed):
    """The parser was stopped on this document (past its time limit, or it crashed): the
    document is no page to look for feed links in either."""


SendFailure = Literal["blocked", "gone", "refused", "retry"]


class SendError(Exception):
    """Discord did not take a message. Every sender raises this one type, so delivery,
    alerts and DMs decide from `kind` alone:

    - ``blocked``: no permission (or the member's DMs are closed): stop until fixed;
    - ``gone``: the channel, member or message no longer exists;
    - ``refused``: Discord rejected the content itself (400): retrying cannot help;
    - ``retry``: anything passing (5xx, rate limits, network errors, timeouts).
    """

    def __init__(self, kind: SendFailure, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


_SEE_SOURCES = "Use /source list to see them."
_SEE_FOLLOWS = "/topic following lists your follows."


def explain(error: NewsdeskError | StoreError) -> NewsdeskError:
    """Storage's errors carry data; this gives them their sentence."""
    if isinstance(error, NewsdeskError):
        return error
    explained = _explained(error)
    explained.__cause__ = error
    return explained


@contextmanager
def user_errors() -> Iterator[None]:
    """Storage's record errors (not found, exists, limit) raised as the user errors they
    mean, for the services' callers."""
    try:
        yield
    except (RecordNotFound, RecordAmbiguous, RecordExists, RecordLimit) as exc:
        raise explain(exc) from exc


def _explained(error: StoreError) -> NewsdeskError:
    match error:
        case RecordNotFound(what="source", key=int()):
            return NotFound(f"There is no such source in this server. {_SEE_SOURCES}")
        case RecordNotFound(what="source", key=key):
            return NotFound(f"No source named “{str(key)[:100]}” in this server. {_SEE_SOURCES}")
        case RecordNotFound(what="follow", key=key):
            return NotFound(f"You do not follow “{key}”. {_SEE_FOLLOWS}")
        case RecordNotFound(what=what, key=key):
            return NotFound(f"There is no {what} {key}.")
        case RecordAmbiguous(what="source", key=key, channels=channels):
            where = ", ".join(f"<#{channel}> (id {source})" for source, channel in channels.items())
            return NotFound(
                f"Several sources match “{str(key)[:100]}”: {where}. "
                "Pick one from the list, or give its id."
            )
        case RecordExists(what="source", existing=name):
            return Duplicate(
                f"This channel already gets that feed as “{name}”. "
                "To send it to another channel too, add it with that `channel`."
            )
        case RecordExists(what="follow", existing=keywords):
            return Duplicate(f"You already follow “{keywords}”. {_SEE_FOLLOWS}")
        case RecordExists(what=what, existing=name):
            return Duplicate(f"That {what} exists already: “{name}”.")
        case RecordLimit(what="follow", count=count):
            return LimitReached(
                f"You already follow {count} topics, the most allowed here. "
                "Remove one with /topic unfollow first."
            )
        case RecordLimit(what=what, count=count):
            return LimitReached(f"This server has {count} {what}s, the most allowed.")
        case StorageError():
            return DatabaseUnavailable(str(error))
    return NewsdeskError(str(error))
