"""Tooltip, menu model and details text: pure, no display."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from tests.test_tray_builders import HOSTILE, T0, claude, fallbacks, incident, snapshot
from trayapp.core.render import snapshot_json
from trayapp.domain.levels import Level
from trayapp.tray.backend import no_display_reason, requested
from trayapp.tray.menu import Act, Item, MenuState, build_menu, flat_actions
from trayapp.tray.tooltip import limit_for, tooltip
from trayapp.windows.details_html import to_html
from trayapp.windows.details_text import dashboard, details_lines, plain_text, window_title

NOW = T0 + timedelta(minutes=4)
BAD = ("\x1b", "\x07", "\u202e", "<b>", "<script>", "[31m", "\n")
STATE = MenuState(local_ids=frozenset({"ollama"}), fallback_ids=("openai", "ollama"))


def shown(items: tuple[Item, ...]) -> tuple[Item, ...]:
    """The items a user sees (hidden slots left out, in submenus too)."""
    return tuple(replace(i, children=shown(i.children)) for i in items if i.visible)


def walk(items: tuple[Item, ...]) -> list[Item]:
    out: list[Item] = []
    for i in items:
        out.append(i)
        out += walk(i.children)
    return out


# ------------------------------------------------------------------ tooltip

def test_tooltip_names_the_worst_service_and_its_incident() -> None:
    snap = snapshot(claude(Level.PARTIAL_OUTAGE, incident()), *fallbacks())
    assert tooltip(snap, NOW + timedelta(minutes=5)) == \
        "Claude: partial outage - Elevated errors on Claude Opus (updated 4 min ago)"


def test_tooltip_states() -> None:
    assert tooltip(None, NOW).startswith("trayapp: starting")
    assert tooltip(snapshot(claude(), *fallbacks()), T0) == "Claude: operational (checked just now)"
    assert tooltip(snapshot(claude(Level.UNKNOWN), offline=True), NOW) == \
        "trayapp: offline: no network - checked 4 min ago"
    assert tooltip(snapshot(claude()), T0, paused=True).endswith("[notifications paused]")
    two = snapshot(claude(Level.MAJOR_OUTAGE), claude(Level.DEGRADED))
    assert tooltip(two, T0).endswith("(+1 more)")


@pytest.mark.parametrize("platform", ["win32", "linux", "darwin"])
def test_tooltip_respects_platform_limits_with_hostile_text(platform: str) -> None:
    limit = limit_for(platform)
    snap = snapshot(claude(Level.MAJOR_OUTAGE, incident(HOSTILE)), *fallbacks())
    text = tooltip(snap, NOW + timedelta(minutes=5), limit, paused=True)
    assert len(text) <= limit
    assert text.startswith("Claude: major outage - Bold red evil")
    assert text.endswith("(updated 4 min ago) [notifications paused]")
    assert not any(b in text for b in BAD)
    assert limit_for("win32") == 127


# ------------------------------------------------------------------ menu

def test_menu_structure() -> None:
    snap = snapshot(claude(Level.MAJOR_OUTAGE, incident()), *fallbacks(ollama=Level.UNKNOWN))
    items = shown(build_menu(snap, STATE, NOW))
    top = [i.text for i in items if not i.separator]
    assert top == ["Details…", "Claude: major outage", "Fallbacks", "ChatGPT: operational",
                   "Ollama (local): unknown", "Check now", "Pause notifications",
                   "Preferences…", "Troubleshooting", "About", "Quit"]
    trouble = next(i for i in items if i.text == "Troubleshooting").children
    assert [(i.text, i.action.kind if i.action else None) for i in trouble] == [
        ("Send a test notification", Act.TEST_NOTIFICATION),
        ("Open config file", Act.OPEN_CONFIG), ("Open log", Act.OPEN_LOG)]
    assert items[0].default and items[0].action is not None
    claude_sub = items[1].children
    inc = next(i for i in claude_sub if i.text.startswith("Incident:"))
    assert [c.text for c in inc.children] == [
        "Status: investigating, since 4 min ago", "Latest: Fix in progress.",
        "Affects: Claude API", "Open incident"]
    assert inc.children[-1].action is not None
    assert inc.children[-1].action.arg == "https://status.example.com/i/1"
    assert "Claude API: major outage" in [c.text for c in claude_sub]
    chat = next(i for i in items if i.text.startswith("ChatGPT"))
    assert chat.children[0].text == "Open ChatGPT"
    assert chat.children[0].action is not None
    assert chat.children[0].action.arg == "https://chatgpt.com"


def test_menu_pause_and_autostart_states() -> None:
    on = build_menu(None, MenuState(paused_until=NOW + timedelta(hours=1), autostart=True), NOW)
    pause = next(i for i in on if i.text.startswith("Pause notifications ("))
    assert [c.enabled for c in pause.children] == [True, True, True]
    start = next(i for i in on if i.text == "Start at login")
    assert start.checked is True and start.action is not None
    assert start.action.kind is Act.AUTOSTART
    off = build_menu(None, MenuState(autostart=False), NOW)
    assert next(i for i in off if i.text == "Start at login").checked is False
    resume = next(i for i in off if i.text == "Pause notifications").children[2]
    assert not resume.enabled
    assert "Checking…" in [i.text for i in off]
    assert not off[0].visible and on[0].visible and on[0].action is not None
    assert on[0].action.kind is Act.RESUME


def test_menu_pause_words_have_the_hour_and_an_en_dash() -> None:
    """"Paused until 20:04 – Resume", "Until tomorrow (08:00)": the clock in this
    machine's zone, with a real en dash (never a hyphen)."""
    local = datetime(2024, 5, 1, 20, 4).astimezone()
    morning = datetime(2024, 5, 2, 8, 0).astimezone()
    items = build_menu(None, MenuState(paused_until=local, tomorrow=morning),
                       local - timedelta(minutes=30))
    assert items[0].text == "Paused until 20:04 \u2013 Resume"
    pause = next(i for i in items if i.text.startswith("Pause notifications"))
    assert pause.text == "Pause notifications (until 20:04)"
    assert [c.text for c in pause.children] == [
        "For 1 hour", "Until tomorrow (08:00)", "Resume"]
    assert "Pause until tomorrow (08:00)" in [i.text for i in flat_actions(items)]


