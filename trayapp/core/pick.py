"""``trayapp pick``: which service to use now. One pure function over the snapshot's JSON.

The live path (poll, :func:`trayapp.core.render.snapshot_json`, :func:`pick`) and the
cached path (read the snapshot file, :func:`pick`) run the same function on the
same dict, so they cannot disagree. Standard library only, and no trayapp
module: the cached path of a shell prompt imports this.

The rules, from the snapshot's levels alone:

* SERVICE itself is the answer when it is **answering**: ``operational``,
  ``maintenance``, or **degraded-but-answering**: ``degraded`` while its API
  probe, if it has one, is not failing. A probe is *failing* when it got no
  HTTP answer at all (``major_outage``: timeout, refused, DNS, TLS), a 5xx
  (``partial_outage``), or 503/529 "overloaded". A slow answer, a 4xx (401
  without a key is the healthy answer) or an inconclusive probe (``unknown``,
  e.g. a bot challenge) is not failing: the page's ``degraded`` then stands.
* Otherwise its fallbacks, in the order they are offered (:func:`offers`):
  the first one that is **up**. Up is ``operational`` or degraded-but-answering;
  a fallback in maintenance is not offered. The healthy (operational) ones come
  first, then the degraded-but-answering ones, each group in configured order,
  and a degraded one is always named as such (:func:`offer_label`: "ChatGPT
  (degraded)"). Every place that names fallbacks (``pick``, the notifications'
  "Try:", the details window's "Use instead", ``status``, the tooltip) uses
  these two functions. Only SERVICE's own fallbacks count, not theirs.
* While offline every vendor's level is ``unknown``; a local fallback (a
  model server on this machine) keeps a known level, so it is still picked.
* A local server that is **not running** (``not_running``) is never picked and
  is known not to be up: it never makes the answer "could not tell".

Wait or switch (``--wait-under``, a hint in the JSON): while SERVICE is not
answering, ``hint`` is ``"wait"`` when its open incident is expected to end within
the caller's threshold: the snapshot's ``eta`` (how long incidents of that impact
usually last, :mod:`trayapp.core.eta`) says its median end is still ahead and
less than the threshold away (median minus the minutes it has been open, as of
the snapshot); else ``"switch"`` (no figure, or the incident has outlasted the
median, or it usually lasts longer). The hint never changes the pick or the exit code.

Exit codes: 0 with an answer; 1 when every candidate is known and none is up;
3 when none is up and at least one candidate could not be told (``unknown``,
e.g. offline with no local fallback): "none is up" is never said on a guess.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:      # typing costs a prompt ~4 ms; annotations are strings anyway
    from typing import Any

EXIT_PICKED, EXIT_NONE_UP, EXIT_UNKNOWN = 0, 1, 3
UNKNOWN = "unknown"
_FAILING_PROBE_LEVELS = ("partial_outage", "major_outage")
_OVERLOADED = (503, 529)


def _level(entry: dict[str, Any] | None) -> str:
    level = entry.get("level") if isinstance(entry, dict) else None
    return level if isinstance(level, str) else UNKNOWN


def not_running(entry: dict[str, Any] | None) -> bool:
    return isinstance(entry, dict) and entry.get("not_running") is True


def probe_failing(entry: dict[str, Any]) -> bool:
    probe = entry.get("probe")
    if not isinstance(probe, dict):
        return False
    code = probe.get("status_code")
    return probe.get("level") in _FAILING_PROBE_LEVELS or \
        (isinstance(code, int) and (code >= 500 or code in _OVERLOADED))


def answering(entry: dict[str, Any], *, maintenance_ok: bool = True) -> bool:
    """Operational, maintenance (unless ``maintenance_ok`` is false), or
    degraded-but-answering."""
    level = _level(entry)
    if level == "operational" or (maintenance_ok and level == "maintenance"):
        return True
    return level == "degraded" and not probe_failing(entry)


def _service(snapshot: dict[str, Any], service_id: str) -> dict[str, Any] | None:
    services = snapshot.get("services")
    for entry in services if isinstance(services, list) else ():
        if isinstance(entry, dict) and entry.get("id") == service_id:
            return entry
    return None


def _fallbacks(entry: dict[str, Any] | None) -> list[Any]:
    value = entry.get("fallbacks") if entry is not None else None
    return value if isinstance(value, list) else []


def offers(snapshot: dict[str, Any], service_id: str) -> list[dict[str, Any]]:
    """SERVICE's fallbacks that are up, in the order to offer them: the operational ones
    first, then the degraded-but-answering ones, each group in configured order. Each is
    the fallback's own entry in the snapshot; [] for an unknown service."""
    me = _service(snapshot, service_id)
    up: list[dict[str, Any]] = []
    for fb in _fallbacks(me):
        fid = fb.get("id") if isinstance(fb, dict) else None
        entry = _service(snapshot, fid) if isinstance(fid, str) else None
        if entry is not None and answering(entry, maintenance_ok=False) \
                and all(e is not entry for e in up):
            up.append(entry)
    return [e for e in up if _level(e) != "degraded"] + \
        [e for e in up if _level(e) == "degraded"]


