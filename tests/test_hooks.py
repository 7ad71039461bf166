"""Hooks: the `[[hooks]]` section, which events each hook takes, webhook bodies, `http.post`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.loopback import free_port
from trayapp.config import Config, ConfigError, parse_text
from trayapp.config.hooks import DEFAULT_ON, HookConfig
from trayapp.domain.levels import Level
from trayapp.edges import http
from trayapp.runtime.hooks import body, clean_environ, held, message, wanted

BASE = '[[services]]\nid = "claude"\npreset = "anthropic"\n'
TOKEN = "T0KEN-abcdef123456"


def hooks_of(text: str) -> tuple[HookConfig, ...]:
    return parse_text(BASE + text, "cfg.toml").hooks


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse_text(BASE + text, "cfg.toml")
    return str(info.value)


def test_hooks_parse_with_defaults() -> None:
    (cmd, web) = hooks_of('[[hooks]]\ncommand = ["notify-send", "x"]\n'
                          f'[[hooks]]\nname = "slack"\nurl = "https://hooks.example/{TOKEN}"\n'
                          'format = "slack"\non = ["worse"]\nservices = ["claude"]\n'
                          'min_level = "partial_outage"\nrespect_quiet_hours = true\n')
    assert cmd == HookConfig(name="hooks[0]", command=("notify-send", "x"))
    assert cmd.on == frozenset(DEFAULT_ON) and cmd.min_gap is None and cmd.timeout == 10
    assert (web.name, web.format, web.on, web.services, web.min_level) == (
        "slack", "slack", frozenset({"worse"}), frozenset({"claude"}), Level.PARTIAL_OUTAGE)
    assert web.respect_quiet_hours and web.target == "https://hooks.example"
    assert parse_text(BASE, "cfg.toml").hooks == ()


@pytest.mark.parametrize(("text", "words"), [
    ('[[hooks]]\ncommand = ["x"]\non = ["sideways"]', "hooks[0].on: unknown event kind"),
    ('[[hooks]]\ncommand = ["x"]\nurl = "https://a.example"', "either command"),
    ('[[hooks]]\nname = "n"', "either command"),
    ('[[hooks]]\ncommand = []', "must name a program"),
    ('[[hooks]]\ncommand = "notify-send"', "list of non-empty strings"),
    ('[[hooks]]\ncommand = ["x"]\nformat = "slack"', "url hooks only"),
    ('[[hooks]]\nurl = "https://a.example"\nformat = "xml"', "must be one of json"),
    ('[[hooks]]\ncommand = ["x"]\nservices = ["nope"]', "no service with id 'nope'"),
    ('[[hooks]]\ncommand = ["x"]\nmin_level = "bad"', "min_level"),
    ('[[hooks]]\ncommand = ["x"]\ntimeout = 0', "timeout"),
    ('[[hooks]]\ncommand = ["x"]\nshell = true', "hooks[0].shell: unknown key"),
    ('[[hooks]]\ncommand = ["x"]\n[[hooks]]\ncommand = ["y"]\nname = "hooks[0]"', "two hooks"),
])
def test_bad_hooks_are_one_line(text: str, words: str) -> None:
    message = error_of(text)
    assert words in message and "\n" not in message


def test_hooks_must_be_tables() -> None:
    with pytest.raises(ConfigError, match="hooks: must be a list"):
        parse_text("hooks = 3\n" + BASE, "cfg.toml")
    with pytest.raises(ConfigError, match=r"hooks\[0\]: must be a table"):
        parse_text("hooks = [1]\n" + BASE, "cfg.toml")


@pytest.mark.parametrize("url", [f"http://hooks.example/{TOKEN}", f"ftp://h.example/{TOKEN}",
                                 f"https://h.example/{TOKEN} x", f"https://h.example:99999/{TOKEN}"])
def test_a_bad_webhook_url_is_refused_without_echoing_it(url: str) -> None:
    message = error_of(f'[[hooks]]\nurl = "{url}"')
    assert "hooks[0].url" in message and TOKEN not in message


CONFIG = parse_text("min_gap = 600\nquiet_hours = \"22:00-07:00\"\n" + BASE, "cfg.toml")
NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def event(kind: str, old: str = "operational", new: str = "major_outage",
          service: str | None = "claude") -> dict[str, Any]:
    return {"time": NOON.isoformat(), "service": service, "kind": kind, "old": old, "new": new,
            "reason": "<!channel> *boom* @everyone", "incident": None}


def test_wanted_by_kind_service_and_level() -> None:
    hook = HookConfig(name="h", command=("x",))
    assert wanted(hook, event("worse")) and wanted(hook, event("better"))
    assert not wanted(hook, event("maintenance_started")) and not wanted(hook, event("offline"))
    picky = replace(hook, on=frozenset({"worse", "offline"}), services=frozenset({"openai"}),
                    min_level=Level.PARTIAL_OUTAGE)
    assert not wanted(picky, event("worse"))                       # another service
    assert wanted(picky, event("worse", service="openai"))
    assert not wanted(picky, event("worse", "operational", "degraded", service="openai"))
    assert wanted(picky, event("offline", "online", "offline", service=None))


def test_held_by_min_gap_for_problems_only_and_quiet_hours_only_when_asked() -> None:
    hook = HookConfig(name="h", command=("x",))
    recent = NOON - timedelta(minutes=5)
    assert held(hook, event("worse"), NOON, CONFIG, recent) == "min_gap"
    assert held(hook, event("worse"), NOON, CONFIG, NOON - timedelta(minutes=11)) is None
    assert held(hook, event("better"), NOON, CONFIG, recent) is None
    assert held(replace(hook, min_gap=0), event("worse"), NOON, CONFIG, recent) is None
    night = datetime.combine(NOON.date(), time(23, 30)).astimezone()
    assert held(hook, event("worse"), night, CONFIG, None) is None
    quiet = replace(hook, respect_quiet_hours=True)
    assert held(quiet, event("better"), night, CONFIG, None) == "quiet hours"


def test_bodies_escape_feed_text_for_each_chat() -> None:
    names = {"claude": "Claude"}
    assert message(event("worse"), names).startswith("Claude: operational -> major outage: ")
    hook = HookConfig(name="h", url="https://x.example")
    assert json.loads(body(hook, event("worse"), names)) == event("worse")
    slack = json.loads(body(replace(hook, format="slack"), event("worse"), names))
    assert "<!channel>" not in slack["text"] and "&lt;!channel&gt;" in slack["text"]
    discord = json.loads(body(replace(hook, format="discord"), event("worse"), names))
    assert discord["allowed_mentions"] == {"parse": []}
    assert "\\*boom\\*" in discord["content"] and "\\@everyone" in discord["content"]
    network = message(event("offline", "online", "offline", service=None), names)
    assert network.startswith("Network: online -> offline")


def test_hook_commands_never_get_an_api_key() -> None:
    config = parse_text('[[services]]\nid = "claude"\npreset = "anthropic"\n'
                        'probe = { api_key_env = "MY_KEY", api_key_header = "x-api-key" }\n',
                        "cfg.toml")
    assert isinstance(config, Config)
    env = clean_environ({"MY_KEY": "sk-1", "PATH": "/bin"}, config)
    assert env == {"PATH": "/bin"}


class Receiver:
    """A webhook receiver on 127.0.0.1: answers each POST with the next status."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.bodies: list[bytes] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                owner.bodies.append(data)
                status = owner.statuses.pop(0) if owner.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook/{TOKEN}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver([200, 500, 404])
    try:
        yield r
    finally:
        r.close()


