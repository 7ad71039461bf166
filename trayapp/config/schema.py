"""Configuration: a TOML mapping -> a validated :class:`Config`.

Pure: parsing takes the already-read text (or mapping) and never touches the
file system or the clock. Every error names the file and the key, in one line.
Presets are data (``presets.toml``); a service's own keys override its preset's.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any
from urllib.parse import urlsplit

from trayapp import sources
from trayapp.config.hooks import HookConfig, parse_hooks
from trayapp.config.presets import load_presets
from trayapp.config.probes import ProbeConfig, parse_probe
from trayapp.config.reader import ConfigError, Reader, check_url, is_loopback_host
from trayapp.domain.levels import Level

DEFAULT_INTERVAL = 60
MIN_INTERVAL = 15            # never poll a vendor faster than this
MIN_INTERVAL_LOOPBACK = 1    # ... unless every URL is on this machine (tests, local servers)
DEFAULT_CONNECTIVITY_URL = "http://connectivitycheck.gstatic.com/generate_204"
SERVICE_ID = re.compile(r"^[a-z0-9-]+$")
FEED_KINDS_EXTRA = ("auto",)

DEFAULT_CONFIG_TOML = """\
# trayapp's built-in default: Claude watched, ChatGPT and a local Ollama as fallbacks.
[[services]]
id = "claude"
preset = "anthropic"
fallbacks = ["openai", "ollama"]

[[services]]
id = "openai"
preset = "openai"
role = "fallback"

