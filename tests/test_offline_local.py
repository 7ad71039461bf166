"""Offline is offline everywhere, except on this machine: local services stay assessed.

Pure steps of the core, then every surface that shows them (JSON, text, tooltip,
the notification's fallback line, `watch`'s network lines).
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

from trayapp.cli.main import WatchPrinter
from trayapp.config import parse_text
from trayapp.core.monitor import MonitorState, StepResult, is_local, step
from trayapp.core.policy import Settings, fallback_line
from trayapp.core.render import exit_code, offered, snapshot_json, snapshot_text
from trayapp.domain.levels import Level
from trayapp.domain.model import Connectivity, Observation, ProbeResult, SourceProblem, failed_feed
from trayapp.tray.tooltip import tooltip

CONFIG = parse_text("""
[[services]]
id = "claude"
name = "Claude"
fallbacks = ["openai", "ollama"]
feed = { kind = "statuspage", url = "https://status.example.com" }
probe = { url = "https://api.example.com/v1/models" }
[[services]]
id = "openai"
name = "ChatGPT"
role = "fallback"
probe = { url = "https://api.openai.example/v1/models" }
[[services]]
id = "ollama"
preset = "ollama"
role = "fallback"
""", "test")
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
UP = ProbeResult(Level.OPERATIONAL, "HTTP 200 in 3 ms", status_code=200)
REFUSED = ProbeResult(Level.MAJOR_OUTAGE, "connection refused", error="refused")


def offline_step(conn: Connectivity = Connectivity.NO_NETWORK) -> StepResult:
    obs = {"claude": Observation(
               feed=failed_feed("statuspage", SourceProblem.UNREACHABLE, "unreachable"),
               probe=REFUSED),
           "openai": Observation(probe=REFUSED),
           "ollama": Observation(probe=UP)}
    return step(CONFIG, MonitorState(), conn, obs, T0)


def test_only_services_whose_every_url_is_on_this_machine_are_local() -> None:
    assert [s.id for s in CONFIG.services if is_local(s, CONFIG)] == ["ollama"]
    # a connectivity check on this machine (test set-ups) tells nothing apart
    same_box = parse_text("""
connectivity_url = "http://127.0.0.1:9/generate_204"
[[services]]
id = "ollama"
preset = "ollama"
""", "test")
    assert not is_local(same_box.services[0], same_box)


def test_offline_remote_is_unknown_probe_included_local_is_assessed_and_offered() -> None:
    for conn in (Connectivity.NO_NETWORK, Connectivity.CAPTIVE_PORTAL):
        r = offline_step(conn)
        data = snapshot_json(r.snapshot)
        by_id = {s["id"]: s for s in data["services"]}
        assert by_id["claude"]["level"] == "unknown"
        assert by_id["claude"]["probe"]["level"] == "unknown"       # not major_outage
        assert by_id["openai"]["probe"]["level"] == "unknown"
        assert by_id["ollama"]["level"] == "operational" and by_id["ollama"]["local"]
        assert by_id["claude"]["fallbacks"] == [{"id": "openai", "level": "unknown"},
                                                {"id": "ollama", "level": "operational"}]
        assert r.events == () and exit_code(r.snapshot) == 3
        assert [s.id for s in offered(r.snapshot, "claude")] == ["ollama"]


def test_the_offline_text_is_said_once_and_the_local_fallback_is_offered() -> None:
    r = offline_step()
    assert r.snapshot.reason == "no network"
    text = snapshot_text(r.snapshot)
    assert "offline (no network)" in text and "offline: offline" not in text.lower()
    assert "try: Ollama (local)" in text
    claude = r.snapshot.service("claude")
    assert claude is not None and claude.summary == "offline: no network"
    tip = tooltip(r.snapshot, T0)
    assert tip == "trayapp: offline: no network - checked just now - Try: Ollama (local)"
    assert fallback_line(r.snapshot, "claude", Settings(local_ids=frozenset({"ollama"}))) == \
        "Try: Ollama (local)"


def test_a_local_server_that_is_down_is_not_offered() -> None:
    obs = {"claude": Observation(probe=REFUSED), "openai": Observation(probe=REFUSED),
           "ollama": Observation(probe=REFUSED)}
    state = MonitorState()
    for i in range(2):                                  # confirmed after two bad probes
        r = step(CONFIG, state, Connectivity.NO_NETWORK, obs, T0 + timedelta(minutes=i))
        state = r.state
    ollama = r.snapshot.service("ollama")
    assert ollama is not None and ollama.level is Level.MAJOR_OUTAGE
    assert offered(r.snapshot, "claude") == ()
    assert "Try:" not in tooltip(r.snapshot, T0)


def test_a_watched_local_service_keeps_its_level_offline() -> None:
    config = parse_text("""
[[services]]
id = "ollama"
preset = "ollama"
""", "test")
    r = step(config, MonitorState(), Connectivity.CAPTIVE_PORTAL,
             {"ollama": Observation(probe=UP)}, T0)
    assert r.snapshot.overall is Level.OPERATIONAL


def test_watch_does_not_open_with_a_transition_from_an_online_it_never_saw() -> None:
    out = io.StringIO()
    printer = WatchPrinter(out, as_json=True)
    printer(offline_step())
    first = json.loads(out.getvalue().splitlines()[0])
    assert (first["kind"], first["old"], first["new"]) == ("offline", None, "offline")
    back = step(CONFIG, MonitorState(), Connectivity.ONLINE,
                {"ollama": Observation(probe=UP)}, T0 + timedelta(minutes=1))
    printer(back)
    second = json.loads(out.getvalue().splitlines()[1])
    assert (second["kind"], second["old"], second["new"]) == ("online", "offline", "online")
    text = io.StringIO()
    WatchPrinter(text, as_json=False)(offline_step())
    assert "network  offline  no network" in text.getvalue()
    assert "online ->" not in text.getvalue()
