"""Does a local Ollama answer right now? The set-up check (an edge: one quick request).

``trayapp init`` and the built-in default (no config file) add Ollama as a
fallback only when it answers at set-up (:func:`find_ollama`); otherwise the
config carries it commented out (:func:`trayapp.config.default_toml`). Only this
machine is asked, with a short timeout: a port nobody listens on refuses at once.

Where: the ``ollama`` preset's URL, or the port ``OLLAMA_HOST`` names (Ollama's
own setting, as its CLI reads it: ``127.0.0.1:11435``, ``http://localhost:8080``,
``0.0.0.0`` for "every address of this machine"), when that is this machine.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from trayapp.config import OLLAMA_URL, is_loopback_host
from trayapp.domain.outcome import Fetched, Outcome

CHECK_TIMEOUT = 0.5                   # seconds: a loopback answer takes milliseconds
DEFAULT_PORT = 11434
ANY_ADDRESS = ("0.0.0.0", "::")     # noqa: S104  (a bind address meaning this machine)


def ollama_url(environ: Mapping[str, str] | None = None) -> str:
    """The URL of Ollama's model list (``/api/tags``) on this machine."""
    value = (os.environ if environ is None else environ).get("OLLAMA_HOST", "").strip()
    if not value:
        return OLLAMA_URL
    try:
        parts = urlsplit(value if "://" in value else f"http://{value}")
        port = parts.port or DEFAULT_PORT
    except ValueError:
        return OLLAMA_URL
    host = parts.hostname or "127.0.0.1"
    if host in ANY_ADDRESS:
        host = "127.0.0.1"
    if parts.scheme != "http" or not is_loopback_host(host):
        return OLLAMA_URL                  # elsewhere: not this machine's to check
    netloc = f"[{host}]" if ":" in host else host
    return f"http://{netloc}:{port}/api/tags"


def lists_models(outcome: Outcome) -> bool:
    """A 200 whose JSON lists models: Ollama's ``{"models": [...]}`` or the
    OpenAI-style ``{"data": [...]}`` of its ``/v1/models``."""
    if not isinstance(outcome, Fetched) or outcome.status != 200:
        return False
    try:
        data = json.loads(outcome.body)
    except (ValueError, RecursionError):
        return False
    return isinstance(data, dict) and any(isinstance(data.get(k), list)
                                          for k in ("models", "data"))


def find_ollama(environ: Mapping[str, str] | None = None,
                timeout: float = CHECK_TIMEOUT) -> str | None:
    """The probe URL of the Ollama that answers on this machine now, else None."""
    from trayapp.edges.http import HttpClient  # httpx: only when the check runs

    url = ollama_url(environ)
    client = HttpClient(connect_timeout=timeout, timeout=timeout,
                        max_body_bytes=1024 * 1024, max_connections=2)
    try:
        first = client.fetch(url, conditional=False)
        if lists_models(first):
            return url
        if not isinstance(first, Fetched):
            return None                    # refused, timed out: nothing runs there
        other = url.removesuffix("/api/tags") + "/v1/models"
        return other if lists_models(client.fetch(other, conditional=False)) else None
    finally:
        client.close()


@functools.cache
def ollama_at_start() -> str | None:
    """:func:`find_ollama`, asked once per process: the built-in default (no config
    file) is loaded again at every reload and by Preferences, and adds Ollama only
    when it answered at start, without asking the network each time."""
    return find_ollama()
