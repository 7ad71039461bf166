"""The details window's history strips: their geometry (pure) and what they load."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.history_kit import populate_week
from trayapp.core.history.uptime import Span
from trayapp.core.render import snapshot_json
from trayapp.windows import history_strip
from trayapp.windows.details_text import plain_text


def test_segments_cover_the_strip_and_show_gaps() -> None:
    spans = [Span(10, 40, "operational"), Span(40, 50, "major_outage"),
             Span(70, 80, "offline"), Span(80, 200, "operational")]
    segs = history_strip.segments(spans, 0, 100)
    assert segs == [(0.0, 0.1, "gap"), (0.1, 0.4, "operational"), (0.4, 0.5, "major_outage"),
                    (0.5, 0.7, "gap"), (0.7, 0.8, "offline"), (0.8, 1.0, "operational")]
    assert history_strip.segments([], 0, 100) == [(0.0, 1.0, "gap")]


def test_colours_are_the_icons() -> None:
    from trayapp.domain.levels import Level
    from trayapp.icon import LEVEL_COLOURS
    r, g, b = LEVEL_COLOURS[Level.MAJOR_OUTAGE]
    assert history_strip.colour("major_outage") == f"#{r:02x}{g:02x}{b:02x}"
    assert history_strip.colour("offline") != history_strip.colour("unknown")


def test_load_reads_the_week_for_the_snapshots_services(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    now = time.time()
    result = populate_week(tmp_path / "trayapp" / "history.sqlite3", now)
    payload = {"snapshot": snapshot_json(result.snapshot)}
    history = history_strip.load(payload, now)
    assert history is not None
    assert [h.id for h in history] == ["claude", "openai"]
    claude = history[0]
    day = claude.uptime["24h"]
    assert day.percent is not None and 80 < day.percent < 85      # 4 h of 24 down
    (inc,) = claude.incidents
    assert "Elevated errors on Claude Opus" in inc and "before the page" in inc
    text = plain_text(history_strip.lines(history))
    assert text.startswith("History") and "ChatGPT: 24h: 100 % up" in text
    # the strips: red where the outage was, hatched where trayapp was not watching
    states = {s for _, _, s in history_strip.segments(claude.spans, now - 7 * 86400, now)}
    assert {"operational", "major_outage", "degraded", "offline", "gap"} <= states


def test_no_history_file_means_no_section(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert history_strip.load({"snapshot": {}}) is None
    assert history_strip.lines(None) == []


def test_the_pages_lag_is_under_the_strips_with_its_count(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The week's outage: the probe confirmed it at 20 h 10 min ago, the page's level said
    # so at its poll 19 h 55 min ago (a poll every 5 min): one problem, 15 min late.
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    now = time.time()
    result = populate_week(tmp_path / "trayapp" / "history.sqlite3", now)
    history = history_strip.load({"snapshot": snapshot_json(result.snapshot)}, now)
    assert history is not None
    claude, chatgpt = history
    words = ("Claude's status page admitted the one problem this machine saw, 15 min later "
             "(a grade needs 5)")
    assert claude.page_lag == words
    assert history_strip.extra_lines(claude)[0] == words
    assert chatgpt.page_lag == ""                  # no probe: nothing to judge the page by
    assert history_strip.extra_lines(chatgpt) == chatgpt.incidents
    text = plain_text(history_strip.lines(history))
    assert text.index(words) < text.index("Elevated errors on Claude Opus")
