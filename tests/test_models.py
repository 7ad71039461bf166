"""Per-model probes against a fake vendor API on 127.0.0.1 (issue 17).

Real HTTP (POSTs with a key), the real budget file, the pure monitor; the clock
is passed in, so a simulated day takes a few seconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fakevendor import FakeVendor
from trayapp.config import Config, ConfigError, parse_text
from trayapp.core.monitor import MonitorState, step
from trayapp.core.render import snapshot_json
from trayapp.domain.levels import Level
from trayapp.edges.budget import Budget
from trayapp.edges.http import HttpClient
from trayapp.runtime.poller import Poller

KEY = "sk-ant-test-" + "9" * 20
OPUS, SONNET = "claude-opus-4-1", "claude-sonnet-4-5"
T0 = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)


@pytest.fixture
def vendor() -> Iterator[FakeVendor]:
    v = FakeVendor(key=KEY)
    try:
        yield v
    finally:
        v.close()


def config(vendor: FakeVendor, *, models: tuple[str, ...] = (OPUS, SONNET),
           dialect: str = "anthropic", extra: str = "", top: str = "") -> Config:
    names = ", ".join(f'"{m}"' for m in models)
    return parse_text(f"""
connectivity_url = false
interval = 60
timeout = 1.5
connect_timeout = 1
{top}
[[services]]
id = "claude"
name = "Claude"
[services.probe]
url = "{vendor.base}/v1/models"
api_key_env = "ANTHROPIC_API_KEY"
api_key_header = "x-api-key"
dialect = "{dialect}"
models = [{names}]
{extra}
""", "test.toml")


def run(cfg: Config, budget: Budget, times: list[datetime], *, key: str | None = KEY,
        retry: bool = False, state: MonitorState | None = None
        ) -> tuple[MonitorState, list]:      # type: ignore[type-arg]
    client = HttpClient(timeout=cfg.timeout)
    env = {"ANTHROPIC_API_KEY": key} if key else {}
    poller = Poller(cfg, client, env, budget=budget)
    state = state or MonitorState()
    snaps = []
    try:
        for now in times:
            urgent = frozenset(sid for sid, m in state.services.items()
                               if any(x.bad_streak or x.level.is_problem for x in m.models))
            poll = poller.poll(now, retry_probes=retry, urgent=urgent)
            result = step(cfg, state, poll.connectivity, poll.observations, now)
            state = result.state
            snaps.append(result.snapshot)
    finally:
        client.close()
    return state, snaps


def minutes(*ms: int) -> list[datetime]:
    return [T0 + timedelta(minutes=m) for m in ms]


def test_one_model_failing_is_degraded_naming_it(vendor: FakeVendor, tmp_path: Path) -> None:
    vendor.set(OPUS, 529, body=b'{"type":"error","error":{"type":"overloaded_error"}}')
    vendor.set(SONNET, 200)
    _, snaps = run(config(vendor), Budget(tmp_path), minutes(0, 1, 2))
    svc = snaps[-1].services[0]
    assert svc.level is Level.DEGRADED
    assert f"{OPUS}: overloaded (HTTP 529)" in svc.summary and f"{SONNET} answers" in svc.summary
    assert [(m.model, m.level) for m in svc.models] == [(OPUS, Level.DEGRADED),
                                                        (SONNET, Level.OPERATIONAL)]
    # the first bad answer is not yet confirmed (failure_threshold = 2)
    assert snaps[0].services[0].level is Level.OPERATIONAL
    # Each request is a real one-token request in the dialect, with the key.
    posts = [r for r in vendor.requests if r.method == "POST"]
    assert {r.path for r in posts} == {"/v1/messages"}
    assert all(r.body["max_tokens"] == 1 and r.headers["x-api-key"] == KEY for r in posts)
    data = snapshot_json(snaps[-1])["services"][0]
    assert [m["model"] for m in data["models"]] == [OPUS, SONNET]
    assert data["models"][0]["status_code"] == 529 and data["your_side"] is None


def test_every_model_failing_is_the_vendor(vendor: FakeVendor, tmp_path: Path) -> None:
    vendor.set(OPUS, 500)
    vendor.set(SONNET, 500)
    _, snaps = run(config(vendor), Budget(tmp_path), minutes(0, 1))
    svc = snaps[-1].services[0]
    assert svc.level is Level.PARTIAL_OUTAGE and "claude-sonnet-4-5: server errors" in svc.summary


def test_early_warning_names_the_model_and_the_page(vendor: FakeVendor, tmp_path: Path,
                                                    server) -> None:  # type: ignore[no-untyped-def]
    from tests.loopback import fixture
    server.set("/api/v2/summary.json", fixture("statuspage/anthropic-summary-3.json"))
    vendor.set(OPUS, 529)
    vendor.set(SONNET, 200)
    cfg = parse_text(f"""
