"""A real HTTP server on 127.0.0.1 for tests and benchmarks.

Routes are set at run time; each can answer with any status, headers and
body, after a delay, with an ETag (answering 304 to a matching
If-None-Match), or dribbling its body slowly. It records every request.
"""

from __future__ import annotations

import http.server
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(relpath: str) -> bytes:
    return (FIXTURES / relpath).read_bytes()


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0                 # seconds before answering
    etag: str | None = None            # answer 304 to a matching If-None-Match
    drip: float = 0.0                  # seconds between body bytes (after headers)
    content_length: int | None = None  # override (e.g. to truncate)
    hang: bool = False                 # accept, read the request, never answer
    repeat: int = 1                    # send the body this many times, chunked, no length


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hung up (a cut answer, a failed TLS handshake) is expected."""
        import sys
        if not isinstance(sys.exc_info()[1], ConnectionError | ssl.SSLError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class LoopbackServer:
    """``tls=(certfile, keyfile)`` serves https with that certificate."""

    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.scripts: dict[str, Callable[[int], Route]] = {}
        self.hits: Counter[str] = Counter()
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with owner._lock:
                    owner.hits[path] += 1
                    owner.seen.append(Seen(path, {k.lower(): v for k, v in self.headers.items()}))
                    route = owner.routes.get(path)
                    script = owner.scripts.get(path)
                    if script is not None:
                        route = script(owner.hits[path])
                if route is None:
                    self._send(404, b'{"error":"not found"}', {"Content-Type": "application/json"})
                    return
                if route.hang:
                    owner._release.wait(60)
                    self.close_connection = True
                    return
                if route.delay:
                    owner._release.wait(route.delay)
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self.send_response(304)
                    self.send_header("ETag", route.etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                headers = dict(route.headers)
                if route.etag:
                    headers["ETag"] = route.etag
                if route.repeat > 1:
                    self._send_chunked(route.status, route.body, headers, route.repeat)
                    return
                self._send(route.status, route.body, headers, route.drip, route.content_length)

            def do_POST(self) -> None:
                """A POST (a model probe) is answered like a GET of its path; its body
                is read and dropped."""
                length = self.headers.get("Content-Length", "0")
                self.rfile.read(int(length) if length.isdigit() else 0)
                self.do_GET()

            def _send(self, status: int, body: bytes, headers: dict[str, str],
                      drip: float = 0.0, length: int | None = None) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if "Location" not in headers or body:
                    self.send_header("Content-Length", str(len(body) if length is None else length))
                else:
                    self.send_header("Content-Length", "0")
                self.end_headers()
                try:
                    if drip:
                        for i in range(len(body)):
                            self.wfile.write(body[i:i + 1])
                            self.wfile.flush()
                            if owner._release.wait(drip):
                                return
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                if length is not None and length != len(body):
                    self.close_connection = True

            def _send_chunked(self, status: int, body: bytes, headers: dict[str, str],
                              repeat: int) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.close_connection = True
                chunk = f"{len(body):x}\r\n".encode() + body + b"\r\n"
                try:
                    for _ in range(repeat):
                        if owner._release.is_set():
                            return
                        self.wfile.write(chunk)
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            # The handshake runs in the request's thread, not in accept().
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True,
                                                    do_handshake_on_connect=False)
            self.scheme = "https"
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, body: bytes | str = b"", status: int = 200,
            content_type: str = "application/json", **kw: object) -> Route:
        data = body.encode() if isinstance(body, str) else body
        headers = dict(kw.pop("headers", {}) or {})  # type: ignore[call-overload]
        headers.setdefault("Content-Type", content_type)
        route = Route(status=status, body=data, headers=headers, **kw)  # type: ignore[arg-type]
        with self._lock:
            self.routes[path] = route
        return route

    def script(self, path: str, answer: Callable[[int], Route]) -> None:
        """Answer ``path`` with ``answer(n)`` for its n-th request (1-based)."""
        with self._lock:
            self.scripts[path] = answer

    def requests_to(self, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.path == path]

    def close(self) -> None:
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port() -> int:
    """A loopback port with nothing listening (for 'connection refused')."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate, timeout: float = 10.0, step: float = 0.05) -> bool:  # type: ignore[no-untyped-def]
    """Poll a condition (for external processes we cannot join)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())
