"""HTML fragments to clean plain text, and the first real image of a fragment.

Pure functions: no I/O. Feed bodies are untrusted, so nothing here may raise,
whatever the input (a hypothesis test holds us to it). lxml's HTML parser is
used because it recovers from any broken markup.
"""

from __future__ import annotations

import html as html_module
import re
from html.entities import name2codepoint
from urllib.parse import urljoin, urlsplit

from lxml import etree  # type: ignore[import-untyped]

__all__ = ["first_image", "html_to_text", "normalize_text"]

# Zero-width and invisible formatting characters (ZWSP, ZWNJ, ZWJ, LRM, RLM,
# bidi embeddings/isolates, word joiner, BOM, soft hyphen, Mongolian vowel
# separator), control characters other than tab and newline, and lone surrogates
# (a JSON Feed's "\ud800" escape: no UTF-8 encodes them, so SQLite could not store them).
_INVISIBLE = re.compile(
    "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]"
)
_MANY_NEWLINES = re.compile(r"\n{3,}")
# A string is treated as HTML when it holds a complete tag, a comment or an
# entity; "a < b" or "Q&A time" are plain text.
_LOOKS_LIKE_HTML = re.compile(
    r"<(?:[a-zA-Z][a-zA-Z0-9:-]*(?:\s[^<>]*)?/?|/[a-zA-Z][a-zA-Z0-9:-]*\s*)>|<!--"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});"
    r"|&(?:nbsp|amp|lt|gt|quot|apos)\b"
)
_TAG = re.compile(r"<[^>]*>")
_IMG_TAG = re.compile(r"<img", re.IGNORECASE)
_NON_TEXT_OPEN = re.compile(r"<(script|style|iframe|noscript|template)\b|<!--", re.IGNORECASE)

# Elements whose content is never text for a reader.
_DROPPED = frozenset(
    {
        "script",
        "style",
        "iframe",
        "noscript",
        "template",
        "object",
        "svg",
        "math",
        "select",
        "textarea",
        "button",
        "canvas",
        "audio",
        "video",
        "head",
    }
)
# Elements that start and end a paragraph.
_PARAGRAPH = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "nav",
        "main",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "figure",
        "figcaption",
        "table",
        "form",
        "fieldset",
        "address",
        "details",
        "hr",
        "ul",
        "ol",
        "dl",
        "center",
    }
)
# Elements that sit on a line of their own.
_LINE = frozenset({"li", "tr", "dt", "dd", "summary", "caption", "option", "legend"})
# Inline elements whose neighbours must not run together.
_CELL = frozenset({"td", "th"})


def normalize_text(text: str) -> str:
    """Plain text with invisible characters removed and whitespace tidied.

    Runs of spaces and tabs become one space, lines are stripped, at most one
    blank line is kept between paragraphs, and the ends are trimmed.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    # str.split() and the regexes' \s agree on what whitespace is (str.isspace), so this
    # is the regex pipeline below (runs of spaces to one, lines stripped) without a
    # regex step per space: most of the CPU time of parsing a feed.
    if "\n" not in text:
        return " ".join(text.split())
    text = "\n".join(" ".join(line.split()) for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip()


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML fragment; never raises.

    Block elements become paragraphs (a blank line between), ``<br>`` a line
    break, list items lines of their own (``•`` or ``1.`` in front), table
    cells are separated by spaces; scripts, styles, iframes and other
    non-text elements are dropped; entities (``&nbsp;`` included) are decoded.
    A string that holds no tag and no entity is plain text and only has its
    whitespace normalised.
    """
    if not isinstance(html, str) or not html:
        return ""
    if not _LOOKS_LIKE_HTML.search(html):
        return normalize_text(html)
    simple = _simple_html_to_text(html)
    if simple is not None:
        return simple
    return _lxml_html_to_text(html)


def _lxml_html_to_text(html: str) -> str:
    """html_to_text through lxml's recovering parser: any markup, however broken."""
    root, complete = _parse(html)
    if root is None:
        return _strip_tags(html)
    text = _render(root)
    if not complete:
        # libxml2 gave up part-way (markup nested thousands deep): keep
        # whichever reading lost less text.
        fallback = _strip_tags(html)
        if len(fallback) > len(text):
            return fallback
    return text


