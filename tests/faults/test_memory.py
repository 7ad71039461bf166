"""A body far larger than the cap keeps memory flat.

Peak RSS of a `trayapp status` run (measured in a fresh helper process with
``getrusage(RUSAGE_CHILDREN)``, so nothing else counts) against a feed and a
probe answering hundreds of MB, compared with the same command on small
bodies. The growth must stay under 20 MB.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faults.kit import (
    ROOT,
    assert_no_crash,
    feed_entry_path,
    feed_service,
    probe_service,
    trayapp_argv,
    write_config,
)
from tests.loopback import LoopbackServer, fixture

MB = 1024 * 1024
CAP = 1 * MB
LIMIT_KB = 20 * 1024
_PEAK = ("import resource, subprocess, sys\n"
         "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
ZEROS = gzip.compress(b"\0" * 256 * MB, compresslevel=9)


def peak_rss_kb(env: dict[str, str], config: Path) -> int:
    """The peak RSS (kB) of one `trayapp status --json` run."""
    argv = trayapp_argv("status", "--json", "--config", str(config))
    out = subprocess.run([sys.executable, "-c", _PEAK, *argv], env=env, cwd=ROOT, text=True,
                         capture_output=True, timeout=120, check=True).stdout
    return int(out.strip())


def both(server: LoopbackServer, tmp: Path, name: str) -> Path:
    return write_config(tmp / f"{name}.toml",
                        [feed_service(server.url("/feed")),
                         probe_service(server.url("/probe"), sid="api")],
                        max_body_bytes=CAP)


HUGE = {
    "streamed-256MB": ({"body": b"x" * 65536, "repeat": 4096}, {}),
    "gzip-bomb-256MB": ({"body": ZEROS}, {"Content-Encoding": "gzip"}),
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(HUGE))
def test_memory_stays_flat_on_a_huge_answer(kind: str, server: LoopbackServer,
                                            env: dict[str, str], tmp_path: Path) -> None:
    small = both(server, tmp_path, "small")
    server.set(feed_entry_path("/feed"), fixture("statuspage/anthropic-summary-3.json"))
    server.set("/probe", fixture("edge-cases/anthropic-api-401-missing-key-1.json"), status=401)
    baseline = min(peak_rss_kb(env, small) for _ in range(2))

    route, headers = HUGE[kind]
    for path in (feed_entry_path("/feed"), "/probe"):
        server.set(path, headers=headers, **route)  # type: ignore[arg-type]
    huge = peak_rss_kb(env, small)

    growth = huge - baseline
    print(f"{kind}: peak RSS small {baseline} kB, huge {huge} kB, growth {growth} kB")
    assert growth < LIMIT_KB, f"peak RSS grew {growth} kB on a {kind} answer"


def test_the_capped_answer_is_reported_not_read(server: LoopbackServer, env: dict[str, str],
                                                tmp_path: Path) -> None:
    """The same huge answers, through the CLI's JSON: too large, unknown, no crash."""
    from tests.faults.kit import run_status
    config = both(server, tmp_path, "c")
    server.set(feed_entry_path("/feed"), b"x" * 65536, repeat=4096)
    server.set("/probe", ZEROS, headers={"Content-Encoding": "gzip"})
    run = run_status(env, config)
    assert_no_crash(run)
    assert "too large" in run.service("svc")["summary"]
    assert "too large" in run.service("api")["summary"]


def _fetch(url: str) -> object:
    from trayapp.edges.http import HttpClient

    client = HttpClient(timeout=5, max_body_bytes=CAP)
    try:
        return client.fetch(url)
    finally:
        client.close()


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "deflate-raw", "identity"])
def test_compressed_answers_within_the_cap_are_still_read(encoding: str,
                                                          server: LoopbackServer) -> None:
    import zlib

    from trayapp.domain.outcome import Fetched
    body = fixture("statuspage/anthropic-summary-3.json")
    packed = {"gzip": gzip.compress(body), "deflate": zlib.compress(body),
              "deflate-raw": zlib.compress(body)[2:-4], "identity": body}[encoding]
    server.set("/doc", packed, headers={"Content-Encoding": encoding.removesuffix("-raw")})
    got = _fetch(server.url("/doc"))
    assert isinstance(got, Fetched) and got.body == body


# mtime=0: the same bytes (so the same test id) in every process, as pytest-xdist requires
@pytest.mark.parametrize("encoding,body", [
    ("gzip", b"not gzip at all"), ("br", b"xx"),
    ("gzip, gzip", gzip.compress(gzip.compress(b"{}", mtime=0), mtime=0))])
def test_undecodable_answers_are_a_broken_answer(encoding: str, body: bytes,
                                                  server: LoopbackServer) -> None:
    from trayapp.domain.outcome import FailKind, FetchFailed
    server.set("/doc", body, headers={"Content-Encoding": encoding})
    got = _fetch(server.url("/doc"))
    assert isinstance(got, FetchFailed) and got.kind is FailKind.PROTOCOL
