"""The snapshot file: its head answers the prompt exactly as the whole would, its budget
holds whatever a page lists, and it round-trips through :mod:`trayapp.edges.snapcache`."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from tests.test_pick import NOW, TABLE
from trayapp.cli.quick import status_exit, summary_line
from trayapp.core import snapbudget
from trayapp.core.pick import pick
from trayapp.core.render import snapshot_json
from trayapp.domain.levels import Level
from trayapp.domain.model import FeedReport, Incident, ServiceStatus, Snapshot, Update
from trayapp.edges import snapcache


@pytest.mark.parametrize(("case", "snap"), [(t[0], t[1]) for t in TABLE],
                         ids=[t[0] for t in TABLE])
def test_the_head_picks_and_says_what_the_whole_snapshot_does(case: str,
                                                              snap: dict[str, Any]) -> None:
    head = snapbudget.head(snap)
    for service in ("claude", "openai", "ollama", "nope"):
        assert pick(head, service) == pick(snap, service), (case, service)
    assert status_exit(head) == status_exit(snap)
    assert summary_line(head, 5) == summary_line(snap, 5)


def test_the_head_exit_code_agrees_for_every_level_pair() -> None:
    for a, b, offline in itertools.product(list(Level), list(Level), (False, True)):
        snap = snapshot_json(Snapshot(checked_at=NOW, offline=offline, reason="no network",
                                      services=(ServiceStatus("a", "A", "watch", a, "s"),
                                                ServiceStatus("b", "B", "fallback", b, "s"))))
        assert status_exit(snapbudget.head(snap)) == status_exit(snap), (a, b, offline)


def _page(incidents: int, text: str, updates: int = 1) -> dict[str, Any]:
    feed = FeedReport(platform="statuspage", level=Level.MAJOR_OUTAGE, summary="s",
                      page_url="https://status.example.com", incidents=tuple(
                          Incident(id=f"i{n}", name=f"{n} {text}", status="investigating",
                                   impact=Level.MAJOR_OUTAGE,
                                   updates=tuple(Update("investigating", text)
                                                 for _ in range(updates)))
                          for n in range(incidents)))
    return snapshot_json(Snapshot(checked_at=NOW, offline=False, reason=None, services=(
        ServiceStatus("claude", "Claude", "watch", Level.MAJOR_OUTAGE, "s", feed=feed),)))


BUDGET_TABLE = [
    # (case, incidents, text, updates, kept incidents at most)
    ("a small page is kept whole", 3, "short", 2, 3),
    ("10,000 incidents: the first MAX_INCIDENTS", 10_000, "x", 1, snapbudget.MAX_INCIDENTS),
    ("long emoji text: within SERVICE_CHARS", 200, "\U0001f525" * 4000, 10,
     snapbudget.MAX_INCIDENTS),
]


@pytest.mark.parametrize(("case", "count", "text", "updates", "most"), BUDGET_TABLE,
                         ids=[t[0] for t in BUDGET_TABLE])
def test_the_budget(case: str, count: int, text: str, updates: int, most: int) -> None:
    data = _page(count, text, updates)
    kept = snapbudget.budgeted(data)
    service = kept["services"][0]
    assert len(json.dumps(service, ensure_ascii=False)) <= snapbudget.SERVICE_CHARS
    incidents = service["feed"]["incidents"]
    assert 0 < len(incidents) <= most
    assert [i["id"] for i in incidents] == [f"i{n}" for n in range(len(incidents))]  # in order
    assert all(len(i["updates"]) <= snapbudget.MAX_UPDATES for i in incidents)
    omitted = service["feed"].get("omitted", {})
    assert omitted.get("incidents", 0) == count - len(incidents)
    if count == len(incidents) and updates <= snapbudget.MAX_UPDATES:
        assert kept == data            # nothing to cut: the file is what status --json prints


def test_the_file_is_one_json_object_whose_first_line_is_the_head(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    data = _page(30, "\U0001f525 fire")
    raw = snapcache.encode(data)
    first, _ = raw.split(b"\n", 1)
    assert first.startswith(snapcache.HEAD_PREFIX) and first.endswith(b",")
    assert "\U0001f525".encode() in raw                       # UTF-8, not \\ud83d escapes
    assert json.loads(raw)["head"] == snapbudget.head(snapbudget.budgeted(data))
    path = tmp_path / "trayapp" / snapcache.FILE_NAME
    path.parent.mkdir()
    path.write_bytes(raw)
    head, why = snapcache.read()
    assert (head, why) == (json.loads(raw)["head"], "")
    whole, _ = snapcache.read(full=True)
    assert whole == snapbudget.budgeted(data)                # the head is not in it
    path.write_bytes(json.dumps(data).encode())                # a file from before the head
    assert snapcache.read() == (data, "")


def test_a_lone_surrogate_from_a_page_cannot_stop_the_save() -> None:
    data = _page(1, "bad \ud83d half")
    assert b"bad ? half" in snapcache.encode(data)
