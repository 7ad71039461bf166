"""A fake vendor API on 127.0.0.1: per-model answers to real model requests.

``POST /v1/messages`` (anthropic), ``/v1/chat/completions`` (openai) and
``/v1beta/models/<model>:generateContent`` (gemini) answer per model with a
status, after a delay, or never (hang); ``GET /v1/models`` answers the keyless
probe (401 without a key, 200 with the right one). Every request is counted
and kept (path, headers, JSON body). Also a proxy that refuses everything with
407, and a not-yet-valid certificate made with the openssl CLI.
"""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import subprocess
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Answer:
    status: int = 200
    delay: float = 0.0
    hang: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"id":"msg_1","content":[{"type":"text","text":"H"}]}'


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class FakeVendor:
    def __init__(self, key: str | None = None) -> None:
        self.key = key                         # the key that is accepted (None: any)
        self.answers: dict[str, Answer] = {}   # model -> answer
        self.probe = Answer(status=401, body=b'{"error":"missing key"}')
        self.counts: Counter[str] = Counter()  # model (or "probe") -> requests
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _record(self, body: Any) -> None:
                with owner._lock:
                    owner.requests.append(Request(self.command, self.path, {
                        k.lower(): v for k, v in self.headers.items()}, body))

            def do_GET(self) -> None:
                self._record(None)
                with owner._lock:
                    owner.counts["probe"] += 1
                answer = owner.probe
                if owner.key is not None and owner._keyed(self.headers):
                    answer = Answer(status=200, body=b'{"data":[]}')
                self._answer(answer)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                self._record(body)
                model = body.get("model") if isinstance(body, dict) else None
                if model is None and ":generateContent" in self.path:
                    model = self.path.split("/models/", 1)[1].split(":", 1)[0]
                with owner._lock:
                    owner.counts[str(model)] += 1
                answer = owner.answers.get(str(model), Answer(status=404,
                                                              body=b'{"error":"no model"}'))
                if owner.key is not None and not owner._keyed(self.headers):
                    answer = Answer(status=401, body=b'{"error":"invalid x-api-key"}')
                self._answer(answer)

            def _answer(self, answer: Answer) -> None:
                if answer.hang:
                    owner._release.wait(60)
                    self.close_connection = True
                    return
                if answer.delay:
                    owner._release.wait(answer.delay)
                self.send_response(answer.status)
                for k, v in {"Content-Type": "application/json", **answer.headers}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                try:
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _keyed(self, headers: Any) -> bool:
        sent = headers.get("x-api-key") or headers.get("Authorization", "").removeprefix(
            "Bearer ")
        return bool(sent) and sent == self.key

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set(self, model: str, status: int = 200, **kw: Any) -> None:
        self.answers[model] = Answer(status=status, **kw)

    def model_requests(self) -> int:
        return sum(n for m, n in self.counts.items() if m != "probe")

    def close(self) -> None:
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class Proxy407:
    """An HTTP proxy that wants a login it never gets: 407 to every request and CONNECT."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _refuse(self) -> None:
                owner.seen.append(f"{self.command} {self.path}")
                body = b"<html><body>Proxy Authentication Required</body></html>"
                self.send_response(407)
                self.send_header("Proxy-Authenticate", 'Basic realm="corp"')
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_CONNECT = _refuse

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


_CA_CONF = """\
[ca]
default_ca = test
[test]
database = {d}/index.txt
new_certs_dir = {d}
serial = {d}/serial
default_md = sha256
policy = anything
copy_extensions = copy
[anything]
commonName = supplied
"""


def future_cert(directory: Path) -> tuple[Path, Path] | None:
    """A certificate for 127.0.0.1 valid only from 2099 (openssl CLI), or None.

    Self-signed, so a client that trusts it (SSL_CERT_FILE) sees only its dates."""
    if not shutil.which("openssl"):
        return None
    d = directory
    (d / "index.txt").write_text("")
    (d / "serial").write_text("01\n")
    (d / "ca.cnf").write_text(_CA_CONF.format(d=d))
    key, csr, cert = d / "future.key", d / "future.csr", d / "future.pem"
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-keyout", str(key), "-out", str(csr))
    openssl("ca", "-batch", "-config", str(d / "ca.cnf"), "-selfsign", "-keyfile", str(key),
            "-in", str(csr), "-out", str(cert),
            "-startdate", "20990101000000Z", "-enddate", "20991231000000Z")
    return cert, key


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
