"""Files and process: bad configs, lost or unwritable state, crashes mid-write, no tray."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.faults.kit import (
    ROOT,
    Watch,
    feed_service,
    isolated_env,
    loopback_config,
    probe_service,
    run_cli,
    state_file,
    watch,
)
from tests.loopback import LoopbackServer, wait_until
from trayapp.core.monitor import MonitorState, ServiceMemory
from trayapp.domain.levels import Level
from trayapp.edges.state import StateStore, load_bytes

GOOD = """interval = 60
connectivity_url = ""

[[services]]
id = "svc"
feed = { kind = "statuspage", url = "https://status.example.com" }
"""

BAD_CONFIGS: dict[str, tuple[Callable[[Path], Path], str]] = {
    # name: (make the file, the key or words the one-line error must name)
    "garbage-bytes": (lambda p: _write(p, b"\x00\xff\xfe garbage {{{"), "not UTF-8"),
    "garbage-text": (lambda p: _write(p, b"this is not toml at all ]]]"), "not valid TOML"),
    "half-written": (lambda p: _write(p, GOOD.encode()[: len(GOOD) - 30]), "not valid TOML"),
    "wrong-type-interval": (lambda p: _write(p, GOOD.replace("60", '"fast"').encode()),
                            "interval"),
    "wrong-type-timeout": (lambda p: _write(p, (GOOD + "").replace(
        "interval = 60", "interval = 60\ntimeout = true").encode()), "timeout"),
    "wrong-type-services": (lambda p: _write(p, b"services = 5\n"), "services"),
    "wrong-type-feed-url": (lambda p: _write(p, GOOD.replace(
        '"https://status.example.com"', "5").encode()), "services.svc.feed.url"),
    "http-feed-url": (lambda p: _write(p, GOOD.replace("https://", "http://").encode()),
                      "services.svc.feed.url"),
    "file-feed-url": (lambda p: _write(p, GOOD.replace(
        "https://status.example.com", "file:///etc/passwd").encode()), "services.svc.feed.url"),
    "is-a-directory": (lambda p: (p.mkdir(), p)[1], "directory"),
    "parent-is-a-file": (lambda p: (_write(p, b"x"), p / "config.toml")[1], "cannot read"),
    "missing": (lambda p: p, "file not found"),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("command", ["status", "watch"])
@pytest.mark.parametrize("name", list(BAD_CONFIGS))
def test_a_bad_config_is_one_line_naming_file_and_key_exit_78(
        name: str, command: str, env: dict[str, str], tmp_path: Path) -> None:
    make, words = BAD_CONFIGS[name]
    path = make(tmp_path / "config.toml")
    run = run_cli(env, command, "--config", str(path), timeout=30)
    assert run.rc == 78, (run.rc, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert str(path) in lines[0] and words in lines[0], lines[0]
    assert "Traceback" not in run.stderr and run.stdout == ""


# ------------------------------------------------------------------ state file

def _corrupt(kind: str, path: Path) -> None:
    data = path.read_bytes()
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "garbage":
        path.write_bytes(b"\x00\xff" + os.urandom(64))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "wrong-types":
        raw = json.loads(data)
        for mem in raw["services"].values():
            mem["bad_streak"] = "many"
        path.write_text(json.dumps(raw))
    elif kind == "unknown-level":
        path.write_text(data.decode().replace("partial_outage", "on_fire"))


def _outage_server(server: LoopbackServer) -> None:
    server.set("/probe", b'{"error": "boom"}', status=500)


def _polls_after(server: LoopbackServer, start: int, n: int) -> Callable[[], bool]:
    return lambda: server.hits["/probe"] >= start + n


@pytest.mark.parametrize("kind", ["intact", "truncated", "garbage", "empty", "wrong-types",
                                  "unknown-level"])
def test_a_lost_state_file_starts_fresh_without_re_announcing(
        kind: str, server: LoopbackServer, env: dict[str, str], tmp_path: Path) -> None:
    _outage_server(server)
    config = loopback_config(tmp_path / "c.toml", server, [probe_service(server.url("/probe"))])
    state = state_file(env)
    with watch(env, config) as first:
        assert wait_until(lambda: first.events, 20), first.stderr
        assert wait_until(lambda: state.exists() and b"partial_outage" in state.read_bytes(), 10)
    assert [e["new"] for e in first.events] == ["partial_outage"]
    _corrupt(kind, state)

    start = server.hits["/probe"]
    with watch(env, config) as second:
        # Long enough for the failure threshold (2) to be met again, plus one.
        assert wait_until(_polls_after(server, start, 4), 30)
        assert wait_until(lambda: _readable(state), 10)
    assert second.events == [], second.out
    assert "Traceback" not in second.stderr
    warnings = [line for line in second.err if "state file" in line]
    if kind == "intact":
        assert warnings == []
    else:
        assert len(warnings) == 1 and "starting fresh" in warnings[0], second.err


def _readable(path: Path) -> bool:
    try:
        return bool(load_bytes(path.read_bytes()).services)
    except (OSError, ValueError):
        return False


def test_an_unwritable_state_directory_warns_once_and_runs_on(
        server: LoopbackServer, tmp_path: Path) -> None:
    """XDG_STATE_HOME under a regular file: every save fails (root ignores modes)."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    env = isolated_env(tmp_path / "env", XDG_STATE_HOME=str(blocker / "state"))
    _outage_server(server)
    config = loopback_config(tmp_path / "c.toml", server, [probe_service(server.url("/probe"))])
    with watch(env, config) as w:
        assert wait_until(lambda: w.events, 20), w.stderr
        start = server.hits["/probe"]
        assert wait_until(_polls_after(server, start, 3), 20)
        assert w.proc.poll() is None
    warnings = [line for line in w.err if "cannot write state file" in line]
    assert len(warnings) == 1, w.err
    assert "Traceback" not in w.stderr


