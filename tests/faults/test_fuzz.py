"""Property-based fuzzing of every feed adapter and of feeds.read_feed.

Arbitrary bytes, arbitrary JSON, and real payloads with random parts replaced
or cut: an adapter (and the feed reader around it) never raises and always
answers a FeedReport or NeedDocuments; a report of an unreadable page is
never an outage.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.feedkit import json_values
from trayapp import sources
from trayapp.core.feeds import read_feed
from trayapp.domain.levels import Level
from trayapp.domain.model import FeedReport
from trayapp.domain.outcome import FailKind, Fetched, FetchFailed, Outcome
from trayapp.sources import NeedDocuments

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".json", ".xml", ".html"))
BASE = "https://status.example.com"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
KINDS = sources.kinds()
# Keys the adapters look for, so random documents reach past the first check.
KEYS = ["page", "status", "indicator", "description", "components", "incidents",
        "scheduled_maintenances", "id", "name", "impact", "incident_updates", "body",
        "affected_components", "created_at", "updated_at", "resolved_at", "display_at",
        "shortlink", "url", "group", "group_id", "code", "summary", "data", "attributes",
        "included", "type", "relationships", "severity", "begin", "end", "most_recent_update",
        "status_impact", "affected_products", "active_changes", "sections", "page_id",
        "activeIncidents", "activeMaintenances", "aggregate_state", "state", "title"]
SETTINGS = settings(max_examples=100, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

shaped = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
    | st.sampled_from(["none", "minor", "major", "critical", "operational", "resolved",
                       "investigating", "in_progress", "2026-03-01T11:00:00Z", ""]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=6),
    max_leaves=40)


def mutate(data: st.DataObject, value: Any, depth: int = 0) -> Any:
    """A real document with random subtrees replaced by arbitrary JSON."""
    if depth > 6 or data.draw(st.integers(0, 9), label="replace?") == 0:
        return data.draw(shaped, label="replacement")
    if isinstance(value, dict):
        return {k: mutate(data, v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [mutate(data, v, depth + 1) for v in value[:5]]
    return value


def entry(kind: str) -> str:
    adapter = sources.get(kind)
    assert adapter is not None
    return adapter.entry(BASE)


def check_parse(kind: str, body: bytes | None) -> None:
    """parse() on the entry document, then on whatever else it asks for (same body, or None)."""
    adapter = sources.get(kind)
    assert adapter is not None
    for fill in (body, None):
        docs: dict[str, bytes | None] = {adapter.entry(BASE): body}
        for _ in range(6):
            got = adapter.parse(BASE, docs, NOW)
            assert isinstance(got, FeedReport | NeedDocuments), got
            if isinstance(got, FeedReport):
                assert isinstance(got.summary, str) and "\n" not in got.summary
                assert isinstance(got.level, Level)
                if got.problem is not None:
                    assert got.level is Level.UNKNOWN
                break
            assert got.urls
            if all(u in docs for u in got.urls):
                break               # read_feed turns this into a broken report
            docs.update(dict.fromkeys(got.urls, fill))


@pytest.mark.parametrize("kind", KINDS)
@SETTINGS
@given(body=st.binary(max_size=3000))
def test_adapters_take_arbitrary_bytes(kind: str, body: bytes) -> None:
    check_parse(kind, body)


@pytest.mark.parametrize("kind", KINDS)
@SETTINGS
@given(value=json_values | shaped)
def test_adapters_take_arbitrary_json(kind: str, value: Any) -> None:
    check_parse(kind, json.dumps(value).encode())


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(real=st.sampled_from(REAL), data=st.data())
def test_adapters_take_mutated_real_payloads(kind: str, real: Path, data: st.DataObject) -> None:
    raw = real.read_bytes()
    if real.suffix == ".json":
        body = json.dumps(mutate(data, json.loads(raw))).encode()
    else:  # markup: cut, splice and corrupt bytes
        a = data.draw(st.integers(0, len(raw)))
        b = data.draw(st.integers(a, len(raw)))
        body = raw[:a] + data.draw(st.binary(max_size=40)) + raw[b:]
    check_parse(kind, body)


outcomes = st.one_of(
    st.builds(lambda status, body: Fetched(entry("statuspage"), status, body, 10),
              st.integers(100, 599), st.binary(max_size=500) | shaped.map(
                  lambda v: json.dumps(v).encode())),
    st.builds(lambda kind: FetchFailed(entry("statuspage"), kind, "failed"),
              st.sampled_from(list(FailKind))))


@pytest.mark.parametrize("kind", KINDS)
@SETTINGS
@given(first=outcomes, more=st.lists(outcomes, max_size=3))
def test_read_feed_never_raises(kind: str, first: Outcome, more: list[Outcome]) -> None:
    adapter = sources.get(kind)
    assert adapter is not None
    got: Any = NeedDocuments((adapter.entry(BASE),))
    fetched: dict[str, Outcome] = {}
    answers = iter([first, *more])
    for _ in range(5):
        assert isinstance(got, NeedDocuments)
        for url in got.urls:
            answer = next(answers, None) or FetchFailed(url, FailKind.TIMEOUT, "timed out")
            fetched[url] = answer
        got = read_feed(adapter, BASE, fetched, NOW)
        if isinstance(got, FeedReport):
            break
    assert isinstance(got, FeedReport | NeedDocuments)
    if isinstance(got, FeedReport):
        assert "\n" not in got.summary
        entry_outcome = fetched[adapter.entry(BASE)]
        if isinstance(entry_outcome, FetchFailed) or entry_outcome.status >= 300:
            # an unusable first answer is never an outage
            assert got.level in (Level.UNKNOWN,) or kind == "auto", got
