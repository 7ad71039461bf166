"""Reports through a real `trayapp watch --json` against a green loopback page.

The poll interval is 60 s, so a change within seconds of a report proves the running
loop heard it at once (the report command's poke), not at its next poll.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.cli_helpers import Watcher, isolated_env, trayapp, write_config
from tests.loopback import LoopbackServer, fixture, wait_until

OK = fixture("statuspage/anthropic-summary-3.json")
POLL_INTERVAL = 60


def test_two_overloaded_reports_warn_at_once_and_an_ok_clears(server: LoopbackServer,
                                                             tmp_path: Path) -> None:
    server.set("/generate_204", b"", status=204)
    server.set("/api/v2/summary.json", OK, etag='"ok"')
    server.set("/v1/models", b"{}", status=401)
    cfg = write_config(tmp_path, server, top=f"interval = {POLL_INTERVAL}",
                       service_extra='preset = "anthropic"')
    env = isolated_env(tmp_path)
    state = tmp_path / "state" / "trayapp"
    w = Watcher(cfg, env, "--json")
    try:
        # the first poll is over (its snapshot saved) and the loop listens for pokes
        assert wait_until(lambda: (state / "snapshot.json").exists()
                          and any(state.glob("wake-*")), 60)
        polls = server.hits["/api/v2/summary.json"]
        assert trayapp("report", "claude", "--outcome", "overloaded", "--model",
                       "claude-opus-4-1", env=env).returncode == 0
        sent = time.monotonic()
        assert trayapp("report", "anthropic", "--outcome", "overloaded",
                       env=env).returncode == 0
        warn = w.next_json(timeout=POLL_INTERVAL / 2)
        took = time.monotonic() - sent
        assert (warn["service"], warn["kind"], warn["old"], warn["new"], warn["source"]) == (
            "claude", "worse", "operational", "degraded", "reports")
        assert warn["reason"].startswith("your tools: 2 failures in 1 min (overloaded, "
                                         "claude-opus-4-1)")
        done = trayapp("status", "--cached", "--json", env=env)
        assert '"level": "degraded"' in done.stdout
        assert trayapp("report", "claude", "--outcome", "ok", env=env).returncode == 0
        back = w.next_json(timeout=POLL_INTERVAL / 2)
        assert (back["kind"], back["old"], back["new"], back["source"]) == (
            "better", "degraded", "operational", "reports")
        assert server.hits["/api/v2/summary.json"] == polls     # no poll in between
    finally:
        code, err = w.stop()
    assert code == 0 and "Traceback" not in err
    assert not any(state.glob("wake-*"))                       # its port file removed
    print(f"early warning {took:.2f} s after the second report")


def test_a_live_status_counts_the_reports_too(server: LoopbackServer, tmp_path: Path) -> None:
    server.set("/generate_204", b"", status=204)
    server.set("/api/v2/summary.json", OK, etag='"ok"')
    server.set("/v1/models", b"{}", status=401)
    cfg = write_config(tmp_path, server)
    env = isolated_env(tmp_path)
    for outcome in ("timeout", "unreachable"):
        assert trayapp("report", "claude", "--outcome", outcome, env=env).returncode == 0
    done = trayapp("status", "--json", "--config", str(cfg), env=env)
    assert done.returncode == 1, done.stderr
    (claude,) = json.loads(done.stdout)["services"]
    assert claude["level"] == "degraded"
    assert claude["summary"].startswith("your tools: 2 failures in 1 min (timeout, "
                                        "unreachable); ")
    # the user's side alone is not the vendor's trouble
    assert trayapp("report", "claude", "--outcome", "ok", env=env).returncode == 0
    for _ in range(3):
        assert trayapp("report", "claude", "--outcome", "rate_limited", env=env).returncode == 0
    done = trayapp("status", "--json", "--config", str(cfg), env=env)
    assert done.returncode == 0 and json.loads(done.stdout)["services"][0]["level"] == \
        "operational"
