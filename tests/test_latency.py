"""Latency as a signal: a spike against the rolling median is degraded, a blip is not;
the state file keeps the median and the models across a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trayapp.config import Config, parse_text
from trayapp.core.monitor import MonitorState, step
from trayapp.core.render import snapshot_json
from trayapp.domain.levels import Level
from trayapp.domain.model import Connectivity, ModelResult, Observation, ProbeResult
from trayapp.edges.state import dump, load_bytes

T0 = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)


def config(models: str = "") -> Config:
    return parse_text(f"""
connectivity_url = false
[[services]]
id = "claude"
name = "Claude"
[services.probe]
url = "https://api.example.com/v1/models"
api_key_env = "K"
api_key_header = "x-api-key"
dialect = "anthropic"
{models}
""", "t.toml")


def probe(ms: int) -> Observation:
    return Observation(probe=ProbeResult(Level.OPERATIONAL, f"API answers: HTTP 401 in {ms} ms",
                                         status_code=401, latency_ms=ms))


def levels(cfg: Config, observations: list[Observation],
           state: MonitorState | None = None) -> tuple[list[Level], MonitorState, list]:  # type: ignore[type-arg]
    state = state or MonitorState()
    out, snaps = [], []
    for i, obs in enumerate(observations):
        now = T0 + timedelta(minutes=i)
        result = step(cfg, state, Connectivity.ONLINE, {"claude": obs}, now)
        state = result.state
        out.append(result.snapshot.services[0].level)
        snaps.append(result.snapshot)
    return out, state, snaps


def test_a_spike_over_the_median_is_degraded_and_clears() -> None:
    cfg = config()
    seen, _, snaps = levels(cfg, [probe(300)] * 6 + [probe(1500)] * 3 + [probe(310)] * 3)
    assert seen[:6] == [Level.OPERATIONAL] * 6
    # 1500 ms > 3 x 300 ms: counted after failure_threshold (2) in a row
    assert seen[6:9] == [Level.OPERATIONAL, Level.DEGRADED, Level.DEGRADED]
    assert "API slow: 1500 ms, usually 300 ms" in snaps[8].services[0].summary
    # cleared by success_threshold (2) normal ones
    assert seen[9:] == [Level.DEGRADED, Level.OPERATIONAL, Level.OPERATIONAL]
    data = snapshot_json(snaps[-1])["services"][0]["probe"]
    assert data["latency_ms"] == 310 and data["median_ms"] == 305   # (300 + 310) / 2


def test_a_blip_under_the_floor_is_no_alarm() -> None:
    seen, _, _ = levels(config(), [probe(40)] * 6 + [probe(130)] * 4)
    assert seen == [Level.OPERATIONAL] * 10          # 130 > 3 x 40, but under 250 ms


def test_too_few_answers_make_no_median() -> None:
    seen, _, _ = levels(config(), [probe(100)] * 3 + [probe(2000)] * 3)
    assert seen == [Level.OPERATIONAL] * 6


def test_slow_factor_is_configurable() -> None:
    cfg = parse_text("""
connectivity_url = false
[[services]]
id = "claude"
probe = { url = "https://api.example.com/v1/models", slow_factor = 10 }
""", "t.toml")
    seen, _, _ = levels(cfg, [probe(300)] * 6 + [probe(1500)] * 3)
    assert seen == [Level.OPERATIONAL] * 9


def model_obs(ms: int, level: Level = Level.OPERATIONAL, code: int = 200) -> Observation:
    models = (ModelResult("opus", level, "answers", status_code=code, latency_ms=ms),
              ModelResult("sonnet", Level.OPERATIONAL, "answers", status_code=200,
                          latency_ms=200))
    return Observation(probe=probe(100).probe, models=models)


def test_a_model_latency_spike_names_the_model() -> None:
    cfg = config('models = ["opus", "sonnet"]')
    seen, _, snaps = levels(cfg, [model_obs(400)] * 6 + [model_obs(4000)] * 2)
    assert seen[-1] is Level.DEGRADED
    assert "opus: slow: first byte in 4000 ms, usually 400 ms; sonnet answers" \
        in snaps[-1].services[0].summary
    assert snapshot_json(snaps[-1])["services"][0]["models"][1]["median_ms"] == 200


def test_a_cycle_without_model_probes_keeps_them() -> None:
    cfg = config('models = ["opus", "sonnet"]')
    bad = model_obs(100, Level.DEGRADED, 529)
    seen, _, _ = levels(cfg, [bad, bad, Observation(probe=probe(100).probe)])
    assert seen == [Level.OPERATIONAL, Level.DEGRADED, Level.DEGRADED]


def test_the_state_file_keeps_models_and_latencies() -> None:
    cfg = config('models = ["opus", "sonnet"]')
    bad = model_obs(100, Level.DEGRADED, 529)
    _, state, _ = levels(cfg, [model_obs(300)] * 5 + [bad, bad])
    again = load_bytes(dump(state))
    assert again == state
    mem = again.services["claude"]
    assert mem.latencies == (100,) * 7 and mem.models[0].level is Level.DEGRADED
    assert mem.models[0].failing_since == T0 + timedelta(minutes=5)


@pytest.mark.parametrize("bad", [
    b'"latencies": ["x"]', b'"latencies": [-1]', b'"models": [{"model": 1}]',
    b'"models": [{"model": "a", "level": "awful"}]',
    b'"models": [{"model": "a", "failing_since": "2026-01-01T00:00:00"}]',
    b'"models": [{"model": "a", "bad_streak": true}]',
    b'"models": {"a": 1}',
])
def test_a_bad_model_field_in_the_state_file_is_refused(bad: bytes) -> None:
    data = b'{"version": 1, "last_poll": null, "services": {"claude": {' + bad + b"}}}"
    with pytest.raises(ValueError):
        load_bytes(data)
