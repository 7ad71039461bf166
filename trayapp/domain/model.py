"""The normalized model every feed adapter produces and the monitor consumes.

Plain frozen dataclasses: no I/O, no clock, standard library only.
Text fields hold *cleaned* untrusted text (see :mod:`trayapp.domain.text`); every
output still sanitizes again for its own medium.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from trayapp.domain.facts import Facts
from trayapp.domain.levels import Level, worst
from trayapp.domain.past import Eta, PastIncidents


@dataclass(frozen=True, slots=True)
class Component:
    id: str
    name: str
    level: Level
    group: str | None = None
    aliases: tuple[str, ...] = ()      # former names the filter also matches (renames)


@dataclass(frozen=True, slots=True)
class Update:
    """One incident update. Incidents keep them newest first."""

    status: str
    body: str
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    name: str
    status: str                        # investigating / identified / monitoring / ...
    impact: Level                      # operational when the page says "none"
    url: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    updates: tuple[Update, ...] = ()   # newest first
    components: tuple[str, ...] = ()   # affected component names
    component_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Maintenance:
    id: str
    name: str
    status: str
    in_progress: bool
    url: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    components: tuple[str, ...] = ()
    component_ids: tuple[str, ...] = ()


class SourceProblem(StrEnum):
    """Why a feed could not be read. Never a vendor outage."""

    UNREACHABLE = "unreachable"   # DNS, refused, timeout, TLS
    BLOCKED = "blocked"           # bot challenge, 403/405/429 from the status page
    HTTP_ERROR = "http_error"     # 404, 5xx from the status page
    BROKEN = "broken"             # answered, but not in the expected format

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class FeedReport:
    """What one status feed says, normalized.

    ``level`` is the page-wide level (indicator and all components); the
    component filter is applied later, by :mod:`trayapp.core.assess`.
    """

    platform: str
    level: Level
    summary: str
    components: tuple[Component, ...] = ()
    incidents: tuple[Incident, ...] = ()          # active (unresolved) only
    maintenances: tuple[Maintenance, ...] = ()    # in progress and upcoming
    page_url: str | None = None
    error: str | None = None                      # one line, when something was unreadable
    problem: SourceProblem | None = None          # set when the whole feed is unusable
    indicator: Level | None = None                # the page's own overall indicator, if any
    warnings: tuple[str, ...] = ()
    retry_at: datetime | None = None              # the page asked not to be read before (UTC)


def failed_feed(platform: str, problem: SourceProblem, error: str,
                page_url: str | None = None) -> FeedReport:
    """A feed that could not be read: ``unknown``, with a one-line reason."""
    return FeedReport(platform=platform, level=Level.UNKNOWN, summary=error,
                      page_url=page_url, error=error, problem=problem)


# The "your side" reason of a local server that is not running (see ProbeResult).
NOT_RUNNING = "not_running"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """One API probe's answer, judged. ``your_side`` :data:`NOT_RUNNING`: a server on
    this machine whose port refuses connections (``unknown``, never an outage)."""

    level: Level
    detail: str                       # one line: "HTTP 401 in 180 ms", "timed out after 10 s"
    status_code: int | None = None
    latency_ms: int | None = None
    error: str | None = None
    rate_limited: bool = False
    # The failure points to this computer or network, not the vendor: a reason code
    # (see trayapp.core.probe.YOUR_SIDE); never counted as a vendor outage.
    your_side: str | None = None
    median_ms: int | None = None      # the rolling median latency (set by the monitor)
    # The verdict (trayapp.core.verdict): its reason code, who is to blame (vendor,
    # your_side, unknown, none), and the facts it was judged from (judged again by the
    # monitor with the whole cycle).
    reason: str | None = None
    blame: str | None = None
    facts: Facts | None = None
    # Retry-After: the vendor asked not to be asked again before this time (UTC).
    retry_at: datetime | None = None
    held: bool = False                # not asked this poll (Retry-After): the last answer


@dataclass(frozen=True, slots=True)
class ModelResult:
    """One per-model probe: a minimal real request (one token) to one model."""

    model: str
    level: Level
    detail: str                       # one line: "overloaded (HTTP 529)"
    status_code: int | None = None
    latency_ms: int | None = None     # time to the first byte
    your_side: str | None = None
    median_ms: int | None = None      # set by the monitor
    reason: str | None = None         # as ProbeResult's
    blame: str | None = None
    facts: Facts | None = None
    retry_at: datetime | None = None  # as on ProbeResult
    held: bool = False


@dataclass(frozen=True, slots=True)
class ModelBudget:
    """Model probes spent today (UTC) for one service, out of its daily limit."""

    used: int
    limit: int
    day: str                          # YYYY-MM-DD, UTC


class Connectivity(StrEnum):
    ONLINE = "online"
    NO_NETWORK = "no network"
    CAPTIVE_PORTAL = "captive portal"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Observation:
    """Everything one poll learned about one service."""

    feed: FeedReport | None = None
    probe: ProbeResult | None = None
    models: tuple[ModelResult, ...] | None = None   # None: no model probed this time
    budget: ModelBudget | None = None
    past: PastIncidents | None = None               # the page's incident history, if read


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    id: str
    name: str
    role: str                                   # "watch" or "fallback"
    level: Level
    summary: str                                # one line
    feed: FeedReport | None = None              # after the component filter
    probe: ProbeResult | None = None
    fallbacks: tuple[str, ...] = ()             # ids
    probe_disagrees: bool = False               # the API fails while the page says fine
    source_broken: bool = False                 # the status page keeps failing to parse
    page_url: str | None = None
    web_url: str | None = None
    # The status page is unreadable now; this is the time of its last good read,
    # whose level still counts (until ``stale_after``). None while the page reads fine.
    stale_since: datetime | None = None
    # While stale: the level that last good read said (what "last known" names on
    # every surface), and whether it is too old to count (``stale_after`` passed).
    last_known: Level | None = None
    stale_expired: bool = False
    local: bool = False                         # every URL is on this machine
    models: tuple[ModelResult, ...] = ()        # per model: level after the thresholds
    budget: ModelBudget | None = None
    your_side: str | None = None                # reason code: this computer's side
    retry_at: datetime | None = None            # the latest Retry-After of its URLs (UTC)
    # How long incidents like the open one usually last (trayapp.core.eta); None when
    # nothing is open or too few past incidents of its impact are known.
    eta: Eta | None = None

    @property
    def not_running(self) -> bool:
        """A server on this machine that is not running: its own state (level
        ``unknown``, grey), never an outage, an event or a fallback."""
        return self.your_side == NOT_RUNNING

    @property
    def state_label(self) -> str:
        """The words for its state: "not running", else the level's ("partial outage")."""
        return "not running" if self.not_running else self.level.label

    @property
    def page_readable(self) -> bool:
        """The page was read (and matched the filter) this time."""
        return self.feed is not None and self.feed.problem is None and self.stale_since is None


