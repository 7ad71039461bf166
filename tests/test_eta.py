"""Expected duration from the vendor's own incident history (issue 28, first half).

The history documents are the real shapes from tests/fixtures (Perplexity's
incident.io ``incidents.json``, Google Cloud's ``incidents.json``) with edits:
incidents of known lengths, open ones, maintenances, impact ``none``, a missing
``resolved_at``, a postmortem, a repeated id, more than 50 entries. The figures
are asserted exactly (median and quartiles by linear interpolation, half up), then
the whole path runs through a loopback server: the conditional GET and the
once-an-hour rule counted on the server side, on a virtual ``now``.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.loopback import LoopbackServer, fixture
from trayapp.config import Config, parse_text
from trayapp.core import eta
from trayapp.core.monitor import MonitorState, step
from trayapp.core.policy import PolicyState, Settings, Told, decide
from trayapp.core.render import event_json, snapshot_json, snapshot_text
from trayapp.domain.levels import Level
from trayapp.domain.model import EventKind, Incident
from trayapp.domain.past import PastIncident, PastIncidents
from trayapp.edges.http import HttpClient
from trayapp.runtime.poller import Poller
from trayapp.sources.incident_history import history_url, parse
from trayapp.windows.details_text import dashboard, lines_of, plain_text

T0 = datetime(2026, 9, 1, tzinfo=UTC)
TEMPLATE: dict[str, Any] = json.loads(
    fixture("incidentio/perplexity-incidents-compat-1.json"))["incidents"][0]


def incident(iid: str, impact: str, minutes: float | None, *, status: str = "resolved",
             start: datetime = T0, **extra: Any) -> dict[str, Any]:
    """Perplexity's first real incident, edited: id, impact, status and times."""
    inc = copy.deepcopy(TEMPLATE)
    inc.update(id=iid, impact=impact, status=status, created_at=start.isoformat(),
               resolved_at=(start + timedelta(minutes=minutes)).isoformat()
               if minutes is not None else None, **extra)
    return inc


def document(incidents: list[dict[str, Any]]) -> bytes:
    page = json.loads(fixture("incidentio/perplexity-incidents-compat-1.json"))
    page["incidents"] = incidents
    return json.dumps(page).encode()


def day(n: int) -> datetime:
    return T0 - timedelta(days=n)


# minor (degraded): 10, 20, 30, 40, 50 (a postmortem), 100 -> median 35, p25 22.5, p75 47.5
EDITED = [
    incident("m1", "minor", 10, start=day(1)),
    incident("m1", "minor", 999, start=day(1)),                       # repeated id: once
    incident("m2", "minor", 20, start=day(2)),
    incident("m3", "minor", 30, start=day(3)),
    incident("m4", "minor", 40, start=day(4)),
    incident("m5", "minor", 50, start=day(5), status="postmortem"),  # resolved
    incident("m6", "minor", 100, start=day(6)),
    incident("open", "minor", None, start=day(0), status="investigating"),
    incident("open2", "minor", 5, start=day(0), status="monitoring"),  # not resolved yet
    incident("nores", "minor", None, start=day(7), incident_updates=[]),  # no end known
    incident("none1", "none", 1, start=day(8)),                       # impact none
    incident("maint", "maintenance", 3, start=day(9)),                # maintenance
    incident("sched", "minor", 4, start=day(10), scheduled_for=day(10).isoformat()),
    incident("neg", "minor", -30, start=day(11)),                     # resolved before posted
    # critical: only 4 -> nothing is said
    *(incident(f"c{i}", "critical", 60 * i, start=day(20 + i)) for i in range(1, 5)),
]


def test_the_page_shape_with_its_edits() -> None:
    past = parse("incidentio", document(EDITED))
    assert past is not None
    ids = [p.id for p in past]
    assert ids.count("m1") == 1 and "maint" not in ids and "sched" not in ids
    m1 = next(p for p in past if p.id == "m1")
    assert m1.end is not None and m1.end - m1.start == timedelta(minutes=10)   # the first copy
    assert next(p for p in past if p.id == "open").end is None
    assert next(p for p in past if p.id == "open2").end is None
    assert next(p for p in past if p.id == "nores").end is None
    history = PastIncidents(page=past)
    minor = eta.figures(history, Level.DEGRADED)
    assert minor is not None
    assert (minor.median_minutes, minor.p25_minutes, minor.p75_minutes, minor.count) == \
        (35, 23, 48, 6)
    assert minor.basis == "page" and minor.of == len(past)
    assert eta.figures(history, Level.MAJOR_OUTAGE) is None            # 4 critical: silence
    assert [f.impact for f in eta.all_figures(history)] == [Level.DEGRADED]


