"""API keys in the OS keyring (the keyring edge): Secret Service, Keychain, Credential Locker.

A probe key is stored under the keyring service ``trayapp`` with the trayapp
service id as the user name. ``keyring`` is optional and imported lazily:
where it is missing, or no backend exists (a bare server), :func:`problem`
says so in one line and the probe's environment variable is the only source.

Lookups are cached for the life of the process (a poll never hits the keyring);
:func:`forget` empties the cache (the poller does when the config is reloaded).
Only ids noted in the state dir's ``keyring.json`` (written by :func:`store`) are
looked up, in a short-lived child process, so the tray never loads keyring.
A key read here is added to the log redaction at once, so it can never be logged.
Nothing here prints, logs or stores a key.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from pathlib import Path
from typing import Any

KEYRING_SERVICE = "trayapp"
INDEX_NAME = "keyring.json"     # in the state dir: the ids with a stored key, never a key
INDEX_MAX_BYTES = 256 * 1024    # a list of service ids
LOOKUP_TIMEOUT = 30.0           # a locked keyring may ask the user to unlock it
NO_KEYRING = "the keyring package is not installed (pip install 'trayapp[keyring]')"
_cache: dict[str, str | None] = {}
_lock = threading.Lock()
_problem: list[str | None] = []          # [] until the backend was looked at, once
_refused: set[str] = set()               # index files refused (said once)


class KeyringUnavailable(Exception):
    """One line: why no key can be stored or read in the keyring here."""


MAX_KEY = 4096


def key_problem(key: str) -> str | None:
    """Why ``key`` (surrounding whitespace already stripped) cannot be an API key, in one
    line that never shows the key; None when it can. A key goes into an HTTP header:
    printable ASCII only (a bidi mark or a look-alike letter pasted with it would make
    every request fail before it is sent), and at most MAX_KEY characters."""
    if not key:
        return "the key is empty"
    if len(key) > MAX_KEY:
        return f"that is not an API key (over {MAX_KEY} characters)"
    for at, char in enumerate(key, 1):
        if not " " <= char <= "~":
            return (f"API keys are printable ASCII; this one has U+{ord(char):04X} "
                    f"at position {at}")
    return None


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
    from trayapp.edges.logsetup import RedactSecrets

    if len(secret) < 8:
        return
    for handler in logging.getLogger("trayapp").handlers:
        for f in handler.filters:
            if isinstance(f, RedactSecrets) and secret not in f.secrets:
                f.secrets.append(secret)


def _read(service_id: str) -> str | None:
    """The keyring's answer, in this process. Never raises."""
    if problem() is not None:
        return None
    try:
        got = _backend().get_password(KEYRING_SERVICE, service_id)
    except Exception as exc:        # locked, D-Bus gone, a backend's own bug
        logging.getLogger(__name__).info(
            "keyring: cannot read the key of %s (%s)", service_id, type(exc).__name__)
        return None
    return got.strip() if isinstance(got, str) and got.strip() else None


def _read_in_child(service_id: str) -> str | None:
    """The keyring read in a short-lived child process (``python -m trayapp.edges.keys ID``).

    keyring and its backends (secretstorage, cryptography, gi...) cost about 15 MB
    resident; the tray reads a key once per config and should not keep them. The key
    comes back through a pipe. A frozen app has no ``-m``: it reads in-process."""
    if getattr(sys, "frozen", False):
        return _read(service_id)
    import subprocess

    from trayapp.edges.selfrun import module_argv
    try:
        done = subprocess.run(module_argv("trayapp.edges.keys", service_id),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=LOOKUP_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        logging.getLogger(__name__).info("keyring: cannot read the key of %s (%s)",
                                         service_id, type(exc).__name__)
        return None
    key = done.stdout.strip()
    return key or None


def _index_path() -> Path:
    from trayapp.edges.paths import state_dir
    return state_dir() / INDEX_NAME


def indexed() -> set[str]:
    """The service ids trayapp stored a key for (no key in it): who needs a lookup."""
    from trayapp.edges import safefile
    path = _index_path()
    try:
        data = json.loads(safefile.read_bytes(path, INDEX_MAX_BYTES))
    except FileNotFoundError:
        return set()
    except safefile.Refused as exc:
        if str(exc) not in _refused:           # once per process, not once per service
            _refused.add(str(exc))
            logging.getLogger(__name__).warning("%s; stored keys are not looked up", exc)
        return set()
    except (OSError, ValueError):
        return set()
    ids = data.get("ids") if isinstance(data, dict) else None
    return {i for i in ids if isinstance(i, str)} if isinstance(ids, list) else set()


def _index(service_id: str, present: bool) -> None:
    from trayapp.edges.paths import write_atomic
    ids = indexed()
    if (service_id in ids) == present:
        return
    ids = ids | {service_id} if present else ids - {service_id}
    try:
        write_atomic(_index_path(), json.dumps({"ids": sorted(ids)}).encode())
    except OSError as exc:
        logging.getLogger(__name__).info("keyring: cannot note %s (%s)", INDEX_NAME,
                                         exc.strerror or type(exc).__name__)


def lookup(service_id: str) -> str | None:
    """The stored key for ``service_id`` (cached per process), or None.

    Only ids that ``store`` noted in the state dir's index are looked up (a user who
    never stored a key pays nothing), in a child process. Never raises."""
    with _lock:
        if service_id in _cache:
            return _cache[service_id]
        key = _read_in_child(service_id) if service_id in indexed() else None
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
    problem = key_problem(key)
    if problem is not None:
        raise KeyringUnavailable(problem)
    kr = _backend()
    try:
        kr.set_password(KEYRING_SERVICE, service_id, key)
    except Exception as exc:
        raise KeyringUnavailable(f"the keyring refused the key ({type(exc).__name__})") \
            from None
    _index(service_id, True)
    forget()


def delete(service_id: str) -> bool:
    """Remove the stored key; True when there was one."""
    kr = _backend()
    try:
        if kr.get_password(KEYRING_SERVICE, service_id) is None:
            _index(service_id, False)
            return False
        kr.delete_password(KEYRING_SERVICE, service_id)
    except Exception as exc:
        raise KeyringUnavailable(f"the keyring refused ({type(exc).__name__})") from None
    _index(service_id, False)
    forget()
    return True


def has_key(service_id: str) -> bool:
    """Whether a key is stored (read fresh, not from the cache)."""
    kr = _backend()
    try:
        stored = bool(kr.get_password(KEYRING_SERVICE, service_id))
    except Exception as exc:
        raise KeyringUnavailable(f"the keyring cannot be read ({type(exc).__name__})") \
            from None
    _index(service_id, stored)        # e.g. stored by another tool, or the state dir lost
    return stored


def _child(argv: list[str]) -> int:
    """``python -m trayapp.edges.keys ID``: the key on stdout (a pipe to the parent), or nothing."""
    if len(argv) != 1:
        return 64
    key = _read(argv[0])
    if key:
        sys.stdout.write(key)
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
