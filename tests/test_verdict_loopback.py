"""Blame the right party, for real: the verdict table through the real HTTP edge.

A fake vendor on 127.0.0.1 answers with the shapes the vendors document (Anthropic
and OpenAI error objects, their rate-limit headers, a Cloudflare challenge, a model
answering 400 "Error", an empty 200, another model's name); the real poller reads
them and the pure monitor decides, or the real `trayapp status --json` does. Each
test proves the level, who is blamed and the words.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import isolated_env, status_json
from tests.fakevendor import Answer, FakeVendor
from tests.loopback import LoopbackServer, fixture, free_port
from trayapp.config import Config, parse_text
from trayapp.core.modelprobe import classify_model
from trayapp.core.monitor import MonitorState, step
from trayapp.core.probe import NetContext, classify
from trayapp.core.render import snapshot_json
from trayapp.domain.levels import Level
from trayapp.domain.model import Snapshot
from trayapp.edges.budget import Budget
from trayapp.edges.http import HttpClient
from trayapp.runtime.poller import Poller

KEY = "sk-ant-test-" + "7" * 20
OPUS, SONNET = "claude-opus-4-1", "claude-sonnet-4-5"
T0 = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
RATE_LIMITED = (b'{"type":"error","error":{"type":"rate_limit_error","message":"Number of '
                b'request tokens has exceeded your per-minute rate limit"},'
                b'"request_id":"req_011CZAau32QzxDkriovTaFCB"}')
ERROR_400 = (b'{"type":"error","error":{"type":"invalid_request_error","message":"Error"},'
             b'"request_id":"req_011CZAau32QzxDkriovTaFCB"}')


@pytest.fixture
def vendor() -> Iterator[FakeVendor]:
    v = FakeVendor()            # any key is accepted
    try:
        yield v
    finally:
        v.close()


def config(*services: tuple[str, str], top: str = "failure_threshold = 2",
           models: tuple[str, ...] = (), extra: str = "") -> Config:
    """``services``: (id, probe URL); keyed when ``models`` or ``extra`` says so."""
    text = f"connectivity_url = false\ninterval = 60\ntimeout = 2\nconnect_timeout = 1\n{top}\n"
    names = ", ".join(f'"{m}"' for m in models)
    for sid, url in services:
        text += f"""
