"""A status page that blocks us: switch to the alternate host, back off, never an outage."""

from __future__ import annotations

from pathlib import Path

from tests.cli_helpers import Watcher, isolated_env, status_json, write_config
from tests.loopback import LoopbackServer, fixture, wait_until

CHALLENGE = fixture("edge-cases/cloudflare-challenge-just-a-moment-1.html")


def test_blocked_page_switches_to_the_alternate_host(server: LoopbackServer,
                                                      tmp_path: Path) -> None:
    server.set("/generate_204", b"", status=204)
    server.set("/api/v2/summary.json", CHALLENGE, status=403, content_type="text/html",
               headers={"cf-mitigated": "challenge"})
    server.set("/alt/api/v2/summary.json", fixture("statuspage/github-summary-1.json"))
    cfg = write_config(tmp_path, server, feed=None, probe=None, service_extra=(
        f'feed = {{ kind = "statuspage", url = "{server.base}", '
        f'alternate = "{server.base}/alt" }}'))
    rc, data, _ = status_json(cfg, isolated_env(tmp_path))
    svc = data["services"][0]
    assert svc["level"] == "major_outage" and rc == 2     # read from the alternate host
    assert server.hits["/alt/api/v2/summary.json"] == 1


def test_blocked_page_is_unknown_and_polled_less_and_less(server: LoopbackServer,
                                                          tmp_path: Path) -> None:
    server.set("/generate_204", b"", status=204)
    server.set("/api/v2/summary.json", b"rate limited", status=429, content_type="text/plain")
    server.set("/v1/models", b"{}", status=401)
    cfg = write_config(tmp_path, server, top="interval = 1")
    env = isolated_env(tmp_path)
    rc, data, _ = status_json(cfg, env)
    svc = data["services"][0]
    assert svc["feed"]["problem"] == "blocked" and svc["feed"]["level"] == "unknown"
    assert svc["level"] == "unknown" and rc == 3     # a keyless probe is no stand-in
    assert "backing off" in svc["summary"]
    server.hits.clear()
    watcher = Watcher(cfg, env, "--json")
    try:
        # The probe runs every cycle (1 s); the blocked feed backs off 2 s, 4 s, 8 s ...
        assert wait_until(lambda: server.hits["/v1/models"] >= 10, 40)
    finally:
        code, _ = watcher.stop()
    assert code == 0
    assert server.hits["/api/v2/summary.json"] <= 4
    assert watcher.lines.empty()                            # nothing to announce
