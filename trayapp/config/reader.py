"""The typed table reader and the checks every configuration section shares. Pure.

:mod:`trayapp.config.schema`, :mod:`trayapp.config.probes` and
:mod:`trayapp.config.hooks` read their tables with :class:`Reader` and raise
:class:`ConfigError`, one line naming the file and the key.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from trayapp.domain.text import one_line

CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")   # CR, LF, NUL, ESC...: never in a header



class ConfigError(Exception):
    """A configuration problem, as one line: ``<file>: <key>: <what is wrong>``."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        # Cleaned like any output: a key or path made of escape sequences is never echoed raw.
        line = f"{source}: {key}: {problem}" if key else f"{source}: {problem}"
        super().__init__(one_line(line, 1000))


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(value: Any, where: str, key: str, *, allow_http: bool = False,
              secret: bool = False) -> str:
    """A feed/probe URL: https, or http only on loopback hosts. A ``secret`` URL (a
    webhook's, which carries a token) is never echoed in the error."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(where, key, "must be a URL string")
    url = value.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise ConfigError(where, key, "not a valid URL" if secret
                          else f"not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(where, key, "must be an https URL" if secret
                          else f"must be an http(s) URL, got {url!r}")
    if parts.scheme == "http" and not allow_http and not is_loopback_host(host):
        raise ConfigError(where, key,
                          "must use https (plain http is allowed only for 127.0.0.1/localhost)")
    if any(c in url for c in " \t\r\n\"'<>`\\"):
        raise ConfigError(where, key, "contains characters not allowed in a URL")
    return url


class Reader:
    """Reads one table, remembering which keys were used, to refuse unknown ones."""

    def __init__(self, table: Mapping[str, Any], where: str, prefix: str) -> None:
        self.table = table
        self.where = where
        self.prefix = prefix

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def refuse_unknown(self, allowed: set[str]) -> None:
        for name in self.table:
            if name not in allowed:
                raise ConfigError(self.where, self.key(name), "unknown key")

    def opt_str(self, name: str) -> str | None:
        value = self.table.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise ConfigError(self.where, self.key(name), "must be a string")
        return value

    def opt_bool(self, name: str, default: bool) -> bool:
        value = self.table.get(name, default)
        if not isinstance(value, bool):
            raise ConfigError(self.where, self.key(name), "must be true or false")
        return value

    def number(self, name: str, default: float, lo: float, hi: float) -> float:
        value = self.table.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(self.where, self.key(name), "must be a number")
        if not lo <= value <= hi:
            raise ConfigError(self.where, self.key(name), f"must be between {lo:g} and {hi:g}")
        return value

    def integer(self, name: str, default: int, lo: int, hi: int) -> int:
        value = self.table.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(self.where, self.key(name), "must be a whole number")
        if not lo <= value <= hi:
            raise ConfigError(self.where, self.key(name), f"must be between {lo} and {hi}")
        return value

    def str_list(self, name: str) -> tuple[str, ...] | None:
        value = self.table.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(self.where, self.key(name), "must be a list of non-empty strings")
        return tuple(value)
