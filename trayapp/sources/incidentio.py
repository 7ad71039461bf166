"""incident.io status pages, through their Statuspage-compatible ``/api/v2``.

Differences from Atlassian (see docs/vendors.md): no
``scheduled_maintenances`` key, sometimes no ``incidents`` key at all (then
``/api/v2/incidents.json`` is read and its unresolved incidents kept), ULID
ids, no ETag. Incidents list no components, so with a component filter they
are shown but do not count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from trayapp.domain.model import FeedReport, SourceProblem, failed_feed
from trayapp.sources import NeedDocuments
from trayapp.sources.common import dicts, join_url, load_json
from trayapp.sources.statuspage import SUMMARY_PATH, parse_document, read_summary

PLATFORM = "incidentio"
INCIDENTS_PATH = "api/v2/incidents.json"
EXPECTED = "incident.io (Statuspage-compatible) JSON"


def entry(base: str) -> str:
    return join_url(base, SUMMARY_PATH)


def parse(base: str, docs: Mapping[str, bytes | None],
          now: datetime) -> FeedReport | NeedDocuments:
    body = docs.get(entry(base))
    if body is None:
        return failed_feed(PLATFORM, SourceProblem.UNREACHABLE, "status page not fetched", base)
    report = parse_document(body, PLATFORM, EXPECTED, base)
    if report.problem is not None:
        return report
    obj, _ = load_json(body)
    if isinstance(obj, dict) and "incidents" in obj:
        return report
    incidents_url = join_url(base, INCIDENTS_PATH)
    if incidents_url not in docs:
        return NeedDocuments((incidents_url,))
    extra = docs[incidents_url]
    inc_obj = load_json(extra)[0] if extra is not None else None
    if not isinstance(inc_obj, dict) or not isinstance(inc_obj.get("incidents"), list):
        return replace(report, warnings=(*report.warnings,
                                         "could not read incidents.json; incidents not shown"))
    assert isinstance(obj, dict)
    merged = read_summary(obj, PLATFORM, base, extra_incidents=dicts(inc_obj["incidents"]))
    return merged
