"""``trayapp history [--service ID] [--since 24h|7d|30d|DATE] [--json|--csv]``."""

from __future__ import annotations

import re
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

DEFAULT_SINCE = 30 * 86400
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(text: str, now: float) -> int | None:
    """``24h``/``7d``/``30d`` (any number with s, m, h, d, w) back from ``now``, or a
    local date/time (``2026-11-30``, ``2026-11-30T14:00``). None if neither."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", text.lower())
    if m:
        return int(now - float(m.group(1)) * _UNITS[m.group(2)])
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.astimezone()        # local time
    return int(when.timestamp())


def incident_stats(path: Path, since: int, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Per service, the expected-duration figures per impact and basis
    (:func:`trayapp.core.eta.all_figures`): the page's history as the last poll kept it
    (``incident-history.json``) and the incidents this history file saw resolve."""
    from trayapp.core.eta import all_figures, figures_json
    from trayapp.domain.past import PastIncidents
    from trayapp.edges import pastcache
    from trayapp.edges.history_store import resolved_incidents
    from trayapp.edges.paths import state_dir

    cache = state_dir() / pastcache.FILE_NAME
    pages, services = pastcache.load_all(cache)
    machine = resolved_incidents(path, since)
    out: dict[str, list[dict[str, Any]]] = {}
    for sid in ids:
        where = services.get(sid)
        page = pages.get(where.url) if where else None
        past = PastIncidents(page.incidents or () if page else (), machine.get(sid, ()))
        out[sid] = figures_json(all_figures(past, where.components if where else ()))
    return out


def run(service: str | None, since_text: str | None, as_json: bool, as_csv: bool,
        out: TextIO, now: float | None = None) -> int:
    import sqlite3

    from trayapp.cli import history_text as render
    from trayapp.core.history import report
    from trayapp.domain.text import one_line
    from trayapp.edges import history_store as store
    from trayapp.edges.safefile import Refused
    now = time.time() if now is None else now
    since = int(now - DEFAULT_SINCE) if since_text is None else parse_since(since_text, now)
    if since is None:
        print(f"trayapp: error: --since {since_text!r}: use 24h, 7d, 30d or a date "
              "like 2026-11-30", file=sys.stderr)
        return 64
    path = store.default_path()
    # The uptime windows reach 30 days back whatever --since says; the pages' lag is
    # judged over all the spans the file keeps (history_days).
    try:
        contents = store.read(path, min(since, int(now) - 30 * 86400), service,
                              spans_since=0)
    except (sqlite3.Error, OSError) as exc:
        if isinstance(exc, Refused):        # names the file it refused (the -wal, say)
            line = f"trayapp: cannot read the history file: {exc}"
        else:
            why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            line = f"trayapp: cannot read the history file {path} ({why})"
        print(one_line(line, 1000), file=sys.stderr)
        return 1
    if contents is not None and contents.damaged:
        print(f"trayapp: {contents.damaged} damaged row(s) of {path} left out (a time, a "
              "service or a count that trayapp never writes)", file=sys.stderr)
    if contents is None or not contents.services:
        what = f" for {service!r}" if service else ""
        print(f"trayapp: no history yet{what} ({path}): it is written while the tray, "
              "`watch` or `status` run", file=out if not as_json else sys.stderr)
        if as_json:
            print(render.dumps_json({"generated_at": render.iso(now), "services": []}),
                  file=out)
        return 0
    contents.changes = [c for c in contents.changes if c.at >= since]
    contents.incidents = [i for i in contents.incidents if i.last_seen_at >= since]
    reports = report.build(contents, int(now))
    if as_json:
        data = render.to_json(reports, int(now))
        stats = incident_stats(path, since, [r.id for r in reports])
        for entry in data["services"]:
            entry["incident_stats"] = stats.get(entry["id"], [])
        print(render.dumps_json(data), file=out)
    elif as_csv:
        out.write(render.to_csv(reports, int(now)))
    else:
        print(render.to_text(reports, int(now), since), file=out)
    return 0
