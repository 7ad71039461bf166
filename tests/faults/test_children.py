"""Bounded child processes (issue 24, items 1 and 8): a hook's command can neither
grow trayapp's memory nor leave anything running behind it.

A command hook that writes without end (``yes``) for its whole timeout used to
take `watch` from 35 MB to a 4.4 GB peak (every byte kept by
``communicate()``); a hook's background child outlived trayapp. Here: real
`trayapp watch` processes, real commands, real /proc.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.faults.kit import (
    Watch,
    capped_argv,
    feed_entry_path,
    feed_service,
    isolated_env,
    loopback_config,
)
from tests.loopback import LoopbackServer, fixture, wait_until
from trayapp.config.hooks import HookConfig
from trayapp.edges import child
from trayapp.runtime.hooks import OUTPUT_LINES, run_command

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")

OK = fixture("statuspage/anthropic-summary-3.json")
DOWN = fixture("statuspage/github-summary-1.json")
# The address space `watch` may use: the code before the fix runs out of it (a
# MemoryError) instead of taking the shared machine to gigabytes.
ADDRESS_SPACE = 1536 * 1024 * 1024
# Peak RSS a chatty hook may add over a quiet one: buffers of a few kB, and the
# noise between two interpreters (measured: under 1 MB; before the fix, gigabytes).
RSS_SLACK_KB = 6 * 1024


def toml(value: object) -> str:
    import json
    return json.dumps(value)


def log_text(env: dict[str, str]) -> str:
    return "".join(p.read_text(errors="replace")
                   for p in Path(env["XDG_STATE_HOME"]).rglob("trayapp.log*"))


def gone(pid: int) -> bool:
    """No such process, or only its exit status left (a zombie whose parent, init
    here, has not reaped it yet): nothing runs."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def watch_with_hook(server: LoopbackServer, tmp: Path, env: dict[str, str], hook: str,
                    limit: bool = False) -> Watch:
    """`watch --json` on a page that is fine, then down: one `worse` for ``hook``."""
    entry = feed_entry_path("/feed")
    server.set(entry, OK, etag='"ok"')
    config = loopback_config(tmp / "config.toml", server, [feed_service(server.url("/feed"))])
    config.write_text(config.read_text() + "\n[[hooks]]\nmin_gap = 0\n"
                      f"on = {toml(['worse'])}\n" + hook)
    args = ("watch", "--json", "--config", str(config))
    w = Watch(env, *args, argv=capped_argv(ADDRESS_SPACE, *args) if limit else None)
    before = server.hits[entry]
    assert wait_until(lambda: server.hits[entry] >= before + 2, 30), w.stderr  # baseline
    server.set(entry, DOWN, etag='"down"')
    assert wait_until(lambda: any(e.get("kind") == "worse" for e in w.events), 30), w.stderr
    return w


def peak_rss(server: LoopbackServer, tmp: Path, env: dict[str, str], command: list[str],
             says: str) -> int:
    """VmHWM (kB) of a `watch` whose one hook ran ``command`` to its end (``says`` in
    the log)."""
    hook = f"name = \"h\"\ntimeout = 3\ncommand = {toml(command)}\n"
    w = watch_with_hook(server, tmp, env, hook, limit=True)
    try:
        assert wait_until(lambda: says in log_text(env), 40), (w.stderr, log_text(env)[-2000:])
        peak = w.proc_status("VmHWM")
    finally:
        rc = w.stop()
    assert rc == 0 and "Traceback" not in w.stderr, w.stderr
    return peak


def test_a_hook_writing_without_end_keeps_watch_memory_flat(
        server: LoopbackServer, tmp_path: Path) -> None:
    quiet_env, chatty_env = isolated_env(tmp_path / "q"), isolated_env(tmp_path / "c")
    quiet = peak_rss(server, tmp_path / "q", quiet_env,
                     [sys.executable, "-c", "print('done')"], "hook h: done")
    chatty = peak_rss(server, tmp_path / "c", chatty_env, ["yes"],
                      "hook h (yes): timed out after 3 s (killed)")
    print(f"peak RSS: quiet hook {quiet} kB, `yes` for 3 s {chatty} kB")
    assert chatty - quiet < RSS_SLACK_KB, (quiet, chatty)
    log = log_text(chatty_env)
    assert log.count("hook h: y") == OUTPUT_LINES and \
        "hook h: the rest of its output is not logged" in log


BACKGROUND = """\
import subprocess, sys
p = subprocess.Popen(["sleep", "300"], stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
open(sys.argv[1], "w").write(str(p.pid))
"""


def test_a_hooks_background_child_does_not_outlive_watch(
        server: LoopbackServer, tmp_path: Path, env: dict[str, str]) -> None:
    """The command starts `sleep 300` in the background (its output elsewhere, so the
    pipe does not hold the hook open) and exits at once."""
    script, pidfile = tmp_path / "bg.py", tmp_path / "bg.pid"
    script.write_text(BACKGROUND)
    hook = f"timeout = 30\ncommand = {toml([sys.executable, str(script), str(pidfile)])}\n"
    w = watch_with_hook(server, tmp_path, env, hook)
    try:
        assert wait_until(lambda: pidfile.exists() and pidfile.read_text() != "", 30)
        pid = int(pidfile.read_text())
    finally:
        rc = w.stop()
    assert rc == 0 and "Traceback" not in w.stderr, w.stderr
    try:
        assert wait_until(lambda: gone(pid), 10), "the hook's background child outlived watch"
    finally:
        if not gone(pid):
            os.kill(pid, 9)


# ------------------------------------------------------------ the same rules, in-process

def hook(command: list[str], timeout: float = 5) -> HookConfig:
    return HookConfig(name="t", on=frozenset({"worse"}), command=tuple(command),
                      timeout=timeout)


def test_output_is_kept_bounded_and_the_command_is_drained_to_its_end() -> None:
    """2 MB written, then exit 0: the command is never blocked on a full pipe, ends
    by itself, and only the head is kept."""
    proc = child.start([sys.executable, "-c",
                        "import sys; sys.stdout.write('z' * 2_000_000); sys.exit(0)"],
                       dict(os.environ))
    done = child.run(proc, b"", 30)
    assert done.returncode == 0
    assert done.output == b"z" * child.OUTPUT_BYTES
    assert done.dropped == 2_000_000 - child.OUTPUT_BYTES


def test_an_event_bigger_than_a_pipe_never_blocks_a_command_that_does_not_read_it() -> None:
    proc = child.start([sys.executable, "-c", "print('ok')"], dict(os.environ))
    done = child.run(proc, b"{" * (4 * 1024 * 1024), 30)
    assert (done.returncode, done.output.strip()) == (0, b"ok")


def test_what_a_command_leaves_in_its_group_ends_with_it(tmp_path: Path) -> None:
    pidfile = tmp_path / "bg.pid"
    error = run_command(hook(["sh", "-c", f"sleep 300 >/dev/null 2>&1 & echo $! > {pidfile}"]),
                        b"{}", dict(os.environ))
    assert error is None
    pid = int(pidfile.read_text())
    try:
        assert wait_until(lambda: gone(pid), 10), "the background child survived its hook"
    finally:
        if not gone(pid):
            os.kill(pid, 9)


def test_a_timeout_kills_the_whole_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "bg.pid"
    error = run_command(hook(["sh", "-c", f"sleep 300 & echo $! > {pidfile}; wait"], 1),
                        b"{}", dict(os.environ))
    assert error == "timed out after 1 s (killed)"
    pid = int(pidfile.read_text())
    assert wait_until(lambda: gone(pid), 10)
