"""Plain-language pieces for the details window. Pure.

* :func:`probe_words`: an API probe result as a person says it
  ("API answering in 84 ms", "API overloaded (529)", "API answers; it needs a key (401)");
* :func:`headline`: "Major outage since 14:03 (38 min)" in local time with the age;
* :func:`vendor_rating`: the vendor's own impact, labelled as theirs;
* :func:`segments`: feed text with Markdown or bare links split into text and
  link pieces, so a link shows as its words (clickable only when it passes
  :func:`trayapp.domain.links.safe_link`), never as raw Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from trayapp.config import vendor_hosts
from trayapp.core.textclean import line
from trayapp.core.timefmt import since, when
from trayapp.domain.levels import Level
from trayapp.domain.links import safe_link

_MD_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\(([^()\s]{1,2000})\)")
_BARE = re.compile(r"https?://[^\s<>()\[\]]{1,2000}")


@dataclass(frozen=True, slots=True)
class Seg:
    """A piece of text; ``url`` set when it is a link that may be clicked."""

    text: str
    url: str | None = None


def duration(seconds: float) -> str:
    """``"38 min"``, ``"3 h 5 min"``, ``"2 d"``; ``"under a minute"``."""
    if seconds < 60:
        return "under a minute"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {rest} min" if rest and hours < 6 else f"{hours} h"
    return f"{hours // 24} d"


def clock(at: datetime, now: datetime, tz: tzinfo | None) -> str:
    """``"14:03"`` today, ``"Mon 14:03"`` within a week, else a date (:func:`when`)."""
    return when(at, now, tz)


def since_words(at: datetime, now: datetime, tz: tzinfo | None) -> str:
    """``"since 14:03 (38 min)"``, ``"since 2 Apr 2020"``."""
    try:
        age = (now - at).total_seconds()
    except (OverflowError, TypeError):
        return ""
    return since(at, now, tz, duration(age) if age >= 0 else "")


def headline(level: Level, since: datetime | None, now: datetime, tz: tzinfo | None) -> str:
    """The level in words, with when it started when that is known."""
    text = level.label[:1].upper() + level.label[1:]
    if since is not None and level is not Level.OPERATIONAL:
        words = since_words(since, now, tz)
        if words:
            text += " " + words
    return text


def vendor_rating(impact: Level, vendor: str) -> str:
    """``"rated partial outage by Anthropic"``: the vendor's label, not ours."""
    if impact is Level.OPERATIONAL:
        return f"rated minor by {vendor}"
    if impact is Level.UNKNOWN:
        return f"not rated by {vendor}"
    return f"rated {impact.label} by {vendor}"


def probe_words(probe: dict[str, Any] | None) -> str | None:
    """An API probe result in words; None without a probe."""
    if not isinstance(probe, dict):
        return None
    code = probe.get("status_code")
    ms = probe.get("latency_ms")
    level = str(probe.get("level") or "")
    timing = f" in {ms} ms" if isinstance(ms, int) and not isinstance(ms, bool) else ""
    # No status, "your side" or a 429: the verdict's own words (core.verdict) say whose
    # it is; a status code alone cannot (a 429 is not always your quota).
    if not isinstance(code, int) or isinstance(code, bool) or probe.get("your_side") \
            or code == 429:
        detail = line(probe.get("detail"), 200)
        return detail if detail.lower().startswith("api") else f"API probe: {detail or 'no answer'}"
    if code in (503, 529):
        return f"API overloaded ({code})"
    if code >= 500:
        return f"API failing with server errors ({code})"
    if "challenge" in line(probe.get("detail"), 120):
        return f"API probe blocked by a bot check ({code}); cannot tell"
    if code in (401, 403):
        return f"API answers{timing}; it needs a key ({code})"
    if level == str(Level.DEGRADED) and timing:
        return f"API slow: answering{timing}"
    if 200 <= code < 300:
        return f"API answering{timing}" if timing else "API answering"
    return f"API answers{timing} ({code})"


def segments(text: str, page_url: object) -> tuple[Seg, ...]:
    """``text`` split into plain and link pieces. A Markdown link shows its words;
    a bare URL shows itself; either is clickable only when :func:`safe_link` allows."""
    out: list[Seg] = []
    pos = 0
    found: list[tuple[int, int, str, str]] = []
    for m in _MD_LINK.finditer(text):
        found.append((m.start(), m.end(), m.group(1), m.group(2)))
    taken = [(a, b) for a, b, _, _ in found]
    for m in _BARE.finditer(text):
        if not any(a <= m.start() < b for a, b in taken):
            url = m.group(0).rstrip(".,;:!?'\"")
            found.append((m.start(), m.start() + len(url), url, url))
    for start, end, words, url in sorted(found):
        if start < pos:
            continue
        if start > pos:
            out.append(Seg(text[pos:start]))
        out.append(Seg(words, safe_link(url, page_url, vendor_hosts())))
        pos = end
    if pos < len(text):
        out.append(Seg(text[pos:]))
    return tuple(out)