def offer_label(name: str, level: str, local: bool = False) -> str:
    """How a fallback is named where it is offered: ``"ChatGPT"``, ``"Ollama (local)"``,
    ``"ChatGPT (degraded)"``. ``name`` is already cleaned for its medium; ``level`` the
    wire name (``"degraded"``); ``local``: it runs on this machine."""
    from trayapp.core.textclean import noted  # here: the prompt's start stays light
    return noted(name, "local" if local and "local" not in name.lower() else "",
                 "degraded" if level == "degraded" else "")


def service_ids(snapshot: dict[str, Any]) -> list[str]:
    return [str(e.get("id")) for e in snapshot.get("services") or () if isinstance(e, dict)]


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) \
        and 0 <= value <= 10**7 else None


def hint(entry: dict[str, Any], wait_under_minutes: float) -> dict[str, Any]:
    """``{"hint": "wait" | "switch", "hint_reason": ...}`` for a service that is not
    answering (see the module's text)."""
    eta = entry.get("eta")
    median = _count(eta.get("median_minutes")) if isinstance(eta, dict) else None
    opened = _count(eta.get("open_minutes")) if isinstance(eta, dict) else None
    limit = f"{wait_under_minutes:g} min"
    if median is None or opened is None:
        return {"hint": "switch", "hint_reason": "no expected duration is known"}
    left = median - opened
    if left <= 0:
        return {"hint": "switch", "hint_reason": f"open for {opened} min, longer than "
                f"the median of {median} min for incidents like it"}
    if left < wait_under_minutes:
        return {"hint": "wait", "hint_reason": f"incidents like it usually end within "
                f"{left} more min (median {median} min), under {limit}"}
    return {"hint": "switch", "hint_reason": f"incidents like it usually last {left} more "
            f"min (median {median} min), not under {limit}"}


def pick(snapshot: dict[str, Any], service_id: str,
         wait_under_minutes: float | None = None) -> dict[str, Any] | None:
    """The answer as a JSON-ready dict (``pick``, ``exit``, ``reason``, levels), or
    None when the snapshot has no service ``service_id``. With ``wait_under_minutes``,
    a service that is not answering also gets :func:`hint`."""
    me = _service(snapshot, service_id)
    if me is None:
        return None
    answer = _pick(snapshot, service_id, me)
    if wait_under_minutes is not None and answer.get("pick") != service_id:
        answer.update(hint(me, wait_under_minutes))
    return answer


def _pick(snapshot: dict[str, Any], service_id: str, me: dict[str, Any]) -> dict[str, Any]:
    level = _level(me)
    fallbacks: list[dict[str, Any]] = []
    for fb in _fallbacks(me):
        fid = fb.get("id") if isinstance(fb, dict) else None
        if not isinstance(fid, str):
            continue
        entry = _service(snapshot, fid)
        fallbacks.append({"id": fid, "level": _level(entry), "not_running": not_running(entry),
                          "up": entry is not None and answering(entry, maintenance_ok=False)})
    offered = offers(snapshot, service_id)
    result: dict[str, Any] = {"service": service_id, "pick": None, "level": level,
                              "offline": bool(snapshot.get("offline")),
                              "checked_at": snapshot.get("checked_at"),
                              "fallbacks": fallbacks,
                              "offers": [{"id": e.get("id"), "level": _level(e)}
                                         for e in offered]}
    if answering(me):
        what = "degraded but answering" if level == "degraded" else level.replace("_", " ")
        return {**result, "pick": service_id, "exit": EXIT_PICKED,
                "reason": f"{service_id} is {what}"}
    if not_running(me):
        why = f"{service_id} is not running"
    elif level == "degraded":
        why = f"{service_id} is degraded and its API probe is failing"
    elif level == UNKNOWN:
        why = f"{service_id} cannot be told right now" + (
            f" ({snapshot.get('reason')})" if snapshot.get("offline") and
            isinstance(snapshot.get("reason"), str) else "")
    else:
        why = f"{service_id} is in {level.replace('_', ' ')}"
    if offered:
        fid, flevel = offered[0].get("id"), _level(offered[0])
        said = "degraded but answering (no healthy fallback is up)" \
            if flevel == "degraded" else flevel.replace("_", " ")
        return {**result, "pick": fid, "exit": EXIT_PICKED, "reason": f"{why}; {fid} is {said}"}
    untold = (level == UNKNOWN and not not_running(me)) or any(
        fb["level"] == UNKNOWN and not fb["not_running"] for fb in fallbacks)
    if untold:
        return {**result, "exit": EXIT_UNKNOWN,
                "reason": f"{why}; no fallback is known to be up"}
    return {**result, "exit": EXIT_NONE_UP,
            "reason": f"{why}; no fallback is up" if fallbacks else f"{why}; it has no fallbacks"}
