"""How soon to poll again. Pure: the cycle's result, the settings and the power source.

* Something wrong (offline, a watched service in a problem level or disagreeing
  with its probe, a bad probe waiting for its confirmation): four times as often as
  ``interval`` (never under ``min_interval``), on battery too, so an outage and
  its recovery are seen sooner.
* Otherwise ``interval`` on mains power and ``battery_interval`` (default twice
  ``interval``) on battery; a power source that cannot be read counts as mains.
"""

from __future__ import annotations

from trayapp.config import Config
from trayapp.core.monitor import StepResult
from trayapp.domain.model import Polling


def troubled(result: StepResult) -> bool:
    snap = result.snapshot
    unconfirmed = any(m.bad_streak > 0 and not m.probe_level.is_problem
                      for m in result.state.services.values())
    return snap.offline or unconfirmed or any(s.level.is_problem or s.probe_disagrees
                                              for s in snap.services)


def next_poll(result: StepResult, config: Config, on_battery: bool | None = None) -> Polling:
    if troubled(result):
        return Polling(float(max(config.interval / 4, config.min_interval)))
    if on_battery and config.battery_interval > config.interval:
        return Polling(float(config.battery_interval), on_battery=True)
    return Polling(float(config.interval))
