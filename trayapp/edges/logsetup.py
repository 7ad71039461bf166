"""Logging: warnings to stderr (debug with -v), everything to a rotating file.

The log file is opened without following a symlink (``O_NOFOLLOW``) and only
if it is a regular file, and made 0600 if an older version left it wider; its
directory is created 0700, and a config, log or state directory wider than
that is named once (``paths.note_if_wider``). Several
processes (the tray, ``watch``, a ``status`` run) may share the file:
rotation takes a lock on it and rotates only if no other process already
has, so it never loses lines or prints ``--- Logging error ---``. A log that
cannot be written (a full disk) is said once, in one line on stderr, never
with a traceback; then nothing more about it until a line is written again
(:meth:`RotatingFile.handleError`). Every line is
cleaned like any other output (no escape sequence or control character from a
feed or a config file reaches a terminal or the file).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from io import TextIOWrapper
from pathlib import Path
from typing import IO, Any

from trayapp.domain.text import one_line, paragraph
from trayapp.edges.paths import create_private, note_if_wider, private_mkdir
from trayapp.edges.safefile import Refused

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


class CleanFormatter(logging.Formatter):
    """A formatter whose output holds no escape or control character (line breaks kept)."""

    def format(self, record: logging.LogRecord) -> str:
        return paragraph(super().format(record), 20_000)


def open_log(path: Path) -> TextIOWrapper:
    """``path`` for appending: never through a symlink, never a FIFO or device
    (:func:`trayapp.edges.paths.create_private`)."""
    fd = create_private(path, os.O_WRONLY | os.O_APPEND)   # 0600, an older log narrowed
    try:
        return open(fd, "a", encoding="utf-8", errors="replace")
    except BaseException:
        os.close(fd)
        raise


def _lock(stream: IO[str]) -> Any:
    """An exclusive lock on the open log file (POSIX), or None."""
    if sys.platform == "win32":
        return None
    try:
        import fcntl
    except ImportError:
        return None
    fcntl.flock(stream.fileno(), fcntl.LOCK_EX)
    return fcntl


class RotatingFile(logging.FileHandler):
    """A log file capped at ``max_bytes``, with numbered backups (``.1`` newest):
    logging.handlers.RotatingFileHandler's rotation, without importing
    logging.handlers (pickle, queue, struct: about 0.5 MB in every process),
    and safe when several processes share the file."""

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        self.max_bytes = max_bytes
        self.backups = backups
        self.broken = False          # the last write failed, and that was said
        self._failed = False         # this record's write failed
        super().__init__(path, encoding="utf-8", delay=True)
        self.stream = self._open()

    def handle(self, record: logging.LogRecord) -> bool:
        self._failed = False
        handled = super().handle(record)
        if handled and not self._failed:
            self.broken = False      # it writes again: a later failure is said again
        return handled

    def handleError(self, record: logging.LogRecord) -> None:
        """A line that cannot be written (a full disk, a lost file): one line on stderr
        the first time, never logging's 40-line traceback; quiet until it writes again."""
        self._failed = True
        if self.broken:
            return
        self.broken = True
        exc = sys.exc_info()[1]
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else \
            type(exc).__name__
        with contextlib.suppress(Exception):     # stderr gone too: nowhere left to say it
            sys.stderr.write(one_line(f"trayapp: cannot write the log file {self.baseFilename} "
                                      f"({why}); not logging there until it can", 600) + "\n")
            sys.stderr.flush()

    def _open(self) -> TextIOWrapper:
        return open_log(Path(self.baseFilename))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            size = len((self.format(record) + self.terminator).encode("utf-8"))
            stream = self.stream
            if stream is not None and not self._still_ours(stream):
                # Another process rotated the file under us: our descriptor names a
                # backup (or a deleted file). Follow the path, as WatchedFileHandler does.
                stream.close()
                stream = self.stream = self._open()
            if stream is not None and os.fstat(stream.fileno()).st_size + size > self.max_bytes:
                self._rotate(stream)
        except Exception:
            self.handleError(record)
            return
        super().emit(record)

    def _still_ours(self, stream: IO[str]) -> bool:
        mine = os.fstat(stream.fileno())
        try:
            current = os.stat(self.baseFilename, follow_symlinks=False)
        except FileNotFoundError:
            return False
        return (current.st_ino, current.st_dev) == (mine.st_ino, mine.st_dev)

    def _rotate(self, stream: IO[str]) -> None:
        """Rotate under the file's lock, unless another process already has (the path then
        names a newer file than ours): either way, continue in the file the path names."""
        base = self.baseFilename
        fcntl = _lock(stream)
        try:
            if self._still_ours(stream):
                for i in range(self.backups - 1, 0, -1):
                    try:
                        os.replace(f"{base}.{i}", f"{base}.{i + 1}")
                    except FileNotFoundError:
                        pass
                if self.backups > 0:
                    os.replace(base, f"{base}.1")
                else:
                    os.truncate(base, 0)
        finally:
            if fcntl is not None:
                fcntl.flock(stream.fileno(), fcntl.LOCK_UN)
        stream.close()
        self.stream = self._open()


class QuietStream(logging.StreamHandler):  # type: ignore[type-arg]
    """stderr: a line that cannot be written there (closed, a full session log) is
    dropped, never answered with a traceback on that same stderr."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def setup(verbose: bool, log_dir: Path | None, secret_envs: list[str],
          state_dir: Path | None = None) -> Path | None:
    root = logging.getLogger("trayapp")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False
    for h in list(root.handlers):
        root.removeHandler(h)
    redact = RedactSecrets([os.environ.get(e, "") for e in secret_envs])
    err = QuietStream()
    err.setLevel(logging.DEBUG if verbose else logging.WARNING)
    err.setFormatter(CleanFormatter("trayapp: %(message)s"))
    err.addFilter(redact)
    root.addHandler(err)
    if log_dir is None:
        return None
    path: Path | None = log_dir / "trayapp.log"
    try:
        private_mkdir(log_dir)
        handler: logging.Handler = RotatingFile(log_dir / "trayapp.log", max_bytes=512 * 1024,
                                                backups=2)
        handler.setFormatter(CleanFormatter(FORMAT))
        handler.addFilter(redact)
        handler.setLevel(logging.DEBUG if verbose else logging.INFO)
        root.addHandler(handler)
    except Refused as exc:
        root.warning("%s; not logging to a file", exc)
        path = None
    except OSError:
        path = None
    note_if_wider(log_dir)
    from trayapp.edges import paths
    try:
        owned = [state_dir or paths.state_dir(), paths.config_dir()]
    except Exception:   # platformdirs cannot name them here
        owned = [state_dir] if state_dir is not None else []
    for directory in owned:
        note_if_wider(directory)
    return path