def test_post_answers_as_plain_values(receiver: Receiver) -> None:
    ok = http.post(receiver.url, b'{"a": 1}')
    assert ok.ok and ok.status == 200 and receiver.bodies == [b'{"a": 1}']
    server_error = http.post(receiver.url, b"x")
    assert (server_error.ok, server_error.retryable, server_error.error) == (
        False, True, "HTTP 500")
    missing = http.post(receiver.url, b"x")
    assert (missing.ok, missing.retryable) == (False, False)
    dead = http.post(f"http://127.0.0.1:{free_port()}/hook/{TOKEN}", b"x", timeout=2)
    assert dead.status is None and dead.retryable and dead.error
    assert TOKEN not in dead.error


def test_the_documented_hook_recipes_parse() -> None:
    from pathlib import Path
    page = (Path(__file__).parent.parent / "docs" / "integrations" / "hooks.md").read_text()
    blocks = [b.split("```", 1)[0] for b in page.split("```toml\n")[1:]]
    recipes = [b for b in blocks if "[[hooks]]" in b]
    assert len(recipes) >= 2
    for block in recipes:
        assert parse_text(BASE + block, "docs/integrations/hooks.md").hooks


def test_submit_damps_problems_per_hook_and_service_and_reports_the_network(
        tmp_path: Any) -> None:
    """In process: Hooks.submit with real StepResults, a real command hook."""
    import sys

    from tests.loopback import wait_until
    from trayapp.core.monitor import MonitorState, StepResult
    from trayapp.domain.model import Event, EventKind, ServiceStatus, Snapshot
    from trayapp.runtime.hooks import Hooks

    out = tmp_path / "got.jsonl"
    script = "import sys\nopen(sys.argv[1], 'a').write(sys.stdin.read() + '\\n')\n"
    config = parse_text("min_gap = 600\n" + BASE + "[[hooks]]\n"
                        f"on = {json.dumps(['worse', 'better', 'offline', 'online'])}\n"
                        f"command = {json.dumps([sys.executable, '-c', script, str(out)])}\n",
                        "cfg.toml")
    hooks = Hooks(config, environ={})

    def cycle(minute: int, offline: bool, *changes: tuple[Level, Level]) -> None:
        at = NOON + timedelta(minutes=minute)
        snap = Snapshot(checked_at=at, offline=offline, reason="no network" if offline else None,
                        services=(ServiceStatus("claude", "Claude", "watch", Level.UNKNOWN, "s"),))
        events = tuple(Event(EventKind.WORSE if new.rank > old.rank else EventKind.BETTER,
                             "claude", old, new, "r", at) for old, new in changes)
        hooks.submit(StepResult(MonitorState(), snap, events))

    try:
        cycle(0, False, (Level.OPERATIONAL, Level.DEGRADED))        # sent
        cycle(1, False, (Level.DEGRADED, Level.MAJOR_OUTAGE))       # worse within min_gap: held
        cycle(2, False, (Level.MAJOR_OUTAGE, Level.OPERATIONAL))    # a recovery always passes
        cycle(3, True)                                              # offline
        cycle(4, False)                                             # online
        cycle(11, False, (Level.OPERATIONAL, Level.PARTIAL_OUTAGE))  # the gap is over: sent
        assert wait_until(lambda: out.exists() and out.read_text().count("}\n") >= 5, 20)
    finally:
        hooks.close()
    got = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    assert [(e["kind"], e["new"]) for e in got] == [
        ("worse", "degraded"), ("better", "operational"), ("offline", "offline"),
        ("online", "online"), ("worse", "partial_outage")]
