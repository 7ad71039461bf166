"""Logging: warnings to stderr (debug with -v), everything to a rotating file."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactSecrets(logging.Filter):
    """Replace any configured API key value that slips into a log line."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            if any(s in message for s in self.secrets):
                for s in self.secrets:
                    message = message.replace(s, "[redacted]")
                record.msg, record.args = message, None
        return True


def setup(verbose: bool, log_dir: Path | None, secret_envs: list[str]) -> Path | None:
    root = logging.getLogger("trayapp")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False
    for h in list(root.handlers):
        root.removeHandler(h)
    redact = RedactSecrets([os.environ.get(e, "") for e in secret_envs])
    err = logging.StreamHandler()
    err.setLevel(logging.DEBUG if verbose else logging.WARNING)
    err.setFormatter(logging.Formatter("trayapp: %(message)s"))
    err.addFilter(redact)
    root.addHandler(err)
    if log_dir is None:
        return None
    path = log_dir / "trayapp.log"
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=512 * 1024,
                                                       backupCount=2, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(redact)
    handler.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.addHandler(handler)
    return path
