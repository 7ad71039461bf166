"""From fetched documents to a :class:`FeedReport`. Pure.

A status page that cannot be read says nothing about the vendor's API: every
failure here is ``unknown`` with a reason and a :class:`SourceProblem`, never
an outage. 403/405/429 and bot challenges mean we are *blocked*: the poller
backs off and, where the preset documents one, switches to the alternate host.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from trayapp import sources
from trayapp.config import vendor_hosts
from trayapp.core.probe import is_challenge
from trayapp.domain.links import confine
from trayapp.domain.model import FeedReport, SourceProblem, failed_feed
from trayapp.domain.outcome import FetchFailed, Outcome
from trayapp.sources import Adapter, NeedDocuments, document_base, run_parse
from trayapp.sources.detect import detect

BLOCKING_STATUSES = frozenset({403, 405, 429})


def entry_failure(kind: str, outcome: Outcome, page_url: str) -> FeedReport | None:
    """The report for an unusable answer to the feed's first document, else None."""
    if isinstance(outcome, FetchFailed):
        return failed_feed(kind, SourceProblem.UNREACHABLE,
                           f"status page unreachable: {outcome.words}", page_url)
    if is_challenge(outcome):
        return failed_feed(kind, SourceProblem.BLOCKED,
                           f"status page blocked us with a bot challenge (HTTP {outcome.status})",
                           page_url)
    if outcome.status in BLOCKING_STATUSES:
        return failed_feed(kind, SourceProblem.BLOCKED,
                           f"status page refused us (HTTP {outcome.status}); backing off",
                           page_url)
    if not 200 <= outcome.status < 300:
        return failed_feed(kind, SourceProblem.HTTP_ERROR,
                           f"status page answered HTTP {outcome.status}", page_url)
    return None


def read_feed(adapter: Adapter, base: str, outcomes: Mapping[str, Outcome],
              now: datetime) -> FeedReport | NeedDocuments:
    """Interpret the outcomes fetched so far for one feed.

    ``base`` may be the URL of the adapter's own entry document (a pasted
    ``.../api/v2/summary.json``): it is read as the base that document belongs to.
    """
    base = document_base(adapter, base)
    first = outcomes.get(adapter.entry(base))
    if first is None:
        return NeedDocuments((adapter.entry(base),))
    failure = entry_failure(adapter.kind, first, base)
    if failure is not None and (adapter.kind != "auto" or failure.problem is SourceProblem.BLOCKED):
        return failure     # auto asks nothing more of a page that blocks us: it backs off
    docs: dict[str, bytes | None] = {}
    for url, outcome in outcomes.items():
        ok = not isinstance(outcome, FetchFailed) and 200 <= outcome.status < 300
        docs[url] = outcome.body if ok and not isinstance(outcome, FetchFailed) else None
    result = run_parse(adapter, base, docs, now)
    if isinstance(result, FeedReport):
        result = confine(result, base, vendor_hosts())   # links: the page's own or vendors'
    if isinstance(result, NeedDocuments):
        missing = tuple(u for u in result.urls if u not in outcomes)
        if not missing:   # the adapter asked again for what it has: a bug, not a loop
            return failed_feed(adapter.kind, SourceProblem.BROKEN,
                               "status source broken: the adapter could not decide", base)
        return replace(result, urls=missing)
    if failure is not None and result.problem is not None:
        return failure     # auto: nothing recognisable, report the first answer's problem
    if result.problem is SourceProblem.BROKEN and not isinstance(first, FetchFailed):
        return _name_the_new_platform(adapter, result, first.body)
    return result


def _name_the_new_platform(adapter: Adapter, report: FeedReport, body: bytes) -> FeedReport:
    """A page that moved platform says where it went: "it now looks like incident.io"."""
    found = detect(body)
    if adapter.kind == "auto" or found is None or found in (adapter.kind, report.platform):
        return report      # auto has tried every platform already: nothing to suggest
    label = sources.label(found)
    error = f"{report.error}; it now looks like {label} (try kind = \"{found}\" or \"auto\")"
    return replace(report, error=error, summary=error)
