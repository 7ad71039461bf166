"""Hostile files (issue 12): unusable state files, the log file and its directories,
special config files and config text made of escape sequences.

Real `trayapp` subprocesses with their own HOME/XDG dirs; real files, FIFOs and
symlinks.
"""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.faults.kit import (
    ROOT,
    Run,
    Watch,
    assert_no_crash,
    feed_service,
    loopback_config,
    probe_service,
    run_cli,
    state_file,
    trayapp_argv,
    watch,
    write_config,
)
from tests.loopback import LoopbackServer, wait_until
from trayapp.edges.state import load_bytes

POSIX = os.name == "posix"


def _log_dir(env: dict[str, str]) -> Path:
    return Path(env["XDG_STATE_HOME"]) / "trayapp" / "log"


def _dead_feed_config(tmp: Path) -> Path:
    """A feed on a closed port: every run logs a warning (to stderr and the log file)."""
    return write_config(tmp / "c.toml", [feed_service("http://127.0.0.1:9/feed")])


# ------------------------------------------------------- 6. a state that cannot be used

def _set_last_poll(value: Any) -> Callable[[dict[str, Any]], None]:
    def change(raw: dict[str, Any]) -> None:
        raw["last_poll"] = value
    return change


def _set_memory(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(raw: dict[str, Any]) -> None:
        for mem in raw["services"].values():
            mem[key] = value
    return change


UNUSABLE = {
    "naive last_poll": _set_last_poll("2026-03-01T11:00:00"),
    "naive last_poll, date only": _set_last_poll("2026-03-01"),
    "last_poll at datetime.max": _set_last_poll("9999-12-31T23:59:59.999999+00:00"),
    "last_poll at datetime.min, east": _set_last_poll("0001-01-01T00:00:00+14:00"),
    "incidents of numbers": _set_memory("incidents", [[1, 2]]),
    "feed_seen a string": _set_memory("feed_seen", "yes"),
    "negative streak": _set_memory("bad_streak", -3),
}


@pytest.mark.parametrize("kind", list(UNUSABLE))
def test_a_state_that_loads_but_cannot_be_used_is_a_quiet_fresh_start(
        kind: str, server: LoopbackServer, env: dict[str, str], tmp_path: Path) -> None:
    server.set("/probe", b'{"error": "boom"}', status=500)
    config = loopback_config(tmp_path / "c.toml", server, [probe_service(server.url("/probe"))])
    state = state_file(env)
    with watch(env, config) as first:
        assert wait_until(lambda: first.events, 20), first.stderr
        assert wait_until(lambda: state.exists() and b"partial_outage" in state.read_bytes(), 10)
    raw = json.loads(state.read_bytes())
    UNUSABLE[kind](raw)
    state.write_text(json.dumps(raw))

    start = server.hits["/probe"]
    with watch(env, config) as second:
        assert wait_until(lambda: server.hits["/probe"] >= start + 4, 30)
        # Rewritten, loadable, with a real (aware) time.
        assert wait_until(lambda: _usable(state), 10), state.read_text()
    assert "poll cycle failed" not in second.stderr, second.stderr
    assert "Traceback" not in second.stderr
    assert second.events == [], second.out       # the ongoing outage is not re-announced
    warnings = [line for line in second.err if "state file" in line]
    assert len(warnings) == 1 and "starting fresh" in warnings[0], second.err


def _usable(path: Path) -> bool:
    try:
        state = load_bytes(path.read_bytes())
    except (OSError, ValueError):
        return False
    return state.last_poll is not None and state.last_poll.tzinfo is not None


# ------------------------------------------------------- 10. the log file

@pytest.mark.skipif(not POSIX, reason="symlinks and modes are POSIX here")
def test_the_log_is_never_written_through_a_planted_symlink(
        env: dict[str, str], tmp_path: Path) -> None:
    logs = _log_dir(env)
    logs.mkdir(parents=True, mode=0o700)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (logs / "trayapp.log").symlink_to(victim)
    run = run_cli(env, "status", "-v", "--config", str(_dead_feed_config(tmp_path)), timeout=30)
    assert_no_crash(run)
    assert victim.read_text() == "precious\n"
    assert "status page unreachable" in run.stderr     # still warned on stderr


@pytest.mark.skipif(not POSIX, reason="FIFOs are POSIX")
def test_a_fifo_in_place_of_the_log_never_blocks(env: dict[str, str], tmp_path: Path) -> None:
    logs = _log_dir(env)
    logs.mkdir(parents=True, mode=0o700)
    os.mkfifo(logs / "trayapp.log")
    run = run_cli(env, "status", "--config", str(_dead_feed_config(tmp_path)), timeout=30)
    assert_no_crash(run)
    assert run.seconds < 15


@pytest.mark.skipif(not POSIX, reason="modes are POSIX")
def test_new_state_and_log_dirs_are_private(env: dict[str, str], tmp_path: Path) -> None:
    base = tmp_path / "fresh-xdg"            # nothing of it exists yet
    env = {**env, "XDG_STATE_HOME": str(base / "state")}
    os.umask(old := os.umask(0o022))
    try:
        run = run_cli(env, "status", "--config", str(_dead_feed_config(tmp_path)), timeout=30)
    finally:
        os.umask(old)
    assert_no_crash(run)
    for d in (base / "state", base / "state" / "trayapp", base / "state" / "trayapp" / "log"):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, (d, oct(d.stat().st_mode))


@pytest.mark.skipif(not POSIX, reason="modes are POSIX")
@pytest.mark.parametrize("which,mode", [("state", 0o777), ("log", 0o775), ("state", 0o722)])
def test_a_shared_writable_dir_is_warned_about_once(
        which: str, mode: int, server: LoopbackServer, env: dict[str, str],
        tmp_path: Path) -> None:
    target = Path(env["XDG_STATE_HOME"]) / "trayapp"
    if which == "log":
        target = target / "log"
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(mode)
    server.set("/probe", b"{}", status=200)
    config = loopback_config(tmp_path / "c.toml", server, [probe_service(server.url("/probe"))])
    with watch(env, config) as w:
        assert wait_until(lambda: server.hits["/probe"] >= 3, 30)
    lines = [line for line in w.err if "writable by other users" in line]
    assert len(lines) == 1 and str(target) in lines[0], w.err
    log = (_log_dir(env) / "trayapp.log").read_text()
    assert log.count("writable by other users") == 1


_LOGGER = """
import logging, sys, time
from pathlib import Path
from trayapp.edges import logsetup
logs, tag, lines, done, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), \\
    Path(sys.argv[4]), int(sys.argv[5])
logsetup.setup(False, logs, [], state_dir=logs)
log = logging.getLogger("trayapp.test")
for i in range(lines):
    log.info("%s line %06d %s", tag, i, "x" * 400)
# Every process has rotated and been rotated under: now each must still be able to log.
(done / tag).touch()
deadline = time.monotonic() + 60
while len(list(done.iterdir())) < count and time.monotonic() < deadline:
    time.sleep(0.01)
log.info("%s FINAL", tag)
"""


def test_concurrent_rotation_loses_no_logging(tmp_path: Path) -> None:
    """Four processes log ~1 MB each into one 512 kB-capped file: each rotates it many
    times under the others. No logging error, no file over the cap, and each process
    can still log afterwards (its last line, written once all are done, is kept)."""
    logs, done = tmp_path / "logs", tmp_path / "done"
    done.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", _LOGGER, str(logs), f"P{n}", "2500",
                               str(done), "4"],
                              env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
             for n in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0]
    for err in errors:
        assert "Logging error" not in err and "Traceback" not in err, err[-2000:]
    kept = "".join(p.read_text() for p in logs.glob("trayapp.log*"))
    for n in range(4):
        assert f"P{n} FINAL" in kept
    for p in logs.glob("trayapp.log*"):
        assert p.stat().st_size < 512 * 1024 + 4096, p


