"""Which links from a feed may be clickable: the one safe-link rule, for every surface.

A link is offered (menu item, details window, ``status --json`` ``url``) only
when :func:`trayapp.domain.text.safe_url` accepts it (http(s); no userinfo such as
``https://status.claude.com@evil.example/``; no bidi, invisible or control
character) **and** its host is the status page's own (the configured feed's
host, or a sub/parent domain of it) or a known vendor host (a host named in
the presets, or a status platform's link host such as Statuspage's
``stspg.io``). Anything else is shown as text only. :func:`confine` applies
the rule to a parsed feed once, where the configured URL is known, so every
surface gets the same links; the tray surfaces check again with
:func:`safe_link` against the service's page.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import replace

from trayapp.domain.model import FeedReport
from trayapp.domain.text import origin, safe_url, url_host

PLATFORM_LINK_HOSTS = frozenset({"stspg.io"})   # Statuspage incident shortlinks


def _related(host: str, own: str) -> bool:
    """The same host, or one a sub-domain of the other (status.x.com and x.com)."""
    if host == own:
        return True
    if "." not in host or "." not in own:
        return False
    return host.endswith("." + own) or own.endswith("." + host)


def safe_link(url: object, page_url: object, vendors: Set[str]) -> str | None:
    """``url`` if it may be a clickable link for the page ``page_url``, else None.

    ``vendors`` are the known vendor hosts (:func:`trayapp.config.vendor_hosts`)."""
    safe = safe_url(url)
    host = url_host(safe)
    if safe is None or host is None:
        return None
    own = url_host(page_url)
    if own is not None and _related(host, own):
        return safe
    return safe if host in vendors else None


def confine(report: FeedReport, base: str, vendors: Set[str]) -> FeedReport:
    """A parsed feed whose page and item links all pass :func:`safe_link` for the
    configured URL ``base`` (a page link that does not is replaced by ``base``'s page)."""
    page = safe_link(report.page_url, base, vendors) if report.page_url else None
    if report.page_url and page is None:
        page = origin(base)
    anchor = page or base
    incidents = tuple(i if i.url is None or (u := safe_link(i.url, anchor, vendors)) == i.url
                      else replace(i, url=u) for i in report.incidents)
    maintenances = tuple(m if m.url is None or (u := safe_link(m.url, anchor, vendors)) == m.url
                         else replace(m, url=u) for m in report.maintenances)
    if page == report.page_url and incidents == report.incidents \
            and maintenances == report.maintenances:
        return report
    return replace(report, page_url=page, incidents=incidents, maintenances=maintenances)
