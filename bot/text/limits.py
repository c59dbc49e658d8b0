"""Discord's message limits, in one place (Discord API reference, "Embed Limits")."""

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
AUTHOR_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_LIMIT = 1024
FOOTER_LIMIT = 2048
FIELDS_MAX = 25
EMBED_TOTAL_LIMIT = 6000
NONCE_LIMIT = 25


def nonce(kind: str, *parts: int | str) -> str:
    """A message's nonce: fixed for that message, so a resend after a crash carries the same
    one and Discord (enforce_nonce) answers with the first message instead of posting again.
    A two-letter kind, then each part (numbers in hex), at most 25 characters."""
    return (kind + "".join(f"{p:x}" if isinstance(p, int) else p for p in parts))[:NONCE_LIMIT]
