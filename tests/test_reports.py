"""Reports of real requests (`trayapp report`): the file, how they count, the command.

The counting rules (trayapp.core.reports) are tested on real config and statuses; the
store (trayapp.edges.reports) on real files; the command as a real subprocess of
`python -m trayapp` (Claude Code's hook JSON from tests/fixtures/claude-code).
"""

from __future__ import annotations

import json
import os
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli_helpers import isolated_env, trayapp
from tests.loopback import fixture
from trayapp.config import presets
from trayapp.config.schema import parse_text
from trayapp.core.reports import Report, apply, judge
from trayapp.domain.levels import Level
from trayapp.domain.model import Event, EventKind, ServiceStatus
from trayapp.domain.reported import OUTCOMES
from trayapp.edges import reports

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
T = NOW.timestamp()
CONFIG = parse_text('[[services]]\nid = "claude"\npreset = "anthropic"\n'
                    '[[services]]\nid = "openai"\npreset = "openai"\nrole = "fallback"\n',
                    "test")
CLAUDE = CONFIG.services[0]


def r(ago: float, outcome: str, service: str = "claude", model: str | None = None) -> Report:
    return Report(T - ago, service, outcome, model)


# -- counting (pure) ------------------------------------------------------------------

def test_two_vendor_side_failures_count_and_name_outcomes_and_models() -> None:
    said = judge([r(240, "overloaded", model="claude-opus-4-1"), r(100, "server_error"),
                  r(10, "overloaded")], CLAUDE, T, 2, 600, trouble=False)
    assert said is not None and said.failures == 3
    assert said.words() == "your tools: 3 failures in 4 min (overloaded, server_error, " \
                           "claude-opus-4-1)"


def test_one_failure_an_ok_after_or_the_window_passing_counts_nothing() -> None:
    assert judge([r(10, "overloaded")], CLAUDE, T, 2, 600, False) is None
    assert judge([r(30, "overloaded"), r(20, "timeout"), r(5, "ok")], CLAUDE, T, 2, 600,
                 False) is None
    assert judge([r(700, "overloaded"), r(650, "timeout")], CLAUDE, T, 2, 600, False) is None
    # an ok before them does not clear them
    assert judge([r(40, "ok"), r(30, "unreachable"), r(20, "timeout")], CLAUDE, T, 2, 600,
                 False) is not None


def test_user_side_counts_only_with_trouble_and_other_never() -> None:
    mine = [r(30, "rate_limited"), r(20, "auth"), r(10, "other"), r(5, "other")]
    assert judge(mine, CLAUDE, T, 2, 600, trouble=False) is None
    said = judge(mine, CLAUDE, T, 2, 600, trouble=True)
    assert said is not None and said.outcomes == ("rate_limited", "auth")


def test_a_report_names_the_service_by_id_preset_or_name_not_another() -> None:
    for name in ("claude", "anthropic", "Claude", "CLAUDE"):
        assert judge([r(20, "timeout", name), r(10, "timeout", name)], CLAUDE, T, 2, 600,
                     False) is not None
    assert judge([r(20, "timeout", "openai"), r(10, "timeout", "openai")], CLAUDE, T, 2,
                 600, False) is None


def status(level: Level, sid: str = "claude", **kw: object) -> ServiceStatus:
    return ServiceStatus(id=sid, name=sid.title(), role="watch", level=level,
                         summary="All Systems Operational", **kw)  # type: ignore[arg-type]


def test_apply_early_warning_then_clear_as_events_from_reports() -> None:
    fails = [r(200, "overloaded", model="claude-opus-4-1"), r(10, "overloaded")]
    got = apply(CONFIG, [status(Level.OPERATIONAL)], [], fails,
                {"claude": Level.OPERATIONAL}, frozenset(), False, NOW)
    claude = got.statuses[0]
    assert claude.level is Level.DEGRADED
    assert claude.summary.startswith("your tools: 2 failures in 3 min (overloaded, "
                                     "claude-opus-4-1); All Systems Operational")
    assert [(m.model, m.level) for m in claude.models] == [("claude-opus-4-1",
                                                            Level.DEGRADED)]
    (event,) = got.events
    assert (event.kind, event.old, event.new, event.source) == (
        EventKind.WORSE, Level.OPERATIONAL, Level.DEGRADED, "reports")
    assert got.active == {"claude"} and got.until == fails[0].at + 600
    cleared = apply(CONFIG, [status(Level.OPERATIONAL)], [], [*fails, r(1, "ok")],
                    got.shown, got.active, False, NOW)
    assert cleared.statuses[0].level is Level.OPERATIONAL
    (back,) = cleared.events
    assert (back.kind, back.new, back.source) == (EventKind.BETTER, Level.OPERATIONAL,
                                                  "reports")


def test_apply_never_makes_a_level_better_and_keeps_other_events() -> None:
    fails = [r(20, "overloaded"), r(10, "overloaded")]
    page_event = Event(EventKind.INCIDENT_NEW, "claude", Level.MAJOR_OUTAGE,
                       Level.MAJOR_OUTAGE, "new incident: x", NOW, incident="x")
    got = apply(CONFIG, [status(Level.MAJOR_OUTAGE), status(Level.OPERATIONAL, "openai")],
                [page_event], fails, {"claude": Level.MAJOR_OUTAGE}, frozenset(), False, NOW)
    assert [s.level for s in got.statuses] == [Level.MAJOR_OUTAGE, Level.OPERATIONAL]
    assert got.events == (page_event,)


