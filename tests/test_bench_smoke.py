"""The benchmark runs (quick mode) and reports every section. No timed assertions:
these machines are shared and noisy; the numbers are the benchmark's business."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import peerkit

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("## 1. Detection latency", "## 2. Footprint", "## 2c. Wakeups", "## 3. Scale",
            "## 4. Network cost", "## 5. Start-up", "## 6. Side by side", "## 7. History store",
            "- CPU:", "- cores:", "- RAM:", "- OS:", "- Python:")
SIDE_HEADER = "| measurement | trayapp | peer | ratio (trayapp / peer) | method |"


def quick(tmp_path: Path, *args: str, cache: Path | None = None) -> str:
    env = {**os.environ, "TRAYAPP_BENCH_CACHE": str(cache or tmp_path / "empty-cache")}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick",
                           "--out", str(tmp_path), *args], capture_output=True, text=True,
                          timeout=420, stdin=subprocess.DEVNULL, check=False, env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert "Traceback" not in done.stderr
    return (tmp_path / "RESULTS.md").read_text()


def side_rows(results: str) -> list[list[str]]:
    section = results.split("## 6. Side by side", 1)[1].split("\n## ", 1)[0]
    assert SIDE_HEADER in section
    rows = [line for line in section.splitlines()
            if line.startswith("| ") and "---" not in line and line != SIDE_HEADER]
    return [[cell.strip() for cell in row.strip(" |").split(" | ")] for row in rows]


@pytest.mark.slow
def test_quick_benchmark_produces_every_section(tmp_path: Path) -> None:
    # an empty bench cache: the peer is not installed, and a quick run must not install it
    results = quick(tmp_path)
    for heading in SECTIONS:
        assert heading in results, heading
    # every result table row has a verdict, and the tray rows say why they were skipped
    tables = results.split("## 6. Side by side")[0]
    rows = [line for line in tables.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) > 20
    for row in rows[1:]:
        if "measurement" not in row:
            assert row.rstrip(" |").rsplit("| ", 1)[1] in ("PASS", "FAIL", "SKIP", "-"), row
    for line in results.splitlines():
        if "SKIP" in line:
            assert "skipped: " in line
    # the side-by-side table: trayapp measured on every row; the peer's side
    # skipped, except the rows against check_http (named "vs check_http"),
    # which is measured when monitoring-plugins-basic is installed and
    # otherwise skipped with that reason
    probe_peer = peerkit.check_http()
    sides = side_rows(results)
    assert len(sides) >= 10
    assert any("(vs check_http)" in side[0] for side in sides)
    for name, ours, theirs, _ratio, method in sides:
        assert ours and not ours.startswith("skipped"), name
        assert method, name
        if "(vs check_http)" not in name:
            assert theirs.startswith("skipped: peer not installed"), (name, theirs)
        elif probe_peer is None:
            assert theirs.startswith("skipped: check_http not installed"), (name, theirs)
        else:
            assert theirs and not theirs.startswith("skipped"), (name, theirs)
    assert not (tmp_path / "empty-cache").exists()      # nothing was installed
    assert "Start-up" in results and "--cached" in results
    # the wakeup guard: a count of context switches over a window with no poll in it
    # (a count, not a timing): a timer or polling loop added to the idle loop fails here
    wakeups = [row for row in rows if "wakeups per idle hour" in row]
    assert any(row.startswith("| `watch`") for row in wakeups)
    for row in wakeups:
        assert row.rstrip(" |").endswith(("PASS", "SKIP")), row


@pytest.mark.slow
def test_quick_peer_section_with_an_installed_peer(tmp_path: Path) -> None:
    cache = Path(os.environ.get("TRAYAPP_BENCH_CACHE") or ROOT / "bench" / ".cache")
    if not (cache / "peer-2.6.0" / "installed").exists():
        pytest.skip("the peer is not installed in the bench cache (a full run installs it)")
    results = quick(tmp_path, "--only", "peer", "--no-tray", cache=cache)
    sides = {row[0]: row for row in side_rows(results)}
    timeline = sides["right readings on a real timeline (7 steps, 2 pages)"]
    assert timeline[2].endswith("/7") and timeline[3].endswith("x")
    for name, (_, ours, theirs, _ratio, _method) in sides.items():
        assert not ours.startswith("skipped") and not theirs.startswith("skipped: peer"), name
