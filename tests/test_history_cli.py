"""`trayapp watch` and `status` keep history; `trayapp history` reads it back (real
processes, a loopback server, a real SQLite file in a temp state dir)."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
from pathlib import Path

from tests.cli_helpers import Watcher, isolated_env, status_json, trayapp, write_config
from tests.loopback import LoopbackServer, fixture, wait_until

OK = fixture("statuspage/anthropic-summary-3.json")
DOWN = fixture("statuspage/github-summary-1.json")
FEED = "/api/v2/summary.json"


def stop(w: Watcher) -> None:
    w.proc.send_signal(signal.SIGTERM)
    assert w.proc.wait(timeout=15) == 0


def polls_after(server: LoopbackServer, n: int) -> bool:
    before = server.hits[FEED]
    return wait_until(lambda: server.hits[FEED] >= before + n, 30)


def test_watch_timeline_then_history_json(server: LoopbackServer, tmp_path: Path) -> None:
    server.set("/generate_204", b"", status=204)
    server.set(FEED, OK, etag='"ok"')
    server.set("/v1/models", b"{}", status=401)
    cfg = write_config(tmp_path, server, top="interval = 1")
    env = isolated_env(tmp_path)
    w = Watcher(cfg, env, "--json")
    try:
        assert polls_after(server, 3)
        server.set(FEED, DOWN, etag='"down"')
        assert w.next_json()["new"] == "major_outage"
        assert polls_after(server, 3)
        server.set(FEED, OK, etag='"ok2"')
        while w.next_json()["kind"] != "better":
            pass
        assert polls_after(server, 3)
    finally:
        stop(w)
    done = trayapp("history", "--json", env=env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    (svc,) = data["services"]
    assert svc["id"] == "claude" and svc["name"] == "Claude"
    assert [(c["old"], c["new"], c["source"]) for c in svc["changes"]] == [
        ("major_outage", "operational", "both"), ("operational", "major_outage", "page")]
    assert all(c["at"] and c["reason"] for c in svc["changes"])
    (inc,) = svc["incidents"]
    assert inc["impact"] == "partial_outage" and inc["resolved_at"] and inc["first_seen_at"]
    assert inc["opened_at"].startswith("2020-04-02T20:20:54")      # the page's own time
    assert 0 < svc["uptime"]["24h"] < 100
    assert 0 < svc["observed"]["24h"] < 1                            # a few seconds of a day
    assert svc["sources"]["probe"]["uptime"]["24h"] == 100.0         # the API answered 401
    assert svc["probe"]["polls"] >= 6 and svc["probe"]["failures"] == 0
    # the text and CSV views of the same file
    text = trayapp("history", env=env)
    assert text.returncode == 0 and "major outage -> operational (both)" in text.stdout
    assert "Incident on 2020-04-02 20:20 UTC" in text.stdout
    rows = list(csv.DictReader(io.StringIO(trayapp("history", "--csv", env=env).stdout)))
    assert [r["type"] for r in rows].count("change") == 2
    assert {r["type"] for r in rows} == {"change", "incident"}
    # --service filters; an unknown one has no history, which is not an error
    none = trayapp("history", "--service", "nope", env=env)
    assert none.returncode == 0 and "no history yet for 'nope'" in none.stdout


def test_no_history_yet_is_one_line_and_exit_0(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    done = trayapp("history", env=env)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.count("\n") == 1 and "no history yet" in done.stdout
    as_json = trayapp("history", "--json", env=env)
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["services"] == []


def test_bad_since_is_usage_error(tmp_path: Path) -> None:
    done = trayapp("history", "--since", "last tuesday", env=isolated_env(tmp_path))
    assert done.returncode == 64 and "--since" in done.stderr and "Traceback" not in done.stderr


def test_status_records_and_stores_no_key(server: LoopbackServer, tmp_path: Path) -> None:
    server.set("/generate_204", b"", status=204)
    server.set(FEED, DOWN)
    server.set("/v1/models", b'{"secret-body": "raw-feed-body"}', status=200)
    cfg = write_config(tmp_path, server,
                       service_extra='probe = { url = "' + server.url("/v1/models") +
                       '", api_key_env = "TRAYAPP_TEST_KEY", api_key_header = "x-api-key" }',
                       probe=None)
    env = isolated_env(tmp_path, TRAYAPP_TEST_KEY="sk-very-secret-123")
    code, _data, err = status_json(cfg, env)
    assert code == 2 and "Traceback" not in err
    db = tmp_path / "state" / "trayapp" / "history.sqlite3"
    assert db.exists()
    dump = subprocess.run(["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]);"
                           "print('\\n'.join(c.iterdump()))", str(db)],
                          capture_output=True, text=True, check=True).stdout
    assert "sk-very-secret-123" not in dump and "raw-feed-body" not in dump
    assert "Incident on 2020-04-02 20:20 UTC" in dump                # the incident was kept
    for f in db.parent.glob("history.sqlite3*"):
        assert b"sk-very-secret-123" not in f.read_bytes()
    assert status_json(cfg, env)[0] == 2                    # a second run, same outage
    out = trayapp("history", "--json", env=env)
    (svc,) = json.loads(out.stdout)["services"]
    assert svc["incidents"][0]["resolved_at"] is None and len(svc["incidents"]) == 1
    # A one-shot poll has no "before": seeing an outage is no change from unknown
    assert svc["changes"] == []
    assert svc["probe"]["polls"] >= 2


def test_watch_goes_on_when_history_cannot_be_written(server: LoopbackServer,
                                                      tmp_path: Path) -> None:
    server.set("/generate_204", b"", status=204)
    server.set(FEED, OK, etag='"ok"')
    server.set("/v1/models", b"{}", status=401)
    cfg = write_config(tmp_path, server, top="interval = 1")
    env = isolated_env(tmp_path)
    (tmp_path / "state" / "trayapp" / "history.sqlite3").mkdir(parents=True)  # unopenable
    w = Watcher(cfg, env, "--json")
    try:
        assert polls_after(server, 3)
        server.set(FEED, DOWN, etag='"down"')
        assert w.next_json()["new"] == "major_outage"
        assert polls_after(server, 2)
    finally:
        stop(w)
    err = w.proc.stderr.read() if w.proc.stderr else ""
    assert err.count("history is off, monitoring goes on") == 1, err
    assert "Traceback" not in err
    assert (tmp_path / "state" / "trayapp" / "snapshot.json").exists()
