"""The cached commands, ``status --cached`` and ``pick --cached``: no network, no config.

A shell prompt runs these on every Enter, so start-up is the product: this
module reads ``argv`` by hand (argparse, logging, dataclasses and typing each
cost milliseconds) and imports only :mod:`trayapp.edges.snapcache` (which reads
the snapshot's head alone, through :mod:`trayapp.edges.safefile`),
:mod:`trayapp.core.pick` and :mod:`trayapp.domain.text` (every text printed
from the snapshot is cleaned as live output is). :func:`run` answers ``None``
for anything it does not recognise, and :func:`trayapp.cli.main.main` then
parses the command line in full (``--help``, errors, ``--or-poll`` when the
snapshot is missing or old).

Missing or older than ``--max-age`` (default 5 minutes): "no recent snapshot",
exit 3, without touching the network (``--or-poll`` polls live instead).
"""

from __future__ import annotations

import json
import sys
import time

from trayapp.core.pick import pick, service_ids
from trayapp.domain.text import one_line
from trayapp.edges import snapcache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

DEFAULT_MAX_AGE = 300.0
EXIT_UNKNOWN, EXIT_USAGE = 3, 64
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_FUTURE_SLACK = 120.0       # a snapshot this far "in the future" means the clock moved


def parse_duration(text: str) -> float | None:
    """``"90"``, ``"90s"``, ``"5m"``, ``"1h"``, ``"1d"`` -> seconds, or None."""
    text = text.strip().lower()
    unit = _UNITS.get(text[-1:]) if text else None
    number = text[:-1] if unit else text
    try:
        value = float(number) * (unit or 1)
    except ValueError:
        return None
    return value if 0 <= value < 1e9 else None


def status_exit(data: dict[str, Any]) -> int:
    """:func:`trayapp.core.render.exit_code` over the JSON: 2 major, 1 degraded/partial,
    3 could not tell, 0 fine (the watched services)."""
    watched = [s for s in data.get("services") or ()
               if isinstance(s, dict) and s.get("role") == "watch"]
    levels = [s.get("level") for s in watched if s.get("not_running") is not True]
    if watched and not levels:
        return 3                # every watched service is a local server not running
    if "major_outage" in levels:
        return 2
    if "degraded" in levels or "partial_outage" in levels:
        return 1
    if data.get("offline") or "unknown" in levels:
        return 3
    return 0


def _clean(value: object, limit: int = 40) -> str:
    """Snapshot text as the live output cleans it (a tampered state dir is untrusted too)."""
    return one_line(value, limit)


def ago(seconds: float) -> str:
    s = max(0, int(seconds))
    if s < 120:
        return f"{s} s ago"
    if s < 7200:
        return f"{s // 60} min ago"
    return f"{s // 3600} h ago"


def summary_line(data: dict[str, Any], age: float) -> str:
    """One line for a prompt or a status bar: every service and its level, and the age."""
    parts = []
    for s in data.get("services") or ():
        if isinstance(s, dict):
            state = "not running" if s.get("not_running") is True else \
                _clean(s.get("level"), 20).replace("_", " ")
            parts.append(f"{_clean(s.get('name') or s.get('id'))}: {state}")
    head = f"offline ({_clean(data.get('reason') or 'no network', 60)}); " \
        if data.get("offline") else ""
    return f"{head}{'; '.join(parts)} ({ago(age)})"


def fresh(max_age: float, full: bool = False) -> tuple[dict[str, Any] | None, float | None,
                                                      str]:
    """(snapshot, age, why not) : the snapshot when it is at most ``max_age`` old; only
    its head (what the prompt prints) unless ``full``."""
    data, why = snapcache.read(full)
    if data is None:
        return None, None, _clean(why, 300)
    age = snapcache.age_seconds(data, time.time())
    if age is None or age < -_FUTURE_SLACK:
        return None, None, "the saved snapshot has no usable time"
    if age > max_age:
        return None, age, f"the last snapshot is from {ago(age)}"
    return data, max(age, 0.0), ""


