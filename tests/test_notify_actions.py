"""Notification actions: the notify-send argv, the capability answer, which links
become actions, and the processes that wait for an action.

The capability parsers read real gdbus/dbus-send answers captured from dunst
(tests/fixtures/notify/). The Notifier tests run real child processes: small
stand-ins named ``notify-send`` and ``gdbus`` first on PATH (the real
``stdbuf`` linked next to them), which log their argv and, like notify-send
0.8.1 with ``--action``, print their id at once and then wait until the test
"invokes" an action through a FIFO. Nothing here needs a display or a bus.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.loopback import wait_until
from tests.test_tray_builders import claude, snapshot
from trayapp.config import Config, FeedConfig, ServiceConfig
from trayapp.tray.notifier import Notifier, notify_send_argv
from trayapp.tray.notify_actions import (
    DETAILS,
    STATUS,
    Capabilities,
    NoteAction,
    Waiters,
    bus_argv,
    parse_dbus_send,
    parse_gdbus,
    service_actions,
)

FIXTURES = Path(__file__).parent / "fixtures" / "notify"
GDBUS_CAPS = (FIXTURES / "gdbus-capabilities-dunst-1.9.0.txt").read_text()
DBUS_SEND_CAPS = (FIXTURES / "dbus-send-capabilities-dunst-1.9.0.txt").read_text()
DUNST_CAPS = ["actions", "body", "body-hyperlinks", "icon-static", "synchronous",
              "private-synchronous", "x-canonical-private-synchronous", "x-dunst-stack-tag",
              "body-markup"]
TIMEOUT = 20.0


def noop() -> None:
    return None


# ------------------------------------------------------------------ argv
def test_argv_without_actions_is_todays() -> None:
    argv = notify_send_argv("/usr/bin/notify-send", "-t 0 Claude: major outage", "--help",
                            "critical", "/tmp/icon.png", 7)
    assert argv == ["/usr/bin/notify-send", "--app-name=trayapp", "--urgency=critical",
                    "--expire-time=15000", "--print-id", "--icon=/tmp/icon.png",
                    "--replace-id=7", "--", "-t 0 Claude: major outage", "--help"]
    assert not any(a.startswith("--action") for a in argv)


def test_argv_with_actions_runs_under_stdbuf_and_keeps_text_after_the_separator() -> None:
    acts = (NoteAction(DETAILS, "Details", noop), NoteAction(STATUS, "Open status page", noop))
    argv = notify_send_argv("/usr/bin/notify-send", "Claude: degraded", "--action=x=y",
                            "normal", "", None, acts, "/usr/bin/stdbuf")
    assert argv[:3] == ["/usr/bin/stdbuf", "-oL", "/usr/bin/notify-send"]
    sep = argv.index("--")
    assert argv[sep:] == ["--", "Claude: degraded", "--action=x=y"]
    assert [a for a in argv[:sep] if a.startswith("--action")] == [
        "--action=default=Details", "--action=status=Open status page"]
    assert not any(a.startswith("--replace-id") for a in argv)


# ------------------------------------------------------------------ parsing
def test_parse_real_gdbus_answer() -> None:
    assert parse_gdbus(GDBUS_CAPS) == DUNST_CAPS
    assert parse_gdbus((FIXTURES / "gdbus-name-owner.txt").read_text()) == [":1.2"]


def test_parse_real_dbus_send_answer() -> None:
    assert parse_dbus_send(DBUS_SEND_CAPS) == DUNST_CAPS
    assert parse_dbus_send((FIXTURES / "dbus-send-name-owner.txt").read_text()) == [":1.2"]


def test_parse_refuses_what_is_not_an_answer() -> None:
    for text in ("", "Error: GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown: x",
                 "(['actions'", "\x00\xff" * 1000):
        assert parse_gdbus(text) is None
    assert parse_gdbus("(@as [],)") == []
    assert parse_dbus_send("Error org.freedesktop.DBus.Error.NoReply: no reply") is None
    assert "actions" not in (parse_gdbus(GDBUS_CAPS.replace("'actions', ", "")) or [])


def test_bus_argv_for_each_program() -> None:
    g = bus_argv("/usr/bin/gdbus", "org.freedesktop.Notifications",
                 "/org/freedesktop/Notifications", "org.freedesktop.Notifications.GetCapabilities")
    assert g[:2] == ["/usr/bin/gdbus", "call"] and "--timeout" in g
    d = bus_argv("/usr/bin/dbus-send", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                 "org.freedesktop.DBus.GetNameOwner", "org.freedesktop.Notifications")
    assert d[-1] == "string:org.freedesktop.Notifications" and "--print-reply" in d


# ------------------------------------------------------------------ which links
def config(feed_url: str | None = "https://status.claude.com/api/v2/summary.json") -> Config:
    feed = FeedConfig("statuspage", feed_url) if feed_url else None
    return Config(services=(ServiceConfig("claude", "Claude", feed=feed),))


def test_a_safe_status_page_becomes_an_action() -> None:
    from dataclasses import replace
    opened: list[str] = []
    snap = snapshot(replace(claude(), page_url="https://status.claude.com"))
    acts = service_actions(snap, config(), "claude", noop, opened.append)
    assert [(a.name, a.label) for a in acts] == [(DETAILS, "Details"),
                                                 (STATUS, "Open status page")]
    acts[1].run()
    assert opened == ["https://status.claude.com"]


@pytest.mark.parametrize("url", [
    "https://status.claude.com@evil.example/",      # userinfo
    "https://evil.example/status",                  # another host
    "javascript:alert(1)",
    "file:///etc/passwd",
    "https://status.claude.com/\u202egnp.exe",      # bidi override
    "https://status.claude.com/a b",
])
def test_a_link_that_fails_the_rule_never_becomes_an_action(url: str) -> None:
    from dataclasses import replace
    snap = snapshot(replace(claude(), page_url=url))
    acts = service_actions(snap, config(), "claude", noop, noop)
    assert [a.name for a in acts] == [DETAILS]


def test_no_page_no_snapshot_no_config_only_details() -> None:
    from dataclasses import replace
    assert [a.name for a in service_actions(None, config(), "claude", noop, noop)] == [DETAILS]
    snap = snapshot(replace(claude(), page_url=None))
    assert [a.name for a in service_actions(snap, config(), "claude", noop, noop)] == [DETAILS]
    snap = snapshot(replace(claude(), page_url="https://evil.example/"))
    assert [a.name for a in service_actions(snap, config(None), "claude", noop, noop)] \
        == [DETAILS]


# ------------------------------------------------------------------ stand-in programs
FAKE_GDBUS = """\
import pathlib, sys
d = pathlib.Path(__file__).parent
with open(d / "bus.log", "a") as f:
    f.write(" ".join(sys.argv[1:]) + "\\n")
