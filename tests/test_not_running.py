"""A local model server that is not running is its own state, never an outage.

The default config (Claude watched, ChatGPT and Ollama as fallbacks) on a machine
without Ollama: its URL points at a loopback port nothing listens on. Real
`trayapp status`, `pick` and `watch --json` runs against a loopback server for the
vendors; the core's steps fed to the tray's notification policy and to the
history record; `trayapp init` with and without an Ollama answering.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli_helpers import Watcher
from tests.faults.kit import isolated_env, run_cli
from tests.loopback import LoopbackServer, fixture, free_port, wait_until
from trayapp.cli import quick
from trayapp.config import DEFAULT_CONFIG_TOML, OLLAMA_URL, Config, parse_text
from trayapp.core.history.record import from_step
from trayapp.core.monitor import MonitorState, step
from trayapp.core.pick import offers
from trayapp.core.policy import PolicyState, Settings, decide, fallback_line
from trayapp.core.probe import NetContext, classify
from trayapp.core.render import exit_code, snapshot_json, snapshot_text
from trayapp.domain.levels import Level
from trayapp.domain.model import NOT_RUNNING, Connectivity, Observation, ProbeResult
from trayapp.domain.outcome import FailKind, FetchFailed
from trayapp.edges import configwrite
from trayapp.edges.localserver import find_ollama, ollama_url

CHECK = "/generate_204"
CLAUDE, OPENAI = "/claude", "/openai"
SUMMARY = "/api/v2/summary.json"
KEYLESS = fixture("edge-cases/anthropic-api-401-missing-key-1.json")
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def default_config_text(server: LoopbackServer, ollama: str, top: str = "") -> str:
    """The built-in default, its vendors moved to ``server`` and Ollama to ``ollama``."""
    def moved(preset: str, base: str, kind: str) -> str:
        url = server.url(base)
        return (f'preset = "{preset}"\nfeed = {{ kind = "{kind}", url = "{url}", '
                f'alternate = "{url}" }}\nprobe = {{ url = "{url}/v1/models" }}')
    text = DEFAULT_CONFIG_TOML.replace('preset = "anthropic"',
                                       moved("anthropic", CLAUDE, "statuspage"))
    text = text.replace('preset = "openai"', moved("openai", OPENAI, "incidentio"))
    text = text.replace('preset = "ollama"', f'preset = "ollama"\nprobe = {{ url = "{ollama}" }}')
    head = f'connectivity_url = "{server.url(CHECK)}"\ntimeout = 2\nconnect_timeout = 1\n{top}\n'
    return head + text


def vendors(server: LoopbackServer, *, down: bool = False) -> None:
    server.set(CHECK, b"", status=204)
    server.set(CLAUDE + SUMMARY, fixture("statuspage/anthropic-summary-3.json"))
    server.set(OPENAI + SUMMARY, fixture("incidentio/openai-summary-compat-2.json"))
    for base in (CLAUDE, OPENAI):
        if down:
            server.set(base + "/v1/models", b'{"error":"internal"}', status=500)
        else:
            server.set(base + "/v1/models", KEYLESS, status=401)


@pytest.fixture
def setup(server: LoopbackServer, tmp_path: Path) -> tuple[Path, dict[str, str], str]:
    dead = f"http://127.0.0.1:{free_port()}/api/tags"        # nothing listens there
    config = tmp_path / "config.toml"
    config.write_text(default_config_text(server, dead, "interval = 1"))
    return config, isolated_env(tmp_path / "env"), dead


# ---------------------------------------------------------------- the rule

@pytest.mark.parametrize(("kind", "local", "level", "code"), [
    (FailKind.REFUSED, True, Level.UNKNOWN, NOT_RUNNING),       # nothing listens here
    (FailKind.REFUSED, False, Level.MAJOR_OUTAGE, None),        # a vendor refusing
    (FailKind.TIMEOUT, True, Level.MAJOR_OUTAGE, None),         # a hung local server
])
def test_a_refusal_on_this_machine_is_not_running(kind: FailKind, local: bool, level: Level,
                                                  code: str | None) -> None:
    outcome = FetchFailed(OLLAMA_URL, kind, "x")
    result = classify(outcome, 2000, NetContext(local=local))
    assert (result.level, result.your_side) == (level, code)


# ---------------------------------------------------------------- the core, every surface

def probe_only(ollama_role: str) -> Config:
    """The default's three services, the two vendors probe-only (no page to read)."""
    return parse_text('[[services]]\nid = "claude"\nname = "Claude"\n'
                      'fallbacks = ["openai", "ollama"]\n'
                      'probe = { url = "https://api.example.com/v1/models" }\n'
                      '[[services]]\nid = "openai"\nname = "ChatGPT"\nrole = "fallback"\n'
                      'probe = { url = "https://api.openai.example/v1/models" }\n'
                      f'[[services]]\nid = "ollama"\npreset = "ollama"\nrole = "{ollama_role}"\n',
                      "t")


