"""Issue 24, files trayapp owns: every file it creates is 0600 in a 0700 directory (also
inside an older 0755 state dir, said once per process in the log); a symlinked config
is written through to its target; a crafted history file is refused or read as
"damaged", never a hang, a traceback or a planted trigger run.

Real subprocesses (`key set`, `status` with a model probe, `history`, a running
`watch`), started with umask 022 as a desktop session would, the real config write
path of Preferences and `init` (`configwrite.save`/`init`), real SQLite files.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakevendor import FakeVendor
from tests.faults.kit import ROOT, isolated_env, trayapp_argv, write_config
from tests.loopback import wait_until
from trayapp.config import DEFAULT_CONFIG_TOML
from trayapp.edges import configwrite, history_store, instance

KEY = "sk-ant-FAKE-0123456789abcdef"
FILE_BACKEND = "keyrings.alt.file.PlaintextKeyring"
HISTORY_BOUND = 30.0     # one `trayapp history` run, whatever the file holds (measured ≈ 0.3 s)


def _umask_022() -> None:
    os.umask(0o022)


def _run(env: dict[str, str], *args: str, stdin: str = "",
         timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(trayapp_argv(*args), env=env, input=stdin, capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, check=False,
                          preexec_fn=_umask_022)


# ------------------------------------------------------------------ modes

# Every file trayapp creates, by the root it is under. A file a run creates that is not
# listed here fails test_no_file_is_left_off_the_list: a new file joins the list.
FILES = [
    ("config", "trayapp/config.toml"),                  # init, then Preferences' save
    ("config", "trayapp/config.toml.bak"),              # Preferences' save
    ("state", "trayapp/keyring.json"),                  # key set
    ("state", "trayapp/model-probes/claude.json"),      # status (a model probe ran)
    ("state", "trayapp/history.sqlite3"),               # status, watch
    ("state", "trayapp/history.sqlite3-wal"),           # while watch runs
    ("state", "trayapp/history.sqlite3-shm"),           # while watch runs
    ("state", "trayapp/snapshot.json"),                 # status, watch
    ("state", "trayapp/watch-state.json"),              # watch
    ("state", "trayapp/wake-PID"),                      # while watch runs (reports' poke)
    ("state", "trayapp/log/trayapp.log"),               # every logging run
    ("runtime", "trayapp-lock/trayapp.lock"),           # the tray's single-instance lock
]
NOT_OURS = ("data/python_keyring",)                    # the test keyring backend's own file


@pytest.fixture(scope="module")
def created(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One life of trayapp in a fresh HOME whose state dir an older version made 0755."""
    tmp = tmp_path_factory.mktemp("owned")
    env = isolated_env(tmp, PYTHON_KEYRING_BACKEND=FILE_BACKEND, ANTHROPIC_API_KEY=KEY)
    state = Path(env["XDG_STATE_HOME"]) / "trayapp"
    state.mkdir(mode=0o755)
    os.chmod(state, 0o755)
    vendor = FakeVendor(key=KEY)
    try:
        config = write_config(tmp / "c.toml", [{
            "id": "claude", "name": "Claude", "feed": False,
            "probe": {"url": f"{vendor.base}/v1/models", "api_key_env": "ANTHROPIC_API_KEY",
                      "api_key_header": "x-api-key", "dialect": "anthropic",
                      "models": ["claude-sonnet-4-5"], "max_model_probes_per_day": 10}}],
            interval=1)
        runs = [_run(env, "init"),
                _run(env, "key", "set", "claude", "--config", str(config), stdin=KEY + "\n"),
                _run(env, "status", "--json", "--config", str(config)),
                _run(env, "history")]
        for done in runs:
            assert "Traceback" not in done.stderr, done.stderr
        assert runs[0].returncode == 0 and runs[1].returncode == 0, runs[1].stderr
        assert vendor.model_requests() >= 1            # the budget file was used
        watch = subprocess.Popen(trayapp_argv("watch", "--json", "--config", str(config)),
                                 env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, preexec_fn=_umask_022)
        try:
            written = [state / n for n in ("watch-state.json", "history.sqlite3-wal",
                                            "history.sqlite3-shm")]
            assert wait_until(lambda: all(p.exists() for p in written), timeout=30), \
                sorted(p.name for p in state.iterdir())      # the history file open, in WAL
            old = os.umask(0o022)
            try:                            # in-process: the real functions the tray and
                lock_dir = Path(env["XDG_RUNTIME_DIR"]) / "trayapp-lock"   # Preferences call
                lock = instance.acquire(lock_dir)
                target = Path(env["XDG_CONFIG_HOME"]) / "trayapp" / "config.toml"
                configwrite.save(target, target.read_text() + "\n# saved by Preferences\n")
            finally:
                os.umask(old)
            # a running loop's poke port, named by its pid: listed as wake-PID
            modes = {re.sub(r"/wake-\d+$", "/wake-PID", str(p.relative_to(tmp))):
                     stat.S_IMODE(p.lstat().st_mode) for p in tmp.rglob("*")}
            assert lock is not None
            lock.release()
        finally:
            watch.terminate()
            _, err = watch.communicate(timeout=30)
        assert "Traceback" not in err, err
        log = (state / "log" / "trayapp.log").read_text()
        yield {"modes": modes, "tmp": tmp, "log": log, "stderr": err,
               "made": {str(p.relative_to(tmp)) for p in tmp.rglob("*")}}
    finally:
        vendor.close()