[[services]]
id = "ollama"
preset = "ollama"
role = "fallback"
"""
OLLAMA_URL = "http://127.0.0.1:11434/api/tags"     # the ollama preset's probe
_OLLAMA_BLOCK = '[[services]]\nid = "ollama"\npreset = "ollama"\nrole = "fallback"\n'
_TURN_ON = ('# Ollama did not answer at set-up. To add it: uncomment below, add "ollama" to '
            "fallbacks.\n")


def default_toml(ollama: str | None = OLLAMA_URL) -> str:
    """The built-in default's text. ``ollama``: the URL of the local Ollama that answered
    at set-up (:func:`trayapp.edges.localserver.find_ollama`), or None: then it is
    there commented out, with how to turn it on (a server that is not running is
    never a fallback to offer)."""
    if ollama is None:
        kept = DEFAULT_CONFIG_TOML.removesuffix(_OLLAMA_BLOCK)
        kept = kept.replace("ChatGPT and a local Ollama as fallbacks", "ChatGPT as its fallback")
        kept = kept.replace('fallbacks = ["openai", "ollama"]', 'fallbacks = ["openai"]')
        return kept + _TURN_ON + "".join(f"# {line}\n" for line in _OLLAMA_BLOCK.splitlines())
    if ollama == OLLAMA_URL:
        return DEFAULT_CONFIG_TOML
    return DEFAULT_CONFIG_TOML + f"probe = {{ url = {json.dumps(ollama)} }}\n"


@dataclass(frozen=True, slots=True)
class FeedConfig:
    kind: str
    url: str
    alternate: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    id: str
    name: str
    role: str = "watch"
    preset: str | None = None
    components: tuple[str, ...] = ()
    fallbacks: tuple[str, ...] = ()
    feed: FeedConfig | None = None
    probe: ProbeConfig | None = None
    web_url: str | None = None
    local: bool = False


@dataclass(frozen=True, slots=True)
class Config:
    services: tuple[ServiceConfig, ...]
    interval: int = DEFAULT_INTERVAL
    battery_interval: int = 2 * DEFAULT_INTERVAL  # seconds between polls on battery; 0 = interval
    min_interval: int = MIN_INTERVAL          # the floor for adaptive polling
    connectivity_url: str | None = DEFAULT_CONNECTIVITY_URL
    failure_threshold: int = 2
    success_threshold: int = 2
    connect_timeout: float = 5.0
    timeout: float = 10.0
    max_body_bytes: int = 4 * 1024 * 1024
    min_gap: int = 600
    min_level: Level = Level.DEGRADED
    quiet_hours: tuple[time, time] | None = None
    notify_maintenance: bool = False
    stale_after: int = 1800                   # seconds an unreadable page's last level counts
    report_threshold: int = 2                 # your tools' failures that make a service degraded
    report_window: int = 600                  # seconds those failures count (trayapp.core.reports)
    source: str = "built-in default"
    warnings: tuple[str, ...] = field(default_factory=tuple)
    hooks: tuple[HookConfig, ...] = ()        # [[hooks]]: see trayapp.config.hooks
    history_days: int = 90                    # history kept (days); 0 = off

    def service(self, service_id: str) -> ServiceConfig | None:
        for s in self.services:
            if s.id == service_id:
                return s
        return None


# ---------------------------------------------------------------- sections

def _merged(from_preset: Any, raw: Mapping[str, Any], key: str) -> Any:
    """The service's own table over its preset's: explicit keys win; false disables."""
    own = raw.get(key)
    if own is None:
        return from_preset if from_preset is not None else False
    if isinstance(own, dict) and isinstance(from_preset, dict):
        return {**from_preset, **own}
    return own


def _feed(value: Any, where: str, key: str) -> FeedConfig | None:
    if value is False:
        return None
    if not isinstance(value, dict):
        raise ConfigError(where, key,
                          "must be a table like { kind = \"statuspage\", url = \"...\" } or false")
    r = Reader(value, where, f"{key}.")
    r.refuse_unknown({"kind", "url", "alternate"})
    kind = r.opt_str("kind")
    valid = (*sources.kinds(), *FEED_KINDS_EXTRA)
    if kind is None:
        raise ConfigError(where, r.key("kind"), f"missing (one of: {', '.join(valid)})")
    if kind not in valid:
        raise ConfigError(where, r.key("kind"),
                          f"unknown feed kind {kind!r} (one of: {', '.join(valid)})")
    url = check_url(value.get("url"), where, r.key("url"))
    alternate = value.get("alternate")
    alt = check_url(alternate, where, r.key("alternate")) if alternate is not None else None
    return FeedConfig(kind=kind, url=url, alternate=alt)


_SERVICE_KEYS = {"id", "name", "preset", "role", "components", "fallbacks", "feed", "probe",
                 "web_url"}


def _service(raw: Any, index: int, where: str,
             presets: Mapping[str, Mapping[str, Any]]) -> ServiceConfig:
    prefix = f"services[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(where, prefix, "must be a table ([[services]])")
    sid = raw.get("id")
    if not isinstance(sid, str) or not SERVICE_ID.fullmatch(sid):
        raise ConfigError(where, f"{prefix}.id", "missing or not of the form [a-z0-9-]+")
    prefix = f"services.{sid}"
    r = Reader(raw, where, f"{prefix}.")
    r.refuse_unknown(_SERVICE_KEYS)
    preset_name = r.opt_str("preset")
    preset: Mapping[str, Any] = {}
    if preset_name is not None:
        if preset_name not in presets:
            raise ConfigError(where, r.key("preset"),
                              f"unknown preset {preset_name!r} (see `trayapp presets`)")
        preset = presets[preset_name]
    role = r.opt_str("role") or "watch"
    if role not in ("watch", "fallback"):
        raise ConfigError(where, r.key("role"), "must be \"watch\" or \"fallback\"")
    components = r.str_list("components")
    if components is None:
        components = tuple(preset.get("components", ()))
    fallbacks = r.str_list("fallbacks") or ()
    feed = _feed(_merged(preset.get("feed"), raw, "feed"), where, r.key("feed"))
    probe = parse_probe(_merged(preset.get("probe"), raw, "probe"), where, r.key("probe"))
    if feed is None and probe is None:
        raise ConfigError(where, prefix, "needs a feed, a probe, or both (or a preset)")
    web = r.opt_str("web_url") or preset.get("web_url")
    web_url = check_url(web, where, r.key("web_url"), allow_http=True) if web else None
    name = r.opt_str("name") or str(preset.get("name") or sid)
    return ServiceConfig(id=sid, name=name, role=role, preset=preset_name,
                         components=components, fallbacks=fallbacks, feed=feed, probe=probe,
                         web_url=web_url, local=bool(preset.get("local", False)))


def _quiet_hours(value: Any, where: str) -> tuple[time, time] | None:
    if value is None or value == "":
        return None
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", value) \
        if isinstance(value, str) else None
    try:
        if m is None:
            raise ValueError
        a, b, c, d = (int(g) for g in m.groups())
        return time(a, b), time(c, d)
    except ValueError:
        raise ConfigError(where, "quiet_hours", "must look like \"22:00-07:00\"") from None


_TOP_KEYS = {"interval", "connectivity_url", "failure_threshold", "success_threshold",
             "connect_timeout", "timeout", "max_body_bytes", "min_gap", "min_level",
             "quiet_hours", "notify_maintenance", "stale_after", "report_threshold",
             "report_window", "services", "hooks", "history_days", "battery_interval"}


def _all_loopback(services: tuple[ServiceConfig, ...], connectivity: str | None) -> bool:
    urls = [connectivity] if connectivity else []
    for s in services:
        urls += [s.feed.url] if s.feed else []
        urls += [s.feed.alternate] if s.feed and s.feed.alternate else []
        urls += [s.probe.url] if s.probe else []
    return all(is_loopback_host(urlsplit(u).hostname) for u in urls)


def parse_config(data: Mapping[str, Any], where: str,
                 presets: Mapping[str, Mapping[str, Any]] | None = None) -> Config:
    presets = load_presets() if presets is None else presets
    r = Reader(data, where, "")
    r.refuse_unknown(_TOP_KEYS)
    raw_services = data.get("services")
    if not isinstance(raw_services, list) or not raw_services:
        raise ConfigError(where, "services", "needs at least one [[services]] table")
    services = tuple(_service(raw, i, where, presets) for i, raw in enumerate(raw_services))
    seen: set[str] = set()
    for s in services:
        if s.id in seen:
            raise ConfigError(where, f"services.{s.id}.id", "duplicate service id")
        seen.add(s.id)
    for s in services:
        for fb in s.fallbacks:
            if fb not in seen:
                raise ConfigError(where, f"services.{s.id}.fallbacks",
                                  f"no service with id {fb!r}")
            if fb == s.id:
                raise ConfigError(where, f"services.{s.id}.fallbacks",
                                  "a service cannot be its own fallback")
    if not any(s.role == "watch" for s in services):
        raise ConfigError(where, "services", "no service has role = \"watch\"")

    conn_raw = data.get("connectivity_url", DEFAULT_CONNECTIVITY_URL)
    connectivity = None if conn_raw in ("", False) else check_url(
        conn_raw, where, "connectivity_url", allow_http=True)
    floor = MIN_INTERVAL_LOOPBACK if _all_loopback(services, connectivity) else MIN_INTERVAL
    interval = r.integer("interval", DEFAULT_INTERVAL, 1, 86400)
    if interval < floor:
        raise ConfigError(where, "interval", f"must be at least {floor} seconds "
                          "(status pages are shared; polling faster does not help)")
    battery = r.integer("battery_interval", 2 * interval, 0, 86400)
    if 0 < battery < interval:
        raise ConfigError(where, "battery_interval", "must be 0 (the same as on mains "
                          f"power) or at least interval ({interval} seconds)")
    connect_timeout = r.number("connect_timeout", 5.0, 0.1, 60)
    timeout = r.number("timeout", 10.0, 0.1, 120)
    min_level_word = r.opt_str("min_level") or "degraded"
    try:
        min_level = Level(min_level_word)
    except ValueError:
        min_level = Level.UNKNOWN
    if min_level is Level.UNKNOWN:
        raise ConfigError(where, "min_level", "must be one of maintenance, degraded, "
                          "partial_outage, major_outage")
    return Config(
        services=services, interval=interval, battery_interval=battery or interval,
        min_interval=floor,
        connectivity_url=connectivity,
        failure_threshold=r.integer("failure_threshold", 2, 1, 20),
        success_threshold=r.integer("success_threshold", 2, 1, 20),
        connect_timeout=float(connect_timeout), timeout=float(max(timeout, connect_timeout)),
        max_body_bytes=r.integer("max_body_bytes", 4 * 1024 * 1024, 64 * 1024, 64 * 1024 * 1024),
        min_gap=r.integer("min_gap", 600, 0, 86400 * 7),
        min_level=min_level,
        quiet_hours=_quiet_hours(data.get("quiet_hours"), where),
        notify_maintenance=r.opt_bool("notify_maintenance", False),
        stale_after=r.integer("stale_after", 1800, 0, 86400 * 7),
        report_threshold=r.integer("report_threshold", 2, 1, 100),
        report_window=r.integer("report_window", 600, 10, 86400),
        history_days=r.integer("history_days", 90, 0, 3660),
        source=where, hooks=_hooks(data.get("hooks"), where, seen))


def _hooks(value: Any, where: str, service_ids: set[str]) -> tuple[HookConfig, ...]:
    return parse_hooks(value, where, service_ids)


def parse_text(text: str, where: str) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(where, "", f"not valid TOML ({exc})") from None
    return parse_config(data, where)


def default_config(ollama: str | None = OLLAMA_URL) -> Config:
    """The built-in default (see :func:`default_toml`)."""
    return parse_text(default_toml(ollama), "built-in default")
