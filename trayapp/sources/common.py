"""Tolerant readers shared by the feed adapters.

Feeds are untrusted and drift over time: every reader here returns a default
instead of raising, so an adapter can keep what it understands and report
the rest as ``unknown``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from trayapp.domain.levels import Level, worst
from trayapp.domain.model import (
    Component,
    FeedReport,
    Incident,
    Maintenance,
    SourceProblem,
    Update,
    failed_feed,
)
from trayapp.domain.text import html_to_text, one_line

JSONValue = Any

_CHALLENGE_MARKERS = (
    b"<title>just a moment...</title>",
    b"cf-browser-verification",
    b"challenge-platform",
    b"_cf_chl_opt",
    b"attention required! | cloudflare",
    b"request could not be satisfied",  # CloudFront
    b"captcha",
)


def looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in head


def looks_like_challenge(body: bytes) -> bool:
    """A bot challenge / WAF page (Cloudflare "Just a moment...", CloudFront)."""
    sample = body[:65536].lower()
    return looks_like_html(body) and any(m in sample for m in _CHALLENGE_MARKERS)


def not_json_report(platform: str, body: bytes, expected: str,
                    page_url: str | None = None) -> FeedReport:
    """The report for a body that is not the JSON we expected."""
    if looks_like_challenge(body):
        return failed_feed(platform, SourceProblem.BLOCKED,
                           "status page answered with a bot challenge (blocked)", page_url)
    if looks_like_html(body):
        return failed_feed(platform, SourceProblem.BROKEN,
                           f"status source broken: the page serves HTML, not {expected}", page_url)
    if not body.strip():
        return failed_feed(platform, SourceProblem.BROKEN,
                           f"status source broken: empty answer instead of {expected}", page_url)
    return failed_feed(platform, SourceProblem.BROKEN,
                       f"status source broken: the page no longer serves {expected}", page_url)


def load_json(body: bytes) -> tuple[JSONValue, str | None]:
    """(value, None) or (None, a one-line reason)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "not valid UTF-8"
    try:
        return json.loads(text), None
    except (ValueError, RecursionError):
        return None, "not valid JSON"


def as_dict(value: JSONValue) -> dict[str, JSONValue]:
    return value if isinstance(value, dict) else {}


def as_list(value: JSONValue) -> list[JSONValue]:
    return value if isinstance(value, list) else []


def as_str(value: JSONValue, default: str = "") -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, int | float):
        return str(value)
    return default


def get_str(obj: Mapping[str, JSONValue], key: str, default: str = "") -> str:
    return as_str(obj.get(key), default)


def dicts(value: JSONValue) -> list[dict[str, JSONValue]]:
    """The dict items of a list; anything else is dropped."""
    return [item for item in as_list(value) if isinstance(item, dict)]


_JS_DATE = re.compile(
    r"^\w{3} (\w{3}) (\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT([+-]\d{4})")
_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}


EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
"""A time outside [EARLIEST, LATEST) is unknown: far from datetime's limits, so
no arithmetic or formatting on a parsed time can overflow. Where a time must
be in the past (an update, an entry's date), more than FUTURE_SLACK after
``now`` is unknown too (:func:`past_time`)."""


def parse_time(value: JSONValue) -> datetime | None:
    """ISO-8601 (with Z, offsets, ms), RFC 2822, JS date strings or epoch seconds.

    Always an aware UTC-comparable datetime (UTC when the text has no offset)
    between 2000 and 2200, or None.
    """
    parsed = _parse_time(value)
    if parsed is None:
        return None
    try:
        if not EARLIEST <= parsed < LATEST:
            return None
        parsed.utcoffset()
    except (OverflowError, ValueError):
        return None
    return parsed


def past_time(value: JSONValue, now: datetime) -> datetime | None:
    """:func:`parse_time` for a time that has happened: more than a day after ``now`` is
    unknown (a feed entry dated in 9999 must not hold an outage forever)."""
    parsed = parse_time(value)
    return parsed if parsed is not None and parsed <= now + FUTURE_SLACK else None


def _parse_time(value: JSONValue) -> datetime | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            seconds = value / 1000 if value > 1e11 else value
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        return None
    text = value.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None:
        match = _JS_DATE.match(text)
        if match and match.group(1) in _MONTHS:
            mon, day, year, hh, mm, ss, off = match.groups()
            try:
                parsed = datetime.strptime(
                    f"{year}-{_MONTHS[mon]:02d}-{int(day):02d}T{hh}:{mm}:{ss}{off}",
                    "%Y-%m-%dT%H:%M:%S%z")
            except ValueError:
                parsed = None
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None:
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def join_url(base: str, path: str) -> str:
    """``https://status.x.com/`` + ``/api/v2/summary.json``, without a double slash."""
    return base.rstrip("/") + "/" + path.lstrip("/")