# ------------------------------------------------------- 13. special config files

def _run_limited(env: dict[str, str], *args: str, timeout: float = 20) -> Run:
    """A CLI run with its address space capped (a config read without a size cap would
    otherwise take the machine's memory), killed at ``timeout`` (a FIFO would block)."""
    import time

    def cap() -> None:
        limit = 1024 * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    started = time.monotonic()
    try:
        proc = subprocess.run(trayapp_argv(*args), env=env, capture_output=True, text=True,
                              timeout=timeout, cwd=ROOT, check=False, preexec_fn=cap)
    except subprocess.TimeoutExpired:
        pytest.fail(f"trayapp {' '.join(args)} still running after {timeout} s")
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def _fifo(tmp: Path) -> Path:
    path = tmp / "config.fifo"
    os.mkfifo(path)
    return path


def _big(tmp: Path) -> Path:
    path = tmp / "big.toml"
    with path.open("w") as handle:
        for _ in range(40_000):
            handle.write("# " + "padding " * 8 + "\n")
    return path


def _socket(tmp: Path) -> Path:
    import socket
    path = tmp / "config.sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    return path


SPECIAL = {
    "/dev/zero": (lambda tmp: Path("/dev/zero"), "not a regular file"),
    "/dev/urandom": (lambda tmp: Path("/dev/urandom"), "not a regular file"),
    "a FIFO": (_fifo, "not a regular file"),
    "a socket": (_socket, "not a regular file"),
    "a 2.5 MB file": (_big, "too large"),
}