def test_a_full_state_directory_warns_once_and_keeps_memory(
        full_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = StateStore(full_dir / "trayapp" / "watch-state.json")
    mem = ServiceMemory(known_level=Level.MAJOR_OUTAGE)
    with caplog.at_level("WARNING", logger="trayapp.edges.state"):
        for _ in range(3):
            store.save(MonitorState(services={"svc": mem}))
    assert [r.getMessage() for r in caplog.records if "cannot write" in r.getMessage()] \
        and len(caplog.records) == 1, caplog.records
    assert not store.path.exists()
    assert not [p for p in store.path.parent.iterdir() if p.name.startswith(".")], \
        "a failed write left a temp file behind"


_WRITER = """
import json, sys
from pathlib import Path
from trayapp.edges.paths import write_atomic
path = Path(sys.argv[1])
i = 0
while True:
    i += 1
    write_atomic(path, json.dumps({"n": i, "pad": "x" * 4_000_000}).encode())
    print(i, flush=True)
"""


@pytest.mark.slow
def test_a_crash_mid_write_never_leaves_a_half_file(tmp_path: Path) -> None:
    """SIGKILL a process that keeps rewriting a 4 MB file, at random moments."""
    target = tmp_path / "state.json"
    rng = random.Random(7)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(12):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target)], env=env,
                                stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert proc.stdout is not None
        proc.stdout.readline()                       # at least one whole write happened
        wait_until(lambda: False, rng.uniform(0.0, 0.15), step=0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        proc.stdout.close()
        data = json.loads(target.read_bytes())       # never a half file
        assert data["n"] >= 1 and len(data["pad"]) == 4_000_000


def test_no_tray_backend_falls_back_to_watch_with_one_line(
        server: LoopbackServer, env: dict[str, str], tmp_path: Path) -> None:
    server.set("/feed/api/v2/summary.json", b'{"status": {"indicator": "none"}}')
    config = loopback_config(tmp_path / "c.toml", server, [feed_service(server.url("/feed"))])
    with Watch(env, "--config", str(config)) as app:         # plain `trayapp`, no DISPLAY
        assert wait_until(lambda: any("running `trayapp watch` instead" in line
                                      for line in app.err), 20), app.err
        assert wait_until(lambda: server.hits["/feed/api/v2/summary.json"] >= 2, 20)
        assert app.proc.poll() is None                       # still running, as watch
    explanation = [line for line in app.err if "no tray icon" in line]
    assert len(explanation) == 1 and "(" in explanation[0], app.err
    assert "Traceback" not in app.stderr


_IGNORING_SIGINT = ("import os, signal, sys\n"
                    "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])\n")


@pytest.mark.parametrize("ignore_sigint", [False, True], ids=["plain", "sigint-ignored"])
def test_sigterm_stops_watch_cleanly(ignore_sigint: bool, server: LoopbackServer,
                                     env: dict[str, str], tmp_path: Path) -> None:
    """SIGTERM mid-run: exit 0, no traceback; also when started with SIGINT ignored
    (as `cmd &` from a non-interactive shell does)."""
    server.set("/probe", b"{}", status=500)
    config = loopback_config(tmp_path / "c.toml", server, [probe_service(server.url("/probe"))])
    argv = ["-m", "trayapp", "watch", "--json", "--config", str(config)]
    prefix = [sys.executable, "-c", _IGNORING_SIGINT] if ignore_sigint else [sys.executable]
    proc = subprocess.Popen([*prefix, *argv], env=env, cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_until(lambda: server.hits["/probe"] >= 2, 20)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0 and "Traceback" not in err, (proc.returncode, err)