@dataclass(frozen=True, slots=True)
class Polling:
    """How the running loop polls after this snapshot: the seconds to the next poll,
    and whether that is the slower pace of a laptop on its battery."""
    every: float
    on_battery: bool = False


@dataclass(frozen=True, slots=True)
class Snapshot:
    checked_at: datetime
    offline: bool
    reason: str | None
    services: tuple[ServiceStatus, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    polling: Polling | None = None            # set by the running loop (tray, watch)

    def service(self, service_id: str) -> ServiceStatus | None:
        for s in self.services:
            if s.id == service_id:
                return s
        return None

    @property
    def watched(self) -> tuple[ServiceStatus, ...]:
        return tuple(s for s in self.services if s.role == "watch")

    @property
    def overall(self) -> Level:
        """Worst level of the watched services; ``unknown`` when offline (unless
        every watched service is on this machine, which offline does not touch)."""
        if self.offline and not all(s.local for s in self.watched):
            return Level.UNKNOWN
        return worst(s.level for s in self.watched)



class EventKind(StrEnum):
    WORSE = "worse"
    BETTER = "better"
    INCIDENT_NEW = "incident_new"
    INCIDENT_RESOLVED = "incident_resolved"
    MAINTENANCE_STARTED = "maintenance_started"
    MAINTENANCE_ENDED = "maintenance_ended"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Event:
    """One real change of one service, for notifications and ``watch``."""

    kind: EventKind
    service: str
    old: Level
    new: Level
    reason: str                       # one line
    at: datetime
    incident: str | None = None       # incident or maintenance name, when about one
    eta: Eta | None = None            # a new incident or a worse level: its usual length
    source: str | None = None         # "reports": decided by the user's own tools' reports
