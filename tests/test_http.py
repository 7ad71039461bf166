"""The HTTP edge against a real server on 127.0.0.1."""

from __future__ import annotations

import time

from tests.loopback import LoopbackServer, free_port
from trayapp import __version__
from trayapp.domain.outcome import FailKind, Fetched, FetchFailed, Outcome
from trayapp.edges.http import HttpClient


def fetch(url: str, *, times: int = 1, headers: dict[str, str] | None = None,
          **client_kw: float | int) -> list[Outcome]:
    client = HttpClient(**client_kw)  # type: ignore[arg-type]
    try:
        return [client.fetch(url, headers) for _ in range(times)]
    finally:
        client.close()


def test_user_agent_and_headers(server: LoopbackServer) -> None:
    server.set("/x", b"{}")
    (out,) = fetch(server.url("/x"), headers={"x-api-key": "k1"})
    assert isinstance(out, Fetched) and out.status == 200
    (seen,) = server.requests_to("/x")
    assert seen.headers["user-agent"].startswith(f"trayapp/{__version__}")
    assert seen.headers["x-api-key"] == "k1"


def test_etag_turns_repeat_polls_into_304s(server: LoopbackServer) -> None:
    server.set("/feed", b'{"status": 1}', etag='"v1"')
    first, second, third = fetch(server.url("/feed"), times=3)
    assert isinstance(first, Fetched) and not first.not_modified
    for later in (second, third):
        assert isinstance(later, Fetched) and later.not_modified
        assert later.body == b'{"status": 1}' and later.status == 200
    sent = [s.headers.get("if-none-match") for s in server.requests_to("/feed")]
    assert sent == [None, '"v1"', '"v1"']


def test_body_over_the_cap_is_refused(server: LoopbackServer) -> None:
    server.set("/big", b"x" * 300_000)
    (out,) = fetch(server.url("/big"), max_body_bytes=100_000)
    assert isinstance(out, FetchFailed) and out.kind is FailKind.TOO_LARGE


def test_redirects_followed_to_http_only(server: LoopbackServer) -> None:
    server.set("/old", status=302, headers={"Location": "/new"})
    server.set("/new", b'{"ok": true}')
    (out,) = fetch(server.url("/old"))
    assert isinstance(out, Fetched) and out.body == b'{"ok": true}'
    for target in ("file:///etc/passwd", "javascript:alert(1)", "http://127.0.0.1:99999/x"):
        server.set("/evil", status=302, headers={"Location": target})
        (bad,) = fetch(server.url("/evil"))
        assert isinstance(bad, FetchFailed) and bad.kind is FailKind.BAD_REDIRECT
    server.set("/loop", status=302, headers={"Location": "/loop"})
    (loop,) = fetch(server.url("/loop"))
    assert isinstance(loop, FetchFailed) and loop.kind is FailKind.BAD_REDIRECT


def test_total_timeout_cuts_a_dribbling_body(server: LoopbackServer) -> None:
    server.set("/slow", b"x" * 100, drip=0.5)
    started = time.monotonic()
    (out,) = fetch(server.url("/slow"), timeout=1.5, connect_timeout=1.0)
    took = time.monotonic() - started
    assert isinstance(out, FetchFailed) and out.kind is FailKind.TIMEOUT
    assert took < 10        # bounded by the total timeout, not 100 x 0.5 s


def test_refused_connection() -> None:
    (out,) = fetch(f"http://127.0.0.1:{free_port()}/x")
    assert isinstance(out, FetchFailed) and out.kind is FailKind.REFUSED


def test_dns_failure() -> None:
    (out,) = fetch("https://status.example.invalid/api/v2/summary.json")
    assert isinstance(out, FetchFailed) and out.kind is FailKind.DNS


def test_headers_dribbled_a_byte_at_a_time_end_at_the_deadline() -> None:
    """httpcore's read timeout is per read: each byte came in time. The request's
    deadline caps every read (before: this answered 200, after 16 s)."""
    from tests.faults.kit import RawServer, dribble
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Slow: yes\r\n\r\n{}"
    with RawServer(dribble(head, 0.3)) as raw:
        (out,) = fetch(raw.url("/x"), timeout=1.0, connect_timeout=1.0)
    assert isinstance(out, FetchFailed) and out.kind is FailKind.TIMEOUT


def test_endless_interim_answers_end_at_the_deadline() -> None:
    from tests.faults.kit import RawServer, interim_forever
    with RawServer(interim_forever(b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", 0.01)) \
            as raw:
        (out,) = fetch(raw.url("/x"), timeout=1.0, connect_timeout=1.0)
    assert isinstance(out, FetchFailed) and out.kind is FailKind.TIMEOUT


def test_the_callers_deadline_wins_over_the_timeout(server: LoopbackServer) -> None:
    """A poll cycle's deadline ends a request before its own timeout would."""
    server.set("/hang", hang=True)
    client = HttpClient(timeout=60, connect_timeout=5, max_connections=1)
    try:
        out = client.fetch(server.url("/hang"), deadline=time.monotonic() + 0.5)
    finally:
        client.close()
    assert isinstance(out, FetchFailed) and out.kind is FailKind.TIMEOUT


def test_no_cookie_is_sent_back(server: LoopbackServer) -> None:
    server.set("/c", b"{}", headers={"Set-Cookie": "id=abc; Path=/; Max-Age=3600"})
    fetch(server.url("/c"), times=3)
    assert [s.headers.get("cookie") for s in server.requests_to("/c")] == [None] * 3


def test_a_host_name_is_resolved_and_each_address_tried(server: LoopbackServer) -> None:
    """The edge resolves names itself (so each address gets what is left of the
    deadline): a name still reaches its server, whichever address answers."""
    server.set("/n", b'{"ok": 1}')
    (out,) = fetch(f"http://localhost:{server.port}/n")
    assert isinstance(out, Fetched) and out.body == b'{"ok": 1}'
