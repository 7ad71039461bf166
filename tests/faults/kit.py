"""Shared helpers for the fault suite: isolated environments, configs, CLI runs.

Every run of the CLI here is a real subprocess with its own HOME and XDG
directories under a test's tmp dir, no proxy settings and no API keys from
the developer's environment, so nothing is written to the real home and no
request leaves 127.0.0.1 (``.invalid`` names fail in the local resolver).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trayapp import sources

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 2.0             # the configs' total per-request timeout
CONNECT_TIMEOUT = 1.0
PROBE_RETRY = 1.0         # `status` retries a failed probe once after about this long
STARTUP_SLACK = 6.0       # interpreter start, imports, a loaded 2-core CI machine
# A correctness bound for one `status` run: a request, the retry's pause, the
# retried request, and the process's own start and stop.
STATUS_BOUND = 2 * TIMEOUT + PROBE_RETRY + STARTUP_SLACK
_DROP = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "display", "wayland_display",
         "trayapp_config", "ssl_cert_file", "ssl_cert_dir", "requests_ca_bundle")


def feed_entry_path(base_path: str = "/feed", kind: str = "statuspage") -> str:
    """The request path a feed of ``kind`` at ``base_path`` fetches first."""
    adapter = sources.get(kind)
    assert adapter is not None
    return adapter.entry("http://127.0.0.1" + base_path).removeprefix("http://127.0.0.1")


def isolated_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in _DROP and not k.upper().endswith("_API_KEY")}
    for name in ("home", "state", "config", "cache", "data", "runtime"):
        (tmp / name).mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(tmp / "home"), XDG_STATE_HOME=str(tmp / "state"),
               XDG_CONFIG_HOME=str(tmp / "config"), XDG_CACHE_HOME=str(tmp / "cache"),
               XDG_DATA_HOME=str(tmp / "data"), XDG_RUNTIME_DIR=str(tmp / "runtime"),
               PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(value)


def write_config(path: Path, services: list[dict[str, Any]], **top: Any) -> Path:
    """A config file: ``top`` keys (defaults: small timeouts, no connectivity check)."""
    settings: dict[str, Any] = {"interval": 60, "timeout": TIMEOUT,
                                "connect_timeout": CONNECT_TIMEOUT, "connectivity_url": ""}
    settings.update(top)
    lines = [f"{k} = {_toml(v)}" for k, v in settings.items()]
    for svc in services:
        lines.append("\n[[services]]")
        lines += [f"{k} = {_toml(v)}" for k, v in svc.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def feed_service(base: str, sid: str = "svc", kind: str = "statuspage") -> dict[str, Any]:
    return {"id": sid, "name": sid.title(), "feed": {"kind": kind, "url": base}, "probe": False}


def probe_service(url: str, sid: str = "svc", **probe: Any) -> dict[str, Any]:
    return {"id": sid, "name": sid.title(), "feed": False, "probe": {"url": url, **probe}}


@dataclass
class Run:
    rc: int
    stdout: str
    stderr: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.stdout)

    def service(self, sid: str = "svc") -> dict[str, Any]:
        found = [s for s in self.json()["services"] if s["id"] == sid]
        assert found, self.stdout
        result: dict[str, Any] = found[0]
        return result


def trayapp_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "trayapp", *args]


def capped_argv(address_space: int, *args: str) -> list[str]:
    """trayapp ``args`` with its address space capped at ``address_space`` bytes: a run
    that would take gigabytes fails (MemoryError) instead of the shared machine."""
    launch = ("import resource, runpy, sys\n"
              f"resource.setrlimit(resource.RLIMIT_AS, ({address_space}, {address_space}))\n"
              "sys.argv = ['trayapp', *sys.argv[1:]]\n"
              "runpy.run_module('trayapp', run_name='__main__', alter_sys=True)\n")
    return [sys.executable, "-c", launch, *args]


def run_cli(env: dict[str, str], *args: str, timeout: float = 60) -> Run:
    started = time.monotonic()
    proc = subprocess.run(trayapp_argv(*args), env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, check=False)
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def run_status(env: dict[str, str], config: Path, *extra: str, timeout: float = 60) -> Run:
    return run_cli(env, "status", "--json", "--config", str(config), *extra, timeout=timeout)


def assert_no_crash(run: Run) -> None:
    """No traceback on either stream, and an exit code the CLI documents."""
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout, run.stderr
    assert run.rc in (0, 1, 2, 3), (run.rc, run.stderr)


def assert_one_line(text: Any) -> None:
    assert isinstance(text, str) and text.strip(), text
    assert "\n" not in text and "\r" not in text, text


def self_signed_cert(directory: Path) -> tuple[Path, Path] | None:
    """A throwaway certificate for 127.0.0.1 (openssl CLI, else cryptography), or None."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    if shutil.which("openssl"):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True)
        return cert, key
    try:
        from cryptography import x509  # noqa: F401
    except ImportError:
        return None
    return _cryptography_cert(cert, key)


