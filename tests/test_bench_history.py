"""bench/history.py runs and measures what it says (not its timings: machines are noisy)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bench.history import SERVICES, measure, simulate


def test_simulation_keeps_only_48_hours_of_raw_probe_rows(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    res = simulate(path, 4)
    assert res["cycles"] == 4 * 1440
    rows = res["rows"]
    # raw probe rows: at most the last 48 h (+ the hour not yet folded), the rest hourly
    assert rows["probe"] <= SERVICES * (48 + 2) * 60
    assert rows["probe_hour"] >= SERVICES * 24
    assert rows["change"] > 0 and rows["incident"] > 0
    assert res["bytes"] > 0 and res["median_ms"] > 0
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_measure_reports_size_and_write_cost(tmp_path: Path) -> None:
    rows = measure(tmp_path, quick=True)
    names = [r[0] for r in rows]
    assert any("a year of 60 s polls" in n for n in names)
    assert any(n.startswith("write cost per cycle") for n in names)
    size = rows[0]
    assert size[1].endswith(" MB") and size[3] is not None and size[4] is not None
