"""`trayapp watch` end to end: flips on a loopback server become change lines."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli_helpers import Watcher, isolated_env, write_config
from tests.loopback import LoopbackServer, fixture, wait_until

OK = fixture("statuspage/anthropic-summary-3.json")
DOWN = fixture("statuspage/github-summary-1.json")


def start(server: LoopbackServer, tmp_path: Path, *extra: str) -> Watcher:
    server.set("/generate_204", b"", status=204)
    server.set("/api/v2/summary.json", OK, etag='"ok"')
    server.set("/v1/models", b"{}", status=401)
    cfg = write_config(tmp_path, server, top="interval = 1")
    watcher = Watcher(cfg, isolated_env(tmp_path), *extra)
    # A second request to the feed proves the first (baseline) cycle is over.
    before = server.hits["/api/v2/summary.json"]
    assert wait_until(lambda: server.hits["/api/v2/summary.json"] >= before + 2, 20)
    return watcher


def test_watch_json_prints_one_line_per_change(server: LoopbackServer, tmp_path: Path) -> None:
    w = start(server, tmp_path, "--json")
    try:
        server.set("/api/v2/summary.json", DOWN, etag='"down"')
        change = w.next_json()
        assert (change["service"], change["old"], change["new"]) == (
            "claude", "operational", "major_outage")
        assert set(change) >= {"time", "service", "old", "new", "reason"}
        new_incident = w.next_json()
        assert new_incident["kind"] == "incident_new"
        server.set("/api/v2/summary.json", OK, etag='"ok2"')
        back = w.next_json()
        assert (back["old"], back["new"], back["kind"]) == ("major_outage", "operational",
                                                            "better")
        assert w.next_json()["kind"] == "incident_resolved"
    finally:
        code, err = w.stop()
    assert code == 0 and "Traceback" not in err
    assert w.lines.empty()                               # nothing else was printed
    # 304s: the unchanged feed was served from the ETag cache
    conditional = [r for r in server.requests_to("/api/v2/summary.json")
                   if r.headers.get("if-none-match")]
    assert conditional


def test_watch_survives_the_network_going_away(server: LoopbackServer, tmp_path: Path) -> None:
    w = start(server, tmp_path, "--json")
    try:
        server.set("/generate_204", b"", status=404)        # not 204: a portal in the way
        server.set("/api/v2/summary.json", DOWN, etag='"down"')
        line = w.next_json()
        assert (line["kind"], line["new"]) == ("offline", "offline")
        server.set("/generate_204", b"", status=204)
        assert w.next_json()["kind"] == "online"
        assert w.next_json()["new"] == "major_outage"      # the real change, once online
    finally:
        code, err = w.stop()
    assert code == 0 and "Traceback" not in err


def test_watch_text_and_restart_does_not_reannounce(server: LoopbackServer,
                                                    tmp_path: Path) -> None:
    w = start(server, tmp_path)
    try:
        server.set("/api/v2/summary.json", DOWN, etag='"down"')
        line = w.next_line()
        assert "claude" in line and "operational -> major outage" in line
    finally:
        code, err = w.stop()
    assert code == 0 and "watching Claude" in err
    state = tmp_path / "state" / "trayapp" / "watch-state.json"
    assert json.loads(state.read_text())["services"]["claude"]["known_level"] == "major_outage"
    again = start(server, tmp_path, "--json")
    try:
        server.set("/api/v2/summary.json", OK, etag='"ok"')
        assert again.next_json()["new"] == "operational"   # the first line is the recovery
    finally:
        again.stop()
