"""Untrusted text from feeds, made safe to show.

Everything a status page says is untrusted. Before it reaches a notification,
the tray menu, the details window or a terminal it is neutralised here:
control characters and ANSI escape sequences removed, bidirectional overrides
(U+202A..U+202E, U+2066..U+2069) and zero-width tricks removed, markup turned
into its text, whitespace folded, length capped. Nothing is ever rendered as
markup or passed to a shell.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_BIDI_AND_INVISIBLE = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C,
     0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF],
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")
_BLOCK_TAGS = frozenset({
    "p", "br", "div", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "table", "section", "article", "header", "footer",
})


def _strip_controls(text: str, keep_newlines: bool) -> str:
    out = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif ch in "\t\r\n\v\f":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") or ord(ch) in _BIDI_AND_INVISIBLE:
            continue
        else:
            out.append(ch)
    return "".join(out)


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending in an ellipsis when cut."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def one_line(value: object, limit: int = 300) -> str:
    """Untrusted value -> one clean line of at most ``limit`` characters."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    text = _ANSI.sub("", text)
    text = _strip_controls(text, keep_newlines=False)
    text = _SPACES.sub(" ", text).strip()
    return truncate(text, limit)


def paragraph(value: object, limit: int = 4000) -> str:
    """Untrusted value -> clean text that may keep line breaks."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    text = _ANSI.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _strip_controls(text, keep_newlines=True)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    folded: list[str] = []
    for line in lines:
        if line or (folded and folded[-1]):
            folded.append(line)
    return truncate("\n".join(folded).strip(), limit)


@cache
def _text_extractor() -> type[Any]:
    """The HTML-to-text parser class, built on first use: ``html.parser`` (and its
    entity table) costs about 0.5 MB, and most polls never see markup."""
    from html.parser import HTMLParser

    class TextExtractor(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self._skip = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "style"):
                self._skip += 1
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style"):
                self._skip = max(0, self._skip - 1)
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n")

        def handle_data(self, data: str) -> None:
            if not self._skip:
                self.parts.append(data)

    return TextExtractor


def html_to_text(markup: str, limit: int = 4000) -> str:
    """Markup -> its visible text (never rendered), as a clean paragraph."""
    parser = _text_extractor()()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # HTMLParser is lenient; be sure anyway
        import html
        return paragraph(html.unescape(re.sub(r"<[^>]*>", " ", markup)), limit)
    return paragraph("".join(parser.parts), limit)


def is_web_url(url: object) -> bool:
    """True only for http(s) URLs: the only kind trayapp ever opens."""
    return isinstance(url, str) and url.lower().startswith(("https://", "http://")) \
        and not any(c in url for c in "\x00\n\r\t \"'<>`")


def safe_url(url: object) -> str | None:
    """The URL if it is http(s) and harmless, else None."""
    if isinstance(url, str) and is_web_url(url) and len(url) <= 2048:
        return url
    return None
