"""A service's ``probe`` table: the keyless API probe and the per-model probes. Pure.

    probe = { url = "https://api.anthropic.com/v1/models",
              api_key_env = "ANTHROPIC_API_KEY", api_key_header = "x-api-key",
              headers = { "anthropic-version" = "2023-06-01" },
              slow_ms = 3000,                  # slower than this: degraded
              slow_factor = 3,                 # or this many times the usual latency
              dialect = "anthropic",           # anthropic | openai | gemini (presets set it)
              models = ["claude-opus-4-1", "claude-sonnet-4-5"],   # opt-in, needs the key
              models_url = "https://...",      # optional; "{model}" is replaced
              model_interval = 600,            # seconds between model probes
              max_model_probes_per_day = 300,  # per service, across every process
              downgrade = "degrade" }          # answered by another model: warn | degrade | ignore
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from trayapp.config.reader import CONTROL, ConfigError, Reader, check_url


@dataclass(frozen=True, slots=True)
class ProbeConfig:
    url: str
    api_key_env: str | None = None
    api_key_header: str | None = None
    api_key_prefix: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    slow_ms: int = 3000
    # Per-model probes and latency (issue 17).
    models: tuple[str, ...] = ()
    dialect: str | None = None                # anthropic | openai | gemini
    models_url: str | None = None
    model_interval: int = 600
    max_model_probes_per_day: int = 300
    slow_factor: float = 3.0
    downgrade: str = "degrade"                # warn | degrade | ignore


DIALECTS = ("anthropic", "openai", "gemini")
DOWNGRADES = ("warn", "degrade", "ignore")
_KEYS = {"url", "api_key_env", "api_key_header", "api_key_prefix", "headers", "slow_ms",
         "models", "dialect", "models_url", "model_interval", "max_model_probes_per_day",
         "slow_factor", "downgrade"}
_MODEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}")


def parse_probe(value: Any, where: str, key: str) -> ProbeConfig | None:
    if value is False:
        return None
    if not isinstance(value, dict):
        raise ConfigError(where, key, "must be a table like { url = \"...\" } or false")
    r = Reader(value, where, f"{key}.")
    r.refuse_unknown(_KEYS)
    url = check_url(value.get("url"), where, r.key("url"))
    env = r.opt_str("api_key_env")
    if env is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env):
        raise ConfigError(where, r.key("api_key_env"), "must be an environment variable name")
    header = r.opt_str("api_key_header")
    if header is not None and not re.fullmatch(r"[A-Za-z0-9-]+", header):
        raise ConfigError(where, r.key("api_key_header"), "not a valid HTTP header name")
    prefix = r.opt_str("api_key_prefix")
    if prefix is not None and CONTROL.search(prefix):
        raise ConfigError(where, r.key("api_key_prefix"), "must not hold control characters")
    if env and not header:
        raise ConfigError(where, r.key("api_key_header"),
                          "missing (the header that carries the key, e.g. \"x-api-key\")")
    headers_raw = value.get("headers", {})
    if not isinstance(headers_raw, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers_raw.items()):
        raise ConfigError(where, r.key("headers"), "must be a table of strings")
    for name, hv in headers_raw.items():
        if not re.fullmatch(r"[A-Za-z0-9-]+", name) or CONTROL.search(hv):
            raise ConfigError(where, r.key(f"headers.{name}"), "not a valid HTTP header")
    models = r.str_list("models") or ()
    for model in models:
        if not _MODEL.fullmatch(model):
            raise ConfigError(where, r.key("models"),
                              f"{model!r} is not a model name (letters, digits, . _ : @ / -)")
    dialect = r.opt_str("dialect")
    if dialect is not None and dialect not in DIALECTS:
        raise ConfigError(where, r.key("dialect"),
                          f"unknown dialect {dialect!r} (one of: {', '.join(DIALECTS)})")
    if models and dialect is None:
        raise ConfigError(where, r.key("dialect"),
                          f"missing: models need the API's dialect ({', '.join(DIALECTS)})")
    if models and not env:
        raise ConfigError(where, r.key("models"),
                          "model probes need your key: set api_key_env (and api_key_header)")
    downgrade = r.opt_str("downgrade")
    downgrade = "degrade" if downgrade is None else downgrade
    if downgrade not in DOWNGRADES:
        raise ConfigError(where, r.key("downgrade"),
                          f"unknown value {downgrade!r} (one of: {', '.join(DOWNGRADES)})")
    models_url = value.get("models_url")
    if models_url is not None:
        models_url = check_url(models_url, where, r.key("models_url"))
    return ProbeConfig(url=url, api_key_env=env, api_key_header=header,
                       api_key_prefix=prefix or "",
                       headers=tuple(sorted(headers_raw.items())),
                       slow_ms=r.integer("slow_ms", 3000, 100, 60000),
                       models=tuple(dict.fromkeys(models)), dialect=dialect,
                       models_url=models_url,
                       model_interval=r.integer("model_interval", 600, 15, 86400),
                       max_model_probes_per_day=r.integer("max_model_probes_per_day", 300,
                                                          0, 100000),
                       slow_factor=float(r.number("slow_factor", 3.0, 1.5, 100.0)),
                       downgrade=downgrade)
