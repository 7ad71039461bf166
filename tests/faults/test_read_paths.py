"""Issue 24, the reading side of files: a FIFO, a symlink to ``/dev/zero`` and a 200 MB
(sparse) file at EVERY path trayapp reads, each one line within a bound, never a hang.

``READERS`` is the list of those paths, each with the real command that reads it
(a `trayapp` subprocess; the tray-only files through the tray's own edge code in
a fresh interpreter). A new file trayapp reads joins the list and is tried the
same way. Before ``trayapp/edges/safefile.py`` a FIFO at ``snapshot.json``,
``keyring.json``, a state file, the notification memory or the model-probe
budget blocked forever, and a symlink to ``/dev/zero`` read without end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakevendor import FakeVendor, free_port
from tests.faults.kit import (
    ROOT,
    STATUS_BOUND,
    Run,
    feed_service,
    probe_service,
    trayapp_argv,
    watch,
    write_config,
)
from tests.loopback import wait_until

pytestmark = pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev/zero are POSIX")

BOUND = STATUS_BOUND      # one `status` run's correctness bound (11 s); a refusal is far less
BIG = 200 * 1024 * 1024
KEY = "sk-ant-FAKE-read-paths-0123456789"


def _state(env: dict[str, str]) -> Path:
    return Path(env["XDG_STATE_HOME"]) / "trayapp"


def _dead(tmp: Path) -> Path:
    """A feed on a port where nothing listens: a fast, offline-free `status`."""
    return write_config(tmp / "dead.toml", [feed_service(f"http://127.0.0.1:{free_port()}/f")])


def _run(argv: list[str], env: dict[str, str], timeout: float = BOUND) -> Run:
    started = time.monotonic()
    try:
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout,
                              cwd=ROOT, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{argv[2:]} still running after {timeout} s (blocked on the file?)")
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def _cli(*args: str) -> Callable[[dict[str, str], Path, FakeVendor], Run]:
    def run(env: dict[str, str], tmp: Path, vendor: FakeVendor) -> Run:
        return _run(trayapp_argv(*[str(tmp / a[5:]) if a.startswith("@tmp/") else a
                                   for a in args]), env)
    return run


def _status_keyring(env: dict[str, str], tmp: Path, vendor: FakeVendor) -> Run:
    """A probe whose key may be in the keyring (no environment variable set)."""
    config = write_config(tmp / "k.toml", [probe_service(
        f"{vendor.base}/v1/models", sid="claude", api_key_env="TRAYAPP_TEST_NO_SUCH_KEY",
        api_key_header="x-api-key")])
    return _run(trayapp_argv("status", "--config", str(config)), env)


def _status_models(env: dict[str, str], tmp: Path, vendor: FakeVendor) -> Run:
    """A probe with models: the daily budget file is read before any model probe."""
    vendor.set("claude-sonnet-4-5", 200)
    config = write_config(tmp / "m.toml", [{
        "id": "claude", "name": "Claude", "feed": False,
        "probe": {"url": f"{vendor.base}/v1/models", "api_key_env": "ANTHROPIC_API_KEY",
                  "api_key_header": "x-api-key", "dialect": "anthropic",
                  "models": ["claude-sonnet-4-5"], "max_model_probes_per_day": 10}}])
    return _run(trayapp_argv("status", "--config", str(config)),
                {**env, "ANTHROPIC_API_KEY": KEY})


def _watch(env: dict[str, str], tmp: Path, vendor: FakeVendor) -> Run:
    """`watch` reads its state at start: the line comes, and it runs on."""
    started = time.monotonic()
    with watch(env, _dead(tmp)) as w:
        came = wait_until(lambda: "watch-state.json" in w.stderr, BOUND)
        seconds = time.monotonic() - started
        alive = w.proc.poll() is None
        w.stop()
        err, out = w.stderr, "\n".join(w.out)
    assert came and alive, err[-2000:]
    return Run(0, out, err, seconds)


def _snippet(code: str) -> Callable[[dict[str, str], Path, FakeVendor], Run]:
    """A file only the tray reads, through the tray's own code, in a fresh interpreter."""
    def run(env: dict[str, str], tmp: Path, vendor: FakeVendor) -> Run:
        return _run([sys.executable, "-c", code], env)
    return run


NOTIFY = ("from trayapp.edges import logsetup, paths\n"
          "from trayapp.edges.notify_memory import PolicyStore\n"
          "logsetup.setup(False, None, [])\n"
          "PolicyStore(paths.state_dir() / 'notify-state.json').load()\n")
LOCK = ("import sys\nfrom trayapp.edges import instance\n"
        "from trayapp.tray.appfiles import private_dir\n"
        "try:\n    instance.acquire(private_dir())\n"
        "except instance.InstanceLockError as exc:\n"
        "    print(f'trayapp: single-instance lock unavailable ({exc})', file=sys.stderr)\n")