if any("GetNameOwner" in a for a in sys.argv):
    owner = (d / "owner").read_text().strip() if (d / "owner").exists() else ""
    if not owner:
        sys.exit("Error: GDBus.Error:org.freedesktop.DBus.Error.NameHasNoOwner")
    print(repr((owner,)))
elif (d / "fail").exists():
    sys.exit("Error: GDBus.Error:org.freedesktop.DBus.Error.NoReply")
else:
    sys.stdout.write((d / "caps.txt").read_text())
"""

FAKE_DBUS_SEND = """\
import pathlib, sys
d = pathlib.Path(__file__).parent
with open(d / "bus.log", "a") as f:
    f.write(" ".join(sys.argv[1:]) + "\\n")
if any("GetNameOwner" in a for a in sys.argv):
    print("method return time=1 sender=org.freedesktop.DBus -> destination=:1.9 serial=3")
    print('   string ":1.2"')
else:
    sys.stdout.write((d / "caps.txt").read_text())
"""

FAKE_NOTIFY_SEND = """\
import json, os, pathlib, signal, sys
d = pathlib.Path(__file__).parent
if "--help" in sys.argv:
    sys.stdout.write((d / "help.txt").read_text())
    sys.exit(0)
nid = 1                               # a unique id, even for two started at once
while True:
    try:
        os.close(os.open(d / f"id-{nid}", os.O_CREAT | os.O_EXCL))
        break
    except FileExistsError:
        nid += 1
def log(**kw):
    with open(d / "notify.log", "a") as f:
        f.write(json.dumps(dict(pid=os.getpid(), id=nid, **kw)) + "\\n")
log(argv=sys.argv[1:])
if not any(a.startswith("--action") for a in sys.argv):
    print(nid)
    sys.exit(0)
def term(*_):
    log(signal="TERM")
    sys.exit(143)
def intr(*_):
    log(signal="INT")
    sys.exit(130)