connectivity_url = false
interval = 60
[[services]]
id = "claude"
name = "Claude"
feed = {{ kind = "statuspage", url = "{server.base}" }}
[services.probe]
url = "{vendor.base}/v1/models"
api_key_env = "ANTHROPIC_API_KEY"
api_key_header = "x-api-key"
dialect = "anthropic"
models = ["{OPUS}", "{SONNET}"]
""", "t.toml")
    _, snaps = run(cfg, Budget(tmp_path), minutes(0, 1, 7))
    svc = snaps[-1].services[0]
    assert svc.level is Level.DEGRADED and svc.probe_disagrees
    assert svc.summary.startswith(f"{OPUS} failing from this network for 7 min")
    assert svc.summary.endswith("the status page still says operational")


def test_no_model_probe_without_a_key(vendor: FakeVendor, tmp_path: Path) -> None:
    vendor.set(OPUS, 200)
    _, snaps = run(config(vendor), Budget(tmp_path), minutes(0, 20), key=None)
    assert vendor.model_requests() == 0 and snaps[-1].services[0].models[0].level \
        is Level.UNKNOWN
    assert not list(tmp_path.iterdir())          # nothing counted either


def test_models_run_every_model_interval_and_while_in_trouble(vendor: FakeVendor,
                                                               tmp_path: Path) -> None:
    vendor.set(OPUS, 200)
    vendor.set(SONNET, 200)
    cfg = config(vendor)                      # model_interval 600 s, polls every minute
    state, _ = run(cfg, Budget(tmp_path), minutes(*range(30)))
    assert vendor.counts[OPUS] == 3           # at 0, 10 and 20 minutes
    vendor.set(OPUS, 529)
    state, _ = run(cfg, Budget(tmp_path), minutes(*range(30, 36)), state=state)
    # 30 (due), then every poll while it fails: 31..35
    assert vendor.counts[OPUS] == 3 + 6
    # In trouble, polls come faster (every 15 s), the models only every interval (60 s).
    quarter = [T0 + timedelta(minutes=36, seconds=15 * i) for i in range(8)]
    run(cfg, Budget(tmp_path), quarter, state=state)
    assert vendor.counts[OPUS] == 3 + 6 + 2


def test_the_budget_holds_over_a_simulated_day(vendor: FakeVendor, tmp_path: Path) -> None:
    vendor.set(OPUS, 529)                     # in trouble all day: probed every poll
    vendor.set(SONNET, 200)
    cfg = config(vendor, extra="max_model_probes_per_day = 25")
    budget = Budget(tmp_path)
    times = [T0 + timedelta(minutes=15 * i) for i in range(4 * 24)]
    state, snaps = run(cfg, budget, times)
    assert vendor.model_requests() == 25      # spent, and never one more
    assert snaps[-1].services[0].budget is not None
    assert (snaps[-1].services[0].budget.used, snaps[-1].services[0].budget.limit) == (25, 25)
    text = json.dumps(snapshot_json(snaps[-1]))
    assert '"model_budget": {"used": 25, "limit": 25, "day": "2026-12-02"}' in text
    # A restart (a new Budget on the same directory) the same day spends nothing.
    run(cfg, Budget(tmp_path), [times[-1] + timedelta(minutes=1)], state=state)
    assert vendor.model_requests() == 25
    # The next UTC day starts a new count.
    run(cfg, Budget(tmp_path), [T0 + timedelta(days=1, minutes=1)], state=state)
    assert vendor.model_requests() == 27


def test_status_retries_a_failing_model_once(vendor: FakeVendor, tmp_path: Path) -> None:
    vendor.set(OPUS, 500)
    vendor.set(SONNET, 200)
    cfg = config(vendor, top="failure_threshold = 1")
    _, snaps = run(cfg, Budget(tmp_path), minutes(0), retry=True)
    assert vendor.counts[OPUS] == 2 and vendor.counts[SONNET] == 1
    assert snaps[0].services[0].level is Level.DEGRADED
    assert snaps[0].services[0].budget.used == 3   # type: ignore[union-attr]


def test_a_hanging_model_times_out(vendor: FakeVendor, tmp_path: Path) -> None:
    vendor.set(OPUS, hang=True)
    vendor.set(SONNET, 200)
    cfg = config(vendor, top="failure_threshold = 1")
    _, snaps = run(cfg, Budget(tmp_path), minutes(0))
    opus = snaps[0].services[0].models[0]
    assert opus.level is Level.MAJOR_OUTAGE and opus.detail == "not responding (timed out)"
    assert snaps[0].services[0].level is Level.DEGRADED


def test_a_slow_model_is_degraded_over_slow_ms(vendor: FakeVendor, tmp_path: Path) -> None:
    vendor.set(OPUS, 200, delay=0.4)
    vendor.set(SONNET, 200)
    cfg = config(vendor, top="failure_threshold = 1", extra="slow_ms = 150")
    _, snaps = run(cfg, Budget(tmp_path), minutes(0))
    opus = snaps[0].services[0].models[0]
    assert opus.level is Level.DEGRADED and opus.detail.startswith("slow: first byte in")


def test_a_refused_key_is_your_side_never_an_outage(vendor: FakeVendor,
                                                    tmp_path: Path) -> None:
    vendor.set(OPUS, 200)
    vendor.set(SONNET, 200)
    _, snaps = run(config(vendor), Budget(tmp_path), minutes(0, 1, 2), key="sk-wrong")
    svc = snaps[-1].services[0]
    assert svc.level is Level.OPERATIONAL and svc.your_side == "key_refused"
    assert "your key was refused" in svc.summary
    assert snapshot_json(snaps[-1])["services"][0]["your_side"]["code"] == "key_refused"


def test_your_quota_is_your_side(vendor: FakeVendor, tmp_path: Path) -> None:
    vendor.set(OPUS, 429, body=b'{"error":"rate_limit_error"}')
    vendor.set(SONNET, 429)
    vendor.probe = vendor.probe.__class__(status=429)
    vendor.key = None                         # every key "works", but the quota is spent
    _, snaps = run(config(vendor), Budget(tmp_path), minutes(0, 1, 2))
    svc = snaps[-1].services[0]
    assert svc.level is Level.OPERATIONAL and svc.your_side == "quota"
    assert "not an outage" in svc.summary
    assert all(m.level is Level.UNKNOWN and m.your_side == "quota" for m in svc.models)


@pytest.mark.parametrize(("dialect", "path", "field"), [
    ("openai", "/v1/chat/completions", "max_tokens"),
    ("gemini", f"/v1beta/models/{OPUS}:generateContent", "generationConfig"),
])
def test_dialects(vendor: FakeVendor, tmp_path: Path, dialect: str, path: str,
                  field: str) -> None:
    vendor.set(OPUS, 200)
    run(config(vendor, models=(OPUS,), dialect=dialect), Budget(tmp_path), minutes(0))
    post = next(r for r in vendor.requests if r.method == "POST")
    assert post.path == path and field in post.body


def test_models_url_overrides_and_keeps_the_path(tmp_path: Path) -> None:
    from trayapp.core.modelprobe import origin, request
    assert origin("https://openrouter.ai/api/v1/models") == "https://openrouter.ai/api"
    assert origin("https://api.groq.com/openai/v1/models") == "https://api.groq.com/openai"
    assert origin("https://api.deepseek.com/models") == "https://api.deepseek.com"
    cfg = parse_text("""
