"""What is never shown: the password of a URL (`https://user:secret@host/feed`), in any
reply, export or log line."""

from __future__ import annotations

import re

HIDDEN = "***"
# scheme://user:password@ — the user name may stay (it says which account), the password not.
_CREDENTIALS = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]*):[^/\s@]*@")


def hide_credentials(text: str) -> str:
    """`text` with the password of every URL in it replaced by ***."""
    return _CREDENTIALS.sub(rf"\1:{HIDDEN}@", text) if "@" in text else text
