"""Feed adapters: one per status-page format, each a pure function.

An adapter turns the fetched documents of one feed into a
:class:`~trayapp.domain.model.FeedReport`. It never raises on bad input and never
does I/O: the poller fetches ``entry(base)`` first, and when the adapter
answers :class:`NeedDocuments` it fetches those URLs too and asks again
(documents that could not be fetched are passed as ``None``). A document
that changes rarely can be asked for with ``hold``: the poller may then answer
it with a good copy up to that many seconds old instead of fetching it again.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from trayapp.domain.model import FeedReport, SourceProblem, failed_feed


@dataclass(frozen=True, slots=True)
class NeedDocuments:
    """The adapter needs these URLs fetched too before it can answer."""

    urls: tuple[str, ...]
    hold: float = 0.0     # seconds a good earlier copy of these documents may be reused


Documents = Mapping[str, bytes | None]
ParseFn = Callable[[str, Documents, datetime], "FeedReport | NeedDocuments"]


@dataclass(frozen=True, slots=True)
class Adapter:
    kind: str
    label: str                        # the platform's human name
    entry: Callable[[str], str]       # feed url -> the first document to fetch
    parse: ParseFn


@dataclass(frozen=True, slots=True)
class _Kind:
    module: str      # imported on first use
    label: str       # the platform's human name, in sentences ("it now looks like ...")
    short: str       # its name in Preferences' and `trayapp add`'s tables


_KINDS: dict[str, _Kind] = {
    "statuspage": _Kind("trayapp.sources.statuspage", "Atlassian Statuspage",
                        "Atlassian Statuspage"),
    "incidentio": _Kind("trayapp.sources.incidentio", "incident.io", "incident.io"),
    "rss": _Kind("trayapp.sources.rss", "Atom/RSS incident history", "RSS/Atom feed"),
    "checkly": _Kind("trayapp.sources.checkly", "Checkly", "Checkly"),
    "google-cloud": _Kind("trayapp.sources.google_cloud", "Google Cloud Service Health",
                          "Google Cloud Service Health"),
    "instatus": _Kind("trayapp.sources.instatus", "Instatus", "Instatus"),
    "betterstack": _Kind("trayapp.sources.betterstack", "Better Stack", "Better Stack"),
    "datadog": _Kind("trayapp.sources.datadog", "Datadog Status Pages", "Datadog"),
    "flashduty": _Kind("trayapp.sources.flashduty", "Flashcat/Flashduty", "Flashduty"),
    "rootly": _Kind("trayapp.sources.rootly", "Rootly", "Rootly"),
    "auto": _Kind("trayapp.sources.auto", "auto-detected platform", "detected from its URL"),
}


def kinds() -> tuple[str, ...]:
    return tuple(_KINDS)


def label(kind: str) -> str:
    """The platform's human name ("incident.io"), or the kind itself."""
    spec = _KINDS.get(kind)
    return spec.label if spec else kind


def platform_name(kind: str | None) -> str:
    """The platform's short name for a table; "probe only" for a service without a feed."""
    if kind is None:
        return "probe only"
    spec = _KINDS.get(kind)
    return spec.short if spec else kind


def register(kind: str, module: str, label: str, short: str | None = None) -> None:
    """Add a feed format (used by adapters that live outside this table)."""
    _KINDS[kind] = _Kind(module, label, short or label)


def get(kind: str) -> Adapter | None:
    spec = _KINDS.get(kind)
    if spec is None:
        return None
    mod = importlib.import_module(spec.module)
    return Adapter(kind=kind, label=spec.label, entry=mod.entry, parse=mod.parse)


_SOME_BASE = "https://base.invalid"


def document_base(adapter: Adapter, url: str) -> str:
    """The base URL whose entry document is ``url``, else ``url`` itself.

    ``https://status.claude.com/api/v2/summary.json`` is Statuspage's entry
    document of ``https://status.claude.com``; a feed's own URL (RSS, Google,
    Checkly) is already its base.
    """
    if adapter.entry(url) == url:
        return url
    suffix = adapter.entry(_SOME_BASE).removeprefix(_SOME_BASE)
    base = url.removesuffix(suffix) if suffix else url
    return base if base != url and base and adapter.entry(base) == url else url


def run_parse(adapter: Adapter, base: str, docs: Documents,
              now: datetime) -> FeedReport | NeedDocuments:
    """Call an adapter, turning a bug in it into a broken-source report."""
    try:
        return adapter.parse(base, docs, now)
    except Exception as exc:  # an adapter bug must never kill the loop
        return failed_feed(adapter.kind, SourceProblem.BROKEN,
                           f"status source broken: could not read the page ({type(exc).__name__})",
                           base)