def test_menu_refuses_non_web_links_and_sanitizes_labels() -> None:
    bad = incident(HOSTILE, url="javascript:alert(1)")
    snap = snapshot(claude(Level.MAJOR_OUTAGE, bad), *fallbacks())
    for item in walk(build_menu(snap, STATE, NOW)):
        assert len(item.text) <= 80
        assert not any(b in item.text for b in BAD)
        if item.action is not None and item.action.kind is Act.OPEN_URL:
            assert item.action.arg.startswith(("https://", "http://"))
    open_incident = next(i for i in walk(build_menu(snap, STATE, NOW))
                         if i.text == "Open incident")
    assert open_incident.action is None and not open_incident.enabled


def test_flat_actions_for_menu_less_backends() -> None:
    items = build_menu(None, MenuState(autostart=False), NOW)
    assert [i.text for i in flat_actions(items)] == [
        "Check now", "Pause for 1 hour", "Pause until tomorrow", "Start at login",
        "Preferences…", "Send a test notification", "Open config file", "Open log", "About",
        "Quit"]


# ------------------------------------------------------------------ details text
# (the dashboard's wording, table by table: tests/test_details_text.py)

def payload(snap: object) -> dict[str, object]:
    return {"snapshot": json.loads(json.dumps(snapshot_json(snap))), "actions": []}  # type: ignore[arg-type]


