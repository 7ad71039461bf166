"""The history file under real trouble: corrupt or foreign files, no room, an
unwritable state dir, kill -9 mid-write, two writers at once; retention."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.history_kit import cycle
from trayapp.edges import history_store as store
from trayapp.edges.history_store import HistoryWriter

ROOT = Path(__file__).resolve().parent.parent


def writer_proc(path: Path, service: str, cycles: int, start: int = 1_800_000_000
                ) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.history_kit", str(path), service,
                             str(cycles), str(start)], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def probe_rows(path: Path) -> int:
    """Probe answers kept: raw rows plus those folded into hours."""
    conn = sqlite3.connect(path)
    try:
        raw = conn.execute("SELECT count(*) FROM probe").fetchone()[0]
        folded = conn.execute("SELECT coalesce(sum(n), 0) FROM probe_hour").fetchone()[0]
        return int(raw + folded)
    finally:
        conn.close()


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("content", [
    b"this is not a database at all\n" * 200,
    b"SQLite format 3\x00" + b"\xff" * 4080,
], ids=["garbage", "damaged-header"])
def test_a_corrupt_file_is_moved_aside_once(tmp_path: Path, content: bytes,
                                            caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(content)
    w = HistoryWriter(path, 90)
    with caplog.at_level(logging.WARNING):
        assert w.record(cycle("claude", 1_800_000_000, 0))
        assert w.record(cycle("claude", 1_800_000_060, 1))
    w.close()
    (aside,) = tmp_path.glob("history.sqlite3.corrupt-*")
    assert aside.read_bytes() == content                    # nothing the user had is lost
    (line,) = warnings(caplog)
    assert "moved it to history.sqlite3.corrupt-" in line
    assert integrity(path) == "ok" and count(path, "probe") == 2


def test_a_foreign_database_is_moved_aside(tmp_path: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes(body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.commit()
    conn.close()
    with caplog.at_level(logging.WARNING):
        assert HistoryWriter(path, 90).record(cycle("claude", 1_800_000_000, 0))
    (aside,) = tmp_path.glob("history.sqlite3.corrupt-*")
    assert sqlite3.connect(aside).execute("SELECT body FROM notes").fetchone() == ("mine",)
    assert len(warnings(caplog)) == 1 and "not a trayapp history file" in warnings(caplog)[0]


def test_a_full_disk_turns_history_off_with_one_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "history.sqlite3"
    w = HistoryWriter(path, 90)
    assert w.record(cycle("claude", 1_800_000_000, 0))
    assert w.conn is not None
    pages = w.conn.execute("PRAGMA page_count").fetchone()[0]
    w.conn.execute(f"PRAGMA max_page_count = {pages}")      # SQLite's own "disk is full"
    with caplog.at_level(logging.WARNING):
        results = [w.record(cycle(f"svc-{n}" * 30, 1_800_000_060 + n * 60, n))
                   for n in range(1, 40)]
    assert not all(results) and w.disabled is not None
    (line,) = warnings(caplog)
    assert "history is off, monitoring goes on" in line and "full" in line
    assert integrity(path) == "ok"


def test_an_unwritable_state_dir_turns_history_off(tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the state dir should be")
    w = HistoryWriter(blocker / "trayapp" / "history.sqlite3", 90)
    with caplog.at_level(logging.WARNING):
        assert not w.record(cycle("claude", 1_800_000_000, 0))
        assert not w.record(cycle("claude", 1_800_000_060, 1))
    assert len(warnings(caplog)) == 1
    assert blocker.read_text() == "a file where the state dir should be"


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True,
                    reason="root writes to read-only directories anyway")
def test_a_read_only_state_dir_turns_history_off(tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        w = HistoryWriter(ro / "history.sqlite3", 90)
        with caplog.at_level(logging.WARNING):
            assert not w.record(cycle("claude", 1_800_000_000, 0))
            assert not w.record(cycle("claude", 1_800_000_060, 1))
        assert len(warnings(caplog)) == 1
    finally:
        ro.chmod(0o700)


def test_kill_9_while_writing_leaves_a_sound_file(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    total = 0
    for round_ in range(4):
        proc = writer_proc(path, "claude", 0, 1_800_000_000 + round_ * 1_000_000)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "started"
        # let it write for a while, at a moment that differs each round
        seen = probe_rows(path)
        while probe_rows(path) < seen + 50 * (round_ + 1) and proc.poll() is None:
            pass
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert integrity(path) == "ok"
        now = probe_rows(path)
        assert now > total
        total = now
    # and it still reads and writes
    assert store.read(path, 0) is not None
    assert HistoryWriter(path, 90).record(cycle("claude", 1_900_000_000, 0))


def test_two_writers_at_once_lose_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store.open_store(path).close()
    n = 300
    procs = [writer_proc(path, name, n) for name in ("claude", "openai", "claude")]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, (out, err)
    assert count(path, "probe") == 3 * n
    assert integrity(path) == "ok"


def test_old_probe_rows_become_hourly_and_old_history_is_pruned(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    w = HistoryWriter(path, 2)
    start = 1_800_000_000 // 3600 * 3600
    for n in range(4 * 24 * 60):              # four days of one-minute polls
        assert w.record(cycle("claude", start + 60 * n, n))
    w.close()
    end = start + 60 * (4 * 24 * 60 - 1)
    conn = sqlite3.connect(path)
    oldest_raw = conn.execute("SELECT min(at) FROM probe").fetchone()[0]
    assert oldest_raw >= end - 48 * 3600 - 2 * 3600          # aggregated about hourly
    hours = conn.execute("SELECT hour, n, min_ms, median_ms, max_ms FROM probe_hour "
                         "ORDER BY hour").fetchall()
    assert hours and all(h[1] == 60 for h in hours)
    assert all(h[2] <= h[3] <= h[4] for h in hours)
    # pruned about daily to the last 2 days: nothing left from day one
    assert conn.execute("SELECT min(start) FROM span").fetchone()[0] >= end - 3 * 86400
    assert conn.execute("SELECT min(hour) FROM probe_hour").fetchone()[0] >= end - 3 * 86400
    conn.close()
    assert integrity(path) == "ok"
