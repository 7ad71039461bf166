from __future__ import annotations

import pytest

from tests.loopback import fixture
from trayapp.core import connectivity, probe
from trayapp.domain.levels import Level
from trayapp.domain.model import Connectivity
from trayapp.domain.outcome import FailKind, Fetched, FetchFailed

URL = "https://api.example.com/v1/models"


def answer(status: int, ms: int = 100, body: bytes = b"{}",
           headers: dict[str, str] | None = None) -> Fetched:
    return Fetched(URL, status, body, ms, headers or {})


@pytest.mark.parametrize(("outcome", "level", "words"), [
    (answer(200), Level.OPERATIONAL, "HTTP 200"),
    (answer(401, body=fixture("edge-cases/anthropic-api-401-missing-key-1.json")),
     Level.OPERATIONAL, "HTTP 401"),
    (answer(403), Level.OPERATIONAL, "HTTP 403"),
    (answer(404), Level.OPERATIONAL, "HTTP 404"),
    # without a key there is no quota: alone, a 429 is "can't tell" (the page decides)
    (answer(429, body=fixture("edge-cases/anthropic-oauth-usage-429-1.json")),
     Level.UNKNOWN, "rate limited from this network"),
    (answer(401, ms=4500), Level.DEGRADED, "slow"),
    (answer(529, body=fixture("edge-cases/anthropic-api-529-overloaded-1.json")),
     Level.DEGRADED, "overloaded"),
    (answer(503), Level.DEGRADED, "overloaded"),
    (answer(500), Level.PARTIAL_OUTAGE, "HTTP 500"),
    (answer(502), Level.PARTIAL_OUTAGE, "HTTP 502"),
    (answer(504), Level.PARTIAL_OUTAGE, "HTTP 504"),
    (answer(403, body=fixture("edge-cases/cloudflare-challenge-just-a-moment-1.html")),
     Level.UNKNOWN, "bot challenge"),
    (answer(403, headers={"cf-mitigated": "challenge"}), Level.UNKNOWN, "bot challenge"),
    (FetchFailed(URL, FailKind.TIMEOUT, "timed out"), Level.MAJOR_OUTAGE, "timed out"),
    (FetchFailed(URL, FailKind.REFUSED, "x"), Level.MAJOR_OUTAGE, "refused"),
    (FetchFailed(URL, FailKind.DNS, "x"), Level.MAJOR_OUTAGE, "DNS"),
    (FetchFailed(URL, FailKind.TLS, "x"), Level.MAJOR_OUTAGE, "TLS"),
    (FetchFailed(URL, FailKind.BAD_REDIRECT, "x"), Level.UNKNOWN, "redirect"),
    (FetchFailed(URL, FailKind.TOO_LARGE, "x"), Level.UNKNOWN, "too large"),
    # No HTTP status outside 100-599 exists: a broken answer, not a server error,
    # however fast or slow, whatever its body says.
    (answer(600), Level.UNKNOWN, "broken HTTP answer (status 600)"),
    (answer(999, ms=9000), Level.UNKNOWN, "broken HTTP answer (status 999)"),
    (answer(700, body=fixture("edge-cases/anthropic-api-529-overloaded-1.json")),
     Level.UNKNOWN, "broken HTTP answer"),
    (answer(99), Level.UNKNOWN, "broken HTTP answer (status 99)"),
    (answer(0), Level.UNKNOWN, "broken HTTP answer (status 0)"),
    (answer(599), Level.PARTIAL_OUTAGE, "HTTP 599"),
])
def test_probe_rules(outcome: Fetched | FetchFailed, level: Level, words: str) -> None:
    result = probe.classify(outcome, slow_ms=3000)
    assert result.level is level
    assert words in result.detail
    assert "\n" not in result.detail


def test_rate_limit_is_flagged_not_an_outage() -> None:
    result = probe.classify(answer(429), 3000)
    assert result.rate_limited and not result.level.is_problem


@pytest.mark.parametrize(("outcome", "state"), [
    (None, Connectivity.ONLINE),
    (Fetched("http://c/generate_204", 204, b"", 20), Connectivity.ONLINE),
    (Fetched("http://c/generate_204", 200, b"<html>Hotel WiFi login</html>", 20),
     Connectivity.CAPTIVE_PORTAL),
    (Fetched("http://c/generate_204", 302, b"", 20, {"location": "http://login"}),
     Connectivity.CAPTIVE_PORTAL),
    (FetchFailed("http://c/generate_204", FailKind.DNS, "x"), Connectivity.NO_NETWORK),
    (FetchFailed("http://c/generate_204", FailKind.TIMEOUT, "x"), Connectivity.NO_NETWORK),
])
def test_connectivity(outcome: Fetched | FetchFailed | None, state: Connectivity) -> None:
    assert connectivity.classify(outcome) is state