def test_details_lines_show_everything_newest_update_first() -> None:
    snap = snapshot(claude(Level.MAJOR_OUTAGE, incident()), *fallbacks())
    text = plain_text(details_lines(payload(snap)))
    for want in ("Claude: Major outage", "Incident: Elevated errors on Claude Opus",
                 "affects Claude API", "ChatGPT: operational", "Status page"):
        assert want in text
    assert text.index("Fix in progress.") < text.index("We are investigating.")
    assert window_title(payload(snap)) == "trayapp: Claude major outage"


def test_details_hostile_text_is_text_and_html_is_escaped() -> None:
    bad = incident(HOSTILE, body=HOSTILE, url="javascript:alert(1)")
    snap = snapshot(claude(Level.MAJOR_OUTAGE, bad), *fallbacks())
    lines = details_lines(payload(snap))
    for line in lines:
        assert not any(b in line.text for b in BAD if b != "\n")
        assert line.url is None or line.url.startswith(("https://", "http://"))
    page = to_html(dashboard(payload(snap)["snapshot"], NOW))  # type: ignore[arg-type]
    assert "<script>" not in page and "javascript:" not in page


@pytest.mark.parametrize("url", [
    "https://status.example.com@evil.example/", "https://evil.example/incidents/1",
    "https://status.example.com/\u202eexe.txt", "https://status.example.com/a\U000e0041",
])
def test_every_tray_surface_is_clean_and_shows_deceptive_links_as_text(url: str) -> None:
    """The full hostile payload (format/tag characters, separators included) and a
    deceptive incident link, in tooltip, menu and details window."""
    from tests.hostile import assert_neutralised, hostile
    bad = incident(hostile("TRAY"), body=hostile("BODY") + f" [click]({url}) {url}", url=url)
    snap = snapshot(claude(Level.MAJOR_OUTAGE, bad), *fallbacks())
    assert_neutralised(tooltip(snap, NOW))
    items = walk(build_menu(snap, STATE, NOW))
    for item in items:
        assert_neutralised(item.text)
    assert next(i for i in items if i.text == "Open incident").action is None
    lines = details_lines(payload(snap))
    for line in lines:
        assert_neutralised(line.text, newlines=True)
    assert not [ln for ln in lines if ln.text == "Open incident"]
    assert [ln.url for ln in lines if ln.url and ("evil" in ln.url or "\u202e" in ln.url
                                                  or "\U000e0041" in ln.url)] == []


def test_details_survives_garbage_payload() -> None:
    assert window_title({}) == "trayapp"
    assert plain_text(details_lines({"snapshot": {"services": [1, None, {"role": "watch"}]}}))


# ------------------------------------------------------------------ backend selector

def test_backend_override_sets_pystray_backend() -> None:
    env = {"TRAYAPP_TRAY_BACKEND": "GTK"}
    assert requested(env) == "gtk" and env["PYSTRAY_BACKEND"] == "gtk"
    with pytest.raises(ValueError, match="xorg, gtk, appindicator"):
        requested({"TRAYAPP_TRAY_BACKEND": "qt"})
    assert no_display_reason({}, "linux") is not None
    assert no_display_reason({}, "win32") is None
    assert no_display_reason({"WAYLAND_DISPLAY": "w"}, "linux") is None


def test_without_display_the_cli_falls_back_to_watch_with_a_reason(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "c.toml"
    cfg.write_text('connectivity_url = ""\ninterval = 1\n[[services]]\nid = "x"\n'
                   'probe = { url = "http://127.0.0.1:9/x" }\n')
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "s"),
               XDG_RUNTIME_DIR=str(tmp_path / "r"))
    proc = subprocess.Popen([sys.executable, "-m", "trayapp", "--config", str(cfg)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    assert line.startswith("trayapp: no tray icon can be shown (no graphical display")
    assert "running `trayapp watch` instead" in line


def test_status_and_watch_never_import_tray_libraries() -> None:
    code = ("import sys, trayapp.cli.main, trayapp.runtime.engine, trayapp.core.render; "
            "bad = [m for m in ('pystray', 'PIL', 'plyer', 'tkinter', 'gi', 'trayapp.tray') "
            "if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
