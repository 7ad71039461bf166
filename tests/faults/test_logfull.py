"""Logging on a full disk (issue 24, item 7): one line, never a traceback per record.

A login-started tray's session log fills while the disk is full; every log record
then printed logging's 40-line "--- Logging error ---" traceback on stderr, into
that same session log. Here a real tmpfs of 64 kB, filled (``full_dir``: root
only, skipped where mount is refused), holds trayapp's state and log
directories, and a real `status -v` writes its debug lines into the log there.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.faults.kit import assert_no_crash, feed_service, loopback_config, run_cli
from tests.loopback import LoopbackServer, fixture
from trayapp.edges.logsetup import CleanFormatter, RotatingFile

SAID = "cannot write the log file"


def test_a_full_disk_is_one_line_never_a_logging_traceback(
        full_dir: Path, server: LoopbackServer, env: dict[str, str], tmp_path: Path) -> None:
    server.set("/feed/api/v2/summary.json", fixture("statuspage/anthropic-summary-3.json"))
    config = loopback_config(tmp_path / "c.toml", server, [feed_service(server.url("/feed"))])
    env = {**env, "XDG_STATE_HOME": str(full_dir)}
    run = run_cli(env, "status", "-v", "--config", str(config))
    assert_no_crash(run)
    assert "Logging error" not in run.stderr and "Traceback" not in run.stderr, run.stderr
    said = [line for line in run.stderr.splitlines() if SAID in line]
    assert len(said) == 1, run.stderr
    assert said[0].startswith("trayapp: ") and "No space left on device" in said[0]
    assert "Svc" in run.stdout and "operational" in run.stdout   # the answer is still given


def test_after_a_failure_it_is_quiet_until_it_writes_again(
        full_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The handler itself: many records on a full disk, one line; space again, the
    records are written; full again, one more line."""
    (full_dir / "trayapp" / "log").mkdir()
    handler = RotatingFile(full_dir / "trayapp" / "log" / "trayapp.log", 512 * 1024, 2)
    handler.setFormatter(CleanFormatter("%(message)s"))
    log = logging.getLogger("trayapp.test.logfull")
    log.propagate = False
    log.addHandler(handler)
    try:
        for n in range(50):
            log.warning("record %d %s", n, "x" * 200)
        assert capsys.readouterr().err.count(SAID) == 1
        (full_dir / "filler").unlink()                  # space again
        log.warning("written again")
        assert capsys.readouterr().err == ""
        assert "written again" in Path(handler.baseFilename).read_text()
        with open(full_dir / "filler", "wb", buffering=0) as f:       # full again
            try:
                while True:
                    f.write(b"\0" * 4096)
            except OSError:
                pass
        for n in range(20):
            log.warning("again %d %s", n, "y" * 5000)
        err = capsys.readouterr().err
        assert err.count(SAID) == 1 and "Traceback" not in err, err
    finally:
        log.removeHandler(handler)
        handler.close()
