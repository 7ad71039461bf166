"""Latency as a signal: a rolling median, and what counts as slow against it. Pure.

Each probe (and each model) keeps its last :data:`WINDOW` latencies. An answer
is *slow* when it takes more than ``slow_factor`` times their median **and**
more than :data:`FLOOR_MS` (a 40 ms -> 130 ms blip is no alarm), once at least
:data:`MIN_SAMPLES` are known. A slow answer counts as ``degraded``; the
monitor's thresholds make "several in a row" of them the signal and
``success_threshold`` normal ones clear it. Every answer joins the window, so
a lasting change of the usual latency (a new region) becomes the new normal
after about half a window.
"""

from __future__ import annotations

import statistics

WINDOW = 20
MIN_SAMPLES = 5
FLOOR_MS = 250


def remember(samples: tuple[int, ...], ms: int | None) -> tuple[int, ...]:
    if ms is None or ms < 0:
        return samples
    return (*samples, ms)[-WINDOW:]


def median(samples: tuple[int, ...]) -> int | None:
    """The usual latency, or None while too few answers are known."""
    if len(samples) < MIN_SAMPLES:
        return None
    return int(statistics.median(samples))


def is_slow(ms: int | None, samples: tuple[int, ...], factor: float) -> bool:
    """``ms`` against the window *before* it joins."""
    usual = median(samples)
    return ms is not None and usual is not None and ms > factor * usual and ms > FLOOR_MS
