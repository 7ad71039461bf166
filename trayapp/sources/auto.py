"""Auto-detection: a page base URL whose platform is not configured.

``entry`` is ``<base>/api/v2/summary.json`` (Atlassian Statuspage and
incident.io's shim). When it is missing, HTML or unrecognised, the other
platforms' entry documents are asked for together: ``/summary.json``
(Instatus), ``/index.json`` (Better Stack), ``/config.json`` (Datadog),
``/incidents.json`` (Google Cloud) and ``/history.atom`` (any history feed).
The first candidate, in that order, that :func:`~trayapp.sources.detect.detect`
recognises and that has an adapter is handed to that adapter, whose report
is returned with ``platform`` = the detected kind (the poller remembers it).
Flashduty and Checkly need a page id / slug in the URL and are never probed.

Nothing recognised: ``broken`` ("could not recognise the status page's
platform"); ``blocked`` when a candidate was a bot challenge; ``unreachable``
when no candidate could be fetched at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from trayapp.model import FeedReport, SourceProblem, failed_feed
from trayapp.sources import NeedDocuments, get
from trayapp.sources.common import join_url, looks_like_challenge
from trayapp.sources.detect import detect, html_hint

PLATFORM = "auto"
FIRST = "api/v2/summary.json"
OTHERS = ("summary.json", "index.json", "config.json", "incidents.json", "history.atom")


def entry(base: str) -> str:
    return join_url(base, FIRST)


def parse(base: str, docs: Mapping[str, bytes | None],
          now: datetime) -> FeedReport | NeedDocuments:
    page_url = base.rstrip("/")
    first = entry(base)
    if first not in docs:
        return NeedDocuments((first,))
    found = _recognised(base, first, docs, now)
    if found is not None:
        return found
    others = [join_url(base, path) for path in OTHERS]
    missing = tuple(url for url in others if url not in docs)
    if missing:
        return NeedDocuments(missing)
    for url in others:
        found = _recognised(base, url, docs, now)
        if found is not None:
            return found
    bodies = [body for url in (first, *others) if (body := docs.get(url)) is not None]
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


def _recognised(base: str, url: str, docs: Mapping[str, bytes | None],
                now: datetime) -> FeedReport | NeedDocuments | None:
    body = docs.get(url)
    kind = detect(body) if body is not None else None
    adapter = get(kind) if kind is not None else None
    if kind is None or adapter is None or adapter.entry(base) != url:
        return None
    got = adapter.parse(base, docs, now)
    return replace(got, platform=kind) if isinstance(got, FeedReport) else got