def test_a_resolved_incident_without_resolved_at_ends_at_its_resolved_update() -> None:
    raw = incident("u", "major", None, start=T0)
    raw["incident_updates"] = [{**raw["incident_updates"][0], "status": "resolved",
                                "created_at": (T0 + timedelta(minutes=42)).isoformat()}]
    [past] = parse("statuspage", document([raw])) or ()
    assert past.end == T0 + timedelta(minutes=42)


def test_the_fifty_newest_only() -> None:
    many = [incident(f"i{n}", "major", n + 1, start=day(n)) for n in range(60)]
    past = parse("statuspage", document(list(reversed(many))))   # any order in the document
    assert past is not None and len(past) == 50
    found = eta.figures(PastIncidents(page=past), Level.PARTIAL_OUTAGE)
    # the newest 50 lasted 1..50 min: median 25.5 -> 26, p25 13.25 -> 13, p75 37.75 -> 38
    assert found is not None and (found.count, found.median_minutes, found.p25_minutes,
                                  found.p75_minutes) == (50, 26, 13, 38)


def test_fewer_than_five_says_nothing() -> None:
    four = parse("statuspage", document([incident(f"x{i}", "major", 30, start=day(i))
                                         for i in range(4)]))
    assert four is not None
    history = PastIncidents(page=four)
    assert eta.figures(history, Level.PARTIAL_OUTAGE) is None
    open_now = Incident("o", "Errors", "investigating", Level.PARTIAL_OUTAGE, created_at=T0)
    assert eta.expected(history, [open_now], T0) is None


@pytest.mark.parametrize("body", [b"", b"<html>", b"[]x", b'{"incidents": 3}', b"null",
                                  b'{"incidents": [1, "a", {"id": 5}]}'])
def test_unreadable_history_is_none_or_empty_never_raises(body: bytes) -> None:
    got = parse("statuspage", body)
    assert got is None or got == ()


def test_google_shape_begin_end() -> None:
    real = json.loads(fixture("google-cloud/gcp-incidents-1.json"))
    template = real[0]
    edited = []
    for n, minutes in enumerate((5, 15, 25, 35, 45)):
        inc = copy.deepcopy(template)
        inc.update(id=f"g{n}", begin=day(n).isoformat(),
                   end=(day(n) + timedelta(minutes=minutes)).isoformat())
        edited.append(inc)
    open_one = copy.deepcopy(template)
    open_one.update(id="gopen", begin=T0.isoformat())
    open_one.pop("end", None)
    past = parse("google-cloud", json.dumps([open_one, *edited, *real]).encode())
    assert past is not None
    impact = next(p.impact for p in past if p.id == "g0")
    assert impact is Level.PARTIAL_OUTAGE          # the real first entry: SERVICE_DISRUPTION
    found = eta.figures(PastIncidents(page=past), impact)
    real_same = [p for p in past if p.id not in {"gopen", *(f"g{n}" for n in range(5))}
                 and p.impact is impact and p.end is not None]
    minutes = sorted([5, 15, 25, 35, 45] + [(p.end - p.start).total_seconds() / 60
                                            for p in real_same if p.end])
    assert found is not None and found.count == len(minutes)
    assert found.median_minutes == int(eta.quantile(minutes, 0.5) + 0.5)
    assert next(p for p in past if p.id == "gopen").end is None
    # Google's history is its feed's own document
    assert history_url("google-cloud", "https://status.cloud.google.com") == \
        "https://status.cloud.google.com/incidents.json"
    assert history_url("rss", "https://x.test/history.atom") is None


def test_google_filter_by_product() -> None:
    def g(iid: str, product: str, minutes: int) -> PastIncident:
        return PastIncident(iid, Level.DEGRADED, T0, T0 + timedelta(minutes=minutes),
                            (product, product + " name"))
    past = PastIncidents(page=tuple(g(f"a{i}", "gemini", 10) for i in range(5))
                         + tuple(g(f"b{i}", "other", 500) for i in range(5)))
    only = eta.figures(past, Level.DEGRADED, ("gemini",))
    assert only is not None and only.median_minutes == 10 and only.count == 5
    every = eta.figures(past, Level.DEGRADED)
    assert every is not None and every.count == 10


