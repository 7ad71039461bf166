"""The HTTP edge under servers that try to take what is not theirs or break
what comes next (issue 12, items 4, 5, 9): an API key never follows a
redirect to another origin; a validator (ETag / Last-Modified) that cannot be
sent back does not disable the feed; no cookie is kept or replayed. Real
`trayapp status` / `watch` runs against real loopback servers, plus the HTTP
client itself where the case is about one request after another.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.kit import (
    assert_no_crash,
    feed_entry_path,
    feed_service,
    isolated_env,
    probe_service,
    run_status,
    watch,
    write_config,
)
from tests.loopback import LoopbackServer, Route, fixture, wait_until
from trayapp.domain.outcome import Fetched
from trayapp.edges.http import HttpClient

OK_PAGE = fixture("statuspage/anthropic-summary-3.json")
DOWN_PAGE = (OK_PAGE.replace(b'"indicator": "none"', b'"indicator": "critical"')
             .replace(b'"status": "operational"', b'"status": "major_outage"'))
JSON = {"Content-Type": "application/json"}


def latin1(raw: bytes) -> str:
    """Header bytes as http.server sends them (it encodes header text as latin-1)."""
    return raw.decode("latin-1")


# ---------------------------------------------------------------- item 4: the key
@pytest.fixture
def other() -> Iterator[LoopbackServer]:
    srv = LoopbackServer()          # another port: another origin, like another host
    try:
        yield srv
    finally:
        srv.close()


X_API_KEY = {"api_key_env": "FAKE_API_KEY", "api_key_header": "x-api-key"}
BEARER = {"api_key_env": "FAKE_API_KEY", "api_key_header": "Authorization",
          "api_key_prefix": "Bearer "}
# Each redirect code once, each key style twice (not the whole cross product).
KEYED = [
    pytest.param(X_API_KEY, "x-api-key", "", 302, id="x-api-key-302"),
    pytest.param(X_API_KEY, "x-api-key", "", 307, id="x-api-key-307"),
    pytest.param(BEARER, "authorization", "Bearer ", 301, id="authorization-301"),
    pytest.param(BEARER, "authorization", "Bearer ", 308, id="authorization-308"),
]


@pytest.mark.parametrize(("probe", "header", "prefix", "code"), KEYED)
def test_the_api_key_stays_with_the_probe_origin(
        server: LoopbackServer, other: LoopbackServer, env: dict[str, str], tmp_path: Path,
        probe: dict[str, str], header: str, prefix: str, code: int) -> None:
    key = "sk-fake-" + secrets.token_hex(12)
    server.set("/generate_204", b"", status=204)
    server.set("/v1/models", b"", status=code,
               headers={"Location": other.url(f"/collect?n={code}")})
    other.set("/collect", b'{"error": "no key"}', status=401)
    config = write_config(tmp_path / "config.toml",
                          [probe_service(server.url("/v1/models"), **probe)],
                          connectivity_url=server.url("/generate_204"))

    run = run_status({**env, "FAKE_API_KEY": key}, config)

    assert_no_crash(run)
    (asked,) = server.requests_to("/v1/models")
    assert asked.headers[header] == prefix + key          # the configured origin has it
    stolen = other.requests_to("/collect")
    assert stolen, "the redirect was not followed"
    for seen in stolen:
        assert header not in seen.headers, seen.headers
        assert key not in repr(seen.headers)


def test_a_configured_authorization_header_stays_too(
        server: LoopbackServer, other: LoopbackServer, env: dict[str, str],
        tmp_path: Path) -> None:
    """A literal header in `probe.headers`, and a chain back to the first origin:
    once a hop left the origin, no later hop gets the headers back."""
    token = "Basic " + secrets.token_hex(16)
    server.set("/generate_204", b"", status=204)
    server.set("/v1/models", b"", status=302, headers={"Location": "/v1/moved"})
    server.set("/v1/moved", b"", status=303, headers={"Location": other.url("/hop")})
    other.set("/hop", b"", status=302, headers={"Location": server.url("/back")})
    server.set("/back", b"{}", status=200)
    config = write_config(tmp_path / "config.toml",
                          [probe_service(server.url("/v1/models"),
                                         headers={"Authorization": token})],
                          connectivity_url=server.url("/generate_204"))
    config.chmod(0o600)

    run = run_status(env, config)

    assert_no_crash(run)
    assert run.service()["level"] == "operational"
    (first,) = server.requests_to("/v1/models")
    (same_origin,) = server.requests_to("/v1/moved")
    assert first.headers["authorization"] == token
    assert same_origin.headers["authorization"] == token      # same origin: kept
    for seen in other.requests_to("/hop") + server.requests_to("/back"):
        assert "authorization" not in seen.headers, seen.headers


# ----------------------------------------------------- item 5: unsendable validators
BAD_VALIDATORS = [
    pytest.param({"ETag": latin1('"caf\u00e9-v1"'.encode())}, id="etag-utf8"),
    pytest.param({"ETag": latin1(b'W/"\xe9t\xe9"')}, id="etag-latin1-byte"),
    pytest.param({"ETag": latin1('"\u96ea"'.encode()),
                  "Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT"}, id="etag-cjk+good-date"),
    pytest.param({"Last-Modified": latin1("Mi, 02 Dez 2026 10:00:00 \u00dcTC".encode())},
                 id="last-modified-utf8"),
    pytest.param({"ETag": '"' + "a" * 5000 + '"'}, id="etag-5000-bytes"),
]


@pytest.mark.parametrize("validators", BAD_VALIDATORS)
def test_an_unsendable_validator_does_not_break_the_next_request(
        server: LoopbackServer, validators: dict[str, str]) -> None:
    entry = feed_entry_path("/feed")
    server.script(entry, lambda n: Route(body=OK_PAGE if n == 1 else DOWN_PAGE,
                                         headers={**JSON, **validators}))
    client = HttpClient(timeout=2, connect_timeout=1)
    try:
        outcomes = [client.fetch(server.url(entry)) for _ in range(3)]
    finally:
        client.close()
    assert all(isinstance(o, Fetched) and o.status == 200 for o in outcomes), outcomes
    assert [o.body for o in outcomes if isinstance(o, Fetched)] == [OK_PAGE] + [DOWN_PAGE] * 2
    assert server.hits[entry] == 3                  # every request reached the server
    for seen in server.requests_to(entry):
        for name in ("if-none-match", "if-modified-since"):
            value = seen.headers.get(name)
            assert value is None or (value.isascii() and len(value) < 1100), seen.headers


def test_good_validators_still_make_a_304(server: LoopbackServer) -> None:
    entry = feed_entry_path("/feed")
    server.set(entry, OK_PAGE, etag='"v7"')
    client = HttpClient(timeout=2, connect_timeout=1)
    try:
        _, second = (client.fetch(server.url(entry)) for _ in range(2))
    finally:
        client.close()
    assert isinstance(second, Fetched) and second.not_modified and second.body == OK_PAGE


def test_the_outage_after_a_non_ascii_etag_is_announced(server: LoopbackServer,
                                                         tmp_path: Path) -> None:
    """The issue's case end to end: `watch` reads the page, the page's ETag is
    UTF-8, then the vendor declares an outage: it must be announced."""
    entry = feed_entry_path("/feed")
    etag = {"ETag": latin1('"r\u00e9vision-42"'.encode())}
    server.set("/generate_204", b"", status=204)
    server.script(entry, lambda n: Route(body=OK_PAGE if n <= 2 else DOWN_PAGE,
                                         headers={**JSON, **etag}))
    config = write_config(tmp_path / "config.toml", [feed_service(server.base + "/feed")],
                          interval=1, connectivity_url=server.url("/generate_204"))
    with watch(isolated_env(tmp_path / "env"), config) as w:
        announced = wait_until(lambda: any(e.get("new") == "major_outage" for e in w.events),
                               30)
        assert announced, (w.events, w.stderr)
    assert "Traceback" not in w.stderr


# --------------------------------------------------------------- item 9: cookies
def test_no_cookie_is_kept_or_replayed(server: LoopbackServer, tmp_path: Path) -> None:
    """Every answer (check, feed, probe, a redirect) sets a fresh 3 kB cookie;
    no request ever carries one (before: the Cookie header grew every poll)."""
    entry = feed_entry_path("/feed")

    def cookie(n: int) -> dict[str, str]:
        return {"Set-Cookie": f"s{n}={secrets.token_hex(1500)}; Path=/; Max-Age=86400"}

    server.script("/generate_204", lambda n: Route(status=204, headers=cookie(n)))
    server.script(entry, lambda n: Route(body=OK_PAGE, headers={**JSON, **cookie(n)}))
    server.script("/probe", lambda n: Route(status=302, headers={
        "Location": "/probe/v2", **cookie(n)}))
    server.script("/probe/v2", lambda n: Route(status=401, body=b"{}",
                                               headers={**JSON, **cookie(n)}))
    config = write_config(tmp_path / "config.toml",
                          [{**feed_service(server.base + "/feed"),
                            "probe": {"url": server.url("/probe")}}],
                          interval=1, connectivity_url=server.url("/generate_204"))
    env = isolated_env(tmp_path / "env")
    assert_no_crash(run_status(env, config))
    with watch(env, config):
        assert wait_until(lambda: min(server.hits[p] for p in
                                      ("/generate_204", entry, "/probe/v2")) >= 4, 30)
    for seen in server.seen:
        assert "cookie" not in seen.headers, (seen.path, len(seen.headers["cookie"]))