@dataclass(frozen=True)
class Reader:
    where: Callable[[dict[str, str]], Path]
    run: Callable[[dict[str, str], Path, FakeVendor], Run]
    follows: bool = False         # the user's own file: a symlink is followed, then checked
    big: str = "too large"        # what a 200 MB file gives
    before: Callable[[Path], None] | None = None    # what must exist beside it
    says_on_stdout: bool = False  # `autostart` prints its one line (errors too) on stdout


def _empty_history(path: Path) -> None:
    path.with_name("history.sqlite3").write_bytes(b"")


READERS: dict[str, Reader] = {
    "snapshot.json (status --cached)": Reader(
        lambda e: _state(e) / "snapshot.json", _cli("status", "--cached")),
    "snapshot.json (pick --cached)": Reader(
        lambda e: _state(e) / "snapshot.json", _cli("pick", "claude", "--cached")),
    "snapshot.json (status --cached --json)": Reader(
        lambda e: _state(e) / "snapshot.json", _cli("status", "--cached", "--json")),
    "config.toml": Reader(
        lambda e: Path(e["XDG_CONFIG_HOME"]) / "trayapp" / "config.toml", _cli("status"),
        follows=True),
    "history.sqlite3": Reader(
        lambda e: _state(e) / "history.sqlite3", _cli("history"),
        big="not a database"),                     # sqlite reads its header only
    "history.sqlite3-wal": Reader(
        lambda e: _state(e) / "history.sqlite3-wal", _cli("history"), big="",
        before=_empty_history),
    "keyring.json": Reader(lambda e: _state(e) / "keyring.json", _status_keyring),
    "model-probes/claude.json": Reader(
        lambda e: _state(e) / "model-probes" / "claude.json", _status_models),
    "watch-state.json": Reader(lambda e: _state(e) / "watch-state.json", _watch),
    "notify-state.json": Reader(lambda e: _state(e) / "notify-state.json", _snippet(NOTIFY)),
    "trayapp.lock": Reader(lambda e: Path(e["XDG_RUNTIME_DIR"]) / "trayapp" / "trayapp.lock",
                           _snippet(LOCK), big=""),    # opened to lock, never read whole
    "trayapp.log": Reader(lambda e: _state(e) / "log" / "trayapp.log",
                          _cli("status", "--config", "@tmp/dead.toml"), big=""),  # appended
    "autostart trayapp.desktop": Reader(
        lambda e: Path(e["XDG_CONFIG_HOME"]) / "autostart" / "trayapp.desktop",
        _cli("autostart", "status"), follows=True, says_on_stdout=True),
}


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _big(path: Path) -> None:
    with path.open("wb") as handle:
        handle.truncate(BIG)             # sparse: 200 MB that cost no disk


KINDS: dict[str, Callable[[Path], None]] = {
    "a FIFO": _fifo, "a symlink to /dev/zero": _zero, "a 200 MB file": _big}


def _expected(reader: Reader, kind: str) -> str:
    if kind == "a FIFO":
        return "not a regular file (a FIFO)"
    if kind == "a symlink to /dev/zero":
        return "not a regular file (a character device)" if reader.follows else "is a symlink"
    return reader.big


@pytest.fixture
def vendor() -> Iterator[FakeVendor]:
    with closing(FakeVendor(key=KEY)) as running:
        yield running


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("name", list(READERS))
def test_a_hostile_file_at_every_path_trayapp_reads_is_one_line_never_a_hang(
        name: str, kind: str, env: dict[str, str], tmp_path: Path, vendor: FakeVendor) -> None:
    reader = READERS[name]
    os.chmod(env["XDG_RUNTIME_DIR"], 0o700)      # else platformdirs names another one
    path = reader.where(env)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if reader.before is not None:
        reader.before(path)
    _dead(tmp_path)
    KINDS[kind](path)
    run = reader.run(env, tmp_path, vendor)
    output = run.stdout + run.stderr
    assert "Traceback" not in output, output[-3000:]
    assert run.seconds < BOUND, run.seconds
    words = _expected(reader, kind)
    if not words:          # not read as a whole (appended to, locked, or sqlite's own)
        return
    said = run.stdout if reader.says_on_stdout else run.stderr
    naming = [line for line in said.splitlines() if path.name in line]
    assert len(naming) == 1, output[-3000:]
    assert words in naming[0], naming[0]
    assert "\x1b" not in naming[0]


def test_the_user_s_symlinked_config_is_still_read(env: dict[str, str], tmp_path: Path) -> None:
    """A config kept in a dotfiles repo: followed (the state dir's files are not)."""
    dotfiles = _dead(tmp_path)
    path = READERS["config.toml"].where(env)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(dotfiles)
    run = _run(trayapp_argv("status", "--json"), env)
    assert run.rc in (0, 1, 2, 3) and "Traceback" not in run.stderr, run.stderr
    assert [s["id"] for s in run.json()["services"]] == ["svc"]