def first_image(html: str, base_url: str | None) -> str | None:
    """The first ``<img>`` of a fragment, as an absolute http(s) URL.

    Tracking pixels (width or height of 0 or 1) and ``data:`` URIs are
    skipped; lazy-loading attributes (``data-src``, ``srcset``) are used when
    ``src`` is only a placeholder. Relative sources need ``base_url``.
    """
    # Only an <img> tag makes an img element: most fragments have none and skip a parse.
    if not isinstance(html, str) or not _IMG_TAG.search(html):
        return None
    root, _ = _parse(html)
    if root is None:
        return None
    for img in root.iter("img"):
        if _is_pixel(img):
            continue
        for candidate in _image_sources(img):
            url = _absolute_http_url(candidate, base_url)
            if url is not None:
                return url
    return None


# -- internals ---------------------------------------------------------------

# Most feed summaries are a few paragraphs of inline markup. Their text is read without
# building a tree (docs/performance.md): tags are cut out by one regex. Anything
# else (lists, tables, pre, scripts, comments, a stray "<", an entity libxml2 may read
# differently) goes to lxml. tests/bot/text/test_from_html.py checks the two agree.
_SIMPLE_BLOCK = frozenset(
    {"p", "div", "section", "article", "header", "footer", "aside", "main", "h1", "h2", "h3",
     "h4", "h5", "h6", "blockquote", "figure", "figcaption", "address", "center"}
)  # fmt: skip
_SIMPLE_INLINE = frozenset(
    {"a", "abbr", "b", "big", "cite", "code", "del", "dfn", "em", "font", "i", "ins",
     "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup",
     "time", "tt", "u", "var"}
)  # fmt: skip
_SIMPLE_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9]*)"
    r"((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'|[^\s\"'<>=`]+))?)*)"
    r"\s*(/?)>"
)
_PARAGRAPH_MARK = "\x01"
_LINE_MARK = "\x02"
_ENTITY = re.compile(r"&(?:#([0-9]{1,7});|#[xX]([0-9a-fA-F]{1,6});|([a-zA-Z][a-zA-Z0-9]*);)")
_MARKS = re.compile("[\x00-\x02\ud800-\udfff]")  # markers, and what lxml replaces
_SIMPLE_VOID = {"br": _LINE_MARK, "hr": _PARAGRAPH_MARK, "img": ""}


def _simple_html_to_text(html: str) -> str | None:
    """html_to_text of well-nested paragraphs and inline tags; None for anything else."""
    if _MARKS.search(html):
        return None
    open_tags: list[str] = []

    def mark(match: re.Match[str]) -> str:
        closing, name, _, self_closing = match.groups()
        name = name.lower()
        if name in _SIMPLE_VOID:
            return "\x00" if closing else _SIMPLE_VOID[name]
        if self_closing or not (name in _SIMPLE_BLOCK or name in _SIMPLE_INLINE):
            return "\x00"
        if not closing:
            open_tags.append(name)
        elif open_tags and open_tags[-1] == name:
            open_tags.pop()
        else:
            return "\x00"  # a stray or crossed end tag: libxml2 decides what it closes
        return _PARAGRAPH_MARK if name in _SIMPLE_BLOCK else ""

    marked = _SIMPLE_TAG.sub(mark, html)
    if "<" in marked or "\x00" in marked:
        return None  # a tag outside the simple set, or a "<" libxml2 would have to guess at
    if "&" in marked and not _entities_are_plain(marked):
        return None
    paragraphs = []
    for paragraph in html_module.unescape(marked).split(_PARAGRAPH_MARK):
        lines = [" ".join(line.split()) for line in paragraph.split(_LINE_MARK)]
        paragraphs.append("\n".join(lines).strip())
    return normalize_text("\n\n".join(p for p in paragraphs if p))


def _entities_are_plain(html: str) -> bool:
    """Every "&" starts an entity that html.unescape and libxml2 decode alike."""
    decoded = 0
    for match in _ENTITY.finditer(html):
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            if name not in name2codepoint:
                return False
        else:
            code = int(decimal) if decimal is not None else int(hexadecimal, 16)
            if not (code in (9, 10, 13) or 32 <= code < 127 or 160 <= code < 0xD800
                    or 0xE000 <= code < 0xFFFE):  # fmt: skip
                return False
        decoded += 1
    return decoded == html.count("&")


def _parse(html: str) -> tuple[etree._Element | None, bool]:
    """Parse a fragment with lxml's recovering HTML parser.

    Returns the root (None if nothing is left) and whether the parser read
    the whole input (False after a fatal error such as excessive depth).
    """
    parser = etree.HTMLParser(
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
        no_network=True,
        recover=True,
        huge_tree=True,  # nesting up to 2048 deep instead of 256
    )
    data = html.encode("utf-8", "replace")
    try:
        root = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError):
        return None, False
    complete = not any(error.level_name == "FATAL" for error in parser.error_log)
    return root, complete