def test_apply_offline_or_not_running_is_untouched() -> None:
    fails = [r(20, "unreachable"), r(10, "unreachable")]
    got = apply(CONFIG, [status(Level.UNKNOWN)], [], fails, {}, frozenset(), True, NOW)
    assert got.statuses[0].level is Level.UNKNOWN and not got.events
    down = status(Level.UNKNOWN, your_side="not_running")
    got = apply(CONFIG, [down], [], fails, {}, frozenset(), False, NOW)
    assert got.statuses[0].level is Level.UNKNOWN


# -- the file (edge) ------------------------------------------------------------------

def test_record_and_read_every_outcome_and_refuse_others(tmp_path: Path) -> None:
    path = str(tmp_path / "state" / "reports.jsonl")
    for i, outcome in enumerate(OUTCOMES):
        reports.record(path, "Claude", outcome, "m", None, T + i)
    got = reports.read_recent(path, T)
    assert [x.outcome for x in got] == list(OUTCOMES)
    assert {x.service for x in got} == {"claude"}
    assert os.stat(path).st_mode & 0o777 == 0o600
    with pytest.raises(ValueError, match="outcome must be one of"):
        reports.record(path, "claude", "bad", None, None, T)
    assert reports.read_recent(path, T + 3) == got[3:]


def test_untrusted_text_is_one_clean_bounded_line(tmp_path: Path) -> None:
    path = str(tmp_path / "reports.jsonl")
    reports.record(path, "claude", "other", "opus\u200b\u2066-4\x1b[31m",
                   "<b>529</b>\nOverloaded\u00ad" + "x" * 5000, T)
    (got,) = reports.read_recent(path, 0)
    assert got.model == "opus-4"
    assert got.detail is not None and "\n" not in got.detail and len(got.detail) <= 200
    assert "\u00ad" not in got.detail and got.detail.startswith("<b>529</b> Overloaded")


def test_a_torrent_of_reports_keeps_the_file_and_memory_bounded(tmp_path: Path) -> None:
    path = str(tmp_path / "reports.jsonl")
    for i in range(3000):
        reports.record(path, "claude", "overloaded", f"model-{i}", "529 " * 40, T + i)
    assert os.path.getsize(path) <= reports.MAX_BYTES
    tracemalloc.start()
    got = reports.read_recent(path, 0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert got[-1].model == "model-2999" and 50 < len(got) < 3000
    assert peak < 8 * reports.MAX_BYTES


def test_broken_lines_are_skipped_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "reports.jsonl"
    path.write_text('not json\n{"at": "x"}\n[1]\n{"at": 1e300, "service": "c", '
                    '"outcome": "ok"}\n' + json.dumps(
                        {"at": T, "service": "claude", "outcome": "timeout"}) + "\n")
    assert [x.outcome for x in reports.read_recent(str(path), 0)] == ["timeout"]
    assert reports.read_recent(str(tmp_path / "missing"), 0) == ()


def test_the_command_knows_every_preset() -> None:
    from trayapp.cli.report import _PRESET_NAMES
    assert set(presets.load_presets()) == _PRESET_NAMES


# -- the command (subprocess) -----------------------------------------------------------

def lines(tmp_path: Path) -> list[dict[str, object]]:
    path = tmp_path / "state" / "trayapp" / "reports.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_report_command_every_outcome_and_one_line_errors(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    for outcome in OUTCOMES:
        done = trayapp("report", "claude", "--outcome", outcome, "--model=opus", env=env)
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert [x["outcome"] for x in lines(tmp_path)] == list(OUTCOMES)
    for argv in (["claude", "--outcome", "fine"], ["claude"], ["--outcome", "ok"],
                 ["claude", "--outcome"], ["claude", "--bogus", "--outcome", "ok"]):
        done = trayapp("report", *argv, env=env)
        assert done.returncode == 64 and "Traceback" not in done.stderr
        assert done.stderr.startswith("trayapp report: ")
    assert len(lines(tmp_path)) == len(OUTCOMES)           # nothing more was written


def hook(tmp_path: Path, data: bytes | None) -> tuple[int, str]:
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "trayapp", "report", "--from",
                           "claude-code"], input=data, capture_output=True, timeout=60,
                          env=isolated_env(tmp_path),
                          stdin=subprocess.DEVNULL if data is None else None)
    assert "Traceback" not in done.stderr.decode()
    return done.returncode, done.stderr.decode()


@pytest.mark.parametrize(("name", "outcome"), [
    ("stopfailure-overloaded.json", "overloaded"),
    ("stopfailure-rate-limit.json", "rate_limited"),
    ("stop.json", "ok")])
def test_from_claude_code_maps_its_hook_json(tmp_path: Path, name: str, outcome: str) -> None:
    code, err = hook(tmp_path, fixture(f"claude-code/{name}"))
    assert (code, err) == (0, "")
    (got,) = lines(tmp_path)
    assert (got["service"], got["outcome"]) == ("anthropic", outcome)


@pytest.mark.parametrize("data", [
    None, b"", b"garbage\x00\xff", b"[1, 2]", b'{"hook_event_name": "PreToolUse"}',
    b"[" * 100000, b'{"a": "' + b"x" * (400 * 1024) + b'"}'])
def test_from_claude_code_bad_input_is_one_line_and_exit_0(tmp_path: Path,
                                                           data: bytes | None) -> None:
    code, err = hook(tmp_path, data)
    assert code == 0 and err.count("\n") == 1 and err.startswith("trayapp report: ")
    assert lines(tmp_path) == []
