"""Has the network changed? A cheap fingerprint of the routes and addresses.

The loop reads :func:`fingerprint` at each wake of its sleep (every 15 s at most)
and polls at once when it differs from the last one: Wi-Fi to tethering, a VPN up
or down, a cable plugged in. It is compared, never parsed further, and never
raises (a reader that fails gives ``""``, which is compared like any other value).

* Linux: the kernel's IPv4 routing table and IPv6 addresses
  (``/proc/net/route``, ``/proc/net/if_inet6``): a new network brings a new
  default route or subnet route and new addresses. Two small files, no sockets.
* Elsewhere: the names of the interfaces (``socket.if_nameindex``: a VPN's tunnel
  appears) and the local address the default route would use for IPv4 and IPv6
  (a UDP socket's ``connect`` picks it: no packet is sent). Unverified on macOS
  and Windows hardware; the same calls run on Linux in the tests.
"""

from __future__ import annotations

import hashlib
import socket
import sys
from collections.abc import Iterable
from pathlib import Path

PROC = Path("/proc/net")
PROC_FILES = ("route", "if_inet6")
LIMIT = 1 << 20                 # bytes read from a file: a routing table, not a download
PROBE_ADDRESSES = ((socket.AF_INET, ("192.0.2.1", 9)),          # TEST-NET-1 (RFC 5737)
                   (socket.AF_INET6, ("2001:db8::1", 9)))        # documentation (RFC 3849)


def _digest(parts: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
        h.update(b"\0")
    return h.hexdigest()[:16]


def _proc(root: Path) -> Iterable[bytes]:
    for name in PROC_FILES:
        try:
            with (root / name).open("rb") as f:
                yield f.read(LIMIT)
        except OSError:
            yield b""


def _route_source(family: int, address: tuple[str, int]) -> bytes:
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect(address)
            return str(s.getsockname()[0]).encode()
    except OSError:                 # no route of this family: itself a state to compare
        return b"-"


def _portable() -> Iterable[bytes]:
    try:
        yield ",".join(sorted(name for _, name in socket.if_nameindex())).encode()
    except OSError:
        yield b""
    for family, address in PROBE_ADDRESSES:
        yield _route_source(family, address)


def fingerprint(platform: str | None = None, *, root: Path = PROC) -> str:
    plat = sys.platform if platform is None else platform
    try:
        if plat.startswith("linux") and (root / "route").exists():
            return _digest(_proc(root))
        return _digest(_portable())
    except Exception:              # never a dead loop over a fingerprint
        return ""
