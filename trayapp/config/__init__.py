"""Configuration, pure: a TOML mapping -> a validated :class:`~trayapp.config.schema.Config`.

* :mod:`.schema`: the ``Config`` dataclasses, ``parse_text``, the presets;
* :mod:`.reader`: the typed reader and checks every section uses;
* :mod:`.hooks`, :mod:`.probes`: the ``[[hooks]]`` and ``probe`` sections;
* :mod:`.tomledit`: in-place edits that keep the user's comments (tomlkit).

Reading and writing the file is the edges' job (:mod:`trayapp.edges.configfile`).
"""

from trayapp.config.hooks import HookConfig
from trayapp.config.presets import load_presets, vendor_hosts
from trayapp.config.probes import ProbeConfig
from trayapp.config.reader import ConfigError, check_url, is_loopback_host
from trayapp.config.schema import (
    DEFAULT_CONFIG_TOML,
    OLLAMA_URL,
    Config,
    FeedConfig,
    ServiceConfig,
    default_config,
    default_toml,
    parse_config,
    parse_text,
)

__all__ = [
    "DEFAULT_CONFIG_TOML", "OLLAMA_URL", "Config", "ConfigError", "FeedConfig", "HookConfig",
    "ProbeConfig", "ServiceConfig", "check_url", "default_config", "default_toml",
    "is_loopback_host", "load_presets",
    "parse_config", "parse_text", "vendor_hosts",
]
