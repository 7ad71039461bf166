"""A lean loopback HTTP/1.1 server for the benchmark: one asyncio loop in one thread.

It serves hundreds of concurrent slow requests without a thread each (the
tests' threaded server would distort the scale numbers), keeps connections
alive, answers 304 to a matching ``If-None-Match``, gzips bodies for clients
that accept it (as real status pages do), and counts, per path, requests,
304s, connections and the bytes that crossed the socket each way. It listens
on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import gzip
import threading
from collections import Counter
from dataclasses import dataclass, field

REASONS = {200: "OK", 204: "No Content", 304: "Not Modified", 401: "Unauthorized",
           404: "Not Found", 503: "Service Unavailable", 529: "Overloaded"}


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    etag: str | None = None
    delay: float = 0.0
    gz: bytes | None = None


@dataclass
class Stats:
    requests: Counter[str] = field(default_factory=Counter)
    not_modified: Counter[str] = field(default_factory=Counter)
    bytes_in: Counter[str] = field(default_factory=Counter)
    bytes_out: Counter[str] = field(default_factory=Counter)
    opened_by: Counter[str] = field(default_factory=Counter)   # a connection's first path
    connections: int = 0

    def snapshot(self) -> Stats:
        return Stats(Counter(self.requests), Counter(self.not_modified), Counter(self.bytes_in),
                     Counter(self.bytes_out), Counter(self.opened_by), self.connections)


class BenchServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.stats = Stats()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._extra: list[asyncio.Server] = []
        self._thread = threading.Thread(target=self._run, name="bench-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(10) or self._server is None:
            raise RuntimeError("the loopback server did not start")
        self.port: int = int(self._server.sockets[0].getsockname()[1])

    # ------------------------------------------------------------ control
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, body: bytes | str = b"", status: int = 200, *,
            etag: str | None = None, delay: float = 0.0,
            content_type: str = "application/json") -> None:
        data = body.encode() if isinstance(body, str) else body
        gz = gzip.compress(data, mtime=0) if len(data) > 256 else None
        # One assignment: the server thread sees the old route or the new one.
        self.routes[path] = Route(status, data, content_type, etag, delay, gz)

    def listen(self, count: int) -> list[int]:
        """``count`` more ports on 127.0.0.1 serving the same routes: separate origins."""
        async def more() -> list[int]:
            ports = []
            for _ in range(count):
                srv = await asyncio.start_server(self._handle, "127.0.0.1", 0, backlog=1024)
                self._extra.append(srv)
                ports.append(int(srv.sockets[0].getsockname()[1]))
            return ports
        return asyncio.run_coroutine_threadsafe(more(), self._loop).result(30)

    def unlisten(self, port: int) -> None:
        """Stop listening on one of the ports :meth:`listen` opened (it then refuses)."""
        async def drop() -> None:
            for srv in [s for s in self._extra if s.sockets
                        and int(s.sockets[0].getsockname()[1]) == port]:
                srv.close()
                self._extra.remove(srv)
            for w in [w for w in self._writers if w.get_extra_info("sockname")[1] == port]:
                w.close()          # kept-alive connections to it go too
        asyncio.run_coroutine_threadsafe(drop(), self._loop).result(10)

    def close(self) -> None:
        async def stop() -> None:
            for srv in [self._server, *self._extra]:
                if srv is not None:
                    srv.close()
            for w in list(self._writers):
                w.close()
        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    # ------------------------------------------------------------ serving
    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0,
                                                      backlog=1024)
        self._loop.run_until_complete(start())
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.connections += 1
        self._writers.add(writer)
        first = True
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                        ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                parts = lines[0].split(" ")
                path = parts[1].split("?", 1)[0] if len(parts) > 1 else "/"
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                self.stats.requests[path] += 1
                if first:
                    self.stats.opened_by[path] += 1
                    first = False
                self.stats.bytes_in[path] += len(head)
                size = int(headers.get("content-length", "0") or 0)
                if size:            # a POST's body (a webhook, a model probe): read, unused
                    self.stats.bytes_in[path] += len(await reader.readexactly(size))
                out = await self._answer(path, headers)
                self.stats.bytes_out[path] += len(out)
                writer.write(out)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    return
        except ConnectionError:
            return
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _answer(self, path: str, headers: dict[str, str]) -> bytes:
        route = self.routes.get(path)
        if route is None:
            return _response(404, b'{"error":"not found"}', {"Content-Type": "application/json"})
        if route.delay:
            await asyncio.sleep(route.delay)
        extra = {"Content-Type": route.content_type}
        if route.etag:
            extra["ETag"] = route.etag
            if headers.get("if-none-match") == route.etag:
                self.stats.not_modified[path] += 1
                return _response(304, b"", {"ETag": route.etag})
        body = route.body
        if route.gz is not None and "gzip" in headers.get("accept-encoding", ""):
            body = route.gz
            extra["Content-Encoding"] = "gzip"
        return _response(route.status, body, extra)


def _response(status: int, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}",
             "Server: trayapp-bench", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
