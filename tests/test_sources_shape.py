"""JSON of the right outline but no readable level is a broken source, in every adapter
that reads a page-wide state (so the monitor keeps what it knew)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trayapp import sources
from trayapp.domain.model import FeedReport, SourceProblem

BASE = "https://status.example.com"


@pytest.mark.parametrize(("kind", "bodies"), [
    ("statuspage", {"api/v2/summary.json": b'{"page": {}, "components": [{}]}'}),
    ("datadog", {"config.json": b'{"components": [{}], "incidents": [{}]}'}),
    ("instatus", {"summary.json": b'{"page": {}}', "v2/components.json": b'{"components": []}'}),
])
def test_no_readable_level_is_broken(kind: str, bodies: dict[str, bytes]) -> None:
    adapter = sources.get(kind)
    assert adapter is not None
    docs: dict[str, bytes | None] = {f"{BASE}/{p}": b for p, b in bodies.items()}
    report = adapter.parse(BASE, docs, datetime.now(UTC))
    assert isinstance(report, FeedReport)
    assert report.problem is SourceProblem.BROKEN
    assert report.error == "status source broken: the page gives no readable status"