def test_this_machine_folds_in_without_counting_twice() -> None:
    def p(iid: str, minutes: int) -> PastIncident:
        return PastIncident(iid, Level.MAJOR_OUTAGE, T0, T0 + timedelta(minutes=minutes))
    page = tuple(p(f"p{i}", 10 * (i + 1)) for i in range(3))         # 10, 20, 30
    machine = (p("p0", 999), p("old1", 40), p("old2", 50))           # p0 is the page's
    both = eta.figures(PastIncidents(page, machine), Level.MAJOR_OUTAGE)
    assert both is not None and (both.count, both.median_minutes, both.basis) == \
        (5, 30, "page and this machine")
    alone = eta.figures(PastIncidents((), tuple(p(f"m{i}", 7) for i in range(5))),
                        Level.MAJOR_OUTAGE)
    assert alone is not None and alone.basis == "this machine"


def test_the_words() -> None:
    f = eta.Figures(Level.PARTIAL_OUTAGE, 47, 20, 95, 31, 50, "page")
    assert eta.figures_words(f, "Anthropic") == (
        "incidents of this impact on Anthropic's page lasted a median of 47 min "
        "(middle half 20-95 min, 31 of the last 50)")
    e = eta.Eta(f, T0, T0 + timedelta(minutes=47), 38)
    assert eta.usually_words(e) == "usually 20-95 min; open for 38 min"
    assert eta.typically_words(e) == "typically lasts about 47 min"
    assert eta.eta_json(e) == {
        "impact": "partial_outage", "median_minutes": 47, "p25_minutes": 20,
        "p75_minutes": 95, "count": 31, "of": 50, "basis": "page",
        "started_at": T0.isoformat(), "open_minutes": 38,
        "expected_end": (T0 + timedelta(minutes=47)).isoformat()}
    past = eta.eta_json(eta.Eta(f, T0, None, 60))
    assert past is not None and "expected_end" not in past


# ------------------------------------------------------------- through a loopback server

INCIDENTS = "/api/v2/incidents.json"
SUMMARY = "/api/v2/summary.json"
OPENED = datetime(2026, 10, 7, 13, 25, 4, 155000, tzinfo=UTC)   # its started_at
MAJOR = [incident(f"h{i}", "major", minutes, start=OPENED - timedelta(days=i + 1))
         for i, minutes in enumerate((20, 30, 45, 60, 95))]      # median 45, p25 30, p75 60


def config(server: LoopbackServer) -> Config:
    return parse_text('connectivity_url = ""\ntimeout = 2\n[[services]]\nid = "claude"\n'
                      'name = "Claude"\n'
                      f'feed = {{ kind = "statuspage", url = "{server.base}" }}\n', "t")


class Run:
    def __init__(self, cfg: Config, past_path: Path) -> None:
        self.cfg, self.client = cfg, HttpClient(timeout=2)
        self.poller = Poller(cfg, self.client, {}, past_path=past_path)
        self.state = MonitorState()

    def at(self, minutes: float):  # type: ignore[no-untyped-def]
        now = OPENED + timedelta(minutes=minutes)
        poll = self.poller.poll(now)
        result = step(self.cfg, self.state, poll.connectivity, poll.observations, now)
        self.state = result.state
        return result

    def close(self) -> None:
        self.client.close()


