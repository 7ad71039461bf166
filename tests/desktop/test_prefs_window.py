"""The Preferences window on the virtual desktop, driven through its widgets like a user.

A real trayapp tray runs on a loopback config; the window (the real Tk window,
on the session's display) sets the LM Studio preset (a local server, so still
loopback-only) to Watch, adds a page by its URL after checking it through the
real poller, and saves: the file holds both with the user's comments kept, and
the running tray says once that it reloaded and polls the new page. Also: the
`trayapp preferences` process opens and Esc closes it; at 192 dpi nothing is
clipped. TRAYAPP_SCREENSHOTS=DIR keeps the screenshots (docs/make_screenshots.py).
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.desktop.session import DesktopSession
from tests.desktop.test_tray_e2e import Tray, find, save
from tests.loopback import LoopbackServer, fixture, wait_until
from trayapp.config import parse_text

pytestmark = [pytest.mark.desktop, pytest.mark.slow]
pytest.importorskip("tkinter", reason="this Python has no tkinter (Debian: python3-tk)")
CURSOR = fixture("statuspage/cursor-summary-1.json")
OPERATIONAL = fixture("statuspage/anthropic-summary-3.json")


def config_text(server: LoopbackServer) -> str:
    return f"""\
# my tray: notes that must survive the Preferences window
interval = 1
connectivity_url = "{server.url('/generate_204')}"

[[services]]
id = "claude"
name = "Claude"   # the one I pay for
feed = {{ kind = "statuspage", url = "{server.base}/claude" }}
fallbacks = ["backup"]

[[services]]
id = "backup"
name = "Backup"
role = "fallback"
probe = {{ url = "{server.url('/backup/v1/models')}" }}
"""


@pytest.fixture
def feed() -> Iterator[LoopbackServer]:
    srv = LoopbackServer()
    srv.set("/generate_204", b"", status=204)
    srv.set("/backup/v1/models", b"{}")
    srv.set("/claude/api/v2/summary.json", OPERATIONAL)
    srv.set("/newpage/api/v2/summary.json", CURSOR)
    try:
        yield srv
    finally:
        srv.close()


@pytest.fixture
def on_display(desktop: DesktopSession,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[DesktopSession]:
    """This process's Tk on the session's display, its files in the session's HOME."""
    for key, value in desktop.env().items():
        if key in ("DISPLAY", "HOME") or key.startswith("XDG_"):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    from trayapp.edges import keys
    keys.forget()
    yield desktop
    # A window's Tk variables are collected here, on the main thread: the app has one
    # window per process, but a test's next window checks pages on a worker thread.
    gc.collect()


