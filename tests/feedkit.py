"""Shared helpers for the feed-adapter tests: fixtures, clocks, strategies."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from trayapp.domain.model import FeedReport
from trayapp.sources import NeedDocuments

FIXTURES = Path(__file__).parent / "fixtures"
CHALLENGE = (FIXTURES / "edge-cases" / "cloudflare-challenge-just-a-moment-1.html").read_bytes()


def fixture(relpath: str) -> bytes:
    return (FIXTURES / relpath).read_bytes()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=25,
)


def full_parse(parse: Any, base: str, docs: Mapping[str, bytes | None],
               now: datetime, fill: bytes | None = None) -> FeedReport:
    """Call ``parse``, answering NeedDocuments with ``fill``, until a report comes."""
    current = dict(docs)
    for _ in range(10):
        got = parse(base, current, now)
        if isinstance(got, FeedReport):
            return got
        assert isinstance(got, NeedDocuments)
        assert got.urls and not any(u in current for u in got.urls), got.urls
        for url in got.urls:
            current[url] = fill
    raise AssertionError("adapter kept asking for documents")


def assert_total(parse: Any, base: str, entry_url: str, body: bytes, now: datetime) -> None:
    """The adapter answers ``body`` (as every document) with a report, never raising."""
    for fill in (None, body):
        report = full_parse(parse, base, {entry_url: body}, now, fill)
        assert isinstance(report, FeedReport)
        assert isinstance(report.summary, str) and "\n" not in report.summary


def assert_standard_failures(read: Any, truncated: bytes) -> None:
    """Challenge -> blocked; invalid UTF-8, truncated -> broken; not fetched -> unreachable."""
    from trayapp.domain.model import SourceProblem
    assert read(CHALLENGE).problem is SourceProblem.BLOCKED
    assert read(b"\xff\xfe\xc3\x28{").problem is SourceProblem.BROKEN
    assert read(truncated).problem is SourceProblem.BROKEN
    assert read(None).problem is SourceProblem.UNREACHABLE
    for body in (CHALLENGE, truncated, None):
        report = read(body)
        assert report.level.value == "unknown" and report.error and "\n" not in report.error