[[services]]
id = "x"
[services.probe]
url = "https://example.com/v1/models"
api_key_env = "K"
api_key_header = "k"
dialect = "gemini"
models = ["m"]
models_url = "https://proxy.example/{model}/go"
""", "t.toml")
    assert request(cfg.services[0].probe, "m")[0] == "https://proxy.example/m/go"  # type: ignore[arg-type]


@pytest.mark.parametrize(("probe", "words"), [
    ('models = ["m"]', "dialect: missing"),
    ('models = ["m"], dialect = "anthropic", api_key_env = ""', "api_key_env"),
    ('dialect = "klingon"', "unknown dialect"),
    ('models = ["m x"], dialect = "openai"', "not a model name"),
    ('max_model_probes_per_day = -1', "between"),
    ('slow_factor = 1', "between"),
    ('downgrade = "panic"', "one of: warn, degrade, ignore"),
    ('downgrade = 1', "must be a string"),
])
def test_probe_config_errors_are_one_line(probe: str, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_text(f"""
[[services]]
id = "x"
probe = {{ url = "https://example.com/v1/models", {probe} }}
""", "t.toml")
    assert words in str(err.value) and "\n" not in str(err.value)


def test_presets_set_the_dialect() -> None:
    cfg = parse_text("""
[[services]]
id = "claude"
preset = "anthropic"
probe = { models = ["claude-sonnet-4-5"] }
[[services]]
id = "openai"
preset = "openai"
""", "t.toml")
    claude, openai = cfg.services
    assert claude.probe and claude.probe.dialect == "anthropic" \
        and claude.probe.models == ("claude-sonnet-4-5",)
    assert claude.probe.model_interval == 600 and claude.probe.max_model_probes_per_day == 300
    assert openai.probe and openai.probe.dialect == "openai" and openai.probe.models == ()


def test_offline_spends_no_model_probe(vendor: FakeVendor, tmp_path: Path) -> None:
    from tests.fakevendor import free_port
    vendor.set(OPUS, 200)
    vendor.set(SONNET, 200)
    cfg = parse_text(f"""
