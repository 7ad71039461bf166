""""It's your side": each case for real, on 127.0.0.1, and never a vendor outage.

A name that cannot resolve (``.invalid``, no network needed) while the
connectivity check answers; a TLS server with a self-signed certificate and
one whose certificate is not yet valid; a proxy answering 407 (HTTP_PROXY and
HTTPS_PROXY pointing at it) and a proxy's error page; a refused key.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.fakevendor import FakeVendor, Proxy407, future_cert
from tests.faults.kit import self_signed_cert
from tests.loopback import LoopbackServer
from trayapp.config import Config, parse_text
from trayapp.core.monitor import MonitorState, step
from trayapp.core.probe import NetContext, classify, clock_skew
from trayapp.core.render import snapshot_json, snapshot_text
from trayapp.domain.levels import Level
from trayapp.domain.model import ServiceStatus
from trayapp.domain.outcome import FailKind, Fetched, FetchFailed
from trayapp.edges.http import HttpClient
from trayapp.runtime.poller import Poller

NOW = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)


def cfg(probe_url: str, check: str | None, key: bool = False) -> Config:
    keyed = 'api_key_env = "K"\napi_key_header = "x-api-key"\n' if key else ""
    return parse_text(f"""
connectivity_url = {f'"{check}"' if check else "false"}
timeout = 3
failure_threshold = 1
[[services]]
id = "claude"
name = "Claude"
[services.probe]
url = "{probe_url}"
{keyed}""", "t.toml")


def poll_twice(config: Config, env: dict[str, str] | None = None,
               outage: bool = False) -> ServiceStatus:
    client = HttpClient(timeout=config.timeout)
    try:
        poller = Poller(config, client, env or {})
        state = MonitorState()
        status = None
        for _ in range(3):
            poll = poller.poll(NOW)
            result = step(config, state, poll.connectivity, poll.observations, NOW)
            state, status = result.state, result.snapshot.services[0]
            assert outage or not any(e.new.is_problem for e in result.events)
        assert status is not None
        return status
    finally:
        client.close()


def assert_your_side(status: ServiceStatus, code: str, words: str) -> None:
    assert status.your_side == code, status
    assert not status.level.is_problem            # never an outage
    assert status.probe is not None and status.probe.your_side == code
    assert words in status.summary, status.summary


@pytest.fixture
def check(server: LoopbackServer) -> str:
    server.set("/generate_204", b"", status=204)
    return server.url("/generate_204")


def test_dns_failure_for_one_vendor_while_others_resolve(check: str) -> None:
    status = poll_twice(cfg("https://api.trayapp-test.invalid/v1/models", check))
    assert_your_side(status, "dns", "check DNS, VPN or the hosts file")
    assert status.level is Level.UNKNOWN


def test_dns_failure_alone_is_still_unreachable() -> None:
    """With nothing else answering there is no telling: the old rule stands."""
    status = poll_twice(cfg("https://api.trayapp-test.invalid/v1/models", None), outage=True)
    assert status.your_side is None and status.level is Level.MAJOR_OUTAGE


def test_a_self_signed_certificate_means_interception(check: str, tmp_path: Path) -> None:
    pair = self_signed_cert(tmp_path)
    if pair is None:
        pytest.skip("neither the openssl CLI nor the cryptography package is available")
    tls = LoopbackServer(tls=pair)
    try:
        tls.set("/v1/models", b"{}", status=401)
        status = poll_twice(cfg(tls.url("/v1/models"), check))
    finally:
        tls.close()
    assert_your_side(status, "tls_intercepted", "intercepting HTTPS")


def test_a_not_yet_valid_certificate_means_the_clock(check: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    pair = future_cert(tmp_path)
    if pair is None:
        pytest.skip("the openssl CLI is not available")
    monkeypatch.setenv("SSL_CERT_FILE", str(pair[0]))   # trusted, so only its dates are wrong
    tls = LoopbackServer(tls=pair)
    try:
        tls.set("/v1/models", b"{}", status=401)
        status = poll_twice(cfg(tls.url("/v1/models"), check))
    finally:
        tls.close()
    assert_your_side(status, "clock", "check this computer's date and time")


def test_the_clock_is_compared_with_the_servers_date() -> None:
    failed = FetchFailed("https://x", FailKind.TLS, "TLS error", cause="expired")
    skew = clock_skew(["Tue, 01 Dec 2026 20:00:00 GMT", "garbage"], NOW)
    assert skew == 4 * 3600
    result = classify(failed, 3000, NetContext(others_resolve=True, clock_skew_s=skew))
    assert result.your_side == "clock" and "4 h ahead of the servers'" in result.detail
    # an expired certificate with the clock right is the vendor's problem
    assert classify(failed, 3000, NetContext(clock_skew_s=10)).level is Level.MAJOR_OUTAGE


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_proxy_answering_407(scheme: str, check: str,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = Proxy407()
    try:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY",
                     "all_proxy", "NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        # the probe goes through the proxy; the connectivity check (on loopback) does not
        monkeypatch.setenv(f"{scheme.upper()}_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", urlsplit(check).netloc)
        port = 9 if scheme == "http" else 443
        url = f"{scheme}://127.0.0.2:{port}/v1/models"
        status = poll_twice(cfg(url, check))
    finally:
        proxy.close()
    assert proxy.seen, "the request never reached the proxy"
    assert_your_side(status, "proxy", "check the proxy settings")


def test_a_proxy_error_page() -> None:
    page = Fetched("https://x", 503, b"<html>ERROR: The requested URL could not be retrieved"
                   b"</html>", 20, {"x-squid-error": "ERR_CONNECT_FAIL 111"})
    result = classify(page, 3000, NetContext())
    assert result.your_side == "proxy" and result.level is Level.UNKNOWN
    # the vendor's own 503 stays the vendor's
    assert classify(Fetched("https://x", 503, b"{}", 20), 3000).level is Level.DEGRADED


def test_a_refused_key_on_the_probe(check: str) -> None:
    vendor = FakeVendor(key="sk-right")
    try:
        status = poll_twice(cfg(f"{vendor.base}/v1/models", check, key=True), {"K": "sk-wrong"})
        keyless = poll_twice(cfg(f"{vendor.base}/v1/models", check, key=True), {})
    finally:
        vendor.close()
    assert_your_side(status, "key_refused", "your key was refused")
    assert status.level is Level.OPERATIONAL          # the front door answers
    assert keyless.your_side is None and keyless.level is Level.OPERATIONAL
    snap_json = snapshot_json(_snapshot(status))["services"][0]
    assert snap_json["your_side"] == {"code": "key_refused",
                                      "what_to_check": "your key was refused: check the API key"}
    assert "your side (key_refused)" in snapshot_text(_snapshot(status))


def _snapshot(status: ServiceStatus):  # type: ignore[no-untyped-def]
    from trayapp.domain.model import Snapshot
    return Snapshot(NOW, False, None, (status,))


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer()
    try:
        yield srv
    finally:
        srv.close()
