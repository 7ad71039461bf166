"""The ``[[hooks]]`` section: commands and webhooks run on every change. Pure.

    [[hooks]]
    name = "route-scripts"                 # optional; the log names the hook by it
    on = ["worse", "better"]               # default: worse, better, incident_new, incident_resolved
    services = ["claude"]                  # optional: only these services' events
    min_level = "partial_outage"           # optional: the worse of old/new must reach it
    command = ["/usr/local/bin/ai-switch"] # argv, no shell; the event JSON on stdin
    timeout = 10                           # seconds, then the command is killed

    [[hooks]]
    url = "https://hooks.slack.com/services/..."   # a secret: never logged in full
    format = "slack"                       # json (default) | slack | discord
    respect_quiet_hours = true             # default false; min_gap always applies

Errors name the key, never a webhook URL's value (it carries a token).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from trayapp.config.reader import ConfigError, Reader, check_url
from trayapp.domain.levels import Level

KINDS = ("worse", "better", "incident_new", "incident_resolved", "maintenance_started",
         "maintenance_ended", "offline", "online")
DEFAULT_ON = ("worse", "better", "incident_new", "incident_resolved")
FORMATS = ("json", "slack", "discord")
_KEYS = {"name", "on", "services", "min_level", "command", "url", "format", "timeout",
         "min_gap", "respect_quiet_hours"}


@dataclass(frozen=True, slots=True)
class HookConfig:
    name: str
    on: frozenset[str] = frozenset(DEFAULT_ON)
    services: frozenset[str] | None = None      # None: every service
    min_level: Level | None = None
    command: tuple[str, ...] | None = None
    url: str | None = None
    format: str = "json"
    timeout: float = 10.0
    min_gap: int | None = None                   # None: the top-level min_gap
    respect_quiet_hours: bool = False

    @property
    def target(self) -> str:
        """What the hook calls, safe to log: the program, or the URL's scheme and host."""
        if self.command is not None:
            return self.command[0]
        parts = urlsplit(self.url or "")
        return f"{parts.scheme}://{parts.hostname}"


def _hook(raw: Any, index: int, where: str, service_ids: set[str]) -> HookConfig:
    prefix = f"hooks[{index}]"
    if not isinstance(raw, Mapping):
        raise ConfigError(where, prefix, "must be a table ([[hooks]])")
    r = Reader(raw, where, f"{prefix}.")
    r.refuse_unknown(_KEYS)
    name = r.opt_str("name") or prefix
    on = r.str_list("on")
    if on is not None:
        if not on:
            raise ConfigError(where, r.key("on"), "must name at least one event kind")
        for kind in on:
            if kind not in KINDS:
                raise ConfigError(where, r.key("on"),
                                  f"unknown event kind {kind!r} (one of: {', '.join(KINDS)})")
    services = r.str_list("services")
    for sid in services or ():
        if sid not in service_ids:
            raise ConfigError(where, r.key("services"), f"no service with id {sid!r}")
    level_word = r.opt_str("min_level")
    min_level = None
    if level_word is not None:
        try:
            min_level = Level(level_word)
        except ValueError:
            min_level = Level.UNKNOWN
        if min_level is Level.UNKNOWN:
            raise ConfigError(where, r.key("min_level"), "must be one of maintenance, degraded, "
                              "partial_outage, major_outage")
    command = r.str_list("command")
    url = check_url(raw["url"], where, r.key("url"), secret=True) if "url" in raw else None
    if (command is None) == (url is None):
        raise ConfigError(where, prefix, "needs either command = [\"program\", ...] or url")
    if command is not None and not command:
        raise ConfigError(where, r.key("command"), "must name a program")
    fmt = r.opt_str("format") or "json"
    if fmt not in FORMATS:
        raise ConfigError(where, r.key("format"), f"must be one of {', '.join(FORMATS)}")
    if fmt != "json" and url is None:
        raise ConfigError(where, r.key("format"), "applies to url hooks only")
    min_gap = r.integer("min_gap", 0, 0, 86400 * 7) if "min_gap" in raw else None
    return HookConfig(
        name=name, on=frozenset(on or DEFAULT_ON),
        services=frozenset(services) if services is not None else None,
        min_level=min_level, command=command, url=url, format=fmt,
        timeout=float(r.number("timeout", 10.0, 0.1, 600)), min_gap=min_gap,
        respect_quiet_hours=r.opt_bool("respect_quiet_hours", False))


def parse_hooks(value: Any, where: str, service_ids: set[str]) -> tuple[HookConfig, ...]:
    """``[[hooks]]`` -> hooks; a missing section is no hooks."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(where, "hooks", "must be a list of tables ([[hooks]])")
    hooks = tuple(_hook(raw, i, where, service_ids) for i, raw in enumerate(value))
    names = [h.name for h in hooks]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(where, "hooks", f"two hooks are named {name!r}")
    return hooks
