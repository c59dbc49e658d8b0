"""A URL's password is never shown: replies, exports, error sentences and log lines."""

from __future__ import annotations

import logging

from bot.errors import InvalidURL
from bot.logs import RedactSecrets
from bot.redact import hide_credentials
from bot.services.opml import OpmlFeed, write_opml
from bot.shell.replies import settings_lines
from bot.shell.tree import error_sentence
from bot.text.markdown import clean
from tests.models import make_source

URL = "http://reader:s3cretpass@feeds.example.com/private.xml"


def test_the_password_is_hidden_and_the_rest_kept() -> None:
    assert hide_credentials(URL) == "http://reader:***@feeds.example.com/private.xml"
    assert hide_credentials("no url, a@b and https://host/p@th") == (
        "no url, a@b and https://host/p@th"
    )


def test_replies_exports_errors_and_logs_hide_it() -> None:
    assert "s3cretpass" not in clean(f"see {URL}")
    assert "s3cretpass" not in "\n".join(settings_lines(make_source(feed_url=URL)))
    assert b"s3cretpass" not in write_opml([OpmlFeed(url=URL, title="Private")])
    assert "s3cretpass" not in error_sentence(InvalidURL(f"The URL {URL} is odd.", url=URL))
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "feed %s failed", (URL,), None)
    RedactSecrets([]).filter(record)
    assert "s3cretpass" not in record.getMessage()
