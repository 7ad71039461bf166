"""Hooks end to end: `trayapp watch` against the loopback server, real commands, a real
webhook receiver on 127.0.0.1."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_helpers import Watcher, isolated_env, write_config
from tests.loopback import LoopbackServer, fixture, wait_until
from tests.test_hooks import TOKEN, Receiver

OK = fixture("statuspage/anthropic-summary-3.json")
DOWN = fixture("statuspage/github-summary-1.json")
FEED = "/api/v2/summary.json"
KEY_ENV = "HOOK_TEST_API_KEY"
SECRET = "sk-hook-test-0123456789"

RECORDER = """\
import json, os, sys
data = sys.stdin.read()
with open(sys.argv[1], "a") as f:
    f.write(data.strip() + "\\n")
with open(sys.argv[2], "a") as f:
    f.write(json.dumps([os.environ.get(KEY), "HOME" in os.environ]) + "\\n")
""".replace("KEY", repr(KEY_ENV))

HANGER = """\
import os, sys, time
open(sys.argv[1], "w").write(str(os.getpid()))
time.sleep(120)
"""


def toml(value: object) -> str:
    return json.dumps(value)        # a JSON string or list is a TOML one


def start(server: LoopbackServer, tmp: Path, hooks: str, *extra: str) -> Watcher:
    server.set("/generate_204", b"", status=204)
    server.set(FEED, OK, etag='"ok"')
    server.set("/v1/models", b"{}", status=401)
    cfg = write_config(
        tmp, server, probe=None, top="interval = 1",
        service_extra=f'probe = {{ url = "{server.url("/v1/models")}", '
                      f'api_key_env = "{KEY_ENV}", api_key_header = "x-api-key" }}',
        more=hooks)
    watcher = Watcher(cfg, isolated_env(tmp, **{KEY_ENV: SECRET}), "--json", *extra)
    before = server.hits[FEED]
    assert wait_until(lambda: server.hits[FEED] >= before + 2, 20)   # the baseline is over
    return watcher


def flip(server: LoopbackServer, w: Watcher) -> list[dict[str, object]]:
    """Down and back: the four changes watch prints, in order."""
    server.set(FEED, DOWN, etag='"down"')
    lines = [w.next_json(), w.next_json()]
    server.set(FEED, OK, etag='"ok2"')
    lines += [w.next_json(), w.next_json()]
    assert [x["kind"] for x in lines] == ["worse", "incident_new", "better", "incident_resolved"]
    return lines


def log_text(tmp: Path) -> str:
    return "".join(p.read_text() for p in tmp.rglob("trayapp.log*"))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver([500])          # the first POST fails; the retry gets 200
    try:
        yield r
    finally:
        r.close()


def test_a_command_hook_gets_exactly_the_changes_on_stdin(server: LoopbackServer,
                                                          tmp_path: Path) -> None:
    script, got, envs = tmp_path / "rec.py", tmp_path / "got.jsonl", tmp_path / "env.jsonl"
    script.write_text(RECORDER)
    w = start(server, tmp_path, "[[hooks]]\nmin_gap = 0\n"
              f"on = {toml(['worse', 'better', 'incident_new', 'incident_resolved'])}\n"
              f"command = {toml([sys.executable, str(script), str(got), str(envs)])}\n")
    try:
        printed = flip(server, w)
        assert wait_until(lambda: got.exists() and len(got.read_text().splitlines()) >= 4, 20)
    finally:
        code, err = w.stop()
    assert code == 0 and "Traceback" not in err
    received = [json.loads(line) for line in got.read_text().splitlines()]
    assert received == printed                       # the same objects, once each, in order
    assert [json.loads(line) for line in envs.read_text().splitlines()] == [[None, True]] * 4
    assert SECRET not in log_text(tmp_path)


def test_a_webhook_gets_each_event_once_and_again_after_a_500(
        server: LoopbackServer, tmp_path: Path, receiver: Receiver) -> None:
    w = start(server, tmp_path, "[[hooks]]\nname = \"ci\"\nmin_gap = 0\n"
              f"on = {toml(['worse', 'better'])}\nurl = {toml(receiver.url)}\n")
    try:
        printed = flip(server, w)
        assert wait_until(lambda: len(receiver.bodies) >= 3, 30)
    finally:
        code, err = w.stop()
    assert code == 0 and "Traceback" not in err
    worse, better = printed[0], printed[2]
    assert [json.loads(b) for b in receiver.bodies] == [worse, worse, better]
    log = log_text(tmp_path)
    assert TOKEN not in err and TOKEN not in log
    assert "hook ci" not in err             # a retry that worked is no failure


def test_a_hanging_hook_times_out_without_delaying_the_next_poll(
        server: LoopbackServer, tmp_path: Path) -> None:
    script, pidfile = tmp_path / "hang.py", tmp_path / "hang.pid"
    script.write_text(HANGER)
    command = toml([sys.executable, str(script), str(pidfile)])
    w = start(server, tmp_path, "[[hooks]]\nname = \"slow\"\nmin_gap = 0\ntimeout = 6\n"
              f"on = {toml(['worse'])}\ncommand = {command}\n")
    try:
        server.set(FEED, DOWN, etag='"down"')
        assert w.next_json()["kind"] == "worse"
        assert wait_until(pidfile.exists, 20) and wait_until(lambda: pidfile.read_text() != "", 5)
        pid = int(pidfile.read_text())
        hits = server.hits[FEED]
        # Polls go on (every second while troubled) while the hook still hangs.
        assert wait_until(lambda: server.hits[FEED] >= hits + 3, 20)
        assert "timed out" not in log_text(tmp_path)
        assert wait_until(lambda: "hook slow" in log_text(tmp_path), 30)
        assert "timed out after 6 s (killed)" in log_text(tmp_path)
        if sys.platform == "linux":                     # killed, and reaped
            assert wait_until(lambda: not Path(f"/proc/{pid}").exists(), 10)
    finally:
        code, err = w.stop()
    assert code == 0 and "Traceback" not in err


def test_a_missing_hook_command_is_one_log_line(server: LoopbackServer, tmp_path: Path) -> None:
    w = start(server, tmp_path, "[[hooks]]\nname = \"gone\"\nmin_gap = 0\n"
              f"on = {toml(['worse', 'better', 'incident_new', 'incident_resolved'])}\n"
              f"command = {toml([str(tmp_path / 'no-such-program')])}\n", "-v")
    try:
        flip(server, w)
        # -v logs each later failure at debug: all four deliveries were tried.
        assert wait_until(lambda: log_text(tmp_path).count("hook gone: still failing") >= 3, 20)
    finally:
        code, err = w.stop()
    assert code == 0 and "Traceback" not in err
    warnings = [line for line in err.splitlines() if "hook gone" in line and "still" not in line]
    assert len(warnings) == 1 and "command not found" in warnings[0]
    assert log_text(tmp_path).count("WARNING trayapp.runtime.hooks") == 1


GATED = """\
import os, sys, time
data = sys.stdin.read()
with open(sys.argv[1], "a") as f:
    f.write(data.strip() + "\\n")
