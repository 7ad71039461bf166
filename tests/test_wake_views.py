"""What the surfaces say about the pace and a re-check: the tooltip while the first
poll after a sleep runs (the last level named as from before, never as now), the
details' battery line from the snapshot JSON (and nothing from a hostile value)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.test_cadence import UP, config, steady
from trayapp.core.cadence import next_poll
from trayapp.core.render import snapshot_json
from trayapp.tray.tooltip import checking
from trayapp.windows.details_text import dashboard

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def test_the_tooltip_while_checking_names_the_last_level_as_before() -> None:
    snap = steady(config(), UP).snapshot
    text = checking(snap, "after a sleep", snap.checked_at + timedelta(hours=2))
    assert text == "trayapp: checking again (after a sleep); before: operational, checked 2 h ago"
    assert checking(None, "the network changed", NOW) == \
        "trayapp: checking again (the network changed)"
    assert len(checking(snap, "x" * 500, NOW, limit=64)) <= 64


def snap_json(on_battery: bool) -> dict[str, Any]:
    from dataclasses import replace
    cfg = config()
    result = steady(cfg, UP)
    return snapshot_json(replace(result.snapshot, polling=next_poll(result, cfg, on_battery)))


def test_the_details_say_the_battery_pace() -> None:
    d = dashboard(snap_json(True), NOW, UTC)
    assert d.checked.endswith(" · on battery: polling every 2 min")
    assert "battery" not in dashboard(snap_json(False), NOW, UTC).checked


@pytest.mark.parametrize("polling", [
    None, "fast", {"every": True, "on_battery": True}, {"every": "120", "on_battery": True},
    {"every": 1e300, "on_battery": True}, {"every": -5, "on_battery": True},
    {"every": 120, "on_battery": "yes"}, [120, True],
])
def test_a_hostile_pace_says_nothing(polling: object) -> None:
    data = snap_json(True)
    data["polling"] = polling
    assert "battery" not in dashboard(data, NOW, UTC).checked
