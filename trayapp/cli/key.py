"""``trayapp key set|delete|status SERVICE``: a probe's API key in the OS keyring.

``set`` reads the key without echo (getpass) from a terminal, or one line from
standard input when it is not one (``pass show x | trayapp key set claude``).
The key is never printed, logged or written anywhere but the keyring.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

from trayapp.config import Config, ServiceConfig
from trayapp.domain.text import one_line
from trayapp.edges import keys

ACTIONS = ("set", "delete", "status")


def _keyed(config: Config, sid: str, err: TextIO) -> ServiceConfig | None:
    service = config.service(sid)
    if service is None:
        print(one_line(f"trayapp: error: no service with id {sid!r} "
                       f"(have: {', '.join(s.id for s in config.services)})", 1000), file=err)
        return None
    if service.probe is None or not service.probe.api_key_header:
        print(one_line(f"trayapp: error: {sid} has no probe that sends an API key "
                       "(its probe needs api_key_header)", 1000), file=err)
        return None
    return service


def _read_key(stdin: TextIO) -> str:
    """The key as typed or piped, without its line end: at most MAX_KEY characters plus
    one more (enough to tell a longer key) are read."""
    if stdin.isatty():
        import getpass
        return getpass.getpass("API key (not shown): ")
    line = stdin.readline(keys.MAX_KEY + 3)     # the key, "\r\n", one more
    return line.removesuffix("\n").removesuffix("\r")


def env_note(service: ServiceConfig, environ: Mapping[str, str]) -> str:
    """What the environment variable does for this service, in a few words."""
    env = service.probe.api_key_env if service.probe else None
    if not env:
        return "no environment variable is configured"
    if environ.get(env, "").strip():
        return f"{env} is set and wins over the keyring"
    return f"{env} is not set"


def run(action: str, sid: str, config: Config, stdin: TextIO, out: TextIO, err: TextIO,
        environ: Mapping[str, str] | None = None) -> int:
    """0 done, 1 the keyring could not do it, 64 misuse."""
    environ = os.environ if environ is None else environ
    service = _keyed(config, sid, err)
    if service is None:
        return 64
    reason = keys.problem()
    if reason is not None:
        note = env_note(service, environ)
        print(one_line(f"trayapp: {reason}; the probe of {sid} uses its environment variable "
                       f"instead ({note})", 1000), file=err)
        return 1
    try:
        if action == "set":
            key = _read_key(stdin).strip()
            problem = keys.key_problem(key)
            if problem is not None:
                print(f"trayapp: error: {problem}", file=err)
                return 64
            keys.store(sid, key)
            print(f"key for {sid} stored in the keyring ({keys.backend_name()}); "
                  f"{env_note(service, environ)}; a running tray uses it from its next "
                  "config reload or restart", file=out)
        elif action == "delete":
            gone = keys.delete(sid)
            print(f"key for {sid} {'deleted from' if gone else 'was not in'} the keyring",
                  file=out)
        else:
            stored = keys.has_key(sid)
            print(f"{sid}: {'a key is' if stored else 'no key'} stored in the keyring "
                  f"({keys.backend_name()}); {env_note(service, environ)}", file=out)
    except keys.KeyringUnavailable as exc:
        print(one_line(f"trayapp: error: {exc}", 1000), file=err)
        return 1
    return 0
