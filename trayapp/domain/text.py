"""Untrusted text from feeds, made safe to show.

Everything a status page says is untrusted. Before it reaches a notification,
the tray menu, the details window or a terminal it is neutralised here:
ANSI escape sequences removed; every control, format (Cf: bidi overrides,
zero-width characters, tag characters, invisible operators, soft hyphen,
interlinear annotations...), line/paragraph separator, private-use,
surrogate and unassigned character removed, by Unicode category, and every
Default_Ignorable_Code_Point (Unicode's own set of invisible characters,
:mod:`trayapp.domain.invisible`: the grapheme joiner, Hangul fillers,
variation selectors...), never by a hand-kept list; every other space folded
to a plain one; markup turned into its
text; length capped. Nothing is ever rendered as markup or passed to a shell.

Every cleaner is linear in its input: the input is cut to a small multiple of
the output's cap *first*, then cleaned, so a poll's CPU is bounded whatever a
page contains.
"""

from __future__ import annotations

import re
import unicodedata

from trayapp.domain.invisible import IGNORABLE, is_ignorable

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# Categories never shown: controls, format characters, separators other than
# a plain space (line/paragraph), private use, surrogates, unassigned.
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_ASCII_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ASCII_SPACES = re.compile(r"[ \t\n\r\v\f]+")
_SPACES = re.compile(r" +")
_BLOCK_TAGS = frozenset({
    "p", "br", "div", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "table", "section", "article", "header", "footer",
})
# How much raw input is looked at per character of output: the cleaners remove
# escapes, controls and markup, so a little more than the cap is read, never all.
_SLACK = 4
_MARKUP_SLACK = 8


def _cut(text: str, limit: int, slack: int = _SLACK) -> str:
    return text[: max(limit, 0) * slack + 256]


def _clean_char(ch: str, keep_newlines: bool) -> str:
    if ch == "\n":
        return ch if keep_newlines else " "
    if ch in "\t\r\v\f":
        return " "
    cat = unicodedata.category(ch)
    if cat in _DROP_CATEGORIES:
        return ""
    if cat == "Zs":
        return " "
    return ch


def _strip_controls(text: str, keep_newlines: bool) -> str:
    if text.isascii():   # the common case, without a per-character loop
        text = _ASCII_CONTROLS.sub("", text.replace("\t", " ").replace("\r", " "))
        return text if keep_newlines else text.replace("\n", " ")
    return "".join(_clean_char(ch, keep_newlines) for ch in IGNORABLE.sub("", text))


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending in an ellipsis when cut."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def _str(value: object) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def one_line(value: object, limit: int = 300) -> str:
    """Untrusted value -> one clean line of at most ``limit`` characters."""
    text = _ANSI.sub("", _cut(_str(value), limit))
    text = _strip_controls(text, keep_newlines=False)
    text = _SPACES.sub(" ", text).strip()
    return truncate(text, limit)


def paragraph(value: object, limit: int = 4000) -> str:
    """Untrusted value -> clean text that may keep line breaks."""
    text = _ANSI.sub("", _cut(_str(value), limit)).replace("\r\n", "\n").replace("\r", "\n")
    text = _strip_controls(text, keep_newlines=True)
    folded: list[str] = []
    for raw in text.split("\n"):
        line = _SPACES.sub(" ", raw).strip()
        if line or (folded and folded[-1]):
            folded.append(line)
    return truncate("\n".join(folded).strip(), limit)


# One tag, comment opener or declaration. ``[^<>]*`` stops at the next ``<``, so
# a failed attempt never scans past it: the whole scan is linear.
_TAG = re.compile(r"<(?:(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*>|!--|[!?][^<>]*>)")
_RAW_END = {name: re.compile(rf"</{name}\s*>", re.I) for name in ("script", "style")}


def html_to_text(markup: str, limit: int = 4000) -> str:
    """Markup -> its visible text (never rendered), as a clean paragraph.

    A linear scan (the stdlib HTML parser is quadratic on unclosed tags): tags
    dropped, block tags as line breaks, script/style and comments skipped,
    entities decoded. The input is cut to a multiple of ``limit`` first.
    """
    import html  # lazy: html.entities' table costs memory most polls never need

    text = _cut(markup, limit, _MARKUP_SLACK)
    parts: list[str] = []
    pos = 0
    while True:
        match = _TAG.search(text, pos)
        if match is None:
            parts.append(text[pos:])
            break
        parts.append(text[pos:match.start()])
        pos = match.end()
        name = (match.group(2) or "").lower()
        if match.group(0) == "<!--":
            end = text.find("-->", pos)
            if end < 0:
                break
            pos = end + 3
        elif name in _RAW_END and not match.group(1):
            end_match = _RAW_END[name].search(text, pos)
            if end_match is None:
                break
            pos = end_match.end()
        elif name in _BLOCK_TAGS:
            parts.append("\n")
    return paragraph(html.unescape("".join(parts)), limit)


# --- links ------------------------------------------------------------------

_URL_REFUSED = frozenset(" \"'<>`\\{}|^")
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}"
                   r"[a-z0-9])?\.?$|^\[[0-9a-f:.]+\]$")


def is_web_url(url: object) -> bool:
    """True only for harmless http(s) URLs: the only kind trayapp ever opens."""
    return safe_url(url) is not None


def safe_url(url: object) -> str | None:
    """The URL if it is an http(s) URL that shows what it opens, else None.

    Refused: other schemes, over 2048 characters, userinfo
    (``https://status.claude.com@evil.example/``), a host that is not plain
    ASCII host syntax, and any control, format (bidi, zero-width), separator
    or other invisible character, quote, bracket or backslash anywhere. Other
    non-ASCII characters in the path, query or fragment are percent-encoded.
    """
    if not isinstance(url, str) or len(url) > 2048:
        return None
    if not url[:8].lower().startswith(("https://", "http://")):
        return None
    for ch in url:
        if ch in _URL_REFUSED or ord(ch) <= 0x20 or ord(ch) == 0x7F:
            return None
        if ord(ch) > 0x7E and (unicodedata.category(ch)[0] in "CZ"
                               or unicodedata.category(ch) == "Mn" or is_ignorable(ch)):
            return None
    from urllib.parse import quote, urlsplit  # not at import: it costs the prompt ~4 ms
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return None
    netloc = parts.netloc
    if not netloc or "@" in netloc or not netloc.isascii():
        return None
    host = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
    if not _HOST.match(host.lower()):
        return None
    if not url.isascii():
        url = quote(url, safe="".join(chr(c) for c in range(0x21, 0x7F)))
    return url


def url_host(url: object) -> str | None:
    """The lower-case host of a safe http(s) URL, else None."""
    from urllib.parse import urlsplit
    safe = safe_url(url)
    if safe is None:
        return None
    return (urlsplit(safe).hostname or "").rstrip(".") or None


def quote_part(value: object) -> str:
    """One path segment of a URL built from feed data, percent-encoded."""
    from urllib.parse import quote
    return quote(_str(value), safe="")


def origin(url: str) -> str | None:
    """``https://host`` of an http(s) URL, or None."""
    match = re.match(r"^(https?://[^/?#\s]+)", url.strip(), re.IGNORECASE)
    return safe_url(match.group(1)) if match else None
