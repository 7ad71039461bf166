"""The vendor presets: data (``presets.toml``), read through the package's loader. Pure."""

from __future__ import annotations

import pkgutil
import tomllib
from functools import cache
from typing import Any

from trayapp.domain.links import PLATFORM_LINK_HOSTS
from trayapp.domain.text import url_host


def load_presets() -> dict[str, dict[str, Any]]:
    # pkgutil reads through the package's own loader (files, zip, frozen apps) without
    # importlib.resources' readers, which pull in zipfile (about 0.25 MB) for one file.
    data = pkgutil.get_data("trayapp.config", "presets.toml")
    if data is None:
        raise FileNotFoundError("trayapp/config/presets.toml")
    text = data.decode("utf-8")
    return {k: v for k, v in tomllib.loads(text).items() if isinstance(v, dict)}


def _urls(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith(("https://", "http://")) else []
    if isinstance(value, dict):
        return [u for v in value.values() for u in _urls(v)]
    if isinstance(value, list):
        return [u for v in value for u in _urls(v)]
    return []


@cache
def vendor_hosts() -> frozenset[str]:
    """The hosts a feed may link to besides its own page's: every host named in the
    presets (status pages, alternates, web apps), plus the platforms' link hosts.
    The safe-link rule (:mod:`trayapp.domain.links`) takes them as data."""
    try:
        hosts = {url_host(u) for u in _urls(load_presets())}
    except (OSError, ValueError):
        hosts = set()
    return frozenset(h for h in hosts if h) | PLATFORM_LINK_HOSTS
