"""Logging: warnings to stderr (debug with -v), everything to a rotating file."""

from __future__ import annotations

import logging
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


class RotatingFile(logging.FileHandler):
    """A log file capped at ``max_bytes``, with numbered backups (``.1`` newest):
    logging.handlers.RotatingFileHandler's rotation, without importing
    logging.handlers (pickle, queue, struct: about 0.5 MB in every process)."""

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        super().__init__(path, encoding="utf-8")
        self.max_bytes = max_bytes
        self.backups = backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            size = len((self.format(record) + self.terminator).encode("utf-8"))
            stream = self.stream
            if stream is not None and stream.tell() + size > self.max_bytes:
                stream.close()
                for i in range(self.backups - 1, 0, -1):
                    if os.path.exists(f"{self.baseFilename}.{i}"):
                        os.replace(f"{self.baseFilename}.{i}", f"{self.baseFilename}.{i + 1}")
                if self.backups > 0:
                    os.replace(self.baseFilename, f"{self.baseFilename}.1")
                self.stream = self._open()
        except Exception:
            self.handleError(record)
            return
        super().emit(record)


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
        handler: logging.Handler = RotatingFile(path, max_bytes=512 * 1024, backups=2)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(redact)
    handler.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.addHandler(handler)
    return path
