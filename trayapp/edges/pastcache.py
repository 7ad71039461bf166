"""The pages' incident histories on disk (``incident-history.json`` in the state dir),
so a restart, or a ``status`` run, neither reads a page's history again before the
hour is up nor loses the expected-duration figure meanwhile.

Per history URL: when it was last read, the open incidents that read knew, and
the incidents themselves (id, impact, start, end; at most 50). JSON, written
atomically, shared by the tray, ``watch`` and ``status`` (the last writer wins: each
entry is a whole read). An unreadable, foreign or damaged file, or an entry that
does not check out, is ignored (read again when due), never an error.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from trayapp.domain.levels import Level
from trayapp.domain.past import MAX_PAST, PastIncident
from trayapp.edges import safefile
from trayapp.edges.paths import write_atomic

log = logging.getLogger(__name__)
FILE_NAME = "incident-history.json"
VERSION = 1
MAX_BYTES = 4 * 1024 * 1024
MAX_PAGES = 200


@dataclass(frozen=True, slots=True)
class PageHistory:
    read_at: datetime                       # the last attempt (good or not)
    open_ids: frozenset[str]                # the page's open incidents then
    incidents: tuple[PastIncident, ...] | None   # None: never read successfully


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError("time")
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise ValueError("naive time")
    return when


def _incident(raw: Any) -> PastIncident:
    if not isinstance(raw, list) or len(raw) != 5 or not isinstance(raw[0], str) \
            or not isinstance(raw[1], str) or not isinstance(raw[4], list) \
            or not all(isinstance(c, str) for c in raw[4]):
        raise ValueError("incident")
    start = _time(raw[2])
    assert start is not None
    return PastIncident(raw[0][:120], Level(raw[1]), start,
                        None if raw[3] is None else _time(raw[3]),
                        tuple(c[:120] for c in raw[4][:50]))


def _page(raw: Any) -> PageHistory:
    if not isinstance(raw, dict):
        raise ValueError("page")
    read_at = _time(raw.get("read_at"))
    assert read_at is not None
    ids = raw.get("open_ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ValueError("open_ids")
    incs = raw.get("incidents")
    if incs is not None and not isinstance(incs, list):
        raise ValueError("incidents")
    return PageHistory(read_at, frozenset(i[:120] for i in ids[:MAX_PAST]),
                       None if incs is None else tuple(_incident(i) for i in incs[:MAX_PAST]))


@dataclass(frozen=True, slots=True)
class ServicePage:
    """Which history a service reads, and its component filter (for ``trayapp history``,
    which runs without the config)."""

    url: str
    components: tuple[str, ...] = ()


def _raw(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(safefile.read_bytes(path, MAX_BYTES))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, RecursionError) as exc:
        log.info("ignoring %s (%s)", path, type(exc).__name__)
        return {}
    return raw if isinstance(raw, dict) and raw.get("version") == VERSION else {}


def load_services(path: Path) -> dict[str, ServicePage]:
    return _services(_raw(path))


def load(path: Path) -> dict[str, PageHistory]:
    return _pages(_raw(path))


def load_all(path: Path) -> tuple[dict[str, PageHistory], dict[str, ServicePage]]:
    """The pages and the services, from one read of the file."""
    raw = _raw(path)
    return _pages(raw), _services(raw)


def _services(data: dict[str, Any]) -> dict[str, ServicePage]:
    raw = data.get("services")
    out: dict[str, ServicePage] = {}
    for sid, value in list(raw.items())[:MAX_PAGES] if isinstance(raw, dict) else ():
        if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) \
                and isinstance(value[1], list) and all(isinstance(c, str) for c in value[1]):
            out[str(sid)] = ServicePage(value[0], tuple(c[:200] for c in value[1][:100]))
    return out


def _pages(raw: dict[str, Any]) -> dict[str, PageHistory]:
    if not isinstance(raw.get("pages"), dict):
        return {}
    out: dict[str, PageHistory] = {}
    for url, page in list(raw["pages"].items())[:MAX_PAGES]:
        try:
            out[str(url)] = _page(page)
        except (ValueError, TypeError, AssertionError):
            continue
    return out


def _json(page: PageHistory) -> dict[str, Any]:
    return {"read_at": page.read_at.isoformat(), "open_ids": sorted(page.open_ids),
            "incidents": None if page.incidents is None else [
                [i.id, str(i.impact), i.start.isoformat(),
                 i.end.isoformat() if i.end else None, list(i.components)]
                for i in page.incidents]}


def save(path: Path, pages: dict[str, PageHistory],
         services: dict[str, ServicePage] | None = None) -> None:
    """Never raises: a history that cannot be saved is read again after a restart.
    ``services``: merged into those the file names (a ``status --service`` polls few)."""
    known = {**load_services(path), **(services or {})}
    data = {"version": VERSION, "pages": {u: _json(p) for u, p in pages.items()},
            "services": {sid: [sp.url, list(sp.components)] for sid, sp in known.items()}}
    try:
        write_atomic(path, json.dumps(data, separators=(",", ":")).encode())
    except OSError as exc:
        log.info("cannot save %s (%s)", path, exc.strerror or type(exc).__name__)
