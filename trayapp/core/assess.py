"""A feed report seen through a service's component filter. Pure, linear in the page.

Without a filter the service's feed level is the page-wide level (worst of the
indicator and every component). With one (``components = ["Claude API"]``) it
is the worst of the chosen components' own status (and maintenance in
progress on them). An incident's ``impact`` never sets the level where the
page gives the component's status: a page that says indicator ``minor``,
component ``partial_outage``, incident impact ``major`` is a partial outage.
Only a product the page knows solely from its incidents (Google Cloud) takes
the impact of the incidents naming it. Incidents naming a chosen component
give the summary its headline; the others are still shown but do not count.
An entry matches a component by id, or by name case-insensitively, exactly or
as a prefix ("Claude API" matches "Claude API (api.anthropic.com)"). An entry
that matches nothing is a configuration warning; a filter none of whose
entries match makes the feed ``unknown``.

Cost: one pass over the components and one over the incidents per filter
entry (entries are few), with sets for every membership test.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from trayapp.domain.levels import Level, worst
from trayapp.domain.model import Component, FeedReport, Incident

NOTHING_MATCHES = "component filter matches nothing on the page"


@dataclass(frozen=True, slots=True)
class Assessed:
    report: FeedReport            # components narrowed to the chosen ones
    level: Level
    warnings: tuple[str, ...] = ()
    unmatched_filter: bool = False
    unmatched: tuple[str, ...] = ()   # the filter entries that matched nothing


def _matches(entry: str, folded: str, component_id: str, name: str,
             aliases: tuple[str, ...] = ()) -> bool:
    """By id, or by name or a former name (``aliases``), exactly or as a prefix.
    ``folded`` is ``entry.casefold().strip()``, computed once per entry."""
    if entry == component_id:
        return True
    return any(folded == n or (bool(folded) and n.startswith(folded))
               for n in (name.casefold(), *(a.casefold() for a in aliases)))


def assess(report: FeedReport, entries: tuple[str, ...]) -> Assessed:
    if not entries or report.problem is not None:
        return Assessed(report, report.level)
    page_ids = {c.id for c in report.components}
    chosen: dict[str, Component] = {}             # by id, in page order, no repeats
    unmatched: list[str] = []
    for entry in entries:
        folded = entry.casefold().strip()
        found = False
        for c in report.components:
            if _matches(entry, folded, c.id, c.name, c.aliases):
                found = True
                chosen.setdefault(c.id, c)
        for c in _incident_components(report, entry, folded, page_ids):
            found = True
            prev = chosen.get(c.id)                       # named by several incidents
            chosen[c.id] = c if prev is None else replace(
                prev, level=worst([prev.level, c.level]))
        if not found:
            unmatched.append(entry)
    warnings = tuple(f"component filter entry {e!r} matches nothing on the page"
                     for e in unmatched)
    if not chosen:
        unknown = replace(report, level=Level.UNKNOWN, summary=NOTHING_MATCHES,
                          error=NOTHING_MATCHES)
        return Assessed(unknown, Level.UNKNOWN, warnings, unmatched_filter=True,
                        unmatched=tuple(unmatched))
    picked = tuple(chosen.values())
    ids = set(chosen)
    names = {c.name.casefold() for c in picked}
    counted = [i for i in report.incidents if _incident_counts(i, ids, names)]
    levels = [c.level for c in picked]
    levels += [Level.MAINTENANCE for m in report.maintenances if m.in_progress and (
        not ids.isdisjoint(m.component_ids)
        or not names.isdisjoint(n.casefold() for n in m.components))]
    level = worst(levels)
    summary = _summary(report, picked, counted, level)
    narrowed = replace(report, level=level, summary=summary, components=picked)
    return Assessed(narrowed, level, warnings, unmatched=tuple(unmatched))


def _incident_counts(incident: Incident, ids: set[str], names: set[str]) -> bool:
    """Whether an incident names one of the chosen components (by id or by name)."""
    if not ids.isdisjoint(incident.component_ids):
        return True
    return not names.isdisjoint(n.casefold() for n in incident.components)


def _incident_components(report: FeedReport, entry: str, folded: str,
                         page_ids: set[str]) -> list[Component]:
    """Components known only from active incidents (Google Cloud products), at the
    impact of the incident naming them; an impact-``none`` incident raises nothing."""
    out = []
    for inc in report.incidents:
        for cid, name in zip(inc.component_ids, inc.components, strict=False):
            if cid not in page_ids and _matches(entry, folded, cid, name):
                out.append(Component(id=cid, name=name, level=inc.impact))
    return out


def _summary(report: FeedReport, chosen: tuple[Component, ...], counted: list[Incident],
             level: Level) -> str:
    if counted:
        top = max(counted, key=lambda i: i.impact.rank)
        more = f" (+{len(counted) - 1} more)" if len(counted) > 1 else ""
        return f"{top.name}{more}"
    if level is Level.OPERATIONAL:
        others = len(report.incidents)
        return "Operational" + (f" ({others} incident elsewhere on the page)" if others == 1
                                else f" ({others} incidents elsewhere on the page)" if others
                                else "")
    bad = [c for c in chosen if c.level is level]
    if bad:
        return f"{bad[0].name}: {level.label}"
    return report.summary