def test_read_hourly_conditionally_and_once_more_on_a_new_incident(
        server: LoopbackServer, tmp_path: Path) -> None:
    summary = fixture("statuspage/anthropic-summary-1.json")
    server.set(SUMMARY, summary)
    server.set(INCIDENTS, document(MAJOR), etag='W/"v1"')
    run = Run(config(server), tmp_path / "incident-history.json")
    try:
        first = run.at(38)
        claude = first.snapshot.services[0]
        assert claude.eta is not None
        assert (claude.eta.figures.median_minutes, claude.eta.figures.p25_minutes,
                claude.eta.figures.p75_minutes, claude.eta.figures.count) == (45, 30, 60, 5)
        assert claude.eta.open_minutes == 38
        assert "incidents like it: usually 30-60 min; open for 38 min (5 of the last 5, " \
            "page)" in snapshot_text(first.snapshot)
        out = snapshot_json(first.snapshot)["services"][0]["eta"]
        assert out["basis"] == "page" and out["expected_end"] == \
            (OPENED + timedelta(minutes=45)).isoformat()
        assert server.hits[INCIDENTS] == 1
        for minutes in (40, 60, 90):                         # within the hour: not asked
            assert run.at(minutes).snapshot.services[0].eta is not None
        assert server.hits[INCIDENTS] == 1 and server.hits[SUMMARY] == 4
        late = run.at(99)                                    # an hour after: asked again
        assert server.hits[INCIDENTS] == 2
        assert server.requests_to(INCIDENTS)[-1].headers.get("if-none-match") == 'W/"v1"'
        eta_now = late.snapshot.services[0].eta
        assert eta_now is not None and eta_now.expected_end is None   # the median is past
        assert "expected_end" not in snapshot_json(late.snapshot)["services"][0]["eta"]
        # A new incident opens: one more read, then none until the hour is up again.
        opened = json.loads(summary)
        new = {**opened["incidents"][0], "id": "newincident1", "impact": "major",
               "created_at": (OPENED + timedelta(minutes=100)).isoformat()}
        opened["incidents"].append(new)
        server.set(SUMMARY, json.dumps(opened).encode())
        run.at(101)
        assert server.hits[INCIDENTS] == 3
        run.at(110)
        assert server.hits[INCIDENTS] == 3
    finally:
        run.close()
    # A restart: the read is on disk, so nothing is fetched before the hour is up.
    again = Run(config(server), tmp_path / "incident-history.json")
    try:
        result = again.at(120)
        assert server.hits[INCIDENTS] == 3
        assert result.snapshot.services[0].eta is not None
        again.at(102 + 60)
        assert server.hits[INCIDENTS] == 4
    finally:
        again.close()


def test_a_new_incident_event_carries_the_figure(server: LoopbackServer,
                                                  tmp_path: Path) -> None:
    server.set(SUMMARY, fixture("statuspage/anthropic-summary-3.json"))
    server.set(INCIDENTS, document(MAJOR))
    run = Run(config(server), tmp_path / "h.json")
    try:
        run.at(0)
        server.set(SUMMARY, fixture("statuspage/anthropic-summary-1.json"))
        result = run.at(5)
        new = [e for e in result.events if e.kind is EventKind.INCIDENT_NEW]
        assert new and new[0].eta is not None
        assert event_json(new[0])["eta"]["median_minutes"] == 45
        assert server.hits[INCIDENTS] == 2          # the quiet page's read, then the new one
        # the notification and the details window read the same figure
        told = decide(result.events, result.snapshot, PolicyState(
            told={"claude": Told(level=Level.OPERATIONAL)}),
            Settings(local_ids=frozenset(), tz=UTC), OPENED + timedelta(minutes=5))
        assert [n.body.splitlines()[-1] for n in told.notifications] == \
            ["Typically lasts about 45 min"]
        board = dashboard(snapshot_json(result.snapshot), OPENED + timedelta(minutes=38),
                          UTC, {"claude": "Anthropic"})
        view = board.services[0]
        assert view.expected == "usually 30-60 min; open for 38 min"
        assert view.expected_why == (
            "Incidents of this impact on Anthropic's page lasted a median of 45 min "
            "(middle half 30-60 min, 5 of the last 5)")
        assert view.expected in plain_text(lines_of(board))
    finally:
        run.close()


def test_fewer_than_five_on_the_wire_says_nothing(server: LoopbackServer,
                                                  tmp_path: Path) -> None:
    server.set(SUMMARY, fixture("statuspage/anthropic-summary-1.json"))
    server.set(INCIDENTS, document(MAJOR[:4]))
    run = Run(config(server), tmp_path / "h.json")
    try:
        snap = run.at(10).snapshot
        assert snap.services[0].eta is None
        assert snapshot_json(snap)["services"][0]["eta"] is None
    finally:
        run.close()


# ------------------------------------------------------------- the notification, pick