@pytest.mark.parametrize(("root", "name"), FILES, ids=[n for _, n in FILES])
def test_every_file_trayapp_creates_is_0600(created: dict[str, Any], root: str,
                                            name: str) -> None:
    key = f"{root}/{name}"
    assert key in created["modes"], f"{key} was not created: {sorted(created['modes'])}"
    assert created["modes"][key] == 0o600, oct(created["modes"][key])


def test_no_file_is_left_off_the_list(created: dict[str, Any]) -> None:
    listed = {f"{root}/{name}" for root, name in FILES}
    files = {k for k, _ in created["modes"].items()
             if not (created["tmp"] / k).is_dir() and not k.startswith(NOT_OURS)
             and k != "c.toml"}
    assert files <= listed, sorted(files - listed)


def test_directories_trayapp_creates_are_0700(created: dict[str, Any]) -> None:
    ours = [k for k, mode in created["modes"].items() if (created["tmp"] / k).is_dir()
            and "/" in k and not k.startswith(NOT_OURS) and k != "state/trayapp"]
    assert ours, created["modes"]
    wide = {k: oct(created["modes"][k]) for k in ours if created["modes"][k] != 0o700}
    assert not wide, wide


def test_the_older_0755_state_dir_is_said_once_per_process_and_left_alone(
        created: dict[str, Any]) -> None:
    said = [line for line in created["log"].splitlines()
            if "state/trayapp is readable by other users" in line]
    assert len(said) == 3, said          # key set, status, watch: once each, not per write
    assert "readable by other users" not in created["stderr"]     # a log line, not a warning
    assert created["modes"]["state/trayapp"] == 0o755


# ------------------------------------------------------------------ symlinked config

@pytest.mark.parametrize("mode", [0o600, 0o644])
def test_a_symlinked_config_is_written_through_to_its_target(tmp_path: Path,
                                                             mode: int) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "trayapp.toml"
    before = "# my dotfile\ninterval = 60\n" + DEFAULT_CONFIG_TOML
    target.write_text(before)
    os.chmod(target, mode)
    config_dir = tmp_path / "config" / "trayapp"
    config_dir.mkdir(parents=True)
    link = config_dir / "config.toml"
    link.symlink_to(target)
    saved = "# my dotfile\ninterval = 120\n" + DEFAULT_CONFIG_TOML
    configwrite.save(link, saved)                       # what Preferences' Save calls
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text() == saved
    assert stat.S_IMODE(target.stat().st_mode) == mode  # the user's mode kept
    assert (config_dir / "config.toml.bak").read_text() == before
    assert not [p for p in dotfiles.iterdir() if p != target], list(dotfiles.iterdir())


def test_a_dangling_config_symlink_gets_its_target_and_stays_a_link(tmp_path: Path) -> None:
    link = tmp_path / "config.toml"
    target = tmp_path / "dotfiles-trayapp.toml"
    link.symlink_to(target)
    configwrite.save(link, DEFAULT_CONFIG_TOML)
    assert link.is_symlink() and target.read_text() == DEFAULT_CONFIG_TOML
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


# ------------------------------------------------------------------ crafted history files

def _history_env(tmp: Path) -> tuple[dict[str, str], Path]:
    env = isolated_env(tmp / "env")
    path = Path(env["XDG_STATE_HOME"]) / "trayapp" / history_store.FILE_NAME
    return env, path


def _ours(path: Path) -> sqlite3.Connection:
    """A history file made by trayapp itself, with one service and a day of rows."""
    conn = history_store.open_store(path)
    now = int(time.time())
    conn.execute("INSERT INTO service(key, name) VALUES ('svc', 'Svc')")
    conn.execute("INSERT INTO span VALUES (1, 0, 0, ?, ?)", (now - 86400, now - 60))
    conn.execute("INSERT INTO change VALUES (1, ?, 0, 4, 'page', 'went down')", (now - 3600,))
    return conn