[[services]]
id = "{sid}"
[services.probe]
url = "{url}"
{f'models = [{names}]' if models else ''}
{extra}
"""
    return parse_text(text, "test.toml")


KEYED = 'api_key_env = "K"\napi_key_header = "x-api-key"\ndialect = "anthropic"'


def polls(cfg: Config, times: list[datetime], key: str | None = KEY,
          budget: Path | None = None) -> list[Snapshot]:
    client = HttpClient(timeout=cfg.timeout)
    poller = Poller(cfg, client, {"K": key} if key else {},
                    budget=Budget(budget) if budget else None)
    state, snaps = MonitorState(), []
    try:
        for now in times:
            poll = poller.poll(now)
            result = step(cfg, state, poll.connectivity, poll.observations, now, UTC)
            state = result.state
            snaps.append(result.snapshot)
    finally:
        client.close()
    return snaps


def minutes(*ms: int) -> list[datetime]:
    return [T0 + timedelta(minutes=m) for m in ms]


def probe_json(snap: Snapshot, index: int = 0) -> dict[str, Any]:
    probe: dict[str, Any] = snapshot_json(snap)["services"][index]["probe"]
    return probe


# ---------------------------------------------------------------- 429

def test_a_keyless_429_alone_is_cant_tell_never_your_quota(vendor: FakeVendor) -> None:
    vendor.probe = Answer(429, body=fixture("edge-cases/anthropic-oauth-usage-429-1.json"))
    (snap,) = polls(config(("claude", f"{vendor.base}/v1/models")), minutes(0), key=None)
    svc, probe = snap.services[0], probe_json(snap)
    assert svc.level is Level.UNKNOWN and svc.your_side is None
    assert (probe["blame"], probe["reason"], probe["your_side"]) == \
        ("unknown", "rate_limited_here", None)
    assert "rate limited from this network" in svc.summary and "quota" not in probe["detail"]


def test_keyless_429s_across_services_are_the_vendors(vendor: FakeVendor) -> None:
    other = FakeVendor()
    try:
        for v in (vendor, other):
            v.probe = Answer(429, body=RATE_LIMITED)
        cfg = config(("claude", f"{vendor.base}/v1/models"), ("openai", f"{other.base}/v1/models"))
        snaps = polls(cfg, minutes(0, 1), key=None)
    finally:
        other.close()
    for index in (0, 1):
        svc = snaps[-1].services[index]
        assert svc.level is Level.DEGRADED and svc.your_side is None, svc
        probe = probe_json(snaps[-1], index)
        assert (probe["blame"], probe["reason"]) == ("vendor", "shedding_load")
        assert "like other services this cycle" in svc.summary


def test_a_keyless_429_while_the_page_has_an_incident_is_the_vendors(tmp_path: Path) -> None:
    server = LoopbackServer()
    try:
        server.set("/generate_204", b"", status=204)
        server.set("/api/v2/summary.json", fixture("statuspage/anthropic-summary-1.json"))
        server.set("/v1/models", RATE_LIMITED, status=429)
        cfg = tmp_path / "config.toml"
        cfg.write_text(f'connectivity_url = "{server.url("/generate_204")}"\ntimeout = 2\n'
                       "failure_threshold = 1\n[[services]]\nid = \"claude\"\n"
                       f'feed = {{ kind = "statuspage", url = "{server.base}" }}\n'
                       f'probe = {{ url = "{server.url("/v1/models")}" }}\n')
        rc, data, _ = status_json(cfg, isolated_env(tmp_path))
    finally:
        server.close()
    probe = data["services"][0]["probe"]
    assert (probe["level"], probe["blame"], probe["reason"]) == \
        ("degraded", "vendor", "shedding_load")
    assert "while the status page has an incident" in probe["detail"] and rc == 1


def test_keyed_429_with_none_left_is_your_limit_with_its_reset(vendor: FakeVendor) -> None:
    reset = (T0 + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    vendor.probe = Answer(429, body=RATE_LIMITED, headers={
        "anthropic-ratelimit-requests-remaining": "12",
        "anthropic-ratelimit-input-tokens-remaining": "0",
        "anthropic-ratelimit-input-tokens-reset": reset, "retry-after": "40"})
    (snap,) = polls(config(("claude", f"{vendor.base}/v1/models"), extra=KEYED), minutes(0))
    svc = snap.services[0]
    assert svc.level is Level.OPERATIONAL and svc.your_side == "quota"
    assert "your limit; resets 16:00" in svc.summary      # local time (UTC here)
    assert probe_json(snap)["blame"] == "your_side"


def test_keyed_429_with_requests_left_is_the_vendor_throttling(vendor: FakeVendor) -> None:
    vendor.probe = Answer(429, body=b'{"error":{"message":"Rate limit reached for requests",'
                                    b'"type":"requests","param":null,"code":"rate_limit_exceeded"}}',
                          headers={"x-ratelimit-remaining-requests": "4999",
                                   "x-ratelimit-remaining-tokens": "159000"})
    snaps = polls(config(("openai", f"{vendor.base}/v1/models"), extra=KEYED), minutes(0, 1))
    svc = snaps[-1].services[0]
    assert svc.level is Level.DEGRADED and svc.your_side is None
    assert "throttled by the vendor" in svc.summary
    assert probe_json(snaps[-1])["blame"] == "vendor"


def test_insufficient_quota_is_your_limit_even_with_requests_left(vendor: FakeVendor) -> None:
    vendor.probe = Answer(429, body=b'{"error":{"message":"You exceeded your current quota, '
                                    b'please check your plan and billing details.","type":'
                                    b'"insufficient_quota","param":null,"code":"insufficient_'
                                    b'quota"}}', headers={"x-ratelimit-remaining-requests": "9"})
    (snap,) = polls(config(("openai", f"{vendor.base}/v1/models"), extra=KEYED), minutes(0))
    svc = snap.services[0]
    assert svc.level is Level.OPERATIONAL and svc.your_side == "quota"
    assert "insufficient_quota" in svc.summary and "your limit" in svc.summary


# ---------------------------------------------------------------- challenge before key

def test_a_keyed_probe_meeting_a_challenge_is_blocked_not_a_refused_key(
        vendor: FakeVendor) -> None:
    vendor.probe = Answer(403, body=fixture("edge-cases/cloudflare-challenge-just-a-moment-1.html"),
                          headers={"Content-Type": "text/html"})
    (snap,) = polls(config(("claude", f"{vendor.base}/v1/models"), extra=KEYED), minutes(0))
    svc = snap.services[0]
    assert svc.level is Level.UNKNOWN and svc.your_side is None
    assert "blocked by a bot challenge (HTTP 403)" in svc.summary
    assert "key" not in svc.summary


# ---------------------------------------------------------------- models

def model_config(vendor: FakeVendor, extra: str = "model_interval = 60") -> Config:
    vendor.probe = Answer(200, body=b'{"data":[]}')
    return config(("claude", f"{vendor.base}/v1/models"), models=(OPUS, SONNET),
                  extra=KEYED + "\n" + extra)


def test_a_model_answering_400_error_is_failing_named(vendor: FakeVendor,
                                                      tmp_path: Path) -> None:
    vendor.set(OPUS, 400, body=ERROR_400)
    vendor.set(SONNET, 200)
    snaps = polls(model_config(vendor), minutes(0, 1), budget=tmp_path)
    svc = snaps[-1].services[0]
    opus = svc.models[0]
    assert opus.level is Level.PARTIAL_OUTAGE and opus.your_side is None
    assert opus.blame == "vendor" and opus.detail == \
        'failing: HTTP 400 invalid_request_error "Error"'
    assert svc.level is Level.DEGRADED and "claude-opus-4-1" in svc.summary
    assert "check the model name" not in svc.summary
    # the first answer alone is not yet counted (damped like any bad answer)
    assert snaps[0].services[0].models[0].level is not Level.PARTIAL_OUTAGE


def test_status_exits_non_zero_for_a_model_saying_error(vendor: FakeVendor,
                                                        tmp_path: Path) -> None:
    vendor.set(OPUS, 400, body=ERROR_400)
    vendor.probe = Answer(200, body=b'{"data":[]}')
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"connectivity_url = false\ntimeout = 2\nfailure_threshold = 1\n"
                   f'[[services]]\nid = "claude"\n[services.probe]\n'
                   f'url = "{vendor.base}/v1/models"\nmodels = ["{OPUS}"]\n{KEYED}\n')
    rc, data, _ = status_json(cfg, isolated_env(tmp_path, K=KEY))
    (model,) = data["services"][0]["models"]
    assert (model["level"], model["blame"], model["reason"]) == \
        ("partial_outage", "vendor", "model_failing")
    assert rc == 1 and data["services"][0]["level"] == "partial_outage"


@pytest.mark.parametrize(("answer", "level", "side", "words"), [
    (Answer(404, body=b'{"type":"error","error":{"type":"not_found_error","message":"model: '
                      b'claude-opus-4-1"}}'), Level.UNKNOWN, "request_refused",
     "check the model name"),
    (Answer(400, body=b'{"error":{"message":"The model `claude-opus-4-1` does not exist or you '
                      b'do not have access to it.","type":"invalid_request_error","param":null,'
                      b'"code":"model_not_found"}}'), Level.UNKNOWN, "request_refused",
     "check the model name"),
    (Answer(200, body=b""), Level.PARTIAL_OUTAGE, None, "failing: HTTP 200 with an empty body"),
    (Answer(200, body=b'{"id":"msg_01","type":"message"}'), Level.PARTIAL_OUTAGE, None,
     "without an answer"),
    (Answer(529, body=fixture("edge-cases/anthropic-api-529-overloaded-1.json")),
     Level.DEGRADED, None, "overloaded (HTTP 529)"),
])
def test_model_answers(vendor: FakeVendor, tmp_path: Path, answer: Answer, level: Level,
                       side: str | None, words: str) -> None:
    vendor.answers[OPUS] = answer
    vendor.set(SONNET, 200)
    snaps = polls(model_config(vendor), minutes(0, 1), budget=tmp_path)
    opus = snaps[-1].services[0].models[0]
    assert (opus.level, opus.your_side) == (level, side)
    assert words in opus.detail


def _downgraded(vendor: FakeVendor) -> None:
    vendor.set(OPUS, 200, body=b'{"id":"msg_01","type":"message","role":"assistant","model":'
                               b'"claude-3-5-haiku-20241022","content":[{"type":"text",'
                               b'"text":"H"}]}')
    vendor.set(SONNET, 200, body=b'{"id":"msg_02","type":"message","model":'
                                 b'"claude-sonnet-4-5-20250929","content":[]}')


def test_a_silent_downgrade_is_named_then_degraded(vendor: FakeVendor, tmp_path: Path) -> None:
    _downgraded(vendor)
    snaps = polls(model_config(vendor), minutes(0, 1), budget=tmp_path)
    said = "answered by claude-3-5-haiku-20241022 (asked for claude-opus-4-1)"
    first, second = snaps[0].services[0], snaps[1].services[0]
    assert first.level is Level.OPERATIONAL and said in first.summary      # named at once
    assert second.level is Level.DEGRADED and said in second.summary       # two polls: counts
    assert second.models[0].detail == said and second.models[0].blame == "vendor"
    assert second.models[1].level is Level.OPERATIONAL     # a dated name of the same model


@pytest.mark.parametrize(("mode", "named"), [("warn", True), ("ignore", False)])
def test_downgrade_setting(vendor: FakeVendor, tmp_path: Path, mode: str, named: bool) -> None:
    _downgraded(vendor)
    cfg = model_config(vendor, f'model_interval = 60\ndowngrade = "{mode}"')
    snaps = polls(cfg, minutes(0, 1, 2), budget=tmp_path)
    svc = snaps[-1].services[0]
    assert svc.level is Level.OPERATIONAL
    assert ("answered by claude-3-5-haiku" in svc.summary) is named


# ---------------------------------------------------------------- not running

def test_a_refused_local_port_is_not_running_never_an_outage() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1/models"
    client = HttpClient(timeout=2)
    try:
        got = client.fetch(url, conditional=False)
        sent = client.send(url.replace("/models", "/chat/completions"), b"{}", {})
    finally:
        client.close()
    probe = classify(got, 3000, NetContext(local=True))
    model = classify_model("llama3.2", sent, 3000, NetContext(keyed=True, local=True))
    for result in (probe, model):
        assert result.level is Level.UNKNOWN and result.your_side == "not_running"
        assert result.detail == "not running (nothing listens on this machine's port)"
    # the same refusal from a remote service is still the vendor's
    assert classify(got, 3000, NetContext()).level is Level.MAJOR_OUTAGE


def test_json_carries_reason_and_blame(vendor: FakeVendor) -> None:
    (snap,) = polls(config(("claude", f"{vendor.base}/v1/models")), minutes(0), key=None)
    text = json.dumps(snapshot_json(snap))
    probe = probe_json(snap)
    assert (probe["reason"], probe["blame"]) == ("answers", "none") and '"facts"' not in text


@pytest.mark.parametrize(("key", "char"), [
    ("sk-ant-\u202etest-" + "7" * 20, "U+202E"),          # a bidi override pasted with it
    ("sk-ant-test-\u00a0" + "7" * 20, "U+00A0"),          # a no-break space
    ("sk-ant-test-" + "7" * 4097, ""),                    # not a key at all
])
def test_a_key_that_cannot_go_in_a_header_is_not_sent_and_says_why(
        vendor: FakeVendor, tmp_path: Path, key: str, char: str) -> None:
    """Before: the HTTP edge failed on the header, "broken HTTP answer", nothing said why."""
    cfg = config(("claude", f"{vendor.base}/v1/models"), models=(OPUS,), extra=KEYED)
    (snap,) = polls(cfg, minutes(0), key=key, budget=tmp_path / "budget")
    assert vendor.requests == []                   # neither the probe nor a model probe
    probe = probe_json(snap)
    assert (probe["level"], probe["reason"], probe["blame"]) == \
        ("unknown", "key_unusable", "your_side")
    said = snap.services[0].summary
    assert char in said and "($K)" in said and "broken HTTP answer" not in said, said
    assert key[:12] not in json.dumps(snapshot_json(snap))   # the key itself never shown
    assert snap.services[0].level is Level.UNKNOWN         # never an outage
