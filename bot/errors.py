"""The project's one error tree.

Every error a user may cause or meet carries a ``user_message``: one clear
sentence that says what went wrong and what to do. ``CommandTree.on_error``
shows that sentence; anything outside this tree is a bug and is logged with
its traceback.
"""

from __future__ import annotations


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


class StorageError(NewsdeskError):
    """A database operation failed (wraps sqlite3 errors)."""

    @property
    def user_message(self) -> str:
        return "The database could not be read or written; the operator has been told in the logs."


class UserError(NewsdeskError):
    """Bad input from a Discord user: shown as is, ephemerally."""


class InvalidOption(UserError):
    """An option value is out of range or malformed."""


class PermissionDenied(UserError):
    """The member may not use this command."""


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