def _history(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    done = _run(env, "history", *args, timeout=HISTORY_BOUND)
    assert time.monotonic() - started < HISTORY_BOUND
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done


def test_a_recursive_view_in_place_of_a_table_is_refused_in_one_line(tmp_path: Path) -> None:
    env, path = _history_env(tmp_path)
    conn = _ours(path)
    conn.execute("DROP TABLE span")
    conn.execute("CREATE VIEW span AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL "
                 "SELECT n + 1 FROM r) SELECT 1 AS service, 0 AS source, 0 AS state, "
                 "n AS start, n AS end FROM r")
    conn.close()
    done = _history(env)                 # before: never ended
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "view 'span'" in lines[0], lines


def test_a_planted_trigger_never_runs_on_trayapps_writes(tmp_path: Path) -> None:
    env, path = _history_env(tmp_path)
    conn = _ours(path)
    conn.execute("CREATE TRIGGER mark AFTER INSERT ON span BEGIN "
                 "INSERT OR REPLACE INTO meta VALUES ('planted', 'ran'); END")
    conn.close()
    read = _history(env)
    assert read.returncode == 1 and "trigger 'mark'" in read.stderr, read.stderr
    server_less = write_config(tmp_path / "c.toml", [{"id": "svc", "name": "Svc", "feed": False,
                                                      "probe": {"url": "http://127.0.0.1:9/"}}])
    status = _run(env, "status", "--json", "--config", str(server_less))
    assert "Traceback" not in status.stderr, status.stderr
    aside = sorted(path.parent.glob(history_store.FILE_NAME + ".corrupt-*"))
    assert [p.name for p in aside if not p.name.endswith(("-wal", "-shm"))], \
        "the planted file was not kept aside"
    for name in [path, *aside]:
        if name.name.endswith(("-wal", "-shm")):
            continue
        check = sqlite3.connect(name)
        try:
            marks = check.execute("SELECT count(*) FROM meta WHERE key = 'planted'").fetchone()
            triggers = check.execute("SELECT count(*) FROM sqlite_master "
                                     "WHERE type = 'trigger'").fetchone()
        finally:
            check.close()
        assert marks == (0,), f"the planted trigger ran in {name.name}"
        if name == path:
            assert triggers == (0,)
    assert "moved it to" in status.stderr and "trigger 'mark'" in status.stderr, status.stderr


LEFT_OUT = "damaged row(s)"
# (what the crafted file holds, what `trayapp history` then says): before, the first
# five and the two probe rows were tracebacks, and code -1 read as "offline".
DAMAGED = [
    ("UPDATE span SET state = 99", "100 % of"),                 # not observed time
    ("UPDATE span SET state = -1", "Svc      combined  -"),
    ("UPDATE span SET state = 'major'", "Svc      combined  -"),
    ("UPDATE change SET old = 7, new = 'x'", "Svc: damaged -> damaged (page)"),
    ("UPDATE change SET reason = x'00ff', source = x'01'", "Svc: operational -> major outage "
                                                         "(damaged)  damaged"),
    ("UPDATE service SET name = x'ff'", "damaged: operational -> major outage"),
    ("UPDATE span SET start = 'yesterday'", LEFT_OUT),
    ("UPDATE change SET at = 99999999999999", LEFT_OUT),
    ("UPDATE service SET key = x'05'", LEFT_OUT),
    ("INSERT INTO incident VALUES (1, 'i', 'Outage', 42, 'open', 'soon', NULL, 1.5, "
     "strftime('%s', 'now'), NULL)", LEFT_OUT),
    ("INSERT INTO incident VALUES (1, 'i', 'Outage', 42, 'open', 'soon', NULL, "
     "strftime('%s', 'now'), strftime('%s', 'now'), NULL)", "Outage (damaged; open for"),
    ("INSERT INTO probe_hour VALUES (1, strftime('%s', 'now'), 'many', -3, 'a', 'b', 'c')",
     LEFT_OUT),
    ("INSERT INTO probe VALUES (1, strftime('%s', 'now'), 'fast', 12, 'x')",
     "Svc: None / None / None ms, 0 of 1 polls failing"),
]


@pytest.mark.parametrize(("damage", "said"), DAMAGED, ids=[d[:40] for d, _ in DAMAGED])
@pytest.mark.parametrize("fmt", ["", "--json", "--csv"])
def test_damaged_values_read_as_damaged_never_a_traceback(tmp_path: Path, damage: str,
                                                          said: str, fmt: str) -> None:
    env, path = _history_env(tmp_path)
    conn = _ours(path)
    conn.execute(damage)
    if "state = 99" in damage:          # an observed day, to show the damaged span is not
        conn.execute("INSERT INTO span VALUES (1, 0, 0, ?, ?)",    # counted as uptime
                     (int(time.time()) - 7200, int(time.time()) - 3600))
    conn.close()
    done = _history(env, *([fmt] if fmt else []))
    assert done.returncode == 0, done.stderr
    assert len(done.stderr.strip().splitlines()) <= 2, done.stderr   # left out; no history
    if fmt == "--json":
        json.loads(done.stdout)
    if not fmt:
        assert said in done.stdout + done.stderr, done.stdout + done.stderr
        assert "offline" not in done.stdout.split("\n", 1)[1]      # never a guessed level


def test_a_read_past_its_time_limit_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / history_store.FILE_NAME
    conn = _ours(path)
    conn.executemany("INSERT INTO span VALUES (1, 1, 0, ?, ?)",
                     ((t, t + 30) for t in range(1_700_000_000, 1_700_300_000, 60)))
    conn.close()
    with pytest.raises(sqlite3.OperationalError, match=r"took over 0 s"):
        history_store.read(path, 0, limit=0.0)
    assert history_store.read(path, 0) is not None
