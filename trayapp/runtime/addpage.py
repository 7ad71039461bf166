"""Adding any status page by its URL: read it once with ``kind = "auto"`` and say what it is.

Through the real poller and HTTP edge (the same detection, deadlines and
limits as every poll). A page that cannot be read is refused with the reason:
it is never offered for saving, so it can never be saved as green.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from trayapp.config import Config, ConfigError, FeedConfig, ServiceConfig, check_url
from trayapp.domain.levels import Level
from trayapp.domain.model import FeedReport
from trayapp.domain.text import one_line
from trayapp.sources import platform_name


@dataclass(frozen=True, slots=True)
class Found:
    url: str
    platform: str                     # the detected kind, e.g. "statuspage"
    components: tuple[str, ...]       # component names, as the page lists them
    summary: str                      # "Atlassian Statuspage, 6 components, all operational"
    name: str                         # a suggested name (the page's host)


def describe(report: FeedReport) -> str:
    n = len(report.components)
    parts = [platform_name(report.platform)]
    if n:
        parts.append(f"{n} component{'s' if n != 1 else ''}")
    if report.level is Level.OPERATIONAL:
        parts.append("all operational")
    else:
        parts.append(one_line(report.summary or str(report.level), 120))
    return ", ".join(parts)


def _suggested_name(url: str) -> str:
    from urllib.parse import urlsplit

    from trayapp.config import is_loopback_host
    host = (urlsplit(url).hostname or "").removeprefix("www.").removeprefix("status.")
    if not host or is_loopback_host(host) or host.replace(".", "").isdigit() or ":" in host:
        return "Status page"
    return host.split(".")[0].title()


def interpret(url: str, report: FeedReport) -> Found | str:
    """What the window shows for one read: a Found, or the reason it is refused."""
    if report.problem is not None or report.level is Level.UNKNOWN:
        why = one_line(report.error or report.summary or "could not read it", 300)
        return f"cannot use this page: {why}"
    if report.platform == "auto":
        return "cannot use this page: its platform was not recognised"
    names = tuple(dict.fromkeys(c.name for c in report.components if c.name))
    return Found(url=url, platform=report.platform, components=names,
                 summary=describe(report), name=_suggested_name(url))


def discover(url: str, base: Config, kind: str = "auto") -> Found | str:
    """Read ``url`` once as a feed of ``kind`` (default: detect it; ``base`` gives the
    timeouts), to add it, or to list the components a configured page serves now."""
    from trayapp.runtime.engine import make_client
    from trayapp.runtime.poller import Poller

    try:
        url = check_url(url, "the URL", "")
    except ConfigError as exc:
        return one_line(exc.problem, 300)
    service = ServiceConfig(id="new-page", name="new page",
                            feed=FeedConfig(kind=kind, url=url))
    config = replace(base, services=(service,), connectivity_url=None, hooks=())
    client = make_client(config)
    try:
        result = Poller(config, client).poll(datetime.now(UTC), only=(service,))
    finally:
        client.close()
    report = result.observations[service.id].feed
    if report is None:
        return "cannot use this page: nothing was read"
    return interpret(url, report)
