"""The malformed-feed corpus (issue #9): broken and odd feed documents, and what each must give.

The files live in ``tests/feeds/malformed/`` with ``manifest.json``; this module writes them
(``python -m tests.malformed_corpus``) and reads them back for the tests. Two cases are too big
to commit and are made at test time: :func:`ten_thousand_items` and :func:`nine_megabyte_item`.

Each case expects one of:

- ``items``: the parser returns a feed, and every well-formed item of the document is read.
  Each such item carries a *marker* (``M<case><letter>``) in its title, link or summary; the
  tests check that every marker is read (unit) and posted (end to end).
- ``not_a_feed``: the parser raises :class:`bot.errors.NotAFeed` (one clear sentence).
- ``either``: garbage with no well-formed item; a feed or ``NotAFeed``, never a crash.
"""

from __future__ import annotations

import codecs
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent / "feeds" / "malformed"
MANIFEST = CORPUS / "manifest.json"
RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml"
JSON_TYPE = "application/feed+json"
HTML_TYPE = "text/html; charset=utf-8"
SITE = "https://corpus.example"


@dataclass
class Case:
    name: str
    """File name in the corpus directory."""
    expect: str
    """``items``, ``not_a_feed`` or ``either``."""
    markers: list[str] = field(default_factory=list)
    """One per well-formed item (``items`` cases): must be read and posted."""
    content_type: str | None = RSS_TYPE
    what: str = ""
    style: str = "headline"
    """The style the end-to-end test gives the source (``summary`` when an item has only a
    summary to show)."""


def _marker(number: int, letter: str) -> str:
    return f"M{number:03d}{letter}"


def rss(
    items: str, *, decl: str = '<?xml version="1.0" encoding="utf-8"?>', extra: str = ""
) -> str:
    return (
        f'{decl}<rss version="2.0"><channel><title>Corpus feed</title>'
        f"<link>{SITE}/</link><description>d</description>{extra}{items}</channel></rss>"
    )


def item(marker: str, n: int = 0, *, body: str = "", date: str = "") -> str:
    pub = f"<pubDate>{date}</pubDate>" if date else ""
    return (
        f"<item><title>{marker} story</title><link>{SITE}/{marker.lower()}/{n}</link>"
        f"<guid>{marker.lower()}-{n}</guid>{pub}<description>About {marker}.{body}</description>"
        "</item>"
    )


def atom(entries: str, *, ns: str = 'xmlns="http://www.w3.org/2005/Atom"') -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed {ns}><title>Corpus atom</title>'
        f'<id>urn:corpus</id><updated>2024-04-01T08:00:00Z</updated><link href="{SITE}/"/>'
        f"{entries}</feed>"
    )


def entry(marker: str, *, extra: str = "", updated: str = "2024-04-01T08:00:00Z") -> str:
    return (
        f"<entry><title>{marker} entry</title><id>urn:{marker.lower()}</id>"
        f'<link href="{SITE}/{marker.lower()}"/><updated>{updated}</updated>'
        f"<summary>About {marker}.</summary>{extra}</entry>"
    )


def jfeed(items: list[Any], **extra: Any) -> str:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Corpus JSON",
            **extra,
            "items": items,
        }
    )


def jitem(marker: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": marker.lower(),
        "url": f"{SITE}/{marker.lower()}",
        "title": f"{marker} json",
        "content_text": f"About {marker}.",
        **fields,
    }


