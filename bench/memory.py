"""The memory sections, kept apart from footprint's soak: 2b (what the memory
is, per process: :mod:`bench.breakdown`) and 2c (wakeups while idle:
:mod:`bench.wakeups`)."""

from __future__ import annotations

from bench import breakdown, wakeups
from bench.harness import Bench


def run(b: Bench) -> None:
    breakdown.run(b)
    wakeups.run(b)
