"""A generated corpus of small feed documents full of real-world edge cases, for the
fast-path differential test (tests/bot/pipeline/parse/test_fast_corpus.py).

Each document is built from seeded random choices (document ``n`` of seed ``s`` is always
the same bytes), so a difference found by a large hand run can be replayed by its number.
What the pieces cover, as feedparser knows them:

* formats: RSS 2.0 (most), Atom 1.0, RSS 1.0 (RDF), RSS 0.91/0.92, Atom 0.3;
* channel and feed elements, including the namespaced ones feedparser maps onto the
  feed's title, link and subtitle (``dc:title``, ``dc:description``, ``itunes:subtitle``,
  ``itunes:summary``, an Atom ``<id>``) and many it keeps elsewhere (``sy:``, ``itunes:``,
  ``image``, ``textInput``, unknown namespaces);
* item and entry elements: guids (permalinks or not, URLs or not), Atom ids as the only
  link, links relative, empty, with query strings, several links, enclosures, media
  elements, dates in RFC 822, RFC 3339 and odd forms, authors with e-mail, categories,
  ``content:encoded``, Dublin Core, iTunes, slash, wfw, feedburner elements, ``xml:base``;
* text: named and numeric entities, Windows-1252 numeric references (``&#146;``) and raw
  C1 characters, CDATA, escaped and double-escaped markup, bare ``&`` and ``<``;
* HTML in summaries: paragraphs, lists, tables, images, links, and elements whose
  content is not text (``embed``, ``object``, ``iframe``, ``script``, ``video``, ``svg``),
  closed, unclosed or self-closed;
* encodings: UTF-8 declared or not, with a BOM, Windows-1252 and ISO-8859-1 declared,
  and a Content-Type header that agrees, disagrees or is absent.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

DC = 'xmlns:dc="http://purl.org/dc/elements/1.1/"'
NAMESPACES = " ".join(
    [
        DC,
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"',
        'xmlns:media="http://search.yahoo.com/mrss/"',
        'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"',
        'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"',
        'xmlns:slash="http://purl.org/rss/1.0/modules/slash/"',
        'xmlns:wfw="http://wellformedweb.org/CommentAPI/"',
        'xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"',
        'xmlns:atom="http://www.w3.org/2005/Atom"',
        'xmlns:georss="http://www.georss.org/georss"',
        'xmlns:x="http://example.com/unknown-namespace"',
    ]
)

WORDS = ["storm", "council", "budget", "rocket", "museum", "harbour", "café", "Zürich"]

# Plain-text pieces as they are written in XML (entities already escaped for XML).
TEXT = [
    "Q&amp;A time",
    "a &lt; b and c &gt; d",
    "don&#146;t stop",
    "1990&#150;2000 &#147;quoted&#148;",
    "it&#x92;s &#x93;hex&#x94;",
    "euro &#128; and &#153; mark &#133;",
    "undefined &#129; &#141; &#157; refs",
    "right&#8217;s &#x2019; fine",
    "raw\u0092C1 \u0093chars\u0094 \u0096 dash",
    "raw \u0080 \u0085 \u009f",
    "caf\u00e9 na\u00efve \u201csmart\u201d",
    "emoji \U0001f600 ok",
    "zero\u200bwidth",
    "&amp;nbsp;escaped&amp;amp;",
    "&amp;#146; double escaped",
    "&quot;quoted&quot; &apos;single&apos;",
    "<![CDATA[cdata & <b>bold</b> &#146; \u0092]]>",
    "<![CDATA[AT&T Q&A]]>",
    "&lt;b&gt;bold&lt;/b&gt; title",
    "&lt;em&gt;em&lt;/em&gt; &amp;amp; more",
    "  spaced\n  out\ttext  ",
    "tab\tand\r\nnewline",
    "",
]

# HTML fragments (raw markup; escaped or wrapped in CDATA when written).
HTML = [
    "<p>First paragraph.</p><p>Second one.</p>",
    'safe<embed src="movie.swf"> description',
    'safe<embed src="movie.swf" /> description',
    "safe<embed src=movie.swf>",
    '<embed src="a.swf" width="1"></embed> after embed',
    '<object data="movie.swf">fallback</object> after object',
    '<object data="movie.swf"> after unclosed object',
    '<object data="movie.swf"/> after self-closed object',
    '<object><param name="movie" value="m.swf"><embed src="m.swf"></object> tail',
    '<iframe src="https://x.example/v"></iframe> after iframe',
    '<iframe src="https://x.example/v"> after unclosed iframe',
    '<iframe src="https://x.example/v"/> after self-closed iframe',
    "<script>alert(1)</script> after script",
    "<style>p { color: red }</style> after style",
    '<video src="v.mp4">no video</video> after video',
    "<audio>no audio</audio> tail",
    "<svg><text>svg text</text></svg> after svg",
    "<noscript>ns</noscript> after noscript",
    '<img src="/images/a.png" alt="a"> image text',
    '<img src="https://img.example/b.jpg" width="1" height="1"> pixel',
    '<a href="/relative/link">relative</a> and <a href="https://abs.example/">abs</a>',
    "<ul><li>one</li><li>two</li></ul>",
    "<ol><li>first</li><li>second</li></ol>",
    "<table><tr><td>a</td><td>b</td></tr></table>",
    "line<br>break<br/>twice",
    "<b>unclosed bold",
    "crossed <b><i>tags</b></i> here",
    "<!-- a comment --> after comment",
    "a&nbsp;b &amp; c",
    "x &#150; y &#146; z &#8230;",
    "<p>raw\u0092C1 in html</p>",
    "<div><div>nested</div></div>",
    "<pre>  pre\n  formatted</pre>",
    "<blockquote>quote</blockquote>",
    "stray < sign and & amp",
    "<p>unknown &foo; entity</p>",
    "<form><input value=x><button>btn</button></form> after form",
    "<select><option>o</option></select> after select",
    "<textarea>ta</textarea> after textarea",
    "<h1>Heading</h1>text",
    '<p style="x">styled</p>',
]

LINKS = [
    "https://news.example.com/2024/01/story-{n}",
    "https://news.example.com/a?x=1&amp;y=2&amp;n={n}",
    "/relative/story-{n}",
    "story-{n}.html",
    "  https://news.example.com/spaced-{n}  ",
    "http://news.example.com/p/{n}#frag",
    "https://news.example.com/caf%C3%A9/{n}",
    "https://news.example.com/q?a=1&amp;amp;b=2&amp;copy;c=3&amp;n={n}",
    "http:///news.example.com/triple-slash/{n}",
    "https://news.example.com/r&#146;{n}",
    "",
]

GUIDS = [
    ("https://news.example.com/guid/{n}", None),
    ("https://news.example.com/guid/{n}", "true"),
    ("https://news.example.com/guid/{n}", "false"),
    ("tag:news.example.com,2024:{n}", "false"),
    ("item-{n}", "false"),
    ("item-{n}", None),
    ("urn:uuid:0000-{n}", "false"),
    ("g&#146;{n}", "false"),
    ("  spaced-guid-{n}  ", "false"),
]

ATOM_IDS = [
    "https://news.example.com/entry/{n}",
    "http://news.example.com/?p={n}",
    "tag:news.example.com,2024:entry-{n}",
    "urn:uuid:1111-{n}",
    "/relative/entry/{n}",
    "entry-{n}",
    "https://news.example.com/e&#146;{n}",
]

RFC822 = [
    "Mon, 06 May 2024 10:00:00 GMT",
    "Tue, 07 May 2024 11:30:00 +0200",
    "07 May 2024 11:30:00 -0500",
    "Wed, 8 May 2024 09:05:00 UT",
    "Thu, 09 May 2024 10:00:00 EST",
    "2024-05-09T10:00:00Z",
    "Fri, 10 May 2024",
    "yesterday",
    "",
]

RFC3339 = [
    "2024-05-06T10:00:00Z",
    "2024-05-06T10:00:00.123456+02:00",
    "2024-05-06T10:00:00-05:00",
    "2024-05-06",
    "2024-05-06 10:00:00",
    "Mon, 06 May 2024 10:00:00 GMT",
    "",
]


TAME = 0.6
"""The share of RSS 2.0 and Atom 1.0 documents kept to what the fast path reads (its
elements, plain dates, UTF-8), so that it takes them and the comparison means something;
their text and markup are as wild as the others'."""


