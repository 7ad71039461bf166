"""The details window's content as pure functions, table by table (no display)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.test_tray_builders import claude, fallbacks, incident, service, snapshot
from trayapp.core.render import snapshot_json
from trayapp.domain.levels import Level
from trayapp.domain.model import ProbeResult, Update
from trayapp.windows.details_html import dashboard_text, to_html
from trayapp.windows.details_text import dashboard
from trayapp.windows.details_words import (
    Seg,
    duration,
    headline,
    probe_words,
    segments,
    vendor_rating,
)

NOW = datetime(2024, 5, 1, 14, 41, tzinfo=UTC)
TZ = timezone(timedelta(hours=2))


def as_json(snap: object) -> dict[str, object]:
    return json.loads(json.dumps(snapshot_json(snap)))  # type: ignore[arg-type, no-any-return]


@pytest.mark.parametrize(("probe", "words"), [
    ({"status_code": 200, "latency_ms": 84, "level": "operational"}, "API answering in 84 ms"),
    ({"status_code": 529, "latency_ms": 30, "level": "degraded"}, "API overloaded (529)"),
    ({"status_code": 503, "latency_ms": 30, "level": "degraded"}, "API overloaded (503)"),
    ({"status_code": 500, "latency_ms": 30, "level": "partial_outage"},
     "API failing with server errors (500)"),
    ({"status_code": 401, "latency_ms": 2, "level": "operational"},
     "API answers in 2 ms; it needs a key (401)"),
    ({"status_code": 403, "level": "operational"}, "API answers; it needs a key (403)"),
    # a 429 or "your side": the verdict's words, never the code's guess
    ({"status_code": 429, "latency_ms": 9, "level": "unknown", "detail": "API rate limited "
      "from this network (HTTP 429 to a request without a key; the status page decides)"},
     "API rate limited from this network (HTTP 429 to a request without a key; the status "
     "page decides)"),
    ({"status_code": 429, "level": "degraded", "detail": "API throttled by the vendor"},
     "API throttled by the vendor"),
    ({"status_code": 401, "level": "operational", "your_side": "key_refused",
      "detail": "API answers; HTTP 401 with your key: your key was refused: check the API key"},
     "API answers; HTTP 401 with your key: your key was refused: check the API key"),
    ({"status_code": 200, "latency_ms": 4100, "level": "degraded"},
     "API slow: answering in 4100 ms"),
    ({"status_code": None, "detail": "API unreachable: timed out after 10 s"},
     "API unreachable: timed out after 10 s"),
    ({"status_code": None, "detail": "blocked by a bot challenge"},
     "API probe: blocked by a bot challenge"),
    ({"status_code": True, "detail": "\x1b[31mx"}, "API probe: x"),
    (None, None),
])
def test_probe_results_in_words(probe: dict[str, object] | None, words: str | None) -> None:
    assert probe_words(probe) == words


@pytest.mark.parametrize(("seconds", "words"), [
    (0, "under a minute"), (59, "under a minute"), (60, "1 min"), (38 * 60, "38 min"),
    (3600, "1 h"), (3 * 3600 + 5 * 60, "3 h 5 min"), (7 * 3600 + 5 * 60, "7 h"),
    (49 * 3600, "2 d"),
])
def test_durations(seconds: float, words: str) -> None:
    assert duration(seconds) == words


@pytest.mark.parametrize(("level", "since", "words"), [
    (Level.MAJOR_OUTAGE, NOW - timedelta(minutes=38), "Major outage since 16:03 (38 min)"),
    (Level.PARTIAL_OUTAGE, NOW - timedelta(days=2), "Partial outage since Mon 16:41 (2 d)"),
    (Level.DEGRADED, NOW - timedelta(days=30), "Degraded since 1 Apr 2024"),
    (Level.DEGRADED, None, "Degraded"),
    (Level.OPERATIONAL, NOW - timedelta(minutes=5), "Operational"),
    (Level.MAJOR_OUTAGE, datetime.max.replace(tzinfo=UTC), "Major outage since ?"),
])
def test_headline_in_local_time_with_age(level: Level, since: datetime | None,
                                         words: str) -> None:
    assert headline(level, since, NOW, TZ) == words


@pytest.mark.parametrize(("impact", "words"), [
    (Level.PARTIAL_OUTAGE, "rated partial outage by Anthropic"),
    (Level.MAJOR_OUTAGE, "rated major outage by Anthropic"),
    (Level.OPERATIONAL, "rated minor by Anthropic"),
    (Level.UNKNOWN, "not rated by Anthropic"),
])
def test_vendor_impact_is_labelled_as_the_vendors(impact: Level, words: str) -> None:
    assert vendor_rating(impact, "Anthropic") == words


PAGE = "https://status.example.com"


@pytest.mark.parametrize(("text", "segs"), [
    ("plain", (Seg("plain"),)),
    ("see [the post](https://status.example.com/p) now",
     (Seg("see "), Seg("the post", "https://status.example.com/p"), Seg(" now"))),
    ("bare https://status.example.com/x.", (Seg("bare "), Seg("https://status.example.com/x",
                                                             "https://status.example.com/x"),
                                           Seg("."))),
    ("[phish](https://evil.example/login)", (Seg("phish"),)),
    ("[x](javascript:alert(1))", (Seg("[x](javascript:alert(1))"),)),
    ("[a](https://status.example.com@evil.example/)", (Seg("a"),)),
])
def test_links_are_words_never_markdown(text: str, segs: tuple[Seg, ...]) -> None:
    assert segments(text, PAGE) == segs


def outage() -> dict[str, object]:
    start = NOW - timedelta(minutes=38)
    inc = replace(incident(at=start), updates=(
        Update("monitoring", "Rolling out [a fix](https://status.example.com/fix).",
               start + timedelta(minutes=30)),
        Update("identified", "Fix in progress.", start + timedelta(minutes=12)),
        Update("investigating", "We are investigating.", start)))
    probe = ProbeResult(Level.DEGRADED, "API overloaded (HTTP 529)", status_code=529,
                        latency_ms=84)
    return as_json(snapshot(claude(Level.MAJOR_OUTAGE, inc, probe=probe), *fallbacks(),
                            at=NOW))


def test_the_dashboard_reads_top_down() -> None:
    d = dashboard(outage(), NOW, TZ, {"claude": "Anthropic"})
    [s] = d.services
    assert (s.name, s.level, s.headline) == ("Claude", Level.MAJOR_OUTAGE,
                                             "Major outage since 16:03 (38 min)")
    assert s.probe == "API overloaded (529)"
    assert [(u.text, u.url) for u in s.use_instead] == [
        ("ChatGPT", "https://chatgpt.com"), ("Ollama", "http://127.0.0.1:11434")]
    [inc] = s.incidents
    assert inc.meta == ("Investigating; rated partial outage by Anthropic; "
                        "started 16:03 (38 min); affects Claude API")
    assert inc.latest is not None and inc.latest.when == "16:33"
    assert inc.latest.body == (Seg("Rolling out "), Seg("a fix", "https://status.example.com/fix"),
                               Seg("."))
    assert [u.status for u in inc.older] == ["Identified", "Investigating"]
    text = dashboard_text(d)
    assert "](" not in text and text.index("Use instead") < text.index("Incident:")


@pytest.mark.parametrize(("case", "use", "note"), [
    ("fallbacks up", ["ChatGPT", "Ollama"], None),
    ("one down", ["Ollama"], None),
    ("one degraded", ["Ollama", "ChatGPT (degraded)"], None),     # healthy first
    ("all down", [], "No fallback is up right now"),
    ("none configured", [], None),
    ("all fine", [], None),
    ("offline", ["Ollama (local)"], None),                         # as everywhere
])
def test_use_instead(case: str, use: list[str], note: str | None) -> None:
    level = Level.OPERATIONAL if case == "all fine" else Level.MAJOR_OUTAGE
    down = Level.MAJOR_OUTAGE
    fbs = {"one down": fallbacks(openai=down), "all down": fallbacks(down, down),
           "one degraded": fallbacks(openai=Level.DEGRADED)}.get(case, fallbacks())
    watched = claude(level) if case != "none configured" else \
        service("claude", level, name="Claude")
    raw = as_json(snapshot(watched, *fbs, offline=case == "offline"))
    if case == "offline":
        for s in raw["services"]:  # type: ignore[attr-defined]
            s["local"] = s["id"] == "ollama"
    [s] = dashboard(raw, NOW, TZ).services
    assert [u.text for u in s.use_instead] == use
    assert s.use_instead_note == note
    if case == "offline":
        assert s.headline == "Cannot tell while offline" and s.level is Level.UNKNOWN


def test_stale_page_says_so() -> None:
    raw = as_json(snapshot(claude(Level.PARTIAL_OUTAGE), *fallbacks(), at=NOW))
    feed = raw["services"][0]["feed"]  # type: ignore[index]
    feed.update(stale_since=(NOW - timedelta(hours=2)).isoformat(), level="unknown",
                last_known="partial_outage")
    [s] = dashboard(raw, NOW, TZ).services
    # the remembered level, not the failed read's ("unknown")
    assert s.reason == "Status page unreadable since 14:41 (2 h); last known: partial outage"
    feed["stale_expired"] = True
    [s] = dashboard(raw, NOW, TZ).services
    assert s.reason.endswith("last known: partial outage (too long ago to count)")


def test_paused_and_offline_lines() -> None:
    raw = as_json(snapshot(claude(), *fallbacks(), at=NOW, offline=True))
    d = dashboard(raw, NOW, TZ, paused_until=NOW + timedelta(hours=1))
    assert d.paused == "Notifications paused until 17:41"
    assert d.offline == "Offline: no network; remote services cannot be judged"
    assert dashboard(raw, NOW, TZ, paused_until=NOW - timedelta(seconds=1)).paused is None


def test_html_fallback_escapes_and_links_only_safe_urls() -> None:
    raw = outage()
    raw["services"][0]["name"] = "<b>Claude</b> & <script>x</script>co"  # type: ignore[index]
    page = to_html(dashboard(raw, NOW, TZ))
    assert "<script>" not in page and "<b>Claude" not in page
    assert "<h2>Claude &amp; co: Major outage" in page
    assert '<a href="https://status.example.com/fix"' in page