for _ in range(400):                      # the first delivery waits for the test's gate
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.05)
"""


def test_events_queued_at_exit_are_delivered_then_it_stops(server: LoopbackServer,
                                                            tmp_path: Path) -> None:
    """SIGTERM while the hook is busy with the first of four changes: the other three,
    already queued, are still delivered before watch exits (within CLOSE_GRACE)."""
    script, out, gate = tmp_path / "gated.py", tmp_path / "events.jsonl", tmp_path / "gate"
    script.write_text(GATED)
    command = toml([sys.executable, str(script), str(out), str(gate)])
    w = start(server, tmp_path, "[[hooks]]\nname = \"gated\"\nmin_gap = 0\ntimeout = 30\n"
              f"on = {toml(['worse', 'better', 'incident_new', 'incident_resolved'])}\n"
              f"command = {command}\n")
    try:
        flip(server, w)
        assert wait_until(out.exists, 20)          # the first delivery is in progress
        w.proc.terminate()
        gate.write_text("")
        w.proc.wait(15)                 # one SIGTERM (a second one means: stop now)
    finally:
        code, err = w.stop()
    assert code == 0 and "Traceback" not in err
    kinds = [json.loads(line)["kind"] for line in out.read_text().splitlines()]
    assert kinds == ["worse", "incident_new", "better", "incident_resolved"]


def test_a_hook_still_running_at_exit_is_killed(server: LoopbackServer, tmp_path: Path) -> None:
    script, pidfile = tmp_path / "hang.py", tmp_path / "hang.pid"
    script.write_text(HANGER)
    command = toml([sys.executable, str(script), str(pidfile)])
    w = start(server, tmp_path, "[[hooks]]\nname = \"slow\"\nmin_gap = 0\ntimeout = 100\n"
              f"on = {toml(['worse'])}\ncommand = {command}\n")
    try:
        server.set(FEED, DOWN, etag='"down"')
        assert w.next_json()["kind"] == "worse"
        assert wait_until(lambda: pidfile.exists() and pidfile.read_text() != "", 20)
        pid = int(pidfile.read_text())
    finally:
        code, err = w.stop()
    assert code == 0 and "Traceback" not in err
    if sys.platform == "linux":
        assert wait_until(lambda: not Path(f"/proc/{pid}").exists(), 10), \
            "the hook outlived watch"
