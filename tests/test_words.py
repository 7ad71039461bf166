"""Words built by rule, over generated inputs: notes in parentheses, moments and spans,
uptime percentages (issue 26, item 9)."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest

from trayapp.core.history.uptime import Uptime
from trayapp.core.textclean import noted
from trayapp.core.timefmt import since, when
from trayapp.windows.history_strip import percent_words, uptime_text

NOW = datetime(2026, 5, 1, 16, 41, tzinfo=UTC)
NAMES = ["Claude Console", "Claude Console (platform.claude.com)", "Ollama (local)",
         "API (EU) v2", "(beta)", "Files", "x)"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("notes", [("degraded",), ("local", "degraded"), ("", "in progress"),
                                   ("",)])
def test_notes_never_nest_or_stack_parentheses(name: str, notes: tuple[str, ...]) -> None:
    text = noted(name, *notes)
    assert "((" not in text and (") (" not in text or "(" not in name)
    for note in filter(None, notes):
        assert note in text
    assert text.count("(") == text.count(")") or name == "x)"
    assert noted("Claude Console (platform.claude.com)", "degraded") == \
        "Claude Console (platform.claude.com, degraded)"


@pytest.mark.parametrize("seed", range(5))
def test_a_moment_is_as_precise_as_its_distance_needs(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        age = timedelta(seconds=rng.uniform(-40, 3000) * 86400 / 10)
        at = NOW - age
        text = since(at, NOW, UTC, "SPAN")
        days = (NOW.date() - at.date()).days
        if days >= 7:                          # long ago: a date, no clock, no span
            assert re.fullmatch(r"since \d{1,2} [A-Z][a-z]{2} \d{4}", text), text
        else:
            assert text.endswith(" (SPAN)") and re.search(r"\d\d:\d\d", text), text
        word = when(at, NOW, UTC)
        if -7 < days < 7:
            assert re.fullmatch(r"([A-Z][a-z]{2} )?\d\d:\d\d", word), word
        else:
            assert re.search(r" \d{4}", word), word
    assert since(datetime(2020, 4, 2, 20, 20, tzinfo=UTC), NOW, UTC, "2220 d") == \
        "since 2 Apr 2020"


@pytest.mark.parametrize("seed", range(5))
def test_an_uptime_is_never_better_than_it_was(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(500):
        p = rng.choice([rng.uniform(0, 100), rng.uniform(99, 100), rng.uniform(0, 1), 100.0])
        words = percent_words(p)
        if words == "under 1":
            assert 0 < p < 1
            continue
        assert float(words) <= p, (p, words)
        assert words != "100" or p >= 100
        assert len(words.partition(".")[2]) <= (2 if p >= 99 else 0)
    assert uptime_text(Uptime(up=77.4, down=42.6, window=86400)) == "64 % up (2 min watched)"
    assert uptime_text(Uptime(up=0, down=0, window=86400)) == "not watched yet"
    assert uptime_text(Uptime(up=86357, down=43, window=86400)) == "99.95 % up"
