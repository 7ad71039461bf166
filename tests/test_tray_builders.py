"""Snapshot builders shared by the tray and notification tests (no tests here)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trayapp.domain.levels import Level
from trayapp.domain.model import (
    Component,
    FeedReport,
    Incident,
    Maintenance,
    ProbeResult,
    ServiceStatus,
    Snapshot,
    Update,
)

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
HOSTILE = ("<b>Bold</b> \x1b[31mred\x1b[0m \u202eevil\u202c\x07 <script>alert(1)</script>"
           + "x" * 500)


def incident(name: str = "Elevated errors on Claude Opus", *, iid: str = "i1",
             level: Level = Level.PARTIAL_OUTAGE, body: str = "We are investigating.",
             at: datetime = T0, url: str | None = "https://status.example.com/i/1") -> Incident:
    return Incident(id=iid, name=name, status="investigating", impact=level, url=url,
                    created_at=at, updated_at=at,
                    updates=(Update("identified", "Fix in progress.", at + timedelta(minutes=5)),
                             Update("investigating", body, at)),
                    components=("Claude API",))


def service(sid: str = "claude", level: Level = Level.OPERATIONAL, *, name: str | None = None,
            role: str = "watch", incidents: tuple[Incident, ...] = (),
            maintenances: tuple[Maintenance, ...] = (), fallbacks: tuple[str, ...] = (),
            summary: str = "All Systems Operational", web_url: str | None = None,
            probe: ProbeResult | None = None, disagree: bool = False) -> ServiceStatus:
    feed = FeedReport(platform="statuspage", level=level, summary=summary,
                      components=(Component("c1", "Claude API", level),),
                      incidents=incidents, maintenances=maintenances,
                      page_url="https://status.example.com")
    return ServiceStatus(id=sid, name=name or sid.capitalize(), role=role, level=level,
                         summary=summary, feed=feed, probe=probe, fallbacks=fallbacks,
                         probe_disagrees=disagree, page_url="https://status.example.com",
                         web_url=web_url)


def snapshot(*services: ServiceStatus, at: datetime = T0, offline: bool = False) -> Snapshot:
    return Snapshot(checked_at=at, offline=offline, reason="no network" if offline else None,
                    services=services)


def claude(level: Level = Level.OPERATIONAL, *incs: Incident, **kw: object) -> ServiceStatus:
    return service("claude", level, name="Claude", incidents=incs,
                   fallbacks=("openai", "ollama"), **kw)  # type: ignore[arg-type]


def fallbacks(openai: Level = Level.OPERATIONAL,
              ollama: Level = Level.OPERATIONAL) -> tuple[ServiceStatus, ServiceStatus]:
    return (service("openai", openai, name="ChatGPT", role="fallback",
                    web_url="https://chatgpt.com"),
            service("ollama", ollama, name="Ollama", role="fallback",
                    web_url="http://127.0.0.1:11434"))
