"""The pace of polling: slower on battery, never slower while something is wrong;
``battery_interval`` validated; the pace said in the snapshot's JSON."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trayapp.config import Config, ConfigError, parse_text
from trayapp.core.cadence import next_poll
from trayapp.core.connectivity import Connectivity
from trayapp.core.monitor import MonitorState, StepResult, step
from trayapp.core.render import snapshot_json
from trayapp.domain.levels import Level
from trayapp.domain.model import Observation, ProbeResult

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
SERVICE = ('[[services]]\nid = "a"\nname = "A"\n'
           'probe = { url = "https://api.example.com/v1/models" }\n')
UP = {"a": Observation(probe=ProbeResult(Level.OPERATIONAL, "HTTP 401"))}
DOWN = {"a": Observation(probe=ProbeResult(Level.MAJOR_OUTAGE, "HTTP 503"))}


def config(top: str = "interval = 60\n") -> Config:
    return parse_text(top + SERVICE, "t.toml")


def steady(cfg: Config, obs: dict[str, Observation]) -> StepResult:
    first = step(cfg, MonitorState(), Connectivity.ONLINE, obs, NOW)
    return step(cfg, first.state, Connectivity.ONLINE, obs, NOW)


@pytest.mark.parametrize(("top", "battery", "every", "on_battery"), [
    ("interval = 60\n", None, 60, False),          # cannot tell: as on mains
    ("interval = 60\n", False, 60, False),
    ("interval = 60\n", True, 120, True),          # default: twice interval
    ("interval = 60\nbattery_interval = 300\n", True, 300, True),
    ("interval = 60\nbattery_interval = 0\n", True, 60, False),   # 0: as on mains
    ("interval = 60\nbattery_interval = 60\n", True, 60, False),
])
def test_on_battery_a_healthy_laptop_polls_at_the_battery_pace(
        top: str, battery: bool | None, every: int, on_battery: bool) -> None:
    cfg = config(top)
    polling = next_poll(steady(cfg, UP), cfg, battery)
    assert (polling.every, polling.on_battery) == (every, on_battery)


@pytest.mark.parametrize("battery", [None, False, True])
def test_in_trouble_the_pace_is_the_fast_one_on_battery_too(battery: bool | None) -> None:
    cfg = config("interval = 60\nbattery_interval = 600\n")
    polling = next_poll(steady(cfg, DOWN), cfg, battery)
    assert (polling.every, polling.on_battery) == (15, False)


@pytest.mark.parametrize(("value", "words"), [
    ("30", "at least interval (60 seconds)"),
    ("-1", "between 0 and 86400"),
    ('"fast"', "whole number"),
])
def test_a_battery_interval_faster_than_interval_is_refused(value: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config(f"interval = 60\nbattery_interval = {value}\n")
    assert "battery_interval" in str(caught.value) and words in str(caught.value)


def test_the_pace_is_in_the_snapshot_json() -> None:
    from dataclasses import replace
    cfg = config()
    result = steady(cfg, UP)
    snap = replace(result.snapshot, polling=next_poll(result, cfg, True))
    assert snapshot_json(snap)["polling"] == {"every": 120, "on_battery": True}
    assert snapshot_json(result.snapshot)["polling"] is None