def test_the_notification_names_the_usual_length_then_the_fallback() -> None:
    from dataclasses import replace

    from tests.test_tray_builders import T0 as B0
    from tests.test_tray_builders import claude, fallbacks
    from tests.test_tray_builders import incident as feed_incident
    from tests.test_tray_builders import snapshot as make_snapshot
    figure = eta.Figures(Level.MAJOR_OUTAGE, 45, 20, 95, 31, 50, "page")
    me = replace(claude(Level.MAJOR_OUTAGE, feed_incident()),
                 eta=eta.Eta(figure, B0, B0 + timedelta(minutes=45), 0))
    snap = make_snapshot(me, *fallbacks())
    got = decide((), snap, PolicyState(told={"claude": Told(level=Level.OPERATIONAL)}),
                 Settings(local_ids=frozenset({"ollama"}), tz=UTC), B0)
    assert got.notifications[0].body.splitlines()[-1] == \
        "Typically lasts about 45 min. Try: ChatGPT, Ollama (local)"


def pick_snapshot(level: str, eta_json: dict[str, Any] | None) -> dict[str, Any]:
    return {"offline": False, "services": [
        {"id": "claude", "level": level, "fallbacks": [{"id": "openai"}], "eta": eta_json},
        {"id": "openai", "level": "operational", "fallbacks": []}]}


# (level, median, open for, wait-under minutes) -> hint; None: no hint at all
PICK_HINTS = [
    ("partial_outage", 45, 38, 15, "wait"),         # 7 more minutes usually
    ("partial_outage", 45, 30, 15, "switch"),       # exactly 15 more: not under 15
    ("partial_outage", 45, 50, 15, "switch"),       # outlasted the median
    ("major_outage", 10, 0, 15, "wait"),
    ("major_outage", None, None, 15, "switch"),     # no figure: never a promise to wait
    ("operational", 45, 38, 15, None),              # answering: itself, no hint
    ("degraded", 45, 38, 15, None),                 # degraded but answering: no hint
]


@pytest.mark.parametrize(("level", "median", "opened", "under", "want"), PICK_HINTS)
def test_pick_wait_or_switch(level: str, median: int | None, opened: int | None,
                             under: float, want: str | None) -> None:
    from trayapp.core.pick import pick
    figure = None if median is None else {
        "median_minutes": median, "open_minutes": opened, "p25_minutes": 1,
        "p75_minutes": 2, "count": 5, "of": 5, "basis": "page"}
    answer = pick(pick_snapshot(level, figure), "claude", under)
    assert answer is not None and answer.get("hint") == want
    assert answer["pick"] == ("claude" if want is None else "openai")   # never changes
    plain = pick(pick_snapshot(level, figure), "claude")
    assert plain is not None and "hint" not in plain


# ------------------------------------------------------------- the commands, end to end

def test_status_history_and_pick_commands(server: LoopbackServer, tmp_path: Path) -> None:
    from tests.cli_helpers import isolated_env, status_json, trayapp, write_config
    server.set("/generate_204", b"", status=204)
    server.set("/v1/models", b"{}", status=503)               # the API fails too
    server.set(SUMMARY, fixture("statuspage/github-summary-1.json"))   # major, open
    server.set(INCIDENTS, document(MAJOR), etag='"h1"')
    cfg = write_config(tmp_path, server)
    env = isolated_env(tmp_path)
    _, data, err = status_json(cfg, env)
    figure = data["services"][0]["eta"]
    assert figure is not None, err
    assert (figure["median_minutes"], figure["p25_minutes"], figure["p75_minutes"],
            figure["count"], figure["basis"], figure["impact"]) == \
        (45, 30, 60, 5, "page", "partial_outage")
    assert "expected_end" not in figure              # that incident opened in 2020
    assert server.hits[INCIDENTS] == 1
    status_json(cfg, env)                            # a second run within the hour
    assert server.hits[INCIDENTS] == 1               # read from incident-history.json
    done = trayapp("history", "--json", env=env)
    assert done.returncode == 0, done.stderr
    [svc] = json.loads(done.stdout)["services"]
    assert svc["incident_stats"] == [{
        "impact": "partial_outage", "median_minutes": 45, "p25_minutes": 30,
        "p75_minutes": 60, "count": 5, "of": 5, "basis": "page"}]
    done = trayapp("pick", "claude", "--json", "--wait-under", "15m", "--config", str(cfg),
                   env=env)
    answer = json.loads(done.stdout)
    assert answer["hint"] == "switch" and "longer than the median" in answer["hint_reason"]


# ------------------------------------------------------------- this machine's history, the file

