"""The peers the benchmark compares trayapp with: how they are installed, started
and read. No measurement here; ``bench/peer.py`` measures.

- ``statuspage-prometheus-exporter`` (pinned :data:`PEER_VERSION`), a
  Statuspage ``summary.json`` poller exposing up/down gauges, installed with
  pip into a venv of its own in the benchmark's cache dir
  (``bench/.cache/``, or ``$TRAYAPP_BENCH_CACHE``) when the package index
  can be reached; a quick run never installs it, it only uses an installed one.
  What its code says (2.6.0): ``services.json`` (``SERVICES_JSON_PATH``) lists
  each page's full ``summary.json`` URL; ``RUN_MODE=once`` makes one pass and
  writes a Prometheus textfile (``METRICS_TEXTFILE_PATH``), the daemon polls
  on a minute-aligned cron (``CHECK_INTERVAL_MINUTES``, whole minutes, so 1
  minute is its shortest interval) and serves its metrics on
  ``METRICS_PORT``. Each check is a new requests Session (so a new
  connection), no conditional request, 3 retries with backoff on connection
  errors and 5xx; a failed check falls back to the last good answer cached in
  ``./cache`` (its working directory). It logs ``NAME: INDICATOR (response
  time ...)`` on stderr for every check, which is how its view is read live.
  Its metrics server would bind every interface: the launcher binds it to
  127.0.0.1 instead (the one change made to it), and its environment has no
  proxy and no Slack webhook, so it reaches nothing but the loopback server.
- ``check_http`` from Debian's ``monitoring-plugins-basic``, when installed:
  the probe-side peer, one process per probe, as a Nagios-style scheduler runs it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

from bench.harness import PY, ROOT

PEER = "statuspage-prometheus-exporter"
PEER_VERSION = "2.6.0"
CHECK_HTTP = "/usr/lib/nagios/plugins/check_http"
LAUNCH = ("import functools, prometheus_client\n"
          "from statuspage_prometheus_exporter import status_monitoring as m\n"
          "m.start_http_server = functools.partial(prometheus_client.start_http_server,"
          " addr='127.0.0.1')\n"
          "m.main()\n")
# "Claude: critical (response time: 0.01s)" / "... (from cache)"
CHECK_LINE = re.compile(r" - INFO - (?P<name>[^:]+): (?P<raw>\S+) \(response time: "
                        r"[0-9.]+s\)(?P<cached> \(from cache\))?")
GAUGE = re.compile(r'^(statuspage_service_status|statuspage_probe_check)'
                   r'\{service_name="(?P<name>[^"]*)"\} (?P<value>\S+)$', re.M)


def cache_dir() -> Path:
    return Path(os.environ.get("TRAYAPP_BENCH_CACHE") or ROOT / "bench" / ".cache")


def peer_python(install: bool) -> tuple[Path | None, str]:
    """The peer venv's python (installing it first when ``install``), or None and why."""
    venv = cache_dir() / f"peer-{PEER_VERSION}"
    python, marker = venv / "bin" / "python", venv / "installed"
    if marker.exists() and python.exists():
        return python, f"{PEER} {PEER_VERSION}, installed in {venv} (a venv of its own)"
    if not install:
        return None, ("skipped: peer not installed in the bench cache (a quick run never "
                      "installs it; a full run does)")
    shutil.rmtree(venv, ignore_errors=True)
    try:
        subprocess.run([PY, "-m", "venv", str(venv)], check=True, capture_output=True,
                       timeout=300)
        done = subprocess.run([str(python), "-m", "pip", "install", "-q",
                               "--disable-pip-version-check", f"{PEER}=={PEER_VERSION}"],
                              capture_output=True, text=True, timeout=900, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"skipped: peer not installable ({type(exc).__name__})"
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["no output"])[-1][:160]
        return None, f"skipped: peer not installable (pip: {said})"
    marker.write_text(f"{PEER}=={PEER_VERSION}\n")
    return python, f"{PEER} {PEER_VERSION}, installed now in {venv} (a venv of its own)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peer_workdir(workdir: Path, pages: dict[str, str]) -> Path:
    """A working directory with a services.json of ``{name: summary.json URL}``."""
    workdir.mkdir(parents=True, exist_ok=True)
    services = {name.lower().replace(" ", "-"): {"url": url, "name": name}
                for name, url in pages.items()}
    (workdir / "services.json").write_text(json.dumps(services, indent=2))
    return workdir


def peer_env(workdir: Path, mode: str) -> dict[str, str]:
    """Only what the peer needs: no proxy, no webhook, nothing of the user's."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir),
            "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1", "NO_PROXY": "*",
            "SERVICES_JSON_PATH": str(workdir / "services.json"), "RUN_MODE": mode,
            "CHECK_INTERVAL_MINUTES": "1", "METRICS_PORT": str(free_port()),
            "METRICS_TEXTFILE_PATH": str(workdir / "metrics.prom")}


def peer_once(python: Path, workdir: Path) -> dict[str, dict[str, float]]:
    """One ``RUN_MODE=once`` pass: ``{service name: {gauge: value}}`` from its textfile."""
    prom = workdir / "metrics.prom"
    prom.unlink(missing_ok=True)
    subprocess.run([str(python), "-c", LAUNCH], cwd=workdir, env=peer_env(workdir, "once"),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   stdin=subprocess.DEVNULL, timeout=120, check=False)
    out: dict[str, dict[str, float]] = {}
    text = prom.read_text() if prom.exists() else ""
    for m in GAUGE.finditer(text):
        out.setdefault(m["name"], {})[m.group(1)] = float(m["value"])
    return out


def start_peer(python: Path, workdir: Path) -> subprocess.Popen[str]:
    """The peer as a daemon (every minute, on the minute); its log on stderr."""
    return subprocess.Popen([str(python), "-c", LAUNCH], cwd=workdir,
                            env=peer_env(workdir, "daemon"), text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)


def check_http() -> str | None:
    """The check_http plugin's path, or None when monitoring-plugins-basic is absent."""
    return CHECK_HTTP if os.access(CHECK_HTTP, os.X_OK) else shutil.which("check_http")