@pytest.mark.skipif(not POSIX, reason="special files are POSIX")
@pytest.mark.parametrize("command", ["status", "watch"])
@pytest.mark.parametrize("name", list(SPECIAL))
def test_a_special_config_file_is_one_line_of_error(
        name: str, command: str, env: dict[str, str], tmp_path: Path) -> None:
    make, words = SPECIAL[name]
    path = make(tmp_path)
    run = _run_limited(env, command, "--config", str(path))
    assert run.rc == 78, (run.rc, run.stderr[-500:])
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and words in lines[0], run.stderr[-500:]


BAD_PROBE = {
    "api_key_header with CRLF": ('api_key_env = "X_KEY"\n'
                                 'api_key_header = "x-api-key\\r\\nX-Evil: 1"', "api_key_header"),
    "api_key_header with a space": ('api_key_env = "X_KEY"\napi_key_header = "x api key"',
                                    "api_key_header"),
    "api_key_prefix with LF": ('api_key_env = "X_KEY"\napi_key_header = "authorization"\n'
                               'api_key_prefix = "Bearer\\nX-Evil: 1 "', "api_key_prefix"),
    "api_key_prefix with ESC": ('api_key_env = "X_KEY"\napi_key_header = "authorization"\n'
                                'api_key_prefix = "Bearer \\u001b[2J"', "api_key_prefix"),
    "header value with NUL": ('headers = { "x-thing" = "a\\u0000b" }', "headers.x-thing"),
}


@pytest.mark.parametrize("name", list(BAD_PROBE))
def test_control_characters_in_probe_headers_are_a_config_error(
        name: str, env: dict[str, str], tmp_path: Path) -> None:
    body, key = BAD_PROBE[name]
    path = tmp_path / "c.toml"
    path.write_text('[[services]]\nid = "svc"\nname = "Svc"\nfeed = false\n'
                    '[services.probe]\nurl = "https://api.example.com/v1/models"\n'
                    f"{body}\n")
    run = run_cli(env, "status", "--config", str(path), timeout=30)
    assert run.rc == 78, (run.rc, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and key in lines[0], run.stderr


@pytest.mark.parametrize("key", [
    "\\u001b]52;c;ZXZpbA==\\u0007",            # OSC 52: a clipboard write
    "\\u001b[2J\\u001b[1;1Hfake",              # clear screen, cursor home
    "\\u001b]8;;https://evil.example\\u001b\\\\x",  # OSC 8 hyperlink
    "a\\u202eb\\u2028c\\u0000d\\u009b31m",      # bidi, separator, NUL, C1 CSI
])
def test_an_unknown_key_of_escape_sequences_is_not_echoed_raw(
        key: str, env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(f'"{key}" = 1\n')
    for command in ("status", "watch"):
        run = run_cli(env, command, "--config", str(path), timeout=30)
        assert run.rc == 78, (run.rc, run.stderr)
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and "unknown key" in lines[0], run.stderr
        for ch in run.stderr.rstrip("\n"):
            assert ch.isprintable(), (repr(ch), run.stderr)


def test_a_service_name_or_id_of_escape_sequences_is_not_echoed_raw(
        env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('connectivity_url = ""\ninterval = 60\n[[services]]\nid = "svc"\n'
                    'name = "Svc\\u001b]0;pwned\\u0007\\u2028x"\nfeed = false\n'
                    'probe = { url = "http://127.0.0.1:9/x" }\n')
    run = run_cli(env, "status", "--service", "\x1b]52;c;ZXZpbA==\x07", "--config", str(path),
                  timeout=30)
    assert run.rc != 0 and "no service with id" in run.stderr
    with Watch(env, "watch", "--config", str(path)) as w:     # text mode says what it watches
        assert wait_until(lambda: any("watching" in line for line in w.err), 20)
    for text in (run.stderr, "\n".join(w.err)):
        for ch in text.replace("\n", ""):
            assert ch.isprintable(), (repr(ch), text)


def test_a_writer_whose_file_was_rotated_away_by_another_follows_the_path(
        tmp_path: Path) -> None:
    """Two handlers on one file stand for two processes (each has its own descriptor).
    B rotates the file twice while A is idle, so A's descriptor names a deleted file
    (one backup kept). A's next short line must land in the file the path names."""
    import logging

    from trayapp.edges.logsetup import RotatingFile

    path = tmp_path / "trayapp.log"
    a, b = RotatingFile(path, 2000, 1), RotatingFile(path, 2000, 1)
    try:
        def line(handler: RotatingFile, text: str) -> None:
            handler.emit(logging.LogRecord("t", logging.INFO, "", 0, text, None, None))

        line(a, "A " + "x" * 1500)
        for n in range(3):                        # each line forces a rotation
            line(b, f"B{n} " + "y" * 1500)
        line(a, "A FINAL")
        kept = "".join(p.read_text() for p in tmp_path.glob("trayapp.log*"))
        assert "A FINAL" in kept
        assert "A FINAL" in path.read_text()
    finally:
        a.close()
        b.close()