connectivity_url = "http://127.0.0.1:{free_port()}/generate_204"
[[services]]
id = "claude"
[services.probe]
url = "{vendor.base}/v1/models"
api_key_env = "ANTHROPIC_API_KEY"
api_key_header = "x-api-key"
dialect = "anthropic"
models = ["{OPUS}"]
""", "t.toml")
    _, snaps = run(cfg, Budget(tmp_path), minutes(0, 1), retry=True)
    assert snaps[-1].offline and vendor.model_requests() == 0
    assert snaps[-1].services[0].level is Level.UNKNOWN


def test_a_failing_model_is_in_the_history_as_the_api_sides_trouble(
        vendor: FakeVendor, tmp_path: Path) -> None:
    # The key probe answers, one model fails: the history's probe source (what the
    # page's lag is judged by) and the change's source say the API side saw it.
    from trayapp.core.history.record import from_step
    vendor.set(OPUS, 529, body=b'{"type":"error","error":{"type":"overloaded_error"}}')
    vendor.set(SONNET, 200)
    cfg = config(vendor)
    client = HttpClient(timeout=cfg.timeout)
    poller = Poller(cfg, client, {"ANTHROPIC_API_KEY": KEY}, budget=Budget(tmp_path))
    state, records = MonitorState(), []
    try:
        for now in minutes(0, 1, 2):
            poll = poller.poll(now, urgent=frozenset({"claude"}))
            result = step(cfg, state, poll.connectivity, poll.observations, now)
            state = result.state
            records.append(from_step(result, cfg.interval))
    finally:
        client.close()
    assert [(r.services[0].probe, r.services[0].combined) for r in records] == [
        ("operational", "operational"), ("degraded", "degraded"), ("degraded", "degraded")]
    assert [(c.old, c.new, c.source) for r in records for c in r.changes] == [
        ("operational", "degraded", "probe")]