def test_durations_this_machine_saw_from_a_real_history_file(tmp_path: Path) -> None:
    from tests.history_kit import cycle
    from trayapp.edges.history_store import HistoryWriter, resolved_incidents
    path = tmp_path / "history.sqlite3"
    writer = HistoryWriter(path, 90)
    start = 1_800_000_000
    for n in range(50):          # an incident at every 7th cycle, gone the cycle after
        assert writer.record(cycle("claude", start + 60 * n, n))
    writer.close()
    seen = resolved_incidents(path, 0)["claude"]
    assert len(seen) == 7       # cycles 3, 10, ..., 45: each opened 60 s before, gone 60 s after
    assert {(i.end - i.start).total_seconds() for i in seen if i.end} == {120.0}
    found = eta.figures(PastIncidents((), seen), Level.MAJOR_OUTAGE)
    assert found is not None and (found.median_minutes, found.count, found.basis) == \
        (2, 7, "this machine")
    assert resolved_incidents(tmp_path / "none.sqlite3", 0) == {}
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database" * 100)
    assert resolved_incidents(tmp_path / "junk.sqlite3", 0) == {}


@pytest.mark.parametrize("data", [b"", b"{", b"[]", b'{"version": 1, "pages": []}',
                                  b'{"version": 1, "pages": {"u": {"read_at": "x"}}}',
                                  b'{"version": 1, "pages": {"u": {"read_at": '
                                  b'"2026-01-01T00:00:00", "open_ids": []}}}',   # naive
                                  b'{"version": 2, "pages": {}}'])
def test_a_damaged_history_cache_is_ignored(tmp_path: Path, data: bytes) -> None:
    from trayapp.edges import pastcache
    path = tmp_path / pastcache.FILE_NAME
    path.write_bytes(data)
    assert pastcache.load(path) == {} and pastcache.load_services(path) == {}


@pytest.mark.parametrize("bad", [None, "x", [], {}, {"median_minutes": "45"},
                                 {"median_minutes": True, "p25_minutes": 1, "p75_minutes": 2,
                                  "count": 5, "of": 5, "basis": "page", "impact": "degraded",
                                  "started_at": "2026-10-07T13:25:04+00:00"},
                                 {"median_minutes": 45, "p25_minutes": 1, "p75_minutes": 2,
                                  "count": 5, "of": 5, "basis": "guess", "impact": "degraded",
                                  "started_at": "2026-10-07T13:25:04+00:00"},
                                 {"median_minutes": 45, "p25_minutes": 1, "p75_minutes": 2,
                                  "count": 5, "of": 5, "basis": "page", "impact": "degraded",
                                  "started_at": "2026-10-07T13:25:04"}])        # naive
def test_the_details_window_ignores_an_eta_it_cannot_trust(bad: object) -> None:
    snap = {"checked_at": OPENED.isoformat(), "offline": False, "services": [
        {"id": "claude", "name": "Claude", "role": "watch", "level": "partial_outage",
         "summary": "x", "eta": bad}]}
    view = dashboard(snap, OPENED, UTC).services[0]
    assert view.expected is None and view.expected_why is None


def test_with_a_filter_the_figure_is_for_the_incident_naming_a_chosen_component() -> None:
    from trayapp.domain.model import Component

    def p(iid: str, impact: Level) -> PastIncident:
        return PastIncident(iid, impact, T0, T0 + timedelta(minutes=10))
    past = PastIncidents(tuple(p(f"d{i}", Level.DEGRADED) for i in range(5))
                         + tuple(p(f"m{i}", Level.MAJOR_OUTAGE) for i in range(5)))
    elsewhere = Incident("x", "Console down", "investigating", Level.MAJOR_OUTAGE,
                         created_at=T0, components=("Console",))
    ours = Incident("y", "API slow", "investigating", Level.DEGRADED, created_at=T0,
                    components=("Claude API",))
    api = (Component("c1", "Claude API", Level.DEGRADED),)
    got = eta.expected(past, [elsewhere, ours], T0, ("Claude API",), api)
    assert got is not None and got.figures.impact is Level.DEGRADED
    unfiltered = eta.expected(past, [elsewhere, ours], T0)
    assert unfiltered is not None and unfiltered.figures.impact is Level.MAJOR_OUTAGE
    silent = Incident("z", "Errors", "investigating", Level.MAJOR_OUTAGE, created_at=T0)
    named_none = eta.expected(past, [silent], T0, ("Claude API",), api)   # names nothing
    assert named_none is not None and named_none.figures.impact is Level.MAJOR_OUTAGE