def _strip_tags(html: str) -> str:
    """Crude text of markup lxml could not read: drop non-text blocks and tags, decode entities."""
    text = _TAG.sub(" ", _drop_non_text_blocks(html))
    return normalize_text(html_module.unescape(text))


def _drop_non_text_blocks(html: str) -> str:
    """Drop script/style/... blocks and comments in linear time; an unclosed one runs to the end."""
    kept: list[str] = []
    position = 0
    while True:
        match = _NON_TEXT_OPEN.search(html, position)
        if match is None:
            kept.append(html[position:])
            break
        kept.append(html[position : match.start()])
        closer = f"</{match.group(1)}" if match.group(1) else "-->"
        end = re.compile(re.escape(closer), re.IGNORECASE).search(html, match.end())
        if end is None:
            break
        position = end.end()
        if match.group(1):
            tag_end = html.find(">", position)
            position = len(html) if tag_end < 0 else tag_end + 1
        kept.append(" ")
    return "".join(kept)


def _collapse_spaces(value: str) -> str:
    """Every run of whitespace (newlines too) as one space, ends included."""
    words = value.split()
    if not words:
        return " "
    return (
        (" " if value[0].isspace() else "") + " ".join(words) + (" " if value[-1].isspace() else "")
    )


class _TextBuilder:
    """Collects text with pending paragraph/line breaks, collapsing whitespace."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pending = 0  # newlines owed before the next text

    def text(self, value: str | None) -> None:
        if not value:
            return
        value = _collapse_spaces(value)
        if self.pending:
            value = value.lstrip()
            if not value:
                return
            if self.parts:
                self.parts.append("\n" * self.pending)
            self.pending = 0
        self.parts.append(value)

    def preformatted(self, value: str | None) -> None:
        if not value:
            return
        lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for index, line in enumerate(lines):
            if index:
                self.line_break()
            self.text(line)

    def line_break(self) -> None:
        if self.pending and self.parts:
            self.parts.append("\n" * self.pending)
        self.pending = 0
        self.parts.append("\n")

    def block(self, newlines: int) -> None:
        self.pending = max(self.pending, newlines)

    def result(self) -> str:
        return normalize_text("".join(self.parts))


def _tag(element: etree._Element) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""


def _render(root: etree._Element) -> str:
    out = _TextBuilder()
    pre_depth = 0
    # Iterative walk: deeply nested markup must not hit the recursion limit.
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        element, closing = stack.pop()
        tag = _tag(element)
        emit = out.preformatted if pre_depth else out.text
        if closing:
            if tag == "pre":
                pre_depth -= 1
            if tag in _PARAGRAPH:
                out.block(2)
            elif tag in _LINE:
                out.block(1)
            (out.preformatted if pre_depth else out.text)(element.tail)
            continue
        if not tag or tag in _DROPPED:
            # Comments, processing instructions and dropped elements keep their tail.
            emit(element.tail)
            continue
        if tag == "br":
            out.line_break()
            emit(element.tail)
            continue
        if tag in _PARAGRAPH:
            out.block(2)
        elif tag in _LINE:
            out.block(1)
        if tag == "pre":
            pre_depth += 1
            emit = out.preformatted
        if tag == "li":
            out.text(_list_marker(element))
        elif tag in _CELL:
            out.text(" ")
        emit(element.text)
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))
    return out.result()


def _list_marker(item: etree._Element) -> str:
    parent = item.getparent()
    if parent is not None and _tag(parent) == "ol":
        position = 1 + sum(
            1 for sibling in item.itersiblings(preceding=True) if _tag(sibling) == "li"
        )
        return f"{position}. "
    return "• "


def _is_pixel(img: etree._Element) -> bool:
    for attribute in ("width", "height"):
        value = (img.get(attribute) or "").strip().lower().removesuffix("px").strip()
        if value in {"0", "1"}:
            return True
    style = (img.get("style") or "").replace(" ", "").lower()
    return "width:1px" in style or "height:1px" in style or "display:none" in style


def _image_sources(img: etree._Element) -> list[str]:
    sources: list[str] = []
    for attribute in ("src", "data-src", "data-lazy-src", "data-original"):
        value = img.get(attribute)
        if value:
            sources.append(value)
    for attribute in ("srcset", "data-srcset"):
        value = img.get(attribute)
        if value:
            first = value.strip().split(",")[0].strip().split(" ")[0]
            if first:
                sources.append(first)
    return sources


def _absolute_http_url(candidate: str, base_url: str | None) -> str | None:
    candidate = _INVISIBLE.sub("", candidate).strip()
    if not candidate or candidate.lower().startswith("data:"):
        return None
    try:
        url = urljoin(base_url, candidate) if base_url else candidate
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return url