signal.signal(signal.SIGTERM, term)
signal.signal(signal.SIGINT, intr)
print(nid, flush=True)
fifo = d / f"invoke-{nid}"
os.mkfifo(fifo)
with open(fifo) as f:                 # the test invokes an action: one name per line
    for line in f:
        print(line.strip(), flush=True)
"""


def write_program(path: Path, text: str) -> None:
    path.write_text(f"#!{sys.executable}\n{text}")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    stdbuf = shutil.which("stdbuf")
    if stdbuf is None:
        pytest.skip("stdbuf is missing (GNU coreutils)")
    d = tmp_path / "bin"
    d.mkdir()
    write_program(d / "notify-send", FAKE_NOTIFY_SEND)
    write_program(d / "gdbus", FAKE_GDBUS)
    (d / "stdbuf").symlink_to(stdbuf)
    (d / "help.txt").write_text((FIXTURES / "notify-send-0.8.1-help.txt").read_text())
    (d / "caps.txt").write_text(GDBUS_CAPS)
    (d / "owner").write_text(":1.2")
    monkeypatch.setenv("PATH", str(d))
    yield d


def entries(d: Path) -> list[dict[str, object]]:
    try:
        return [json.loads(ln) for ln in (d / "notify.log").read_text().splitlines()]
    except FileNotFoundError:
        return []


def shown(d: Path) -> list[dict[str, object]]:
    return [e for e in entries(d) if "argv" in e]


def has_actions(entry: dict[str, object]) -> bool:
    argv = entry["argv"]
    assert isinstance(argv, list)
    return any(str(a).startswith("--action") for a in argv[:argv.index("--")])


def gone(pid: object) -> bool:
    """Exited and reaped (a zombie still answers signal 0)."""
    assert isinstance(pid, int)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def invoke(d: Path, nid: object, *names: str) -> None:
    fifo = d / f"invoke-{nid}"
    assert wait_until(fifo.exists, TIMEOUT)
    with open(fifo, "w") as f:
        f.write("".join(n + "\n" for n in names))


class Recorder:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.event = threading.Event()

    def action(self, name: str) -> NoteAction:
        def run() -> None:
            self.calls.append(name)
            self.event.set()
        return NoteAction(name, {"default": "Details"}.get(name, "Open status page"), run)


# ------------------------------------------------------------------ capabilities
def bus_calls(d: Path, method: str) -> int:
    try:
        return sum(method in ln for ln in (d / "bus.log").read_text().splitlines())
    except FileNotFoundError:
        return 0


def test_capabilities_asked_once_per_server(bin_dir: Path) -> None:
    caps = Capabilities()
    assert caps.actions() and caps.actions()
    assert bus_calls(bin_dir, "GetCapabilities") == 1
    (bin_dir / "owner").write_text(":1.7")           # the server was restarted
    (bin_dir / "caps.txt").write_text(GDBUS_CAPS.replace("'actions', ", ""))
    assert not caps.actions()
    assert bus_calls(bin_dir, "GetCapabilities") == 2


def test_capabilities_failed_call_is_asked_again(bin_dir: Path) -> None:
    caps = Capabilities()
    (bin_dir / "fail").write_text("")
    assert not caps.actions()
    (bin_dir / "fail").unlink()
    assert caps.actions()
    assert bus_calls(bin_dir, "GetCapabilities") == 2


def test_capabilities_with_dbus_send_only(bin_dir: Path) -> None:
    (bin_dir / "gdbus").unlink()
    write_program(bin_dir / "dbus-send", FAKE_DBUS_SEND)
    (bin_dir / "caps.txt").write_text(DBUS_SEND_CAPS)
    assert Capabilities().actions()
    assert "--print-reply" in (bin_dir / "bus.log").read_text()


def test_no_bus_program_means_no_actions_and_no_error(bin_dir: Path) -> None:
    (bin_dir / "gdbus").unlink()
    assert Capabilities().actions() is False


# ------------------------------------------------------------------ the Notifier
def test_a_waiting_notify_send_never_blocks_the_worker(bin_dir: Path) -> None:
    rec = Recorder()
    n = Notifier("linux")
    try:
        n.send("Claude: major outage", "Elevated errors", key="claude", urgency="critical",
               actions=(rec.action(DETAILS),))
        n.send("trayapp: configuration not reloaded", "bad line 3")    # app-level
        assert wait_until(lambda: len(shown(bin_dir)) == 2, TIMEOUT), entries(bin_dir)
        first, second = shown(bin_dir)
        assert has_actions(first) and not has_actions(second)
        assert not gone(first["pid"]), "the waiting notify-send should still be waiting"
        assert wait_until(lambda: n.waiters.count() == 1, TIMEOUT), n.waiters.count()
        invoke(bin_dir, first["id"], "default")
        assert rec.event.wait(TIMEOUT)
        assert rec.calls == [DETAILS]
        assert wait_until(lambda: gone(first["pid"]), TIMEOUT), "not reaped"
    finally:
        n.close()


def test_replacement_ends_the_previous_waiter_with_sigterm(bin_dir: Path) -> None:
    rec = Recorder()
    acts = (rec.action(DETAILS), rec.action(STATUS))
    n = Notifier("linux")
    try:
        n.send("Claude: major outage", "x", key="claude", actions=acts)
        n.send("Claude: operational", "y", key="claude", actions=acts)
        n.send("ChatGPT: degraded", "z", key="openai", actions=acts)
        assert wait_until(lambda: len(shown(bin_dir)) == 3, TIMEOUT), entries(bin_dir)
        first, second, other = shown(bin_dir)
        assert f"--replace-id={first['id']}" in second["argv"]  # type: ignore[operator]
        log = entries(bin_dir)
        ended = log.index({"pid": first["pid"], "id": first["id"], "signal": "TERM"})
        assert ended < log.index(second), "the old waiter must end before its replacement"
        assert not any(e.get("signal") == "INT" for e in entries(bin_dir))
        assert gone(first["pid"])
        # one per service: the third's waiter is registered once its id is read, which
        # may come after the fake logged its start (the count only grows to 2 here)
        assert wait_until(lambda: n.waiters.count() == 2, TIMEOUT), n.waiters.count()
        invoke(bin_dir, second["id"], "evil", "--help", STATUS, STATUS, DETAILS)
        assert rec.event.wait(TIMEOUT)
        assert wait_until(lambda: gone(second["pid"]), TIMEOUT)
        assert rec.calls == [STATUS]                       # only our names, once
    finally:
        n.close()
    assert gone(other["pid"]), "close() must end and reap every waiter"
    assert {"pid": other["pid"], "id": other["id"], "signal": "TERM"} in entries(bin_dir)
    assert n.waiters.count() == 0


def test_waiters_are_bounded(bin_dir: Path) -> None:
    n = Notifier("linux")
    n.waiters.cap = 2
    try:
        for key in ("a", "b", "c"):
            n.send(f"{key}: degraded", "x", key=key, actions=(Recorder().action(DETAILS),))
        assert wait_until(lambda: len(shown(bin_dir)) == 3, TIMEOUT), entries(bin_dir)
        assert [has_actions(e) for e in shown(bin_dir)] == [True, True, False]
        assert n.waiters.count() == 2
    finally:
        n.close()
    assert all(gone(e["pid"]) for e in shown(bin_dir))


def test_without_a_bus_program_notify_send_returns_at_once(bin_dir: Path) -> None:
    (bin_dir / "gdbus").unlink()
    n = Notifier("linux")
    n.send("Claude: major outage", "x", key="claude", actions=(Recorder().action(DETAILS),))
    n.send("Claude: operational", "y", key="claude", actions=(Recorder().action(DETAILS),))
    n.close(TIMEOUT)
    first, second = shown(bin_dir)
    assert not has_actions(first) and not has_actions(second)
    assert f"--replace-id={first['id']}" in second["argv"]  # type: ignore[operator]
    assert gone(first["pid"]) and gone(second["pid"])


def test_a_server_without_actions_gets_none(bin_dir: Path) -> None:
    (bin_dir / "caps.txt").write_text(GDBUS_CAPS.replace("'actions', ", ""))
    n = Notifier("linux")
    n.send("Claude: major outage", "x", key="claude", actions=(Recorder().action(DETAILS),))
    n.close(TIMEOUT)
    [only] = shown(bin_dir)
    assert not has_actions(only) and gone(only["pid"])


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_waiters_close_reaps_a_stubborn_child() -> None:
    """A child that ignores SIGTERM is killed, and reaped, at close."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import signal, sys; signal.signal(signal.SIGTERM, "
         "signal.SIG_IGN); print('ready', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
    w = Waiters()
    w.start("k", proc, b"", ())
    w.close()
    assert proc.returncode == -signal.SIGKILL
    assert proc.stdin is not None
    proc.stdin.close()
