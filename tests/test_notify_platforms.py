"""macOS and Windows notifications, checked on Linux.

macOS: a stand-in ``osascript`` first on PATH records its argv; the test reads
what a user would see (title, subtitle, body) and that hostile text never
becomes part of the script. Windows: a fake of the small :class:`Toasts`
interface (the only code that calls WinRT) records the toast's XML, tag and
action callback; the XML is parsed as Windows would and read back.
Neither is checked against a real Mac or Windows here.
"""

from __future__ import annotations

import json
import logging
import stat
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from trayapp.tray.notifier import Notifier
from trayapp.tray.notify_actions import NoteAction
from trayapp.tray.notify_mac import SCRIPT, in_app_bundle
from trayapp.tray.notify_win import AUMID, AUMID_KEY, register, toast_xml

HOSTILE = ('Claude" & (do shell script "touch /tmp/pwned") & "\\\nend run\n'
           '-e say hi <b>x</b> &amp;')
RECORDER = """import json, os, sys
with open(os.path.join(os.path.dirname(sys.argv[0]), "calls.jsonl"), "a") as out:
    out.write(json.dumps(sys.argv[1:]) + "\\n")
"""


@pytest.fixture
def osascript(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    program = tmp_path / "osascript"
    program.write_text(f"#!{sys.executable}\n{RECORDER}")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(tmp_path))
    return tmp_path / "calls.jsonl"


def calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_mac_title_subtitle_body_reach_osascript_as_arguments(osascript: Path) -> None:
    notifier = Notifier("darwin")
    notifier.send("Claude: major outage", "Elevated errors\nUse ChatGPT (up)", key="claude")
    notifier.close(timeout=20)
    [argv] = calls(osascript)
    script = [argv[i + 1] for i, arg in enumerate(argv[:6]) if arg == "-e"]
    assert script == list(SCRIPT)
    assert argv[6:] == ["trayapp", "trayapp", "Claude: major outage",
                        "Elevated errors\nUse ChatGPT (up)"]


def test_mac_hostile_text_is_never_script(osascript: Path) -> None:
    notifier = Notifier("darwin")
    notifier.send(HOSTILE, HOSTILE)
    notifier.close(timeout=20)
    [argv] = calls(osascript)
    assert argv[:6] == ["-e", SCRIPT[0], "-e", SCRIPT[1], "-e", SCRIPT[2]]
    assert argv[6] == "trayapp"            # osascript reads no option after it
    title, body = argv[8], argv[9]
    assert "do shell script" in title and '"' in title and "\\" in title
    assert "\n" not in title               # a title is one line
    assert "\nend run\n-e say hi" in body   # lines kept, as plain text


def test_mac_says_once_where_notifications_come_from(
        osascript: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="trayapp.tray.notify_mac")
    notifier = Notifier("darwin")
    notifier.send("a", "b")
    notifier.send("c", "d")
    notifier.close(timeout=20)
    assert len(calls(osascript)) == 2
    said = [r.getMessage() for r in caplog.records if "Script Editor" in r.getMessage()]
    assert len(said) == 1 and "trayapp.app" in said[0]


def test_app_bundle_detection() -> None:
    exe = "/Applications/trayapp.app/Contents/MacOS/trayapp"
    assert in_app_bundle(True, exe)
    assert not in_app_bundle(False, exe)
    assert not in_app_bundle(True, "/opt/homebrew/bin/python3.11")
    assert not in_app_bundle(True, "/Contents/MacOS/trayapp")


class FakeToasts:
    def __init__(self) -> None:
        self.shown: list[tuple[ET.Element, str, Callable[[str], None]]] = []

    def show(self, xml: str, tag: str, on_action: Callable[[str], None]) -> None:
        self.shown.append((ET.fromstring(xml), tag, on_action))


def test_windows_toast_has_text_icon_tag_and_actions(tmp_path: Path) -> None:
    chosen: list[str] = []
    icon = tmp_path / "level-major.png"
    toasts = FakeToasts()
    notifier = Notifier("win32", icons=lambda level: str(icon), toasts=toasts)
    actions = (NoteAction("default", "Details", lambda: chosen.append("details")),
               NoteAction("status", "Open status page", lambda: chosen.append("status")))
    notifier.send("Claude: major outage", "Use ChatGPT (up)", key="claude", actions=actions)
    notifier.send("Claude: up again", "", key="claude", actions=actions)
    notifier.close(timeout=20)
    (first, tag1, act), (second, tag2, _) = toasts.shown
    assert [t.text for t in first.iter("text")] == ["Claude: major outage", "Use ChatGPT (up)"]
    assert [t.text for t in second.iter("text")] == ["Claude: up again"]
    assert tag1 == tag2 == "claude"        # the second replaces the first
    [image] = first.iter("image")
    assert image.get("src") == icon.as_uri() and image.get("placement") == "appLogoOverride"
    assert [(a.get("arguments"), a.get("content")) for a in first.iter("action")] == [
        ("default", "Details"), ("status", "Open status page")]
    act("status")
    act("not-ours")                        # an id we never offered does nothing
    act("default")
    assert chosen == ["status", "details"]


def test_windows_toast_text_is_never_markup() -> None:
    root = ET.fromstring(toast_xml(HOSTILE, "<toast><text>x</text></toast> & more"))
    texts = [t.text for t in root.iter("text")]
    assert texts == [HOSTILE, "<toast><text>x</text></toast> & more"]
    assert len(list(root.iter("toast"))) == 1


def test_windows_toast_failure_falls_back_with_one_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        def show(self, xml: str, tag: str, on_action: Callable[[str], None]) -> None:
            raise OSError("WinRT unavailable")

    shown: list[tuple[str, str]] = []
    notifier = Notifier("win32", toasts=Broken())
    notifier._plyer = lambda title, body, icon="": shown.append((title, body))  # type: ignore[method-assign]
    notifier.send("a", "b")
    notifier.send("c", "d")
    notifier.close(timeout=20)
    assert shown == [("a", "b"), ("c", "d")]
    warned = [r for r in caplog.records if "WinRT unavailable" in r.getMessage()]
    assert len(warned) == 1


class MemoryRegistry:
    """The registry key's values in memory (winreg is Windows-only)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    @property
    def location(self) -> str:
        return "HKCU\\test"

    def get(self, name: str) -> str | bytes | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> bool:
        return self.values.pop(name, None) is not None


def test_windows_app_id_registered_with_name_and_icon() -> None:
    registry = MemoryRegistry()
    register(registry, "C:\\Users\\dev\\AppData\\Local\\trayapp\\trayapp.png")
    assert registry.values == {"DisplayName": "trayapp",
                               "IconUri": "C:\\Users\\dev\\AppData\\Local\\trayapp\\trayapp.png"}
    assert AUMID_KEY == "Software\\Classes\\AppUserModelId\\" + AUMID
