"""A feed report seen through a service's component filter. Pure.

Without a filter the service's feed level is the page-wide level (worst of the
indicator and every component). With one (``components = ["Claude API"]``) it
is the worst of the chosen components and of the impact of unresolved
incidents that list a chosen component; incidents that list no component are
still shown but do not count. An entry matches a component by id, or by name
case-insensitively, exactly or as a prefix ("Claude API" matches "Claude API
(api.anthropic.com)"). An entry that matches nothing is a configuration
warning; a filter none of whose entries match makes the feed ``unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from trayapp.levels import Level, worst
from trayapp.model import Component, FeedReport, Incident

NOTHING_MATCHES = "component filter matches nothing on the page"


@dataclass(frozen=True, slots=True)
class Assessed:
    report: FeedReport            # components narrowed to the chosen ones
    level: Level
    warnings: tuple[str, ...] = ()
    unmatched_filter: bool = False


def _matches(entry: str, component_id: str, name: str, aliases: tuple[str, ...] = ()) -> bool:
    """By id, or by name or a former name (``aliases``), exactly or as a prefix."""
    e = entry.casefold().strip()
    if entry == component_id:
        return True
    return any(e == n or (bool(e) and n.startswith(e))
               for n in (name.casefold(), *(a.casefold() for a in aliases)))


def _incident_counts(incident: Incident, chosen: list[Component], entries: tuple[str, ...]) -> bool:
    ids = {c.id for c in chosen}
    if ids & set(incident.component_ids):
        return True
    return any(_matches(e, "", name) for e in entries for name in incident.components) or any(
        c.name.casefold() == name.casefold() for c in chosen for name in incident.components)


def assess(report: FeedReport, entries: tuple[str, ...]) -> Assessed:
    if not entries or report.problem is not None:
        return Assessed(report, report.level)
    chosen: list[Component] = []
    warnings = []
    for entry in entries:
        hits = [c for c in report.components if _matches(entry, c.id, c.name, c.aliases)]
        hits += [c for c in _incident_components(report, entry) if c not in hits]
        if not hits:
            warnings.append(f"component filter entry {entry!r} matches nothing on the page")
        chosen += [c for c in hits if c not in chosen]
    if not chosen:
        unknown = replace(report, level=Level.UNKNOWN, summary=NOTHING_MATCHES,
                          error=NOTHING_MATCHES)
        return Assessed(unknown, Level.UNKNOWN, tuple(warnings), unmatched_filter=True)
    counted = [i for i in report.incidents if _incident_counts(i, chosen, entries)]
    levels = [c.level for c in chosen] + [i.impact for i in counted]
    levels += [Level.MAINTENANCE for m in report.maintenances if m.in_progress and (
        {c.id for c in chosen} & set(m.component_ids)
        or {c.name for c in chosen} & set(m.components))]
    level = worst(levels)
    summary = _summary(report, chosen, counted, level)
    narrowed = replace(report, level=level, summary=summary, components=tuple(chosen))
    return Assessed(narrowed, level, tuple(warnings))


def _incident_components(report: FeedReport, entry: str) -> list[Component]:
    """Components known only from active incidents (Google Cloud products)."""
    out = []
    for inc in report.incidents:
        for cid, name in zip(inc.component_ids, inc.components, strict=False):
            if _matches(entry, cid, name) and not any(c.id == cid for c in report.components):
                out.append(Component(id=cid, name=name, level=inc.impact))
    return out


def _summary(report: FeedReport, chosen: list[Component], counted: list[Incident],
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
