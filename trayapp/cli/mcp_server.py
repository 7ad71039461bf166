"""``trayapp mcp``: a Model Context Protocol server over stdio, for agents.

An agent about to delegate work asks "is this vendor up, and what should I use
instead?". The tools answer from the same decision as every other surface:

* ``status`` (all services or one): level, summary, your-side reason, the
  fallbacks up now; the JSON of ``trayapp status --json``, trimmed per service.
* ``pick``: the service to use now, as ``trayapp pick --json``.
* ``history``: uptimes and recent incidents, as ``trayapp history --json``.
* ``report``: what a real request met, as ``trayapp report`` (the agent's own
  tools as a signal).

Answers come from the snapshot the tray or ``watch`` saved while it is fresh
(younger than two polling intervals, at least 5 minutes), else from one live
poll (then saved, as ``status`` does). Built on the official ``mcp`` SDK, an
optional extra (``pip install 'ai-status-tray[mcp]'``): imported only here, and
without it ``trayapp mcp`` says how to get it in one line. Stdout belongs to the
protocol; logs go to the log file and stderr.
"""

from __future__ import annotations

import io
import json
import logging
import sys
import time
from typing import Any

from trayapp.config import Config
from trayapp.core.pick import offers, pick
from trayapp.domain.reported import OUTCOMES
from trayapp.domain.text import one_line

log = logging.getLogger(__name__)
INSTALL = ("trayapp: the MCP server needs the mcp package: pip install "
           "'ai-status-tray[mcp]' (or: pipx inject ai-status-tray mcp)")
MIN_FRESH = 300.0
INSTRUCTIONS = (
    "trayapp watches AI vendors (status pages, its own API probes, your tools' reports) "
    "from this computer. Before delegating work to a vendor, call `pick` with its id to "
    "learn which service to use now; `status` tells what is wrong and whose side it is; "
    "`history` tells how reliable each has been.")


class Answers:
    """The tools' answers for one configuration; ``clock`` and ``poll`` are the
    outside world (the wall clock; one live poll -> the snapshot's JSON)."""

    def __init__(self, config: Config, poll: Any = None) -> None:
        self.config = config
        self.poll = poll or self._poll_live

    def snapshot(self) -> dict[str, Any]:
        from trayapp.cli import quick

        max_age = max(MIN_FRESH, 2.0 * self.config.interval)
        data, age, _why = quick.fresh(max_age, full=True)
        if data is not None and self._covers(data):
            return {**data, "cached": True, "age_seconds": round(age or 0.0, 1)}
        fresh: dict[str, Any] = self.poll()
        return {**fresh, "cached": False, "age_seconds": 0.0}

    def _covers(self, data: dict[str, Any]) -> bool:
        """The saved snapshot is of this configuration's services (another config's
        `watch` may have saved it)."""
        have = {s.get("id") for s in data.get("services") or () if isinstance(s, dict)}
        return {s.id for s in self.config.services} <= have

    def _poll_live(self) -> dict[str, Any]:
        from trayapp.cli.once import poll_once
        from trayapp.core.render import snapshot_json
        from trayapp.edges import snapcache

        data = snapshot_json(poll_once(self.config, None, record=True))
        problem = snapcache.save(data)
        if problem:
            log.info("%s", problem)
        return data

    def status(self, service: str | None = None) -> dict[str, Any]:
        data = self.snapshot()
        services = [s for s in data.get("services") or () if isinstance(s, dict)]
        if service is not None and not any(s.get("id") == service for s in services):
            return self._no_such(service, services)
        chosen = [s for s in services if service is None or s.get("id") == service]
        return {
            "checked_at": data.get("checked_at"), "cached": data.get("cached"),
            "age_seconds": data.get("age_seconds"), "offline": data.get("offline"),
            "offline_reason": data.get("reason") if data.get("offline") else None,
            "overall": data.get("overall"),
            "services": [self._service(s, data) for s in chosen],
        }

    @staticmethod
    def _service(s: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        side = s.get("your_side") if isinstance(s.get("your_side"), dict) else None
        return {
            "id": s.get("id"), "name": s.get("name"), "role": s.get("role"),
            "level": s.get("level"), "summary": s.get("summary"),
            "local": s.get("local"), "not_running": s.get("not_running"),
            "your_side": side, "page_url": s.get("page_url"),
            "fallbacks_up": [{"id": e.get("id"), "name": e.get("name"),
                              "level": e.get("level")} for e in offers(data, str(s.get("id")))],
        }

    @staticmethod
    def _no_such(service: str, services: list[dict[str, Any]]) -> dict[str, Any]:
        have = ", ".join(str(s.get("id")) for s in services)
        return {"error": one_line(f"no service with id {service!r} (have: {have})", 500)}

    def pick(self, service: str, wait_under_minutes: float | None = None) -> dict[str, Any]:
        data = self.snapshot()
        answer = pick(data, service, wait_under_minutes)
        if answer is None:
            services = [s for s in data.get("services") or () if isinstance(s, dict)]
            return self._no_such(service, services)
        return {**answer, "cached": data.get("cached"), "age_seconds": data.get("age_seconds")}

    def history(self, service: str | None = None, since: str = "30d") -> dict[str, Any]:
        from trayapp.cli import history

        out = io.StringIO()
        code = history.run(service, since, True, False, out, time.time())
        text = out.getvalue().strip()
        if code != 0 or not text:
            return {"error": f"no history could be read (exit {code}); see the log"}
        result: dict[str, Any] = json.loads(text)
        return result


def serve(config: Config) -> int:
    try:
        from mcp.server.mcpserver import MCPServer
    except ImportError:
        print(INSTALL, file=sys.stderr)
        return 1
    from trayapp import __version__

    answers = Answers(config)
    server: MCPServer[Any] = MCPServer("trayapp", version=__version__,
                                       instructions=INSTRUCTIONS)

    @server.tool(description="Is it up? Level, summary, whose side a problem is and the "
                             "fallbacks up now, for every configured AI service or one "
                             "(`service`: its id, as in trayapp's config).")
    def status(service: str | None = None) -> dict[str, Any]:
        return answers.status(service)

    @server.tool(description="Which service to use now instead of `service`: itself when "
                             "it answers, else its first fallback that is up. With "
                             "`wait_under_minutes`, a wait-or-switch hint from how long "
                             "its incidents usually last.")
    def pick(service: str, wait_under_minutes: float | None = None) -> dict[str, Any]:
        return answers.pick(service, wait_under_minutes)

    @server.tool(description="Uptime over 24 h, 7 d and 30 d and the recent level changes "
                             "and incidents this computer saw, per service; `since`: 24h, "
                             "7d, 30d or a date like 2026-11-30.")
    def history(service: str | None = None, since: str = "30d") -> dict[str, Any]:
        return answers.history(service, since)

    @server.tool(description="Report what a real request to an AI service met, so trayapp "
                             "counts it: two vendor-side failures (overloaded, server_error, "
                             "timeout, unreachable) within 10 min turn the service yellow "
                             "before its status page does. `outcome`: " + ", ".join(OUTCOMES)
                             + "; `model` and `detail` optional.")
    def report(service: str, outcome: str, model: str | None = None,
               detail: str | None = None) -> dict[str, Any]:
        from trayapp.cli.report import submit

        if outcome not in OUTCOMES:
            return {"error": f"outcome must be one of {', '.join(OUTCOMES)}"}
        problem = submit(service, outcome, model, detail)
        return {"recorded": False, "error": problem} if problem else {"recorded": True}

    server.run("stdio")
    return 0