def pump(window: Any, until: Any = None, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        window.root.update()
        if until is None or until() or time.monotonic() > deadline:
            return
        time.sleep(0.02)


class LoopbackTray(Tray):
    """The real tray on ``tmp/config.toml`` as it is (Tray writes its own config)."""

    def __init__(self, desk: DesktopSession, tmp: Path) -> None:
        self.desk = desk
        self.cfg = tmp / "config.toml"
        self.state = tmp / "state"
        self.env = desk.env(TRAYAPP_TRAY_BACKEND="xorg", XDG_STATE_HOME=str(self.state),
                            PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
        self.argv = [sys.executable, "-m", "trayapp", "-v", "--config", str(self.cfg)]
        self.out = open(tmp / "trayapp.out", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(self.argv, env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=self.out, stderr=subprocess.STDOUT)
        self.log = self.state / "trayapp" / "log" / "trayapp.log"


def grab_window(desk: DesktopSession, window: Any) -> Any:
    from PIL import ImageGrab
    root = window.root
    x, y = root.winfo_rootx(), root.winfo_rooty()
    box = (x, y, x + root.winfo_width(), y + root.winfo_height())
    return ImageGrab.grab(bbox=box, xdisplay=desk.display).convert("RGB")


def test_watch_a_preset_and_add_a_page_then_the_running_tray_reloads(
        on_display: DesktopSession, feed: LoopbackServer, tmp_path: Path) -> None:
    from trayapp.windows.prefs import PrefsWindow

    desk = on_display
    (tmp_path / "config.toml").write_text(config_text(feed))
    before = (tmp_path / "config.toml").read_text()
    tray = LoopbackTray(desk, tmp_path)
    try:
        assert wait_until(lambda: feed.hits["/claude/api/v2/summary.json"] >= 2, 30), \
            tray.log_text()
        window = PrefsWindow(tray.cfg, before, True)
        pump(window)
        window.select("lmstudio")
        assert window.choice.get() == "off"
        window.choice.set("watch")
        window._on_choice()
        window.url_entry.insert(0, feed.base + "/newpage")
        window.check_button.invoke()
        pump(window, lambda: window.found is not None
             or "cannot" in str(window.found_label.cget("text")))
        assert window.found is not None, window.found_label.cget("text")
        assert window.found_label.cget("text") == \
            "Atlassian Statuspage, 8 components, all operational"
        window.components_list.selection_set(0, 1)
        window.name_entry.delete(0, "end")
        window.name_entry.insert(0, "New Page")
        window.add_role.set("fallback")
        window.add_button.invoke()
        pump(window)
        window.select("lmstudio")
        pump(window)
        save(grab_window(desk, window), "preferences.png")
        hits = feed.hits["/newpage/api/v2/summary.json"]
        window.save_button.invoke()
        pump(window)
        message = str(window.message.cget("text"))
        assert message.startswith("Saved. A running trayapp picks it up at its next check"), \
            message
        text = tray.cfg.read_text()
        # the notes and layout byte for byte; one list grew (the new fallback)
        assert text.startswith(before.replace('fallbacks = ["backup"]',
                                              'fallbacks = ["backup", "new-page"]'))
        config = parse_text(text, str(tray.cfg))
        lm, page = config.service("lmstudio"), config.service("new-page")
        assert lm is not None and lm.role == "watch" and lm.preset == "lmstudio"
        assert page is not None and page.role == "fallback" and page.feed is not None
        assert page.feed.kind == "auto" and page.components == ("Automations", "Review Agents")
        assert (tmp_path / "config.toml.bak").read_text() == before
        assert wait_until(lambda: feed.hits["/newpage/api/v2/summary.json"] > hits + 1, 30), \
            tray.log_text()
        assert wait_until(lambda: "configuration reloaded" in tray.log_text(), 10)
        window.cancel()
    finally:
        tray.stop()
    assert tray.log_text().count("configuration reloaded") == 1, tray.log_text()


def test_a_refused_page_cannot_be_added_and_a_bad_setting_is_named(
        on_display: DesktopSession, feed: LoopbackServer, tmp_path: Path) -> None:
    from trayapp.windows.prefs import PrefsWindow

    path = tmp_path / "config.toml"
    path.write_text(config_text(feed))
    window = PrefsWindow(path, path.read_text(), True)
    try:
        window.url_entry.insert(0, feed.base + "/nothing-here")
        window.notebook.select(1)
        window.url_entry.focus_set()
        pump(window, lambda: window.root.focus_get() is window.url_entry)
        window.enter()                               # Enter in the URL field: Check
        pump(window, lambda: "cannot" in str(window.found_label.cget("text")))
        assert window.message.cget("text") == ""     # not Save
        assert str(window.found_label.cget("text")).startswith("cannot use this page: ")
        assert window.found is None and str(window.add_button.cget("state")) == "disabled"
        window.fields["interval"].delete(0, "end")
        window.fields["interval"].insert(0, "often")
        window.notebook.select(0)
        window.save_button.invoke()
        pump(window)
        assert str(window.message.cget("text")) == \
            "Check every (seconds): must be a whole number, got 'often'"
        # the focus is on the field named, its tab shown
        assert window.root.focus_get() is window.fields["interval"]
        assert window.notebook.select() == str(window.fields["interval"].master)
        window.fields["interval"].delete(0, "end")
        window.fields["interval"].insert(0, "0")
        window.fields["stale_after"].focus_set()
        window.enter()                               # Enter in a settings field: Save
        pump(window)
        assert str(window.message.cget("text")).startswith(
            "Not saved: Check every (seconds): must be ")
        assert window.root.focus_get() is window.fields["interval"]
        assert path.read_text() == config_text(feed)
        assert not (tmp_path / "config.toml.bak").exists()
    finally:
        window.cancel()


def _widgets(widget: Any) -> Iterator[Any]:
    yield widget
    for child in widget.winfo_children():
        yield from _widgets(child)


@pytest.mark.parametrize("dpi", [96, 192])
def test_nothing_is_clipped(on_display: DesktopSession, feed: LoopbackServer, tmp_path: Path,
                            dpi: int) -> None:
    from tkinter import font as tkfont

    from trayapp.windows.prefs import PrefsWindow

    path = tmp_path / "config.toml"
    path.write_text(config_text(feed))
    window = PrefsWindow(path, path.read_text(), True, scaling=dpi / 72)
    try:
        for tab in range(3):
            window.notebook.select(tab)
            pump(window)
            for w in _widgets(window.root):
                if w.winfo_ismapped():
                    assert w.winfo_width() >= w.winfo_reqwidth() - 1, (w, dpi)
                    assert w.winfo_height() >= w.winfo_reqheight() - 1, (w, dpi)
        line = window.line
        assert line >= (22 if dpi == 192 else 11), line      # the text grew with the dpi
        # at 192 dpi it fits a 2x screen (2560x1600): what 1280x800 is at 96 dpi
        assert window.root.winfo_width() < 1280 * dpi // 96
        assert window.root.winfo_height() < 800 * dpi // 96
        for col in window.tree["columns"]:           # every heading fits its column
            head = window.tree.heading(col, "text")
            assert window.tree.column(col, "width") >= tkfont.nametofont(
                "TkHeadingFont").measure(head), (col, dpi)
    finally:
        window.cancel()


def test_the_preferences_command_opens_its_window_and_esc_closes_it(
        desktop: DesktopSession, feed: LoopbackServer, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(config_text(feed))
    env = desktop.env(PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    proc = subprocess.Popen([sys.executable, "-m", "trayapp", "preferences", "--config",
                             str(path)], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=os.getcwd())
    try:
        assert wait_until(lambda: find(desktop, "trayapp Preferences") is not None, 20)
        wid = find(desktop, "trayapp Preferences")
        assert wid is not None
        classes = desktop.run("xprop", "-id", wid, "WM_CLASS").stdout
        assert '"trayapp"' in classes, classes
        # Sent to the window (XSendEvent), not typed on the shared keyboard (XTEST): a
        # typed key could auto-repeat into the next window opened on this display.
        desktop.run("xdotool", "key", "--window", wid, "Escape", check=False)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)
    assert path.read_text() == config_text(feed)


def test_a_key_typed_in_the_window_goes_to_the_keyring_not_the_file(
        on_display: DesktopSession, feed: LoopbackServer, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("keyrings.alt")
    from trayapp.edges import keys
    from trayapp.windows.prefs import PrefsWindow

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    keys.forget()
    key = "sk-ant-FAKE-window-0123456789"
    path = tmp_path / "config.toml"
    path.write_text(config_text(feed))
    window = PrefsWindow(path, path.read_text(), True)
    try:
        window.select("anthropic")                  # the Claude preset, not configured yet
        window.choice.set("fallback")
        window._on_choice()
        pump(window)
        assert str(window.key_entry.cget("state")) == "normal", window.key_note.cget("text")
        window.key_entry.insert(0, key)
        window.fields["interval"].delete(0, "end")   # a remote page: 15 s at least
        window.fields["interval"].insert(0, "60")
        window.save_button.invoke()
        pump(window)
        assert str(window.message.cget("text")).startswith("Saved."), \
            window.message.cget("text")
    finally:
        window.cancel()
    assert key not in path.read_text()
    keys.forget()
    assert keys.lookup("anthropic") == key
    config = parse_text(path.read_text(), str(path))
    assert config.service("anthropic") is not None


def test_components_are_picked_from_what_the_page_serves_now(
        on_display: DesktopSession, feed: LoopbackServer, tmp_path: Path) -> None:
    from trayapp.windows.prefs import PrefsWindow

    path = tmp_path / "config.toml"
    path.write_text(config_text(feed))
    feed.set("/claude/api/v2/summary.json", CURSOR)      # this page lists 8 components
    window = PrefsWindow(path, path.read_text(), True)
    try:
        window.select("claude")
        window.pick_button.invoke()
        pump(window, lambda: window.picker is not None)
        assert window.picker is not None, window.message.cget("text")
        _top, listbox, ok = window.picker
        assert listbox.get(0, "end")[:2] == ("Automations", "Review Agents")
        listbox.selection_set(2)                         # "CLI"
        ok.invoke()
        pump(window)
        assert window.components_entry.get() == "CLI"
        window.save_button.invoke()
        pump(window)
    finally:
        window.cancel()
    claude = parse_text(path.read_text(), str(path)).service("claude")
    assert claude is not None and claude.components == ("CLI",)
    assert "# the one I pay for" in path.read_text()


def test_tab_walks_the_controls_in_reading_order(on_display: DesktopSession,
                                                 feed: LoopbackServer, tmp_path: Path) -> None:
    from trayapp.windows.prefs import PrefsWindow

    path = tmp_path / "config.toml"
    path.write_text(config_text(feed))
    window = PrefsWindow(path, path.read_text(), True)
    try:
        window.select("claude")
        pump(window)
        order = []
        widget = window.tree
        for _ in range(40):
            order.append(str(widget))
            widget = widget.tk_focusNext()
            if widget is None or str(widget) == str(window.tree):
                break
        expected = [window.tree, *window.choice_buttons, window.fallbacks_entry,
                    window.components_entry, window.pick_button, window.save_button,
                    window.cancel_button]
        positions = [order.index(str(w)) for w in expected]
        assert positions == sorted(positions), order
    finally:
        window.cancel()


def test_what_was_typed_stays_with_its_row_when_another_is_chosen(
        on_display: DesktopSession, feed: LoopbackServer, tmp_path: Path) -> None:
    from trayapp.windows.prefs import PrefsWindow

    path = tmp_path / "config.toml"
    path.write_text(config_text(feed))
    window = PrefsWindow(path, path.read_text(), True)
    try:
        window.select("claude")
        window.fallbacks_entry.delete(0, "end")
        window.fallbacks_entry.insert(0, "")               # no fallback for Claude now
        window.tree.selection_set("backup")                # a click on another row
        pump(window)
        assert window.selected_label.cget("text") == "Backup (backup)"
        window.save_button.invoke()
        pump(window)
        assert str(window.message.cget("text")).startswith("Saved."), \
            window.message.cget("text")
    finally:
        window.cancel()
    config = parse_text(path.read_text(), str(path))
    claude = config.service("claude")
    assert claude is not None and claude.fallbacks == ()


def test_an_edit_after_save_is_not_lost_close_asks(
        desktop: DesktopSession, feed: LoopbackServer, tmp_path: Path) -> None:
    """Issue 26: after one Save, later edits were dropped by Close without a question.
    Driven with keys sent to the window (xdotool): edit, Enter saves, edit, Esc asks
    "Save changes?"; Cancel keeps the window, Discard closes it and keeps the file."""
    path = tmp_path / "config.toml"
    path.write_text(config_text(feed))
    env = desktop.env(PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    out = tmp_path / "prefs.out"
    with out.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "trayapp", "preferences", "--config",
                                 str(path)], env=env, stdin=subprocess.DEVNULL,
                                stdout=sink, stderr=subprocess.STDOUT, cwd=os.getcwd())

    def keys(wid: str, *names: str) -> None:
        desktop.run("xdotool", "key", "--window", wid, *names, check=False)

    def asking() -> str | None:
        """The "Save changes?" dialog once it is on the screen (mapped), else None."""
        ids = desktop.run("xdotool", "search", "--onlyvisible", "--name",
                          "^Save changes\\?$", check=False).stdout.split()
        return ids[0] if ids else None

    def click(times: int, button: str) -> None:
        """Click ``button`` of the dialog once it says, the ``times``-th time, that it has
        the keyboard (a pointer click: where the keyboard goes is the window manager's)."""
        assert wait_until(lambda: out.read_text().count("asking: ") >= times, 20), \
            out.read_text()
        said = [ln for ln in out.read_text().splitlines() if ln.startswith("asking: ")]
        where = {b["text"]: b for b in json.loads(said[times - 1].removeprefix("asking: "))}
        b = where[button]
        desktop.run("xdotool", "mousemove", str(b["x"] + b["w"] // 2),
                    str(b["y"] + b["h"] // 2), "click", "1", check=False)

    def title() -> str:
        wid = find(desktop, "^trayapp Preferences")
        return desktop.run("xdotool", "getwindowname", wid, check=False).stdout.strip() \
            if wid else ""

    try:
        assert wait_until(lambda: find(desktop, "^trayapp Preferences$") is not None, 30)
        wid = find(desktop, "^trayapp Preferences$")
        assert wid is not None
        desktop.run("xdotool", "windowfocus", "--sync", wid, check=False)
        # the notebook (the first Ctrl+Tab), the settings tab (two more), its first field;
        # "1" becomes "17", Enter saves
        keys(wid, "ctrl+Tab", "ctrl+Tab", "ctrl+Tab", "Tab")
        keys(wid, "End", "7")
        assert wait_until(lambda: title().endswith("unsaved changes"), 20), title()
        keys(wid, "Return")
        assert wait_until(lambda: "interval = 17" in path.read_text(), 20), path.read_text()
        assert wait_until(lambda: title() == "trayapp Preferences", 20), title()
        keys(wid, "BackSpace", "BackSpace", "3", "0")              # 17 -> 30, not saved
        assert wait_until(lambda: title().endswith("unsaved changes"), 20), title()
        keys(wid, "Escape")                                        # Close: it asks
        assert wait_until(lambda: asking() is not None, 20)
        desktop.run("xdotool", "windowfocus", "--sync", asking() or "", check=False)
        click(1, "Cancel")                                         # Cancel: still open
        assert wait_until(lambda: asking() is None, 20)
        assert proc.poll() is None and "interval = 17" in path.read_text()
        keys(wid, "Escape")
        assert wait_until(lambda: asking() is not None, 20)
        desktop.run("xdotool", "windowfocus", "--sync", asking() or "", check=False)
        click(2, "Discard")
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)
    text = path.read_text()
    assert "interval = 17" in text and "interval = 30" not in text, text
