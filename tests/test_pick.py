"""`pick` over a table of snapshots built with the real model and `snapshot_json`."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest

from trayapp.cli.quick import status_exit
from trayapp.core.pick import pick
from trayapp.core.render import exit_code, snapshot_json
from trayapp.domain.levels import Level
from trayapp.domain.model import ProbeResult, ServiceStatus, Snapshot

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
OP, MAINT, DEG, PART, MAJOR, UNK = (Level.OPERATIONAL, Level.MAINTENANCE, Level.DEGRADED,
                                    Level.PARTIAL_OUTAGE, Level.MAJOR_OUTAGE, Level.UNKNOWN)


def probe(level: Level, code: int | None) -> ProbeResult:
    return ProbeResult(level, f"probe {level} {code}", status_code=code)


def snapshot(claude: Level, openai: Level = OP, ollama: Level = OP, *,
             claude_probe: ProbeResult | None = None, openai_probe: ProbeResult | None = None,
             offline: bool = False, fallbacks: tuple[str, ...] = ("openai", "ollama")
             ) -> dict[str, Any]:
    services = (
        ServiceStatus("claude", "Claude", "watch", claude, "s", probe=claude_probe,
                      fallbacks=fallbacks),
        ServiceStatus("openai", "ChatGPT", "fallback", openai, "s", probe=openai_probe),
        ServiceStatus("ollama", "Ollama", "fallback", ollama, "s"),
    )
    return snapshot_json(Snapshot(checked_at=NOW, offline=offline,
                                  reason="no network" if offline else None, services=services))


TABLE = [
    # (case, snapshot, picked, exit)
    ("operational", snapshot(OP), "claude", 0),
    ("maintenance is still answering", snapshot(MAINT), "claude", 0),
    ("degraded, no probe", snapshot(DEG), "claude", 0),
    ("degraded, probe 401", snapshot(DEG, claude_probe=probe(OP, 401)), "claude", 0),
    ("degraded, probe slow", snapshot(DEG, claude_probe=probe(DEG, 200)), "claude", 0),
    ("degraded, probe inconclusive", snapshot(DEG, claude_probe=probe(UNK, 403)), "claude", 0),
    ("degraded, probe overloaded 529", snapshot(DEG, claude_probe=probe(DEG, 529)), "openai", 0),
    ("degraded, probe 500", snapshot(DEG, claude_probe=probe(PART, 500)), "openai", 0),
    ("degraded, probe unreachable", snapshot(DEG, claude_probe=probe(MAJOR, None)), "openai", 0),
    ("partial outage: first fallback", snapshot(PART), "openai", 0),
    ("major: first fallback down, second up", snapshot(MAJOR, MAJOR, OP), "ollama", 0),
    # a degraded fallback is offered after the healthy ones, whatever the configured order
    ("a degraded fallback before a healthy one", snapshot(MAJOR, DEG, OP), "ollama", 0),
    ("a degraded fallback that answers, none healthy", snapshot(MAJOR, DEG, MAJOR), "openai", 0),
    ("a degraded fallback whose probe fails",
     snapshot(MAJOR, DEG, OP, openai_probe=probe(PART, 502)), "ollama", 0),
    ("a fallback in maintenance is not up", snapshot(MAJOR, MAINT, MAJOR), None, 1),
    ("everything known and down", snapshot(MAJOR, PART, MAJOR), None, 1),
    ("no fallbacks", snapshot(MAJOR, fallbacks=()), None, 1),
    ("a fallback unknown, none up: cannot tell", snapshot(MAJOR, UNK, MAJOR), None, 3),
    ("itself unknown, fallbacks down: cannot tell", snapshot(UNK, MAJOR, MAJOR), None, 3),
    ("itself unknown, a fallback up", snapshot(UNK, OP, MAJOR), "openai", 0),
    ("offline, the local fallback still known",
     snapshot(UNK, UNK, OP, offline=True), "ollama", 0),
    ("offline, no local fallback", snapshot(UNK, UNK, UNK, offline=True), None, 3),
    ("offline, local fallback down", snapshot(UNK, UNK, MAJOR, offline=True), None, 3),
]


@pytest.mark.parametrize(("case", "snap", "picked", "code"), TABLE, ids=[t[0] for t in TABLE])
def test_pick_table(case: str, snap: dict[str, Any], picked: str | None, code: int) -> None:
    answer = pick(snap, "claude")
    assert answer is not None
    assert (answer["pick"], answer["exit"]) == (picked, code), answer["reason"]
    assert answer["level"] == snap["services"][0]["level"]
    assert [f["id"] for f in answer["fallbacks"]] == \
        [f["id"] for f in snap["services"][0]["fallbacks"]]
    assert answer["reason"] and "\n" not in answer["reason"]


def test_pick_reports_every_fallback_level() -> None:
    answer = pick(snapshot(MAJOR, MAINT, DEG), "claude")
    assert answer is not None
    assert answer["fallbacks"] == [
        {"id": "openai", "level": "maintenance", "not_running": False, "up": False},
        {"id": "ollama", "level": "degraded", "not_running": False, "up": True}]
    assert answer["pick"] == "ollama"
    assert "major outage" in answer["reason"]


def test_pick_any_service_and_unknown_ids() -> None:
    snap = snapshot(MAJOR, OP)
    openai = pick(snap, "openai")
    assert openai is not None and (openai["pick"], openai["exit"]) == ("openai", 0)
    assert pick(snap, "nope") is None


def test_pick_survives_a_mangled_snapshot() -> None:
    assert pick({}, "claude") is None
    answer = pick({"services": [{"id": "claude", "level": 7, "fallbacks": [3, {"x": 1}]}]},
                  "claude")
    assert answer is not None and answer["exit"] == 3


def test_cached_exit_code_agrees_with_the_live_one() -> None:
    levels = list(Level)
    for a, b, offline in itertools.product(levels, levels, (False, True)):
        snap = Snapshot(checked_at=NOW, offline=offline, reason=None, services=(
            ServiceStatus("a", "A", "watch", a, "s"), ServiceStatus("b", "B", "watch", b, "s"),
            ServiceStatus("c", "C", "fallback", Level.MAJOR_OUTAGE, "s")))
        assert status_exit(snapshot_json(snap)) == exit_code(snap), (a, b, offline)


def test_offers_put_healthy_first_and_name_the_degraded() -> None:
    """The one ordering and wording rule every surface uses (core.pick.offers/offer_label)."""
    from trayapp.core.pick import offer_label, offers
    snap = snapshot(MAJOR, DEG, OP)
    assert [e["id"] for e in offers(snap, "claude")] == ["ollama", "openai"]
    answer = pick(snap, "claude")
    assert answer is not None
    assert answer["offers"] == [{"id": "ollama", "level": "operational"},
                                {"id": "openai", "level": "degraded"}]
    only = pick(snapshot(MAJOR, DEG, MAJOR), "claude")
    assert only is not None and only["pick"] == "openai"
    assert only["reason"].endswith("openai is degraded but answering (no healthy fallback is up)")
    assert [offer_label(n, lv, local) for n, lv, local in (
        ("ChatGPT", "degraded", False), ("Ollama", "operational", True),
        ("Ollama (local)", "degraded", True), ("ChatGPT", "operational", False))] == [
        "ChatGPT (degraded)", "Ollama (local)", "Ollama (local, degraded)", "ChatGPT"]


def test_pick_text_says_a_degraded_pick_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    """stdout stays the bare id (scripts); a degraded fallback is said on stderr."""
    import io

    from trayapp.cli.quick import print_pick
    out = io.StringIO()
    assert print_pick(snapshot(MAJOR, DEG, MAJOR), "claude", None, False, out) == 0
    assert out.getvalue() == "openai\n"
    assert "openai is degraded but answering" in capsys.readouterr().err
    out = io.StringIO()
    assert print_pick(snapshot(MAJOR, DEG, OP), "claude", None, False, out) == 0
    assert out.getvalue() == "ollama\n" and capsys.readouterr().err == ""
