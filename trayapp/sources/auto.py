"""Auto-detection: a URL whose platform is not configured.

A URL with a path (a pasted ``.../history.atom``, ``incidents.json``,
``.../api/v2/summary.json``) is fetched first as it is: when
:func:`~trayapp.sources.detect.detect` recognises it (Statuspage or
incident.io JSON, RSS/Atom, Google incidents, Instatus, Better Stack,
Datadog, Flashduty, Checkly, Rootly), it is handed to that adapter, with the base
that document belongs to (:func:`~trayapp.sources.document_base`).

Otherwise the URL is a page's base: its entry documents are asked for,
``/api/v2/summary.json`` (Atlassian Statuspage and incident.io's shim) first
for a bare host, then together ``/api/v1/status.json`` (Rootly), ``/summary.json``
(Instatus), ``/index.json``
(Better Stack), ``/config.json`` (Datadog), ``/incidents.json`` (Google
Cloud) and ``/history.atom`` (any history feed). The first candidate, in that
order, that is recognised and whose adapter reads the base from it is handed
to that adapter. Flashduty and Checkly need a page id / slug in the URL and
are found only from their document's own URL.

The report is returned with ``platform`` = the detected kind (the poller
remembers it). Nothing recognised: ``broken`` ("could not recognise the
status page's platform"); ``blocked`` when a candidate was a bot challenge;
``unreachable`` when no candidate could be fetched at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from trayapp.domain.model import FeedReport, SourceProblem, failed_feed
from trayapp.domain.text import origin
from trayapp.sources import NeedDocuments, document_base, get
from trayapp.sources.common import (
    join_url,
    looks_like_challenge,
)
from trayapp.sources.detect import detect, html_hint

PLATFORM = "auto"
FIRST = "api/v2/summary.json"
OTHERS = ("api/v1/status.json", "summary.json", "index.json", "config.json", "incidents.json",
          "history.atom")


def _is_bare(url: str) -> bool:
    page = origin(url)
    return bool(page) and url.strip().rstrip("/") == page


def entry(base: str) -> str:
    """A bare host: its Statuspage summary; any other URL: the URL itself."""
    return join_url(base, FIRST) if _is_bare(base) else base


def parse(base: str, docs: Mapping[str, bytes | None],
          now: datetime) -> FeedReport | NeedDocuments:
    page_url = base.rstrip("/")
    first = entry(base)
    if first not in docs:
        return NeedDocuments((first,))
    found = _recognised(base, first, docs, now, as_document=first == base)
    if found is not None:
        return found
    candidates = [join_url(base, path) for path in (FIRST, *OTHERS)]
    missing = tuple(url for url in candidates if url not in docs)
    if missing:
        return NeedDocuments(missing)
    for url in candidates:
        found = _recognised(base, url, docs, now, as_document=False)
        if found is not None:
            return found
    bodies = [body for url in dict.fromkeys((first, *candidates))
              if (body := docs.get(url)) is not None]
    if not bodies:
        return failed_feed(PLATFORM, SourceProblem.UNREACHABLE, "status page not fetched",
                           page_url)
    if any(looks_like_challenge(body) for body in bodies):
        return failed_feed(PLATFORM, SourceProblem.BLOCKED,
                           "status page answered with a bot challenge (blocked)", page_url)
    hint = next((h for body in bodies if (h := html_hint(body))), None)
    more = f" (it looks like {hint}, but its API did not answer)" if hint else ""
    return failed_feed(PLATFORM, SourceProblem.BROKEN,
                       "status source broken: could not recognise the status page's "
                       f"platform{more}", page_url)


def _recognised(base: str, url: str, docs: Mapping[str, bytes | None], now: datetime,
                as_document: bool) -> FeedReport | NeedDocuments | None:
    """The detected adapter's answer for ``url``, or None when it is not its entry.

    ``as_document``: ``url`` is the configured URL itself, read as that adapter's
    entry document; otherwise it is a candidate below ``base`` and must be the
    adapter's entry for ``base`` (so the remembered kind reads ``base`` next time).
    """
    body = docs.get(url)
    kind = detect(body) if body is not None else None
    adapter = get(kind) if kind is not None else None
    if kind is None or adapter is None:
        return None
    own = document_base(adapter, url) if as_document else base
    if adapter.entry(own) != url:
        return None
    got = adapter.parse(own, docs, now)
    return replace(got, platform=kind) if isinstance(got, FeedReport) else got
