"""API keys in the OS keyring (the keyring edge): Secret Service, Keychain, Credential Locker.

A probe key is stored under the keyring service ``trayapp`` with the trayapp
service id as the user name. ``keyring`` is optional and imported lazily:
where it is missing, or no backend exists (a bare server), :func:`problem`
says so in one line and the probe's environment variable is the only source.

Lookups are cached for the life of the process (a poll never hits the keyring);
:func:`forget` empties the cache (the poller does when the config is reloaded).
A key read here is added to the log redaction at once, so it can never be logged.
Nothing here prints, logs or stores a key.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any

KEYRING_SERVICE = "trayapp"
NO_KEYRING = "the keyring package is not installed (pip install 'trayapp[keyring]')"
_cache: dict[str, str | None] = {}
_lock = threading.Lock()
_problem: list[str | None] = []          # [] until the backend was looked at, once


class KeyringUnavailable(Exception):
    """One line: why no key can be stored or read in the keyring here."""


def _keyring() -> Any:
    try:
        import keyring
    except ImportError:
        raise KeyringUnavailable(NO_KEYRING) from None
    return keyring


def _backend() -> Any:
    """The keyring module, with a usable backend, else KeyringUnavailable."""
    kr = _keyring()
    try:
        backend = kr.get_keyring()
    except Exception as exc:          # a broken PYTHON_KEYRING_BACKEND, a backend's import
        raise KeyringUnavailable(f"no usable keyring ({type(exc).__name__})") from None
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if name.startswith(("keyring.backends.fail.", "keyring.backends.null.")):
        raise KeyringUnavailable("no keyring backend on this system (no Secret Service, "
                                 "KWallet, Keychain or Credential Locker)")
    return kr


def problem() -> str | None:
    """None when keys can be kept in the keyring here, else the one-line reason."""
    if not _problem:
        try:
            _backend()
            _problem.append(None)
        except KeyringUnavailable as exc:
            _problem.append(str(exc))
    return _problem[0]


def backend_name() -> str:
    try:
        backend = _keyring().get_keyring()
    except Exception:
        return "none"
    return str(getattr(backend, "name", type(backend).__name__))


def _redact(secret: str) -> None:
    """Add ``secret`` to every redaction filter of trayapp's log handlers."""
    from trayapp.logsetup import RedactSecrets

    if len(secret) < 8:
        return
    for handler in logging.getLogger("trayapp").handlers:
        for f in handler.filters:
            if isinstance(f, RedactSecrets) and secret not in f.secrets:
                f.secrets.append(secret)


def lookup(service_id: str) -> str | None:
    """The stored key for ``service_id`` (cached per process), or None.

    Never raises: no keyring, a locked one or a backend error is simply no key."""
    with _lock:
        if service_id in _cache:
            return _cache[service_id]
        key: str | None = None
        if problem() is None:
            try:
                got = _backend().get_password(KEYRING_SERVICE, service_id)
            except Exception as exc:        # locked, D-Bus gone, a backend's own bug
                logging.getLogger(__name__).info(
                    "keyring: cannot read the key of %s (%s)", service_id, type(exc).__name__)
                got = None
            key = got.strip() if isinstance(got, str) and got.strip() else None
        if key:
            _redact(key)
        _cache[service_id] = key
        return key


def forget() -> None:
    """Empty the cache: the next lookup reads the keyring (and picks its backend) again."""
    with _lock:
        _cache.clear()
        _problem.clear()
        loaded = sys.modules.get("keyring.core")
        if loaded is not None:         # a keyring daemon started since: choose again
            try:
                loaded.init_backend()
            except Exception as exc:
                logging.getLogger(__name__).info("keyring: %s", type(exc).__name__)


def store(service_id: str, key: str) -> None:
    """Store ``key`` for ``service_id``; KeyringUnavailable with the reason when it cannot."""
    key = key.strip()
    if not key:
        raise KeyringUnavailable("the key is empty")
    if any(ord(c) < 32 or ord(c) == 127 for c in key):
        raise KeyringUnavailable("the key holds control characters")
    kr = _backend()
    try:
        kr.set_password(KEYRING_SERVICE, service_id, key)
    except Exception as exc:
        raise KeyringUnavailable(f"the keyring refused the key ({type(exc).__name__})") \
            from None
    forget()


def delete(service_id: str) -> bool:
    """Remove the stored key; True when there was one."""
    kr = _backend()
    try:
        if kr.get_password(KEYRING_SERVICE, service_id) is None:
            return False
        kr.delete_password(KEYRING_SERVICE, service_id)
    except Exception as exc:
        raise KeyringUnavailable(f"the keyring refused ({type(exc).__name__})") from None
    forget()
    return True


def has_key(service_id: str) -> bool:
    """Whether a key is stored (read fresh, not from the cache)."""
    kr = _backend()
    try:
        return bool(kr.get_password(KEYRING_SERVICE, service_id))
    except Exception as exc:
        raise KeyringUnavailable(f"the keyring cannot be read ({type(exc).__name__})") \
            from None