def first(items: Sequence[str]) -> str | None:
    return items[0] if items else None


# --- helpers shared by the adapters added with the extra feed formats ------

STALE_AFTER = timedelta(days=7)
"""An unresolved item not updated for this long no longer counts (feeds
without a current-state field, e.g. RSS history, must not hold an outage
forever)."""


def fetched(docs: Mapping[str, bytes | None], url: str, platform: str,
            page_url: str | None) -> bytes | FeedReport:
    """The body fetched for ``url``, or the report for a failed fetch."""
    body = docs.get(url)
    if body is None:
        return failed_feed(platform, SourceProblem.UNREACHABLE, "status page not fetched",
                           page_url)
    return body


def newest_first(updates: Iterable[Update]) -> tuple[Update, ...]:
    """Updates sorted newest first; undated ones keep their order, last."""
    return tuple(sorted(updates, key=lambda u: u.at.timestamp() if u.at else float("-inf"),
                        reverse=True))


def level_of(word: str, table: Mapping[str, Level], what: str,
             warnings: list[str]) -> Level:
    """``table[word]``, or ``unknown`` with a warning naming ``what``."""
    level = table.get(word)
    if level is None:
        warnings.append(f"{what}: unknown status {one_line(word, 40)!r}")
        return Level.UNKNOWN
    return level


def summary_line(incidents: Sequence[Incident], maintenances: Sequence[Maintenance],
                 level: Level, description: str = "",
                 quiet: str = "All systems operational") -> str:
    """The one-line summary: worst active incident, maintenance, or the page's words."""
    if incidents:
        top = max(incidents, key=lambda i: (i.impact.rank, i.updated_at.timestamp()
                                            if i.updated_at else 0.0))
        more = f" (+{len(incidents) - 1} more)" if len(incidents) > 1 else ""
        return f"{top.name}{more}"
    active = [m for m in maintenances if m.in_progress]
    if active:
        return f"Maintenance: {active[0].name}"
    if description:
        return one_line(description, 120)
    return quiet if level is Level.OPERATIONAL else level.label.capitalize()


def page_report(platform: str, *, indicator: Level | None, components: Sequence[Component],
                incidents: Sequence[Incident], maintenances: Sequence[Maintenance],
                page_url: str | None, warnings: Sequence[str], description: str = "",
                quiet: str = "All systems operational",
                extra_levels: Iterable[Level] = ()) -> FeedReport:
    """Assemble a report: level = worst of indicator, components, maintenance in progress."""
    levels = [c.level for c in components]
    if indicator is not None:
        levels.append(indicator)
    levels.extend(Level.MAINTENANCE for m in maintenances if m.in_progress)
    levels.extend(extra_levels)
    level = worst(levels)
    error = "the page gives no readable status" if level is Level.UNKNOWN else None
    return FeedReport(
        platform=platform, level=level,
        summary=summary_line(incidents, maintenances, level, description, quiet),
        components=tuple(components), incidents=tuple(incidents),
        maintenances=tuple(maintenances), page_url=page_url, error=error,
        indicator=indicator, warnings=tuple(warnings))


def unreadable_is_broken(report: FeedReport) -> FeedReport:
    """A page from which no level at all could be read has the wrong shape: a broken source.

    Broken (not merely unknown) so the monitor keeps what it knew, incidents included,
    instead of taking an empty page as the new truth.
    """
    if report.level is not Level.UNKNOWN or report.problem is not None:
        return report
    error = "status source broken: the page gives no readable status"
    return replace(report, error=error, summary=error, problem=SourceProblem.BROKEN)


def json_document(docs: Mapping[str, bytes | None], url: str, platform: str, expected: str,
                  page_url: str | None) -> tuple[JSONValue, FeedReport | None]:
    """(the parsed JSON of ``docs[url]``, None), or (None, the report for its failure)."""
    body = fetched(docs, url, platform, page_url)
    if isinstance(body, FeedReport):
        return None, body
    obj, err = load_json(body)
    if err is not None:
        return None, not_json_report(platform, body, expected, page_url)
    return obj, None


def wrong_shape(platform: str, expected: str, page_url: str | None) -> FeedReport:
    return failed_feed(platform, SourceProblem.BROKEN,
                       f"status source broken: the page no longer serves {expected}", page_url)


def plain(value: JSONValue, limit: int = 200) -> str:
    """An untrusted name that may hold markup -> one line of its visible text."""
    text = as_str(value)
    return one_line(html_to_text(text) if "<" in text or "&" in text else text, limit)
