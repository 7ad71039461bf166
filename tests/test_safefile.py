"""trayapp.edges.safefile on real files: what each kind of file gives, as a table."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from trayapp.edges import safefile

pytestmark = pytest.mark.skipif(os.name != "posix", reason="FIFOs, sockets and /dev are POSIX")
LIMIT = 1000


def _regular(p: Path) -> None:
    p.write_bytes(b"x" * 10)


def _at_limit(p: Path) -> None:
    p.write_bytes(b"x" * LIMIT)


def _over(p: Path) -> None:
    p.write_bytes(b"x" * (LIMIT + 1))


def _sparse(p: Path) -> None:
    with p.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)


def _fifo(p: Path) -> None:
    os.mkfifo(p)


def _socket(p: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(p))
    _SOCKETS.append(sock)


def _directory(p: Path) -> None:
    p.mkdir()


def _to_zero(p: Path) -> None:
    p.symlink_to("/dev/zero")


def _to_regular(p: Path) -> None:
    target = p.with_name("target")
    target.write_bytes(b"y" * 10)
    p.symlink_to(target)


def _dangling(p: Path) -> None:
    p.symlink_to(p.with_name("nowhere"))


_SOCKETS: list[socket.socket] = []

# (kind, make, without following, following): the bytes' length, or the words of the refusal
TABLE: list[tuple[str, Callable[[Path], None], int | str, int | str]] = [
    ("a regular file", _regular, 10, 10),
    ("exactly at the limit", _at_limit, LIMIT, LIMIT),
    ("one byte over", _over, "is too large (1001 bytes, over the 1000 bytes limit)",
     "is too large"),
    ("200 MB sparse", _sparse, "is too large (200.0 MB", "is too large (200.0 MB"),
    ("a FIFO", _fifo, "is not a regular file (a FIFO)", "is not a regular file (a FIFO)"),
    ("a socket", _socket, "is not a regular file (a socket)", "(a socket)"),
    ("a directory", _directory, "(a directory)", "(a directory)"),
    ("a symlink to /dev/zero", _to_zero, "is a symlink", "(a character device)"),
    ("a symlink to a regular file", _to_regular, "is a symlink", 10),
    ("a dangling symlink", _dangling, "is a symlink", "missing"),
    ("nothing", lambda p: None, "missing", "missing"),
]


@pytest.mark.parametrize("follow", [False, True], ids=["own file", "user's file"])
@pytest.mark.parametrize(("kind", "make", "own", "users"), TABLE, ids=[t[0] for t in TABLE])
def test_read_bytes(kind: str, make: Callable[[Path], None], own: int | str, users: int | str,
                    follow: bool, tmp_path: Path) -> None:
    path = tmp_path / "file.json"
    make(path)
    expected = users if follow else own
    try:
        got: int | str = len(safefile.read_bytes(path, LIMIT, follow=follow))
    except FileNotFoundError:
        got = "missing"
    except safefile.Refused as exc:
        assert str(exc).startswith("file.json ") and str(exc).endswith(f": {path}"), str(exc)
        assert "\n" not in str(exc) and isinstance(exc, OSError)
        got = str(exc)
    if isinstance(expected, int):
        assert got == expected
    else:
        assert isinstance(got, str) and expected in got, got


def test_read_head_reads_the_first_line_alone(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    path.write_bytes(b'{"head": 1},\n' + b"x" * 5_000_000)
    assert safefile.read_head(path, 64) == b'{"head": 1},'
    path.write_bytes(b"y" * 100)
    assert safefile.read_head(path, 64) is None         # no line break within the limit
    path.write_bytes(b"short")
    assert safefile.read_head(path, 64) == b"short"
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(safefile.Refused, match="a FIFO"):
        safefile.read_head(path, 64)


@pytest.mark.parametrize(("kind", "make", "own", "users"), TABLE, ids=[t[0] for t in TABLE])
def test_open_own_and_check_regular(kind: str, make: Callable[[Path], None], own: int | str,
                                    users: int | str, tmp_path: Path) -> None:
    """Files opened to write (lock, budget, log) and sqlite's: the same refusals, no size."""
    path = tmp_path / "file.json"
    make(path)
    refused = isinstance(own, str) and "too large" not in own and own != "missing"
    if refused:
        with pytest.raises(safefile.Refused):
            safefile.check_regular(path)
        with pytest.raises(safefile.Refused):
            os.close(safefile.open_own(path))
    else:
        safefile.check_regular(path)
        os.close(safefile.open_own(path))          # created when missing, 0600
        assert path.stat().st_mode & 0o777 in (0o600, 0o644)