@dataclass(frozen=True, slots=True)
class Document:
    number: int
    body: bytes
    content_type: str | None

    def describe(self) -> str:
        return (
            f"document {self.number} ({self.content_type}):\n{self.body.decode('utf-8', 'replace')}"
        )


def documents(count: int, seed: int = 16) -> Iterator[Document]:
    """``count`` documents; document ``n`` depends only on ``seed`` and ``n``."""
    for number in range(count):
        yield document(number, seed)


def document(number: int, seed: int = 16) -> Document:
    rng = random.Random(seed * 1_000_003 + number)
    kind = rng.choices(["rss20", "atom10", "rdf", "rss091", "atom03"], weights=[55, 35, 4, 3, 3])[0]
    builder = {
        "rss20": _rss20,
        "atom10": _atom10,
        "rdf": _rdf,
        "rss091": _rss091,
        "atom03": _atom03,
    }[kind]
    tame = kind in {"rss20", "atom10"} and rng.random() < TAME
    text = builder(rng, number, tame)
    body, content_type = _encode(text, rng, kind, tame)
    return Document(number, body, content_type)


# -- pieces ------------------------------------------------------------------------------


def _text(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(TEXT)
    return f"{rng.choice(WORDS)} {rng.choice(TEXT)} {rng.choice(WORDS)}"


def _escape(markup: str) -> str:
    return markup.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _html(rng: random.Random) -> str:
    """An HTML summary as it is written inside an RSS element."""
    markup = "".join(rng.choice(HTML) for _ in range(rng.randint(1, 3)))
    roll = rng.random()
    if roll < 0.45:
        return _escape(markup)
    if roll < 0.85:
        return f"<![CDATA[{markup}]]>"
    return _text(rng)


def _attr(value: str) -> str:
    return value.replace("&amp;", "\x00").replace("&", "&amp;").replace("\x00", "&amp;")


def _some(rng: random.Random, pieces: list[str], low: int = 0, high: int | None = None) -> str:
    high = len(pieces) if high is None else high
    chosen = rng.sample(pieces, rng.randint(low, min(high, len(pieces))))
    return "".join(chosen)


# -- RSS 2.0 -----------------------------------------------------------------------------


def _rss20(rng: random.Random, number: int, tame: bool) -> str:
    channel = _rss_channel(rng, tame)
    items = "".join(_rss_item(rng, number * 10 + n, tame) for n in range(rng.randint(1, 3)))
    base = ' xml:base="https://base.example/dir/"' if rng.random() < 0.03 and not tame else ""
    return f'<rss version="2.0" {NAMESPACES}{base}><channel>{channel}{items}</channel></rss>'


# What the fast path reads or skips (tame documents draw only from these).
TAME_CHANNEL = 17
TAME_ITEM_EXTRAS = 9


def _rss_channel(rng: random.Random, tame: bool) -> str:
    optional = [
        "<link>https://news.example.com/</link>",
        f"<description>{_html(rng)}</description>",
        f"<dc:title>{_text(rng)}</dc:title>",
        f"<dc:description>{_text(rng)}</dc:description>",
        f"<itunes:subtitle>{_text(rng)}</itunes:subtitle>",
        f"<itunes:summary>{_text(rng)}</itunes:summary>",
        "<language>en-gb</language>",
        "<copyright>(c) someone</copyright>",
        "<managingEditor>ed@example.com (Ed)</managingEditor>",
        "<lastBuildDate>Mon, 06 May 2024 10:00:00 GMT</lastBuildDate>",
        "<pubDate>Mon, 06 May 2024 10:00:00 GMT</pubDate>",
        "<generator>gen 1.0</generator>",
        "<docs>https://www.rssboard.org/rss-specification</docs>",
        f"<ttl>{rng.choice(['60', '5', '0', 'x', '99999999999'])}</ttl>",
        "<image><url>https://news.example.com/logo.png</url><title>Logo title</title>"
        "<link>https://news.example.com/image-link</link></image>",
        "<textInput><title>Search</title><description>Search it</description>"
        "<name>q</name><link>https://news.example.com/search</link></textInput>",
        '<atom:link rel="self" href="https://feeds.example.com/news/feed.xml" '
        'type="application/rss+xml"/>',
        "<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>",
        '<atom:link rel="hub" href="https://hub.example.com/"/>',
        "<itunes:author>Pod Author</itunes:author><itunes:explicit>no</itunes:explicit>",
        "<itunes:owner><itunes:name>Owner</itunes:name><itunes:email>o@example.com"
        "</itunes:email></itunes:owner>",
        '<itunes:category text="News"><itunes:category text="Daily"/></itunes:category>',
        '<itunes:image href="https://news.example.com/pod.jpg"/>',
        "<dc:language>en</dc:language><dc:creator>Desk</dc:creator>",
        "<dc:date>2024-05-06T10:00:00Z</dc:date>",
        "<x:custom>unknown namespace</x:custom>",
        "<x:wrapper><title>nested title</title></x:wrapper>",
        "<category>Channel category</category>",
        "<subtitle>plain subtitle element</subtitle>",
        "<cloud domain='rpc.example.com' port='80' path='/RPC2' registerProcedure='p' "
        "protocol='xml-rpc'/>",
    ]
    if tame:
        optional = optional[:TAME_CHANNEL]
    title = f"<title>{_text(rng)}</title>" if rng.random() < 0.85 else ""
    pieces = [title, *rng.sample(optional, rng.randint(0, 6 - 3 * tame))]
    rng.shuffle(pieces)
    return "".join(pieces)


def _rss_item(rng: random.Random, n: int, tame: bool) -> str:
    parts: list[str] = []
    if rng.random() < 0.85:
        parts.append(f"<title>{_text(rng)}</title>")
    if rng.random() < 0.7:
        parts.append(f"<link>{rng.choice(LINKS).format(n=n)}</link>")
    if rng.random() < 0.7:
        guid, permalink = rng.choice(GUIDS)
        attribute = f' isPermaLink="{permalink}"' if permalink is not None else ""
        parts.append(f"<guid{attribute}>{guid.format(n=n)}</guid>")
    if rng.random() < 0.75:
        parts.append(f"<description>{_html(rng)}</description>")
    if rng.random() < 0.6:
        parts.append(f"<pubDate>{rng.choice(RFC822[:3] if tame else RFC822)}</pubDate>")
    extras = [
        f"<content:encoded>{_html(rng)}</content:encoded>",
        f"<dc:creator>{_text(rng)}</dc:creator>",
        "<category>World</category><category domain='x'>Politics &amp; more</category>",
        "<comments>https://news.example.com/comments</comments>",
        '<enclosure url="https://cdn.example.com/a.mp3" length="1" type="audio/mpeg"/>',
        '<enclosure url="/img/e.jpg" length="1" type="image/jpeg"/>',
        '<media:content url="https://cdn.example.com/m.jpg" medium="image"/>',
        '<media:thumbnail url="https://cdn.example.com/t.jpg"/>',
        f"<content:encoded>{_html(rng)}</content:encoded>",
        "<author>writer@example.com (A Writer)</author>",
        '<media:content url="https://cdn.example.com/v.mp4" type="video/mp4">'
        "<media:title>mt</media:title></media:content>",
        "<dc:date>2024-05-06T10:00:00Z</dc:date>",
        "<dc:subject>Subject</dc:subject>",
        f"<dc:title>{_text(rng)}</dc:title>",
        f"<dc:description>{_text(rng)}</dc:description>",
        "<slash:comments>4</slash:comments>",
        "<wfw:commentRss>https://news.example.com/c.rss</wfw:commentRss>",
        f"<feedburner:origLink>https://orig.example.com/{n}</feedburner:origLink>",
        "<source url='https://other.example.com/rss'>Other</source>",
        f"<itunes:summary>{_text(rng)}</itunes:summary>",
        f"<itunes:subtitle>{_text(rng)}</itunes:subtitle>",
        "<itunes:duration>12:34</itunes:duration>",
        f'<atom:link rel="alternate" href="https://alt.example.com/{n}"/>',
        "<georss:point>45.2 -71.9</georss:point>",
        "<x:custom>unknown</x:custom>",
        f'<link xml:base="https://other-base.example/">rel-{n}</link>',
    ]
    if tame:
        extras = extras[:TAME_ITEM_EXTRAS]
        if parts and parts[-1].startswith("<link>") and rng.random() < 0.5:
            parts.reverse()
    if rng.random() < 0.4:
        parts.extend(rng.sample(extras, rng.randint(1, 3)))
    if not tame:
        rng.shuffle(parts)
    return f"<item>{''.join(parts)}</item>"


# -- Atom 1.0 ----------------------------------------------------------------------------


def _atom_text(rng: random.Random, name: str, *, html_ok: bool = True, tame: bool = False) -> str:
    roll = rng.random()
    if tame and 0.4 <= roll < 0.5:
        roll = 0.55
    if html_ok and roll < 0.4:
        return f'<{name} type="html">{_html(rng)}</{name}>'
    if roll < 0.5:
        return (
            f'<{name} type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            f"<p>x{_text(rng)}</p></div></{name}>"
        )
    if roll < 0.6:
        return f'<{name} type="text">{_text(rng)}</{name}>'
    return f"<{name}>{_text(rng)}</{name}>"


def _atom10(rng: random.Random, number: int, tame: bool) -> str:
    head: list[str] = []
    if rng.random() < 0.9:
        head.append(_atom_text(rng, "title", html_ok=rng.random() < 0.3, tame=tame))
    optional = [
        f"<id>{rng.choice(ATOM_IDS).format(n=number)}</id>",
        '<link rel="alternate" type="text/html" href="https://news.example.com/"/>',
        '<link rel="self" href="https://feeds.example.com/atom.xml"/>',
        _atom_text(rng, "subtitle", tame=tame),
        "<updated>2024-05-06T10:00:00Z</updated>",
        "<author><name>Feed Author</name></author>",
        "<generator>gen</generator>",
        "<icon>https://news.example.com/i.ico</icon><logo>https://news.example.com/l.png</logo>",
        "<rights>(c) x</rights>",
        f"<id>{rng.choice(ATOM_IDS).format(n=number)}</id>",
        '<link href="https://news.example.com/home"/>',
        '<link rel="alternate" type="application/xhtml+xml" href="https://x.example/"/>',
        f"<dc:title>{_text(rng)}</dc:title>",
        f"<dc:description>{_text(rng)}</dc:description>",
        "<x:custom>unknown</x:custom>",
    ]
    head.extend(rng.sample(optional[: 9 if tame else None], rng.randint(0, 5)))
    rng.shuffle(head)
    entries = "".join(_atom_entry(rng, number * 10 + n, tame) for n in range(rng.randint(1, 3)))
    base = ' xml:base="https://base.example/dir/"' if rng.random() < 0.03 and not tame else ""
    namespaces = NAMESPACES.replace('xmlns:atom="http://www.w3.org/2005/Atom"', "")
    return (
        f'<feed xmlns="http://www.w3.org/2005/Atom" {namespaces}{base}>'
        f"{''.join(head)}{entries}</feed>"
    )


def _atom_entry(rng: random.Random, n: int, tame: bool) -> str:
    parts: list[str] = []
    if rng.random() < 0.85:
        parts.append(_atom_text(rng, "title", html_ok=rng.random() < 0.3, tame=tame))
    if rng.random() < 0.85:
        parts.append(f"<id>{rng.choice(ATOM_IDS).format(n=n)}</id>")
    link_roll = rng.random()
    if link_roll < 0.55:
        parts.append(f'<link href="{_attr(rng.choice(LINKS).format(n=n))}"/>')
    elif link_roll < 0.65:
        parts.append(f'<link rel="alternate" type="text/html" href="https://e.example/{n}"/>')
    elif link_roll < 0.7 and not tame:
        parts.append(f'<link rel="related" href="https://rel.example/{n}"/>')
    elif link_roll < 0.75:
        parts.append(
            f'<link rel="enclosure" type="image/png" href="https://cdn.example.com/{n}.png"/>'
        )
    dates = RFC3339[:3] if tame else RFC3339
    if rng.random() < 0.7:
        parts.append(f"<updated>{rng.choice(dates)}</updated>")
    if rng.random() < 0.4:
        parts.append(f"<published>{rng.choice(dates)}</published>")
    if rng.random() < 0.7:
        parts.append(_atom_text(rng, "summary", tame=tame))
    if rng.random() < 0.3:
        parts.append(_atom_text(rng, "content", tame=tame))
    extras = [
        "<author><name>Entry Author</name></author>",
        '<category term="tech" label="Technology"/><category term="x"/>',
        "<author><name>Named</name><email>n@example.com</email></author>",
        f"<dc:creator>{_text(rng)}</dc:creator>",
        '<media:thumbnail url="https://cdn.example.com/at.jpg"/>',
        "<source><id>https://src.example/</id><title>Source title</title></source>",
        f"<dc:title>{_text(rng)}</dc:title>",
        "<x:custom>unknown</x:custom>",
        '<content src="https://out.example/c" type="text/html"/>',
    ]
    if rng.random() < 0.35:
        parts.extend(rng.sample(extras[: 2 if tame else None], rng.randint(1, 2)))
    rng.shuffle(parts)
    base = ' xml:base="https://entry-base.example/"' if rng.random() < 0.03 and not tame else ""
    return f"<entry{base}>{''.join(parts)}</entry>"


# -- other formats (read by feedparser only; both paths must still agree) -----------------


def _rdf(rng: random.Random, number: int, tame: bool) -> str:
    items = "".join(
        f'<item rdf:about="https://news.example.com/rdf/{number}-{n}"><title>{_text(rng)}'
        f"</title><link>https://news.example.com/rdf/{number}-{n}</link>"
        f"<description>{_html(rng)}</description><dc:date>2024-05-06T10:00:00Z</dc:date></item>"
        for n in range(rng.randint(1, 3))
    )
    return (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns="http://purl.org/rss/1.0/" {DC}><channel rdf:about="https://news.example.com/">'
        f"<title>{_text(rng)}</title><link>https://news.example.com/</link>"
        f"<description>{_text(rng)}</description></channel>{items}</rdf:RDF>"
    )


def _rss091(rng: random.Random, number: int, tame: bool) -> str:
    version = rng.choice(["0.91", "0.92"])
    items = "".join(
        f"<item><title>{_text(rng)}</title><link>https://news.example.com/old/{number}-{n}"
        f"</link><description>{_html(rng)}</description></item>"
        for n in range(rng.randint(1, 3))
    )
    return (
        f'<rss version="{version}"><channel><title>{_text(rng)}</title>'
        f"<link>https://news.example.com/</link><description>d</description>{items}"
        "</channel></rss>"
    )


def _atom03(rng: random.Random, number: int, tame: bool) -> str:
    entries = "".join(
        f'<entry><title>{_text(rng)}</title><link rel="alternate" type="text/html" '
        f'href="https://news.example.com/a03/{number}-{n}"/><id>tag:x,2004:{number}-{n}</id>'
        f"<issued>2004-05-06T10:00:00Z</issued><modified>2004-05-06T10:00:00Z</modified>"
        f'<summary type="text/html" mode="escaped">{_escape(rng.choice(HTML))}</summary></entry>'
        for n in range(rng.randint(1, 3))
    )
    return (
        '<feed version="0.3" xmlns="http://purl.org/atom/ns#">'
        f"<title>{_text(rng)}</title><tagline>{_text(rng)}</tagline>{entries}</feed>"
    )


# -- encodings ---------------------------------------------------------------------------


def _encode(text: str, rng: random.Random, kind: str, tame: bool) -> tuple[bytes, str | None]:
    media = {
        "rss20": "application/rss+xml",
        "atom10": "application/atom+xml",
        "rdf": "application/rdf+xml",
        "rss091": "application/rss+xml",
        "atom03": "application/atom+xml",
    }[kind]
    roll = rng.random() * (0.68 if tame else 1)
    if roll < 0.5:
        encoding, declared = "utf-8", "utf-8"
    elif roll < 0.6:
        encoding, declared = "utf-8", None
    elif roll < 0.68:
        encoding, declared = "utf-8", "UTF-8"
    elif roll < 0.78:
        encoding, declared = "windows-1252", "windows-1252"
    elif roll < 0.86:
        encoding, declared = "iso-8859-1", "iso-8859-1"
    elif roll < 0.9:
        encoding, declared = "utf-8-sig", "utf-8"
    else:
        encoding, declared = "utf-8", "utf-8"
    prolog = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    if declared is None and rng.random() < 0.5:
        prolog = '<?xml version="1.0"?>'
    body = (prolog + "\n" + text).encode(encoding, "xmlcharrefreplace")
    header_roll = rng.random() * (0.9 if tame else 1)
    if header_roll < 0.35:
        content_type: str | None = None
    elif header_roll < 0.6:
        content_type = media
    elif header_roll < 0.8:
        charset = declared or "utf-8"
        content_type = f"{media}; charset={charset}"
    elif header_roll < 0.9:
        content_type = rng.choice(["text/xml", "application/xml", "text/xml; charset=utf-8"])
    else:
        content_type = rng.choice(["text/html; charset=utf-8", "text/plain", "application/json"])
    return body, content_type