def _cryptography_cert(cert: Path, key: Path) -> tuple[Path, Path]:
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    pkey = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    built = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
             .public_key(pkey.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
             .add_extension(x509.SubjectAlternativeName(
                 [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
             .sign(pkey, hashes.SHA256()))
    cert.write_bytes(built.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(pkey.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()))
    return cert, key


class Watch:
    """A running `trayapp watch --json` (or any trayapp command), read line by line."""

    def __init__(self, env: dict[str, str], *args: str, argv: list[str] | None = None) -> None:
        import threading
        self.proc = subprocess.Popen(argv or trayapp_argv(*args), env=env, cwd=ROOT, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [threading.Thread(target=self._pump, args=(s, into), daemon=True)
                         for s, into in ((self.proc.stdout, self.out),
                                         (self.proc.stderr, self.err))]
        for t in self._readers:
            t.start()

    @staticmethod
    def _pump(stream: Any, into: list[str]) -> None:
        for line in stream:
            into.append(line.rstrip("\n"))

    @property
    def events(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in list(self.out) if line.startswith("{")]

    @property
    def stderr(self) -> str:
        return "\n".join(self.err)

    def proc_status(self, field: str) -> int:
        """A number from /proc/<pid>/status, e.g. VmRSS (kB) or Threads."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise KeyError(field)

    def fds(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            rc = self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait(5)
        for t in self._readers:
            t.join(5)
        return rc

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def watch(env: dict[str, str], config: Path, *extra: str) -> Watch:
    return Watch(env, "watch", "--json", "--config", str(config), *extra)


def state_file(env: dict[str, str]) -> Path:
    return Path(env["XDG_STATE_HOME"]) / "trayapp" / "watch-state.json"


def loopback_config(path: Path, server: Any, services: list[dict[str, Any]],
                    **top: Any) -> Path:
    """A config polling every second, with the connectivity check on ``server``."""
    server.set("/generate_204", b"", status=204)
    settings: dict[str, Any] = {"interval": 1, "connectivity_url": server.url("/generate_204")}
    settings.update(top)
    return write_config(path, services, **settings)


class RawServer:
    """A TCP server on 127.0.0.1 speaking raw bytes, for answers no HTTP server
    library would send (headers dribbled a byte at a time, endless interim
    answers). ``behave(conn, stop)`` runs per connection, on its own thread,
    after the request has been read; it must return soon once ``stop`` is set."""

    def __init__(self, behave: Any) -> None:
        import socket
        import threading
        self.behave = behave
        self.stop = threading.Event()
        self.connections = 0
        # Per connection, from the request read to the server seeing the client gone:
        # the request's lifetime as the server saw it, free of the client's start-up.
        self.lifetimes: list[float] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def _accept(self) -> None:
        import threading
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: Any) -> None:
        import time
        started = None
        with conn:
            conn.settimeout(5)
            try:
                request = b""
                while b"\r\n\r\n" not in request:
                    piece = conn.recv(4096)
                    if not piece:
                        return
                    request += piece
                started = time.monotonic()
                self.behave(conn, self.stop)
            except OSError:
                pass                      # the client gave up: what we want to see
            finally:
                if started is not None and not self.stop.is_set():
                    self.lifetimes.append(time.monotonic() - started)

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self._thread.join(5)

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def dribble(data: bytes, every: float) -> Any:
    """A behaviour: send ``data`` one byte every ``every`` seconds."""
    def behave(conn: Any, stop: Any) -> None:
        for i in range(len(data)):
            conn.sendall(data[i:i + 1])
            if stop.wait(every):
                return
    return behave


def interim_forever(block: bytes, every: float) -> Any:
    """A behaviour: send the interim answer ``block`` again and again, never a final one."""
    def behave(conn: Any, stop: Any) -> None:
        while not stop.is_set():
            conn.sendall(block)
            if every:
                stop.wait(every)
    return behave
