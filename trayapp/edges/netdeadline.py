"""The socket layer under httpx: every request's hard deadline, name lookups included.

httpx's timeouts are per phase and httpcore's read timeout is per socket
read, so a server that dribbles its headers a byte at a time never times out.
Here every socket operation of a request (the name lookup, connect, TLS
handshake, each read and write) is capped by what is left of that request's
absolute deadline, which :mod:`trayapp.edges.http` sets in :data:`current` (a sync
httpx request does all its socket I/O on the calling thread). :func:`arm`
puts an httpx client's connection pools on :data:`BACKEND`.

``getaddrinfo`` cannot be interrupted, and a resolver that does not answer
holds it for its own timeout (``options timeout:`` x ``attempts`` in
resolv.conf: 10 s by default, far more when misconfigured). :func:`lookup` runs
it on a short-lived thread and waits only until the deadline; a lookup still
hanging then is abandoned (its thread ends when the resolver gives up). At
most ``MAX_LOOKUPS`` run at once; another waits for a free one, within its
deadline too, so a burst of lookups queues briefly and a dead resolver cannot
pile up threads.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

MAX_LOOKUPS = 16             # name lookups in flight at once (hung ones included)
_lookups = threading.BoundedSemaphore(MAX_LOOKUPS)
AddrInfo = list[tuple[Any, ...]]


def lookup(host: str, port: int, timeout: float | None) -> AddrInfo:
    """``getaddrinfo(host, port)`` for a TCP connection, waiting at most ``timeout``
    seconds (None: as long as it takes); a lookup that takes longer raises
    ``socket.gaierror`` (EAI_AGAIN)."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:                                   # an address: no resolver involved
        return socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    if not _lookups.acquire(timeout=-1 if timeout is None else timeout):
        raise socket.gaierror(socket.EAI_AGAIN, "too many name lookups are not answering")
    box: list[AddrInfo | OSError] = []
    done = threading.Event()

    def work() -> None:
        try:
            box.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            box.append(exc)
        except Exception as exc:            # UnicodeError for a bad IDN, and the like
            box.append(socket.gaierror(socket.EAI_NONAME, type(exc).__name__))
        finally:
            _lookups.release()
            done.set()

    threading.Thread(target=work, name="name-lookup", daemon=True).start()
    if not done.wait(timeout):
        raise socket.gaierror(socket.EAI_AGAIN, "the name lookup did not answer in time")
    found = box[0]
    if isinstance(found, OSError):
        raise found
    return found


# The absolute deadline (time.monotonic()) of the request this thread is making.
# A sync httpx request does all its socket I/O on the calling thread, so the
# streams below read it from here; a pooled connection serves one thread at a time.
current = threading.local()


def cap(timeout: float | None, expired: type[Exception]) -> float | None:
    """``timeout`` cut to what is left of this thread's request deadline."""
    deadline: float | None = getattr(current, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("request deadline passed")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every operation ends by the request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, cap(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        # A GET's few hundred bytes fit the socket buffer: one send, capped.
        self._inner.write(buffer, cap(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        # CPython bounds the whole handshake by the socket timeout, not each read.
        return DeadlineStream(self._inner.start_tls(
            ssl_context, server_hostname, cap(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                    ) -> httpcore.NetworkStream:
        # Resolved here, so that each address tried gets what is left of the
        # deadline, not a full timeout each (socket.create_connection's way).
        try:
            found = lookup(host, port, cap(timeout, httpcore.ConnectTimeout))
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        error: Exception = httpcore.ConnectError("no address for the host")
        for address in dict.fromkeys(str(sa[0]) for *_, sa in found):
            try:
                return DeadlineStream(self._inner.connect_tcp(
                    address, port, cap(timeout, httpcore.ConnectTimeout), local_address,
                    socket_options))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                            ) -> httpcore.NetworkStream:
        return DeadlineStream(self._inner.connect_unix_socket(
            path, cap(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


BACKEND = DeadlineBackend()


def arm(client: httpx.Client) -> httpx.Client:
    """Put every connection pool of ``client`` (direct and proxies) on BACKEND.

    httpx takes no network backend, so this sets httpcore's pool attribute; if
    a future httpx moves it, this fails loudly instead of losing the deadline.
    """
    for transport in (client._transport, *client._mounts.values()):
        if transport is None:
            continue
        pool = getattr(transport, "_pool", None)
        if not isinstance(transport, httpx.HTTPTransport) or \
                not hasattr(pool, "_network_backend"):
            raise RuntimeError("httpx internals changed: cannot enforce request deadlines")
        pool._network_backend = BACKEND   # type: ignore[union-attr]
    return client
