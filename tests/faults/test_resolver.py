"""A resolver that never answers cannot hold a request past its deadline (issue 12).

``getaddrinfo`` cannot be interrupted: with a name server that swallows every
query, it returns only when the resolver gives up (here ``options timeout:30
attempts:1``, glibc's longest: 30 s; before the fix `status` took 31 s and then
reported a major outage). The run below sees exactly that resolver: a
private mount namespace (``unshare -m``, root only) binds a resolv.conf that
points at a UDP socket on 127.0.0.77:53 which reads nothing and answers
nothing. `trayapp status` must still end within its deadline (``timeout = 2``,
so about 2 s; the bound below is the matrix's, 11 s, far under the 30 s the
lookup hangs) and call the probe's failure what it is: the name could not be
resolved. Nothing leaves the machine.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.kit import (
    ROOT,
    STARTUP_SLACK,
    TIMEOUT,
    Run,
    assert_no_crash,
    assert_one_line,
    isolated_env,
    probe_service,
    write_config,
)
from tests.loopback import LoopbackServer

BLACK_HOLE = "127.0.0.77"
HANG = 30                                        # seconds the resolver holds a lookup
BOUND = 2 * TIMEOUT + 1 + 2 * STARTUP_SLACK      # the fault matrix's bound on a status run


def namespaces_usable() -> str | None:
    if sys.platform != "linux" or os.geteuid() != 0:
        return "needs root on Linux (a private mount namespace for resolv.conf)"
    if not (shutil.which("unshare") and shutil.which("mount")):
        return "needs unshare and mount (util-linux)"
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return "this machine does not allow private mount namespaces (unshare -m)"
    return None


@pytest.fixture
def black_hole() -> Iterator[str]:
    why = namespaces_usable()
    if why:
        pytest.skip(why)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind((BLACK_HOLE, 53))
    except OSError as exc:
        sock.close()
        pytest.skip(f"cannot listen on {BLACK_HOLE}:53 ({exc.strerror})")
    try:
        yield BLACK_HOLE
    finally:
        sock.close()


def run_with_resolver(resolv_conf: Path, env: dict[str, str], *args: str) -> Run:
    script = 'mount --bind "$0" /etc/resolv.conf && exec "$@"'
    argv = ["unshare", "-m", "--", "sh", "-c", script, str(resolv_conf),
            sys.executable, "-m", "trayapp", *args]
    started = time.monotonic()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=ROOT,
                          timeout=HANG + 30, check=False, stdin=subprocess.DEVNULL)
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def test_a_resolver_that_never_answers_does_not_hold_status(black_hole: str,
                                                           server: LoopbackServer,
                                                           tmp_path: Path) -> None:
    resolv = tmp_path / "resolv.conf"
    resolv.write_text(f"nameserver {black_hole}\noptions timeout:{HANG} attempts:1\n")
    server.set("/generate_204", b"", status=204)
    config = write_config(tmp_path / "config.toml",
                          [probe_service("https://api.vendor-hangs.test/v1/models")],
                          connectivity_url=server.url("/generate_204"))
    run = run_with_resolver(resolv, isolated_env(tmp_path), "status", "--json",
                            "--config", str(config))
    assert_no_crash(run)
    assert run.seconds < BOUND, f"status took {run.seconds:.1f} s with a hung resolver"
    svc = run.service()
    assert_one_line(svc["summary"])
    probe = svc["probe"]
    assert probe["your_side"] == "dns", probe
    assert svc["level"] == "unknown", svc       # can't tell from here: never an outage