def no_snapshot(why: str, age: float | None, as_json: bool, out: TextIO) -> int:
    if as_json:
        print(json.dumps({"cached": True, "error": "no recent snapshot", "detail": why,
                          "age_seconds": None if age is None else round(age, 1)}), file=out)
    print(f"trayapp: no recent snapshot: {why}", file=sys.stderr)
    return EXIT_UNKNOWN


def print_status(data: dict[str, Any], age: float | None, as_json: bool, out: TextIO) -> int:
    if as_json:
        extra = {"cached": True, "age_seconds": round(age, 1)} if age is not None else {}
        print(json.dumps({**data, **extra}, ensure_ascii=True), file=out)
    else:
        print(summary_line(data, age or 0.0), file=out)
    return status_exit(data)


def print_pick(data: dict[str, Any], service: str, age: float | None, as_json: bool,
               out: TextIO, wait_under: float | None = None) -> int:
    """``wait_under``: seconds (``--wait-under``), for the wait-or-switch hint."""
    answer = pick(data, service, None if wait_under is None else wait_under / 60)
    if answer is None:
        print(f"trayapp: error: no service with id {_clean(service)!r} "
              f"(have: {_clean(', '.join(service_ids(data)), 300)})", file=sys.stderr)
        return EXIT_USAGE
    code: int = answer.pop("exit")
    if as_json:
        extra = {"cached": True, "age_seconds": round(age, 1)} if age is not None else {}
        print(json.dumps({**answer, "exit": code, **extra}, ensure_ascii=True), file=out)
    elif answer["pick"] is not None:
        print(_clean(answer["pick"], 60), file=out)
    offered = answer["offers"][0] if answer["offers"] else None
    if answer["pick"] is None or (offered is not None and answer["pick"] == offered["id"]
                                  and offered["level"] == "degraded"):
        # none, or a fallback that is itself degraded: said, never offered as healthy
        print(f"trayapp: {_clean(answer['reason'], 300)}", file=sys.stderr)
    return code


def _parse(argv: list[str]) -> dict[str, Any] | None:
    """The few forms handled here, or None (then argparse sees the command line)."""
    opts: dict[str, Any] = {"json": False, "cached": False, "max_age": DEFAULT_MAX_AGE,
                            "words": []}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg.startswith(("--json", "--cached", "--max-age")) and not opts["words"]:
            return None         # the command's own options, before the command: argparse says no
        if arg in ("--json", "--cached"):
            opts[arg[2:]] = True
        elif arg in ("-v", "--verbose"):
            pass
        elif arg in ("--config", "--max-age") and i + 1 < len(argv):
            i += 1
            if arg == "--config" and not argv[i].strip():
                return None     # an empty path is an error (main: exit 78), never ignored
            if arg == "--max-age":
                opts["max_age"] = parse_duration(argv[i])
        elif arg.startswith("--config=") and not arg[len("--config="):].strip():
            return None
        elif arg.startswith(("--config=", "--max-age=")):
            if arg.startswith("--max-age="):
                opts["max_age"] = parse_duration(arg.split("=", 1)[1])
        elif arg.startswith("-"):
            return None
        else:
            opts["words"].append(arg)
        i += 1
    words = opts["words"]
    if not opts["cached"] or opts["max_age"] is None or not words:
        return None
    if (words[0] == "status" and len(words) == 1) or (words[0] == "pick" and len(words) == 2):
        return opts
    return None


def run(argv: list[str], out: TextIO | None = None) -> int | None:
    """Answer ``status --cached`` / ``pick --cached`` from the snapshot, or None when
    the command line is anything else (or needs argparse's help and errors)."""
    words = [a for a in argv if a not in ("-v", "--verbose")]
    if words[:1] == ["report"] and not {"-h", "--help"} & set(words):
        from trayapp.cli import report
        return report.run(words[1:])
    opts = _parse(argv)
    if opts is None:
        return None
    out = sys.stdout if out is None else out
    full = opts["json"] and opts["words"][0] == "status"    # prints the whole snapshot
    data, age, why = fresh(opts["max_age"], full)
    try:
        if data is None:
            return no_snapshot(why, age, opts["json"], out)
        if opts["words"][0] == "status":
            return print_status(data, age, opts["json"], out)
        return print_pick(data, opts["words"][1], age, opts["json"], out)
    except BrokenPipeError:
        return 0
