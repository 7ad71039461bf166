"""Feed text for tray surfaces: :mod:`trayapp.domain.text` hygiene plus markup turned into its text.

Tooltip, menu, notifications and the details window never render markup, so
a ``<b>`` from a feed would show literally; it is reduced to its text here.
"""

from __future__ import annotations

from trayapp.domain.text import html_to_text, one_line, paragraph


def _text(value: object) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def line(value: object, limit: int = 300) -> str:
    """One clean line without markup, at most ``limit`` characters."""
    text = _text(value)
    if "<" in text or "&" in text:
        text = html_to_text(text, limit * 4 + 100)
    return one_line(text, limit)


def block(value: object, limit: int = 4000) -> str:
    """Clean text that keeps line breaks, without markup."""
    text = _text(value)
    if "<" in text or "&" in text:
        return html_to_text(text, limit)
    return paragraph(text, limit)


def noted(text: str, *notes: str) -> str:
    """``text`` with ``notes`` in parentheses, joined into one pair when ``text`` already
    ends with one: ``"Claude Console (platform.claude.com, degraded)"``, ``"Ollama
    (local, degraded)"``, never ``"... (platform.claude.com) (degraded)"``."""
    notes = tuple(n for n in notes if n)
    if not notes:
        return text
    if text.endswith(")") and "(" in text:
        return f"{text[:-1]}, {', '.join(notes)})"
    return f"{text} ({', '.join(notes)})"
