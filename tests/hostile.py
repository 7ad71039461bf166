"""Hostile feed text, reusable by any test that shows feed data to a person.

Everything a status page says is untrusted. :func:`hostile` makes a string
that carries markup, ANSI escape sequences (colour, cursor movement, a
terminal-title OSC), control characters (BEL, NUL, backspace, CR),
bidirectional overrides, zero-width and other format characters (tag
characters, U+2028/2029, invisible operators, soft hyphen), and an over-long tail,
around a recognisable ``tag`` so a test can find where it went.
:func:`statuspage_summary` puts such strings in every text field of an
Atlassian Statuspage ``summary.json``; :func:`assert_neutralised` checks one
piece of output text.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from trayapp.domain.invisible import is_ignorable

MARKUP = "<script>alert(1)</script><img src=x onerror=alert(2)><b>bold</b>"
ANSI = "\x1b[31mRED\x1b[0m\x1b[2J\x1b[1;1H\x1b]0;pwned-title\x07\x1b]8;;https://evil.example\x1b\\"
CONTROLS = "\x07bell\x00nul\x08back\rcr\x0bvt\x1f"
BIDI = "\u202eevil\u202c\u2066iso\u2069\u200bzw\u200f\ufeff"
# Format (Cf) and separator characters a person cannot see: tag characters,
# line/paragraph separators, invisible operators, soft hyphen, interlinear
# annotation marks, the Mongolian vowel separator, a language tag sequence.
INVISIBLE = ("\U000e0001\U000e0041\U000e007f\u2028sep\u2029\u2061\u2062\u2063\u2064"
             "soft\u00adhyphen\ufff9\ufffa\ufffb\u180e\u206a\u206f\U0001d173\u00ad"
             # Default_Ignorable yet not Cf: grapheme joiner, Hangul fillers, selectors
             "cgj\u034fh\u115f\u1160\u3164\uffa0vs\u180b\ufe0f\U000e0100")
LONG = "L" * 10_000
BAD_URLS = ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,<script>x</script>")

# What must never reach a terminal, a notification or a window.
BIDI_AND_INVISIBLE = frozenset(
    [*map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)),
     "\u200e", "\u200f", "\u061c", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
# ... and, by category rather than by list: every control, format character,
# line/paragraph separator, private-use, surrogate or unassigned code point.
NEVER_SHOWN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def hostile(tag: str) -> str:
    """One string with every kind of hostile content around ``tag``."""
    return f"{tag} {MARKUP} {ANSI} {CONTROLS} {BIDI} {INVISIBLE} {LONG}"


def statuspage_summary(tag: str = "HOSTILE", *, indicator: str = "critical") -> bytes:
    """A Statuspage summary.json whose every text field is hostile."""
    text = hostile
    component = {"id": "c1", "name": text(f"{tag}-component"), "status": "major_outage",
                 "description": text(f"{tag}-description"), "group": False}
    update = {"id": "u1", "status": "investigating", "body": text(f"{tag}-update"),
              "created_at": "2026-03-01T11:00:00Z", "display_at": "2026-03-01T11:00:00Z",
              "affected_components": [{"code": "c1", "name": text(f"{tag}-affected"),
                                       "old_status": "operational",
                                       "new_status": "major_outage"}]}
    incident = {"id": "i1", "name": text(f"{tag}-incident"), "status": "investigating",
                "impact": indicator, "shortlink": BAD_URLS[0],
                "created_at": "2026-03-01T11:00:00Z", "updated_at": "2026-03-01T11:05:00Z",
                "components": [component], "incident_updates": [update]}
    maintenance = {"id": "m1", "name": text(f"{tag}-maintenance"), "status": "in_progress",
                   "impact": "maintenance", "shortlink": BAD_URLS[1],
                   "scheduled_for": "2026-03-01T10:00:00Z",
                   "scheduled_until": "2026-03-01T14:00:00Z", "components": [component],
                   "incident_updates": [update]}
    page = {"id": "p1", "name": text(f"{tag}-page"), "url": BAD_URLS[2],
            "time_zone": text("tz"), "updated_at": "2026-03-01T11:05:00Z"}
    doc = {"page": page, "status": {"indicator": indicator,
                                    "description": text(f"{tag}-status")},
           "components": [component], "incidents": [incident],
           "scheduled_maintenances": [maintenance]}
    return json.dumps(doc).encode()


def strings(value: Any) -> list[str]:
    """Every string in a parsed JSON value (keys included)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def assert_neutralised(text: str, *, max_len: int = 4000, newlines: bool = False) -> None:
    """No escape, control, bidi or zero-width character; markup only as inert text."""
    for ch in text:
        if ch == "\n" and newlines:
            continue
        assert unicodedata.category(ch) not in NEVER_SHOWN, \
            f"invisible/control character {ch!r} ({unicodedata.category(ch)}) in {text[:80]!r}"
        assert ch not in BIDI_AND_INVISIBLE and not is_ignorable(ch), \
            f"bidi/invisible {ch!r} in {text[:80]!r}"
    for line in text.split("\n"):
        assert len(line) <= max_len, f"a {len(line)}-character line: {line[:80]!r}..."
    for url in BAD_URLS:
        assert url not in text, f"{url!r} passed through"
