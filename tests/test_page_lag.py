"""The page-lag rules (trayapp.core.history.lag) on spans as the history store keeps
them, and the grade table: its rows generated into tests."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from trayapp.core.history.lag import (
    FAIL,
    GRADES,
    MIN_PROBLEMS,
    SLACK,
    PageLag,
    grade,
    lag_words,
    page_lag,
    runs,
)
from trayapp.core.history.uptime import Span

T0 = 1_800_000_000.0
MIN = 60.0
HOUR = 3600.0
DAY = 86400.0


def sp(a: float, b: float, state: str) -> Span:
    return Span(T0 + a, T0 + b, state)


def probe_with(problems: list[tuple[float, float]], until: float) -> list[Span]:
    """Probe spans: operational between the given problems (offsets from T0), a poll a
    minute, up to ``until``."""
    out, cursor = [], 0.0
    for a, b in problems:
        if a > cursor:
            out.append(sp(cursor, a - MIN, "operational"))
        out.append(sp(a, b, "major_outage"))
        cursor = b + MIN
    out.append(sp(cursor, until, "operational"))
    return out


def page_with(problems: list[tuple[float, float]], until: float,
              level: str = "degraded") -> list[Span]:
    return probe_with(problems, until) if level == "major_outage" else [
        Span(s.start, s.end, level if s.state == "major_outage" else s.state)
        for s in probe_with(problems, until)]


def test_a_problem_spans_unobserved_time_and_ends_only_when_seen_fine() -> None:
    probe = [sp(0, 10 * MIN, "operational"), sp(11 * MIN, 20 * MIN, "partial_outage"),
             sp(21 * MIN, 25 * MIN, "unknown"), sp(40 * MIN, 50 * MIN, "major_outage"),
             sp(51 * MIN, 52 * MIN, "offline"), sp(53 * MIN, 60 * MIN, "degraded"),
             sp(61 * MIN, 70 * MIN, "operational"), sp(71 * MIN, 80 * MIN, "degraded")]
    assert runs(probe) == [(T0 + 11 * MIN, T0 + 60 * MIN), (T0 + 71 * MIN, T0 + 80 * MIN)]


def test_no_admission() -> None:
    probe = probe_with([(HOUR, 2 * HOUR)], DAY)
    page = page_with([], DAY)
    assert page_lag(page, probe, T0 + DAY) == PageLag(1, 0, None, None)


def test_admission_before_sight_is_lag_zero() -> None:
    probe = probe_with([(HOUR, 2 * HOUR)], DAY)
    page = page_with([(HOUR - 20 * MIN, 3 * HOUR)], DAY)
    assert page_lag(page, probe, T0 + DAY) == PageLag(1, 1, 0.0, None)


def test_admission_after_sight_is_the_lag() -> None:
    probe = probe_with([(HOUR, 2 * HOUR)], DAY)
    page = page_with([(HOUR + 7 * MIN, 2 * HOUR + 5 * MIN)], DAY)
    assert page_lag(page, probe, T0 + DAY) == PageLag(1, 1, 7.0, None)


@pytest.mark.parametrize(("after_end", "admitted"), [(SLACK, True), (SLACK + MIN, False)],
                         ids=["at-the-cap", "past-the-cap"])
def test_an_admission_counts_up_to_slack_after_the_problem_ended(
        after_end: float, admitted: bool) -> None:
    end = 2 * HOUR
    probe = probe_with([(HOUR, end)], DAY)
    page = page_with([(end + after_end, end + after_end + HOUR)], DAY)
    lag = page_lag(page, probe, T0 + DAY)
    assert lag is not None
    assert (lag.count, lag.admitted) == (1, int(admitted))
    assert lag.median_minutes == (round((end + after_end - HOUR) / MIN, 1) if admitted
                                  else None)


def test_the_next_problem_closes_the_window() -> None:
    # The page speaks up during the second problem: that one is admitted, the first not.
    probe = probe_with([(HOUR, HOUR + 5 * MIN), (HOUR + 10 * MIN, HOUR + 30 * MIN)], DAY)
    page = page_with([(HOUR + 15 * MIN, HOUR + 40 * MIN)], DAY)
    assert page_lag(page, probe, T0 + DAY) == PageLag(2, 1, 5.0, None)


def test_an_open_window_is_not_counted_against_the_page_yet() -> None:
    probe = probe_with([(HOUR, 2 * HOUR)], 2 * HOUR)               # still failing at now
    now = T0 + 2 * HOUR
    assert page_lag(page_with([], 2 * HOUR), probe, now) == PageLag(0, 0, None, None)
    # ... but once the page admits it, it counts.
    page = page_with([(HOUR + 3 * MIN, 2 * HOUR)], 2 * HOUR)
    assert page_lag(page, probe, now) == PageLag(1, 1, 3.0, None)
    # ... and once the window closed without a word, it counts as not admitted.
    later = probe_with([(HOUR, 2 * HOUR)], 3 * HOUR)
    assert page_lag(page_with([], 3 * HOUR), later, T0 + 3 * HOUR) == PageLag(1, 0, None,
                                                                               None)


def test_a_page_never_read_in_the_window_is_not_judged() -> None:
    probe = probe_with([(HOUR, 2 * HOUR)], DAY)
    page = [sp(0, HOUR - MIN, "operational"), sp(HOUR, 3 * HOUR, "unknown"),
            sp(3 * HOUR, DAY, "operational")]
    assert page_lag(page, probe, T0 + DAY) == PageLag(0, 0, None, None)


def test_no_page_or_no_probe_is_no_figure() -> None:
    probe = probe_with([(HOUR, 2 * HOUR)], DAY)
    assert page_lag([], probe, T0 + DAY) is None
    assert page_lag(page_with([], DAY), [], T0 + DAY) is None


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    problems = [(k * HOUR, k * HOUR + 20 * MIN) for k in range(1, 5)]
    lags = [0, 4, 10, 20]
    probe = probe_with(problems, DAY)
    page = page_with([(a + lag * MIN, b + MIN) for (a, b), lag in zip(problems, lags,
                                                                        strict=True)], DAY)
    assert page_lag(page, probe, T0 + DAY) == PageLag(4, 4, 7.0, None)


def test_fewer_than_the_minimum_gets_no_grade() -> None:
    n = MIN_PROBLEMS - 1
    problems = [(k * HOUR, k * HOUR + 10 * MIN) for k in range(1, n + 1)]
    probe = probe_with(problems, DAY)
    page = page_with(problems, DAY)
    lag = page_lag(page, probe, T0 + DAY)
    assert lag == PageLag(n, n, 0.0, None)
    assert lag_words("Claude", lag).endswith(f"(a grade needs {MIN_PROBLEMS})")
    more = [*problems, ((n + 1) * HOUR, (n + 1) * HOUR + 10 * MIN)]
    assert page_lag(page_with(more, DAY), probe_with(more, DAY), T0 + DAY) == \
        PageLag(n + 1, n + 1, 0.0, GRADES[0][0])


# ------------------------------------------------------------------ the grade table

def _figures(share: float, minutes: float, n: int = 20) -> tuple[list[Span], list[Span]]:
    """n problems, ceil(share * n) of them admitted ``minutes`` late, as spans."""
    k = math.ceil(share * n - 1e-9)
    problems = [(2 * h * HOUR, 2 * h * HOUR + 70 * MIN) for h in range(1, n + 1)]
    admitted = [(a + minutes * MIN, b) for a, b in problems[:k]]
    until = (2 * n + 2) * HOUR
    return page_with(admitted, until), probe_with(problems, until)


@pytest.mark.parametrize(("letter", "share", "minutes"), GRADES, ids=[g[0] for g in GRADES])
def test_grade_row_met_at_its_thresholds_through_real_spans(
        letter: str, share: float, minutes: float) -> None:
    page, probe = _figures(share, minutes)
    lag = page_lag(page, probe, T0 + 50 * HOUR)
    assert lag is not None
    assert (lag.count, lag.admitted) == (20, math.ceil(share * 20 - 1e-9))
    assert lag.median_minutes is not None
    assert lag.grade == letter


@pytest.mark.parametrize(("row", "letter", "share", "minutes"),
                         [(i, *g) for i, g in enumerate(GRADES)], ids=[g[0] for g in GRADES])
def test_grade_row_missed_by_either_figure_is_a_lower_letter(
        row: int, letter: str, share: float, minutes: float) -> None:
    below = GRADES[row + 1][0] if row + 1 < len(GRADES) else FAIL
    count = 100
    at = math.ceil(share * count - 1e-9)
    assert grade(count, at, minutes) == letter
    # one admission fewer than the share, or a minute more than the lag: not this letter
    assert grade(count, at - 1, minutes) not in {g[0] for g in GRADES[:row + 1]}
    assert grade(count, at, minutes + 1) not in {g[0] for g in GRADES[:row + 1]}
    assert grade(count, at, minutes + 1) in {below, *[g[0] for g in GRADES[row + 1:]], FAIL}


def test_grade_none_admitted_is_f_and_the_table_is_ordered() -> None:
    assert grade(MIN_PROBLEMS, 0, None) == FAIL
    assert grade(MIN_PROBLEMS - 1, 0, None) is None
    shares = [g[1] for g in GRADES]
    minutes = [g[2] for g in GRADES]
    assert shares == sorted(shares, reverse=True) and minutes == sorted(minutes)


def test_the_docs_table_is_the_codes() -> None:
    text = (Path(__file__).parent.parent / "docs" / "history.md").read_text()
    rows = re.findall(r"^\| ([A-F]) \| (\d+) % \| (\d+) min \|$", text, re.M)
    assert [(g, float(s) / 100, float(m)) for g, s, m in rows] == list(GRADES)
    assert f"| {FAIL} | otherwise | |" in text
    assert f"With at least {MIN_PROBLEMS} problems" in text
    assert f"until {SLACK / 60:g} min after its last bad" in text.replace("\n", " ")


# ------------------------------------------------------------------ the words

@pytest.mark.parametrize(("lag", "words"), [
    (PageLag(11, 9, 7.0, "B"),
     "Claude's status page admitted 9 of the 11 problems this machine saw, a median of "
     "7 min later; grade B"),
    (PageLag(3, 0, None, None),
     "Claude's status page admitted none of the 3 problems this machine saw "
     f"(a grade needs {MIN_PROBLEMS})"),
    (PageLag(1, 1, 12.0, None),
     "Claude's status page admitted the one problem this machine saw, 12 min later "
     f"(a grade needs {MIN_PROBLEMS})"),
    (PageLag(1, 0, None, None),
     "Claude's status page did not admit the one problem this machine saw "
     f"(a grade needs {MIN_PROBLEMS})"),
    (PageLag(6, 6, 0.0, "A"),
     "Claude's status page admitted 6 of the 6 problems this machine saw, a median of "
     "0 min later; grade A"),
    (PageLag(2, 2, 0.4, None),
     "Claude's status page admitted 2 of the 2 problems this machine saw, a median of "
     f"under a minute later (a grade needs {MIN_PROBLEMS})"),
    (PageLag(0, 0, None, None),
     "Claude's status page: no problem seen from this machine yet to check it against"),
])
def test_the_words_say_the_count_they_rest_on(lag: PageLag, words: str) -> None:
    assert lag_words("Claude", lag) == words