UP = ProbeResult(Level.OPERATIONAL, "HTTP 200 in 3 ms", status_code=200)
DOWN = ProbeResult(Level.MAJOR_OUTAGE, "API unreachable: timed out")
REFUSED = classify(FetchFailed(OLLAMA_URL, FailKind.REFUSED, "refused"), 2000,
                   NetContext(local=True))


def test_stopping_a_local_server_is_no_event_no_notification_no_down_time() -> None:
    watched = probe_only("watch")
    state, policy = MonitorState(), PolicyState()
    settings = Settings.from_config(watched, tz=UTC)
    seen = []
    for i, ollama in enumerate([UP, UP, REFUSED, REFUSED, REFUSED, UP]):
        now = T0 + timedelta(minutes=i)
        r = step(watched, state, Connectivity.ONLINE,
                 {"claude": Observation(probe=UP), "openai": Observation(probe=UP),
                  "ollama": Observation(probe=ollama)}, now)
        state = r.state
        d = decide(r.events, r.snapshot, policy, settings, now)
        policy = d.state
        record = {s.id: s for s in from_step(r, 60).services}["ollama"]
        s = r.snapshot.service("ollama")
        assert s is not None
        seen.append((s.state_label, s.level, len(r.events), len(d.notifications),
                     record.combined, record.probe, exit_code(r.snapshot)))
        cached = snapshot_json(r.snapshot)          # `status --cached` reads the same
        assert quick.status_exit(cached) == exit_code(r.snapshot)
        assert (f"Ollama (local): {s.state_label}" in quick.summary_line(cached, 0)) is True
    # watched, stopped: no event, no notification, no down time, and `status` exits 0
    stopped = ("not running", Level.UNKNOWN, 0, 0, "unknown", "unknown", 0)
    assert seen[2:5] == [stopped] * 3
    assert seen[5][:4] == ("operational", Level.OPERATIONAL, 0, 0)   # back: nothing to say


def test_not_running_is_never_offered_and_never_could_not_tell() -> None:
    config, state = probe_only("fallback"), MonitorState()
    for i in range(2):                                    # the outage confirmed
        r = step(config, state, Connectivity.ONLINE,
                 {"claude": Observation(probe=DOWN), "openai": Observation(probe=DOWN),
                  "ollama": Observation(probe=REFUSED)}, T0 + timedelta(minutes=i))
        state = r.state
    ollama = r.snapshot.service("ollama")
    assert ollama is not None and ollama.not_running and ollama.level is Level.UNKNOWN
    assert offers(snapshot_json(r.snapshot), "claude") == []
    settings = Settings.from_config(config)
    assert fallback_line(r.snapshot, "claude", settings) == "No fallback is up right now"
    text = snapshot_text(r.snapshot)
    assert "Ollama (local)  not running" in text and "try: no fallback is up" in text


# ---------------------------------------------------------------- the real commands

def test_status_on_a_machine_without_ollama(server: LoopbackServer,
                                            setup: tuple[Path, dict[str, str], str]) -> None:
    config, env, dead = setup
    vendors(server)
    done = run_cli(env, "status", "--config", str(config), "-v")
    assert done.rc == 0, done.stdout + done.stderr
    line = next(x for x in done.stdout.splitlines() if "Ollama (local)" in x)
    assert "not running" in line and "major outage" not in done.stdout
    # asked once: a refusal on this machine costs no retry (the retry waits 1 s first)
    assert done.stderr.count(f"GET {dead} failed") == 1, done.stderr
    data = run_cli(env, "status", "--json", "--config", str(config)).json()
    by_id = {s["id"]: s for s in data["services"]}
    assert by_id["ollama"]["not_running"] is True and by_id["ollama"]["level"] == "unknown"
    assert by_id["ollama"]["your_side"]["code"] == "not_running"
    assert by_id["claude"]["level"] == "operational" and data["overall"] == "operational"


def test_pick_never_offers_it_and_knows_none_is_up(server: LoopbackServer,
                                                  setup: tuple[Path, dict[str, str], str]) -> None:
    config, env, _ = setup
    vendors(server, down=True)
    done = run_cli(env, "pick", "claude", "--json", "--config", str(config))
    answer = json.loads(done.stdout)
    assert (done.rc, answer["pick"]) == (1, None), done.stdout + done.stderr
    assert answer["reason"].endswith("no fallback is up")            # known, not a guess
    assert {"id": "ollama", "level": "unknown", "not_running": True, "up": False} \
        in answer["fallbacks"]
    text = run_cli(env, "status", "--config", str(config))
    assert "try: no fallback is up right now" in text.stdout, text.stdout