def _cases() -> tuple[list[Case], dict[str, bytes]]:
    cases: list[Case] = []
    blobs: dict[str, bytes] = {}

    def add(
        slug: str,
        expect: str,
        make: Callable[[Callable[[str], str]], str | bytes],
        *,
        ext: str = "xml",
        content_type: str | None = RSS_TYPE,
        what: str = "",
        style: str = "headline",
    ) -> None:
        number = len(cases) + 1
        used: list[str] = []

        def mark(letter: str) -> str:
            marker = _marker(number, letter)
            if marker not in used:
                used.append(marker)
            return marker

        body = make(mark)
        data = body.encode("utf-8") if isinstance(body, str) else body
        name = f"{number:03d}-{slug}.{ext}"
        blobs[name] = data
        markers = used if expect == "items" else []
        cases.append(Case(name, expect, markers, content_type, what or slug, style))

    # -- malformed XML ------------------------------------------------------------------------
    add(
        "unclosed-item",
        "items",
        lambda m: rss(item(m("a")) + item(m("b"))[:-7]),
        what="the last item is never closed",
    )
    add(
        "unclosed-channel",
        "items",
        lambda m: rss(item(m("a"))).replace("</channel></rss>", ""),
        what="document ends without closing channel and rss",
    )
    add(
        "truncated-mid-item",
        "items",
        lambda m: rss(item(m("a")) + item("M999z"))[: -len("</channel></rss>") - 40],
        what="cut off in the middle of the second item",
    )
    add(
        "mismatched-tags",
        "items",
        lambda m: rss(item(m("a")) + "<item><title>x</titel></item>"),
        what="a closing tag that does not match",
    )
    add(
        "stray-ampersand",
        "items",
        lambda m: rss(item(m("a")).replace("story", "story & more") + item(m("b"))),
        what="a bare & in a title",
    )
    add(
        "undefined-entity",
        "items",
        lambda m: rss(item(m("a")).replace("story", "story&nbsp;&mdash;&hellip;")),
        what="HTML entities that XML does not define",
    )
    add(
        "lt-in-text",
        "items",
        lambda m: rss(item(m("a")).replace("story", "story if a < b")),
        what="a bare < in a title",
    )
    add(
        "unclosed-cdata",
        "items",
        lambda m: rss(item(m("a")) + "<item><title><![CDATA[never ends</title></item>"),
        what="a CDATA section that never ends",
    )
    add(
        "unclosed-comment",
        "items",
        lambda m: rss(item(m("a")) + "<!-- open comment <item><title>x</title></item>"),
        what="a comment that never ends",
    )
    add(
        "duplicate-attributes",
        "items",
        lambda m: rss(item(m("a")).replace("<guid>", '<guid isPermaLink="false" isPermaLink="1">')),
        what="the same attribute twice",
    )
    add(
        "unquoted-attribute",
        "items",
        lambda m: rss(item(m("a")).replace("<guid>", "<guid isPermaLink=false>")),
        what="an attribute value without quotes",
    )
    add(
        "nul-bytes",
        "items",
        lambda m: rss(item(m("a"))).replace("story", "st\x00ory"),
        what="NUL bytes inside a title",
    )
    add(
        "control-chars",
        "items",
        lambda m: rss(item(m("a"))).replace("About", "\x01\x02\x0b\x1bAbout"),
        what="C0 control characters XML forbids",
    )
    add(
        "garbage-after-root",
        "items",
        lambda m: rss(item(m("a"))) + "<rss><channel>trailing junk",
        what="a second root after the document",
    )
    add(
        "decl-not-first",
        "items",
        lambda m: "\n\n   " + rss(item(m("a"))),
        what="whitespace before the XML declaration",
    )
    add(
        "bom-and-decl",
        "items",
        lambda m: "\ufeff" + rss(item(m("a"))),
        what="a UTF-8 byte-order mark",
    )
    add(
        "nested-items",
        "items",
        lambda m: rss(f"<item><title>{m('a')} outer</title><guid>o</guid>{item(m('b'))}</item>"),
        what="an item inside an item",
    )
    add(
        "xxe-file",
        "items",
        lambda m: (
            '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + rss(item(m("a")).replace("story", "story &xxe;"), decl="")
        ),
        what="an external entity pointing at /etc/passwd (must not be read)",
    )
    add(
        "billion-laughs",
        "either",
        lambda m: (
            '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
            + "".join(
                f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
            )
            + "]>"
            + rss("<item><title>&i;</title><guid>bl</guid></item>", decl="")
        ),
        what="entity expansion bomb",
    )
    add(
        "deep-nesting",
        "either",
        lambda m: rss(
            "<item><title>" + "<b>" * 20000 + "deep" + "</b>" * 20000 + "</title></item>"
        ),
        what="20,000 nested elements",
    )
    add(
        "only-declaration",
        "not_a_feed",
        lambda m: '<?xml version="1.0" encoding="utf-8"?>',
        what="an XML declaration and nothing else",
    )
    add(
        "not-a-feed-xml",
        "not_a_feed",
        lambda m: '<?xml version="1.0"?><note><to>you</to><body>hello</body></note>',
        content_type="application/xml",
        what="well-formed XML that is not a feed",
    )
    add(
        "svg",
        "not_a_feed",
        lambda m: '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
        content_type="image/svg+xml",
        what="an SVG image",
    )
    add(
        "processing-instructions",
        "items",
        lambda m: rss(
            item(m("a")),
            decl='<?xml version="1.0"?><?xml-stylesheet href="s.xsl"?><?php echo 1; ?>',
        ),
        what="stylesheet and stray processing instructions",
    )

    # -- encodings ----------------------------------------------------------------------------
    add(
        "latin1-declared-utf8",
        "items",
        lambda m: rss(item(m("a")).replace("story", "café über")).encode("latin-1"),
        what="Latin-1 bytes under a UTF-8 declaration",
    )
    add(
        "utf8-declared-latin1",
        "items",
        lambda m: rss(
            item(m("a")).replace("story", "café über"),
            decl='<?xml version="1.0" encoding="iso-8859-1"?>',
        ).encode("utf-8"),
        content_type="application/rss+xml",
        what="UTF-8 bytes under a Latin-1 declaration",
    )
    add(
        "cp1252-smart-quotes",
        "items",
        lambda m: rss(
            item(m("a")).replace("story", "“quoted” – story"),
            decl='<?xml version="1.0" encoding="windows-1252"?>',
        ).encode("cp1252"),
        content_type="application/rss+xml",
        what="windows-1252 smart quotes",
    )
    add(
        "utf16-le-bom",
        "items",
        lambda m: (
            codecs.BOM_UTF16_LE
            + rss(item(m("a")), decl='<?xml version="1.0" encoding="utf-16"?>').encode("utf-16-le")
        ),
        content_type="application/rss+xml",
        what="UTF-16 little endian with a BOM",
    )
    add(
        "utf16-be-bom",
        "items",
        lambda m: (
            codecs.BOM_UTF16_BE
            + rss(item(m("a")), decl='<?xml version="1.0" encoding="utf-16"?>').encode("utf-16-be")
        ),
        content_type="application/rss+xml",
        what="UTF-16 big endian with a BOM",
    )
    add(
        "unknown-encoding",
        "items",
        lambda m: rss(item(m("a")), decl='<?xml version="1.0" encoding="x-no-such-charset"?>'),
        content_type="application/rss+xml",
        what="an encoding name nobody knows",
    )
    add(
        "shift-jis",
        "items",
        lambda m: rss(
            item(m("a")).replace("story", "東京のニュース"),
            decl='<?xml version="1.0" encoding="shift_jis"?>',
        ).encode("shift_jis"),
        content_type="application/rss+xml",
        what="Shift_JIS",
    )
    add(
        "koi8-r",
        "items",
        lambda m: rss(
            item(m("a")).replace("story", "новости"), decl='<?xml version="1.0" encoding="koi8-r"?>'
        ).encode("koi8-r"),
        content_type="application/rss+xml",
        what="KOI8-R",
    )
    add(
        "charset-header-conflict",
        "items",
        lambda m: rss(
            item(m("a")).replace("story", "café"),
            decl='<?xml version="1.0" encoding="iso-8859-1"?>',
        ).encode("utf-8"),
        content_type="application/rss+xml; charset=utf-8",
        what="the header says UTF-8, the declaration Latin-1",
    )
    add(
        "invalid-utf8-bytes",
        "items",
        lambda m: (
            rss(item(m("a")).replace("story", "café"))
            .encode()
            .replace(b"caf\xc3\xa9", b"caf\xc3\xa9 \xff\xfe \xc0\xaf \xed\xa0\x80")
        ),
        what="invalid, overlong and surrogate UTF-8 sequences among valid ones",
    )
    add(
        "truncated-multibyte",
        "items",
        lambda m: rss(item(m("a"))).encode() + "日".encode()[:2],
        what="a multibyte character cut at the end",
    )
    add(
        "utf32-declared",
        "items",
        lambda m: rss(item(m("a")), decl='<?xml version="1.0" encoding="utf-32"?>'),
        content_type="application/rss+xml",
        what="declares UTF-32, is UTF-8",
    )
    add(
        "no-declaration-latin1",
        "items",
        lambda m: rss(item(m("a")).replace("story", "naïve"), decl="").encode("latin-1"),
        content_type="application/rss+xml",
        what="no declaration, Latin-1 bytes",
    )

    # -- HTML, text, binary and empty bodies served as a feed ---------------------------------
    add(
        "html-with-alternate",
        "not_a_feed",
        lambda m: (
            f'<!doctype html><html><head><link rel="alternate" '
            f'type="application/rss+xml" href="{SITE}/feed.xml"></head><body>Hi</body></html>'
        ),
        ext="html",
        content_type=HTML_TYPE,
        what="a web page that links to a feed",
    )
    add(
        "html-no-feed",
        "not_a_feed",
        lambda m: "<html><head><title>Hi</title></head><body><p>No feed</p></body></html>",
        ext="html",
        content_type=HTML_TYPE,
        what="a web page without a feed",
    )
    add(
        "html-error-page",
        "not_a_feed",
        lambda m: "<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1>nginx</body></html>",
        ext="html",
        content_type="application/rss+xml",
        what="a proxy error page served as RSS",
    )
    add(
        "xhtml",
        "not_a_feed",
        lambda m: (
            '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">'
            "<head><title>t</title></head><body><p>x</p></body></html>"
        ),
        ext="xhtml",
        content_type="application/xhtml+xml",
        what="an XHTML page",
    )
    add(
        "plain-text",
        "not_a_feed",
        lambda m: "Service temporarily unavailable.\nTry later.\n",
        ext="txt",
        content_type="text/plain",
        what="plain text",
    )
    add("empty-body", "not_a_feed", lambda m: "", what="zero bytes")
    add("whitespace-body", "not_a_feed", lambda m: " \r\n\t \n", what="only whitespace")
    add("nul-body", "not_a_feed", lambda m: b"\x00" * 64, ext="bin", what="only NUL bytes")
    add(
        "png",
        "not_a_feed",
        lambda m: b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        ext="png",
        content_type="image/png",
        what="an image",
    )
    add(
        "gzip-not-decoded",
        "not_a_feed",
        lambda m: b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(range(40)),
        ext="gz",
        content_type="application/rss+xml",
        what="gzip bytes without Content-Encoding",
    )
    add(
        "random-bytes",
        "either",
        lambda m: bytes((i * 7919 + 13) % 256 for i in range(4096)),
        ext="bin",
        what="pseudo-random bytes",
    )

    # -- empty feeds --------------------------------------------------------------------------
    add("empty-channel", "items", lambda m: rss(""), what="a channel with no items")
    add("self-closing-rss", "items", lambda m: '<rss version="2.0"/>', what="<rss/>")
    add(
        "atom-no-entries",
        "items",
        lambda m: atom(""),
        content_type=ATOM_TYPE,
        what="an Atom feed with no entries",
    )
    add(
        "empty-items",
        "items",
        lambda m: rss("<item></item><item/>" + item(m("a"))),
        what="empty items beside a good one",
    )

    # -- missing fields -----------------------------------------------------------------------
    add(
        "no-title",
        "items",
        lambda m: rss(
            f"<item><link>{SITE}/{m('a').lower()}</link><guid>nt</guid>"
            "<description>Only a link and a body.</description></item>"
        ),
        what="an item without a title",
    )
    add(
        "no-link",
        "items",
        lambda m: rss(f"<item><title>{m('a')} has no link</title><guid>nl</guid></item>"),
        what="an item without a link",
    )
    add(
        "no-date",
        "items",
        lambda m: rss(item(m("a")) + item(m("b"), 1)),
        what="items without dates",
    )
    add(
        "no-guid-no-link",
        "items",
        lambda m: rss(
            f"<item><title>{m('a')} bare</title><description>Body</description></item>"
            f"<item><title>{m('b')} bare</title></item>"
        ),
        what="items identified only by a hash",
    )
    add(
        "only-description",
        "items",
        lambda m: rss(f"<item><description>Nothing but {m('a')} text.</description></item>"),
        style="summary",
        what="an item with only a description",
    )
    add(
        "empty-guid",
        "items",
        lambda m: rss(item(m("a")).replace(f"<guid>{m('a').lower()}-0</guid>", "<guid> </guid>")),
        what="an empty guid",
    )
    add(
        "only-link",
        "items",
        lambda m: rss(f"<item><link>{SITE}/{m('a').lower()}</link></item>"),
        what="an item with only a link",
    )

    # -- dates ----------------------------------------------------------------------------------
    add(
        "future-date",
        "items",
        lambda m: rss(item(m("a"), date="Fri, 01 Jan 2999 00:00:00 GMT") + item(m("b"), 1)),
        what="a date in the year 2999",
    )
    add(
        "ancient-date",
        "items",
        lambda m: rss(item(m("a"), date="Mon, 01 Jan 1900 00:00:00 GMT")),
        what="a date in 1900",
    )
    add(
        "unparseable-dates",
        "items",
        lambda m: rss(
            item(m("a"), date="yesterday-ish")
            + item(m("b"), 1, date="Mon, 99 Foo 2024 99:99:99 ZZZ")
            + item(m("c"), 2, date="2024-02-30T25:61:00Z")
        ),
        what="dates nobody can read",
    )
    add(
        "iso-in-rss",
        "items",
        lambda m: rss(item(m("a"), date="2024-04-01T08:00:00+02:00")),
        what="an ISO 8601 pubDate",
    )
    add(
        "foreign-month",
        "items",
        lambda m: rss(item(m("a"), date="Mo, 01 Mär 2024 08:00:00 MEZ")),
        what="German month and zone names",
    )
    add(
        "epoch-number",
        "items",
        lambda m: rss(item(m("a"), date="1711958400")),
        what="a Unix timestamp as a date",
    )
    add(
        "huge-year",
        "items",
        lambda m: rss(
            item(m("a"), date="Mon, 01 Jan 99999 00:00:00 GMT")
            + item(m("b"), 1, date="Mon, 01 Jan 0000 00:00:00 GMT")
        ),
        what="year 99999 and year 0",
    )
    add(
        "leap-second",
        "items",
        lambda m: rss(item(m("a"), date="Sat, 31 Dec 2016 23:59:60 GMT")),
        what="a leap second",
    )
    add(
        "atom-odd-dates",
        "items",
        lambda m: atom(
            entry(m("a"), updated="not a date")
            + entry(m("b"), updated="")
            + entry(m("c"), updated="3000-01-01T00:00:00Z")
        ),
        content_type=ATOM_TYPE,
        what="Atom entries with bad and future dates",
    )

    # -- duplicates -----------------------------------------------------------------------------
    add(
        "duplicate-guids",
        "items",
        lambda m: rss(
            item(m("a")) + item(m("a")).replace("story", "story again") + item(m("b"), 1)
        ),
        what="the same guid twice in one feed",
    )
    add(
        "duplicate-links-no-guid",
        "items",
        lambda m: rss(
            f"<item><title>{m('a')} one</title><link>{SITE}/same</link></item>"
            f"<item><title>Same link</title><link>{SITE}/same?utm_source=x</link></item>"
        ),
        what="the same link twice (tracking parameters aside)",
    )
    add(
        "guid-case",
        "items",
        lambda m: rss(item(m("a")) + item(m("b")).replace(m("b").lower(), m("b"))),
        what="guids that differ only in case",
    )

    # -- odd sizes ------------------------------------------------------------------------------
    add(
        "long-title",
        "items",
        lambda m: rss(item(m("a")).replace("story", "word " * 1000)),
        what="a 5,000-character title",
    )
    add(
        "long-guid",
        "items",
        lambda m: rss(item(m("a")).replace("<guid>", "<guid>" + "g" * 5000)),
        what="a 5,000-character guid",
    )
    add(
        "long-link",
        "items",
        lambda m: rss(item(m("a")).replace("/0</link>", "/" + "p" * 3000 + "</link>")),
        what="a 3,000-character link",
    )
    add(
        "many-categories",
        "items",
        lambda m: rss(item(m("a")).replace("</item>", "<category>c</category>" * 2000 + "</item>")),
        what="2,000 categories",
    )

    # -- Discord text ---------------------------------------------------------------------------
    add(
        "mentions",
        "items",
        lambda m: rss(
            item(m("a")).replace(
                "story",
                "@everyone @here &lt;@123456789012345678&gt; &lt;@&amp;234567890123456789&gt;"
                " &lt;#345678901234567890&gt;",
            )
        ),
        what="mentions of everyone, a user, a role and a channel",
    )
    add(
        "markdown-and-links",
        "items",
        lambda m: rss(
            item(m("a")).replace(
                "story", "**bold** __u__ ~~s~~ ||spoiler|| `code` [x](https://evil.example) # head"
            )
        ),
        what="markdown and masked links",
    )
    add(
        "zero-width-rtl",
        "items",
        lambda m: rss(item(m("a")).replace("story", "\u200b@\u200beveryone \u202egnirts\u202c")),
        what="zero-width and right-to-left override characters",
    )
    add(
        "hostile-links",
        "items",
        lambda m: rss(
            f"<item><title>{m('a')} links</title><guid>hl</guid>"
            "<link>javascript:alert(1)</link></item>"
            f"<item><title>{m('b')} data</title><guid>hd</guid>"
            "<link>data:text/html,x</link><enclosure type='image/png' "
            "url='file:///etc/passwd'/></item>"
        ),
        what="javascript:, data: and file: links",
    )

    # -- RSS 0.9x / 1.0 and Atom 0.3 oddities -------------------------------------------------
    add(
        "rss091-doctype",
        "items",
        lambda m: (
            '<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD '
            'RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
            + rss(item(m("a")), decl="").replace('version="2.0"', 'version="0.91"')
        ),
        what="RSS 0.91 with the Netscape DOCTYPE",
    )
    add(
        "rss092-enclosure-only",
        "items",
        lambda m: rss(
            f"<item><description>{m('a')} episode</description>"
            f"<enclosure url='{SITE}/e.mp3' length='1' type='audio/mpeg'/></item>",
            decl="",
        ).replace('version="2.0"', 'version="0.92"'),
        style="summary",
        what="RSS 0.92 item with only a description and an enclosure",
    )
    add(
        "rss090",
        "items",
        lambda m: (
            '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
            'syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>Old</title>'
            f"<link>{SITE}/</link></channel><item><title>{m('a')} old</title>"
            f"<link>{SITE}/{m('a').lower()}</link></item></rdf:RDF>"
        ),
        content_type="application/rdf+xml",
        what="RSS 0.90",
    )
    add(
        "rss10-no-about",
        "items",
        lambda m: (
            '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
            'syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel><title>R</title>'
            f"<link>{SITE}/</link></channel><item><title>{m('a')} rdf</title>"
            f"<link>{SITE}/{m('a').lower()}</link></item><item><title>{m('b')} rdf</title>"
            "</item></rdf:RDF>"
        ),
        content_type="application/rdf+xml",
        what="RSS 1.0 items without rdf:about",
    )
    add(
        "rss10-missing-ns",
        "items",
        lambda m: (
            "<rdf:RDF><channel><title>R</title></channel>"
            f"<item><title>{m('a')} rdf</title><link>{SITE}/{m('a').lower()}</link></item>"
            "</rdf:RDF>"
        ),
        content_type="application/rdf+xml",
        what="RSS 1.0 with undeclared namespaces",
    )
    add(
        "atom03",
        "items",
        lambda m: (
            '<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#">'
            f"<title>Old atom</title><entry><title>{m('a')} old atom</title>"
            f'<link rel="alternate" type="text/html" href="{SITE}/{m("a").lower()}"/>'
            "<id>tag:corpus,2004:1</id><issued>2004-01-01T00:00:00Z</issued>"
            "<modified>2004-01-02T00:00:00Z</modified>"
            '<content type="text/html" mode="escaped">&lt;p&gt;Escaped&lt;/p&gt;</content>'
            "</entry><entry><title>"
            f"{m('b')} base64</title><id>tag:corpus,2004:2</id>"
            '<content type="text/plain" mode="base64">SGVsbG8gd29ybGQ=</content></entry></feed>'
        ),
        content_type=ATOM_TYPE,
        what="Atom 0.3 with escaped and base64 content",
    )
    add(
        "atom-no-namespace",
        "items",
        lambda m: atom(entry(m("a")), ns=""),
        content_type=ATOM_TYPE,
        what="Atom without its namespace",
    )
    add(
        "atom-xhtml-content",
        "items",
        lambda m: atom(
            entry(
                m("a"),
                extra='<content type="xhtml"><div xmlns="http://www.w3.org'
                '/1999/xhtml"><p>Hello <b>there</b></p></div></content>',
            )
        ),
        content_type=ATOM_TYPE,
        what="Atom xhtml content",
    )
    add(
        "atom-double-escaped",
        "items",
        lambda m: atom(
            entry(m("a")).replace(
                "entry</title>", "entry &amp;lt;b&amp;gt;x&amp;lt;/b&amp;gt;</title>"
            )
        ),
        content_type=ATOM_TYPE,
        what="a title escaped twice",
    )
    add(
        "atom-relative-links",
        "items",
        lambda m: atom(
            f'<entry xml:base="/blog/"><title>{m("a")} rel</title><id>urn:r</id>'
            f'<link href="../{m("a").lower()}"/><updated>2024-04-01T00:00:00Z</updated>'
            "</entry>"
        ),
        content_type=ATOM_TYPE,
        what="xml:base and relative links",
    )
    add(
        "atom-no-id",
        "items",
        lambda m: atom(
            f"<entry><title>{m('a')} no id</title></entry>"
            f"<entry><title>{m('b')} no id</title></entry>"
        ),
        content_type=ATOM_TYPE,
        what="Atom entries without id or link",
    )
    add(
        "content-encoded-only",
        "items",
        lambda m: rss(
            f"<item><guid>ce</guid><content:encoded><![CDATA[<p>{m('a')} inside "
            "content</p>]]></content:encoded></item>"
        ).replace(
            '<rss version="2.0">',
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        ),
        style="summary",
        what="an item with only content:encoded",
    )
    add(
        "no-version",
        "items",
        lambda m: rss(item(m("a"))).replace(' version="2.0"', ""),
        what="<rss> without a version",
    )
    add(
        "huge-ttl",
        "items",
        lambda m: rss(item(m("a")), extra="<ttl>99999999999999999999</ttl>"),
        what="an absurd ttl",
    )

    # -- JSON Feed ------------------------------------------------------------------------------
    add(
        "json-v1",
        "items",
        lambda m: json.dumps(
            {
                "version": "https://jsonfeed.org/version/1",
                "title": "J",
                "items": [jitem(m("a"), author={"name": "A"})],
            }
        ),
        ext="json",
        content_type=JSON_TYPE,
        what="JSON Feed 1.0",
    )
    add(
        "json-no-version",
        "not_a_feed",
        lambda m: json.dumps({"title": "J", "items": [jitem("M000x")]}),
        ext="json",
        content_type=JSON_TYPE,
        what="JSON without a JSON Feed version",
    )
    add(
        "json-items-not-list",
        "items",
        lambda m: jfeed({"a": 1}),  # type: ignore[arg-type]
        ext="json",
        content_type=JSON_TYPE,
        what="items is an object",
    )
    add(
        "json-mixed-items",
        "items",
        lambda m: jfeed(["a string", 42, None, [1], jitem(m("a"))]),
        ext="json",
        content_type=JSON_TYPE,
        what="items that are not objects beside a good one",
    )
    add(
        "json-odd-ids",
        "items",
        lambda m: jfeed(
            [
                jitem(m("a"), id=17),
                jitem(m("b"), id=True),
                jitem(m("c"), id=1.5),
                jitem(m("d"), id=None),
                jitem(m("e"), id={"x": 1}),
            ]
        ),
        ext="json",
        content_type=JSON_TYPE,
        what="numbers, booleans, null and objects as ids",
    )
    add(
        "json-wrong-types",
        "items",
        lambda m: jfeed(
            [
                jitem(
                    m("a"),
                    tags="notalist",
                    authors={"name": 1},
                    author=[1],
                    attachments="x",
                    image=5,
                    date_published=20240101,
                    summary=["x"],
                    content_html=None,
                )
            ]
        ),
        ext="json",
        content_type=JSON_TYPE,
        what="every field of the wrong type",
    )
    add(
        "json-duplicate-ids",
        "items",
        lambda m: jfeed([jitem(m("a")), jitem(m("a"), title="again"), jitem(m("b"))]),
        ext="json",
        content_type=JSON_TYPE,
        what="the same id twice",
    )
    add(
        "json-invalid",
        "not_a_feed",
        lambda m: '{"version": "https://jsonfeed.org/version/1.1", "items": [,]}',
        ext="json",
        content_type=JSON_TYPE,
        what="invalid JSON",
    )
    add(
        "json-trailing-comma",
        "not_a_feed",
        lambda m: '{"version": "https://jsonfeed.org/version/1.1", "items": [],}',
        ext="json",
        content_type=JSON_TYPE,
        what="a trailing comma",
    )
    add(
        "json-array",
        "not_a_feed",
        lambda m: "[1, 2, 3]",
        ext="json",
        content_type=JSON_TYPE,
        what="a JSON array",
    )
    add(
        "json-deep",
        "not_a_feed",
        lambda m: "{" + '"a":[' * 50000 + "]" * 50000 + "}",
        ext="json",
        content_type=JSON_TYPE,
        what="JSON nested 50,000 deep",
    )
    add(
        "json-bom-html",
        "items",
        lambda m: (
            "\ufeff"
            + jfeed([jitem(m("a"), content_html="<p>Hi <script>x</script></p>", content_text=None)])
        ),
        ext="json",
        content_type="application/json",
        what="a BOM and HTML content",
    )
    add(
        "json-invalid-utf8",
        "items",
        lambda m: jfeed([jitem(m("a"))]).encode().replace(b"About", b"Ab\xff\xfeout"),
        ext="json",
        content_type=JSON_TYPE,
        what="invalid UTF-8 inside JSON",
    )
    add(
        "json-only-url",
        "items",
        lambda m: jfeed([{"url": f"{SITE}/{m('a').lower()}"}]),
        ext="json",
        content_type=JSON_TYPE,
        what="an item with only a url",
    )
    add(
        "json-huge-number",
        "items",
        lambda m: jfeed([jitem(m("a"))]).replace('"items"', '"n": 1' + "0" * 5000 + ', "items"'),
        ext="json",
        content_type=JSON_TYPE,
        what="a 5,000-digit number",
    )
    add(
        "json-lone-surrogates",
        "items",
        lambda m: jfeed(
            [
                jitem(
                    m("a"),
                    id="lone\ud800id",
                    title=f"{m('a')} json \udfff",
                    summary="half a pair \ud83d here",
                    content_html="<p>torn \ud800 emoji</p>",
                    authors=[{"name": "Ann \udc00"}],
                    tags=["t\ud800"],
                ),
                jitem(m("b"), content_html="<ul><li>list \ud800</li></ul>"),
            ],
            title="Feed \ud800",
        ),
        ext="json",
        content_type=JSON_TYPE,
        what='lone surrogate escapes ("\\ud800") in every text field: no UTF-8 can store them',
    )
    return cases, blobs


def build() -> tuple[list[Case], dict[str, bytes]]:
    """The cases and the bytes of each file."""
    return _cases()


def write() -> int:
    cases, blobs = build()
    CORPUS.mkdir(parents=True, exist_ok=True)
    for old in CORPUS.iterdir():
        if old.name != "README.md":
            old.unlink()
    for name, data in blobs.items():
        (CORPUS / name).write_bytes(data)
    MANIFEST.write_text(json.dumps([asdict(c) for c in cases], indent=1, ensure_ascii=False) + "\n")
    return len(cases)


def load() -> list[Case]:
    """The committed cases, from the manifest."""
    return [Case(**entry) for entry in json.loads(MANIFEST.read_text())]


def ten_thousand_items(marker: str = "M900") -> bytes:
    """An RSS feed of 10,000 items (made at test time; too big to commit)."""
    return rss("".join(item(f"{marker}x", n) for n in range(10_000))).encode()


def nine_megabyte_item(marker: str = "M901a") -> bytes:
    """One item whose description is 9 MB (under the 10 MB body cap)."""
    return rss(item(marker, body=" word" * (9 * 1024 * 1024 // 5))).encode()


if __name__ == "__main__":
    print(f"wrote {write()} cases to {CORPUS}", file=sys.stderr)
