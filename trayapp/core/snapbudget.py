"""The snapshot file's budget and its head: what ``snapshot.json`` may hold.

``status --json`` prints everything a page lists; the file saved for the
shell prompt and the details window keeps a bounded part of it, whatever the
page holds (a page listing 10,000 incidents, or 4 MB of emoji, gives a file
of at most ``SERVICE_CHARS`` characters per service, not 12 MB):

* per feed: the first ``MAX_INCIDENTS`` incidents, ``MAX_MAINTENANCES``
  maintenances, ``MAX_COMPONENTS`` components; per incident the first
  ``MAX_UPDATES`` updates and ``MAX_AFFECTED`` affected component names; at
  most ``MAX_LIST`` items in any other list (warnings);
* every string cut to ``MAX_STRING`` characters (a URL is never that long:
  longer ones are refused when read);
* then, per service, incidents, maintenances and components are kept in the
  page's order only while the service's JSON stays within ``SERVICE_CHARS``
  characters; what was left out is counted in the feed's ``omitted``.

The **head** (:func:`head`) is exactly what ``status --cached`` and
``pick --cached`` print or decide from: time, offline and its reason, and per
service its id, name, role, level and whether it is not running, its probe's level
and HTTP code, and its fallbacks. It is the file's first line, read alone by the
prompt.
"""

from __future__ import annotations

import json
from typing import Any

from trayapp.domain.text import one_line

MAX_INCIDENTS = 25
MAX_MAINTENANCES = 25
MAX_COMPONENTS = 300
MAX_UPDATES = 5
MAX_AFFECTED = 50
MAX_LIST = 50
MAX_STRING = 2048
SERVICE_CHARS = 48_000
NAME_CHARS = 60                # a service's name in the head (the prompt shows ~40)
REASON_CHARS = 200
_FILLED = (("incidents", MAX_INCIDENTS), ("maintenances", MAX_MAINTENANCES),
           ("components", MAX_COMPONENTS))


def _trim(value: Any) -> Any:
    """Strings cut to MAX_STRING, lists to MAX_LIST items, all the way down."""
    if isinstance(value, str):
        return value[:MAX_STRING]
    if isinstance(value, list):
        return [_trim(v) for v in value[:MAX_LIST]]
    if isinstance(value, dict):
        return {str(k)[:MAX_STRING]: _trim(v) for k, v in value.items()}
    return value


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False))


def _incident(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return _trim(raw)
    out = {k: v for k, v in raw.items() if k not in ("updates", "components")}
    out = _trim(out)
    if isinstance(raw.get("updates"), list):
        out["updates"] = _trim(raw["updates"][:MAX_UPDATES])
    if isinstance(raw.get("components"), list):
        out["components"] = _trim(raw["components"][:MAX_AFFECTED])
    return out


def _updates(incidents: list[Any]) -> int:
    return sum(len(i["updates"]) for i in incidents
               if isinstance(i, dict) and isinstance(i.get("updates"), list))


def _feed(feed: dict[str, Any], room: int) -> dict[str, Any]:
    """The feed within ``room`` characters (its lists filled in order)."""
    lists: dict[str, list[Any]] = {}
    for name, _ in _FILLED:
        got = feed.get(name)
        lists[name] = got if isinstance(got, list) else []
    out: dict[str, Any] = _trim({k: v for k, v in feed.items()
                                 if k not in lists and k != "omitted"})
    room -= _size(out)
    omitted: dict[str, int] = {}
    for name, cap in _FILLED:
        items = lists[name]
        kept: list[Any] = []
        for raw in items[:cap]:
            item = _incident(raw) if name != "components" else _trim(raw)
            cost = _size(item) + 2
            if cost > room:
                break
            kept.append(item)
            room -= cost
        out[name] = kept
        if len(items) > len(kept):
            omitted[name] = len(items) - len(kept)
    updates, kept_updates = _updates(lists["incidents"]), _updates(out["incidents"])
    if updates > kept_updates:
        omitted["updates"] = updates - kept_updates
    if omitted:
        out["omitted"] = omitted
    return out


def _service(entry: Any) -> Any:
    if not isinstance(entry, dict):
        return _trim(entry)
    feed = entry.get("feed")
    out = _trim({k: v for k, v in entry.items() if k != "feed"})
    if isinstance(feed, dict):
        out["feed"] = _feed(feed, SERVICE_CHARS - _size(out))
    else:
        out["feed"] = _trim(feed)
    return out


def budgeted(data: dict[str, Any]) -> dict[str, Any]:
    """The snapshot JSON (``render.snapshot_json``) within the budget above (a new dict)."""
    out: dict[str, Any] = _trim({k: v for k, v in data.items()
                                 if k not in ("services", "head")})
    services = data.get("services")
    out["services"] = [_service(s) for s in services] if isinstance(services, list) else []
    return out


def _short(value: Any, limit: int) -> str | None:
    return one_line(value, limit) if isinstance(value, str) else None


def _head_service(entry: dict[str, Any]) -> dict[str, Any]:
    probe = entry.get("probe")
    code = probe.get("status_code") if isinstance(probe, dict) else None
    return {
        "id": _short(entry.get("id"), NAME_CHARS), "name": _short(entry.get("name"), NAME_CHARS),
        "role": _short(entry.get("role"), 20), "level": _short(entry.get("level"), 20),
        "not_running": entry.get("not_running") is True,
        "probe": {"level": _short(probe.get("level"), 20),
                  "status_code": code if isinstance(code, int) else None}
        if isinstance(probe, dict) else None,
        "fallbacks": [{"id": _short(f.get("id"), NAME_CHARS), "level": _short(f.get("level"), 20)}
                      for f in entry.get("fallbacks") or () if isinstance(f, dict)][:MAX_LIST],
    }


def head(data: dict[str, Any]) -> dict[str, Any]:
    """What the prompt prints or decides from (see the module's docstring)."""
    services = data.get("services")
    return {"checked_at": data.get("checked_at"), "offline": bool(data.get("offline")),
            "reason": _short(data.get("reason"), REASON_CHARS),
            "services": [_head_service(s) for s in services if isinstance(s, dict)]
            if isinstance(services, list) else []}