def test_watch_prints_no_event_and_runs_no_hook(server: LoopbackServer, tmp_path: Path,
                                                setup: tuple[Path, dict[str, str], str]) -> None:
    config, env, _ = setup
    vendors(server)
    got = tmp_path / "hook.jsonl"
    recorder = tmp_path / "rec.py"
    recorder.write_text("import sys\nopen(sys.argv[1], 'a').write(sys.stdin.read() + '\\n')\n")
    config.write_text(config.read_text() + "\n[[hooks]]\nmin_gap = 0\n"
                      'on = ["worse", "better", "incident_new", "incident_resolved"]\n'
                      f"command = {json.dumps([sys.executable, str(recorder), str(got)])}\n")
    watcher = Watcher(config, env, "--json")
    try:
        # Five cycles: a refused Ollama used to be confirmed after two, then announced.
        assert wait_until(lambda: server.hits[CHECK] >= 6, 40)
        cycles_done = server.hits[CHECK]
        assert wait_until(lambda: server.hits[CHECK] >= cycles_done + 1, 20)
    finally:
        code, err = watcher.stop()
    assert code == 0 and "Traceback" not in err, err
    lines = []
    while not watcher.lines.empty():
        lines.append(watcher.lines.get())
    assert lines == [] and not got.exists()


# ---------------------------------------------------------------- set-up: init and the default

@pytest.mark.parametrize(("path", "body"), [
    ("/api/tags", b'{"models": [{"name": "llama3.2:latest"}]}'),
    ("/v1/models", b'{"object": "list", "data": [{"id": "llama3.2:latest"}]}'),
])
def test_init_adds_ollama_when_it_answers(server: LoopbackServer, tmp_path: Path, path: str,
                                          body: bytes) -> None:
    server.set(path, body)
    env = isolated_env(tmp_path / "env", OLLAMA_HOST=f"127.0.0.1:{server.port}")
    done = run_cli(env, "init")
    assert done.rc == 0, done.stderr
    config = parse_text(Path(done.stdout.strip()).read_text(), "init")
    ollama, claude = config.service("ollama"), config.service("claude")
    assert ollama is not None and ollama.probe is not None and claude is not None
    assert ollama.probe.url == server.url(path) and claude.fallbacks == ("openai", "ollama")
    assert "added as a fallback" in done.stderr


def test_init_leaves_ollama_commented_out_when_nothing_answers(tmp_path: Path) -> None:
    env = isolated_env(tmp_path / "env", OLLAMA_HOST=f"127.0.0.1:{free_port()}")
    done = run_cli(env, "init")
    assert done.rc == 0, done.stderr
    text = Path(done.stdout.strip()).read_text()
    config = parse_text(text, "init")
    claude = config.service("claude")
    assert config.service("ollama") is None and claude is not None
    assert claude.fallbacks == ("openai",)
    how = [x for x in text.splitlines() if "Ollama" in x and "uncomment" in x]
    assert len(how) == 1
    turned_on = text.replace("# [[services]]\n# id = \"ollama\"",
                             "[[services]]\nid = \"ollama\"").replace(
        '# preset = "ollama"\n# role = "fallback"', 'preset = "ollama"\nrole = "fallback"')
    assert parse_text(turned_on, "on").service("ollama") is not None   # as the line says
    assert "left commented out" in done.stderr


def test_the_built_in_default_has_ollama_only_when_it_answers(server: LoopbackServer,
                                                              tmp_path: Path) -> None:
    nobody = f"127.0.0.1:{free_port()}"
    assert find_ollama({"OLLAMA_HOST": nobody}) is None
    server.set("/api/tags", b'{"models": []}')
    here = f"127.0.0.1:{server.port}"
    assert find_ollama({"OLLAMA_HOST": here}) == server.url("/api/tags")
    env = isolated_env(tmp_path / "env", OLLAMA_HOST=nobody)
    data = run_cli(env, "status", "--json").json()                 # no config file
    assert [s["id"] for s in data["services"]] == ["claude", "openai"]
    assert configwrite.starter_text(ollama=None).count("# preset = \"ollama\"") == 1


@pytest.mark.parametrize(("value", "url"), [
    ("", OLLAMA_URL),
    ("127.0.0.1:11435", "http://127.0.0.1:11435/api/tags"),
    ("http://localhost:8080", "http://localhost:8080/api/tags"),
    ("0.0.0.0", OLLAMA_URL),                  # every address of this machine: the default
    ("[::1]:9000", "http://[::1]:9000/api/tags"),
    ("gpu-box.lan:11434", OLLAMA_URL),        # another machine: not checked at set-up
    ("127.0.0.1:notaport", OLLAMA_URL),
])
def test_ollama_host_is_read_as_ollama_reads_it(value: str, url: str) -> None:
    assert ollama_url({"OLLAMA_HOST": value}) == url


def test_the_set_up_check_asks_where_the_preset_probes() -> None:
    from trayapp.config import load_presets
    assert load_presets()["ollama"]["probe"]["url"] == OLLAMA_URL
