"""The HTTP edge: the only module that touches the network.

Every request ends as a plain value, :class:`Fetched` or :class:`FetchFailed`;
httpx's exceptions are translated here, once. Policies enforced here:

* a hard deadline per request, whatever the server does: httpx's timeouts
  are per phase and httpcore's read timeout is per socket read, so headers
  dribbled a byte at a time or an endless run of ``103 Early Hints`` would
  never end. Every socket operation (connect, TLS handshake, each read and
  write) is therefore capped by what is left of the calling request's
  absolute deadline (:mod:`trayapp.edges.netdeadline`, the socket layer under
  httpx): past it, the next operation fails at once. The deadline is the
  earlier of ``timeout`` after the request starts and the caller's own (a poll
  cycle's end); the name lookup waits no longer than that either, and each
  address of a host is tried with what is left;
* thread-safe: a poll cycle calls :meth:`HttpClient.fetch` from many threads;
* a body size cap, read as a stream so memory stays flat (gzip/deflate are
  undone here, a bounded piece at a time: httpx would inflate a whole
  compressed chunk at once, so a gzip bomb could take hundreds of MB);
* redirects followed by hand, at most 5, to http(s) only, never from https
  down to http (except on loopback); the caller's headers (an API key, a
  configured ``Authorization``) go only to the origin of the URL asked for:
  a hop to any other origin drops all of them;
* conditional requests: ETag / Last-Modified remembered per URL, so an
  unchanged feed costs a 304 (the cached body is returned); a validator that
  cannot be sent back as it came (not printable ASCII, or over 1 kB) is not
  kept;
* no cookies: none is stored, so none is ever sent;
* ``User-Agent: trayapp/<version>``; proxies from the environment; TLS
  verification always on.
Error texts are built from our own words, never from headers, so an API key
can never leak into a message.
"""

from __future__ import annotations

import http.cookiejar
import logging
import socket
import ssl
import threading
import time
import urllib.request
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from trayapp import __version__
from trayapp.config import is_loopback_host
from trayapp.domain.outcome import FailKind, Fetched, FetchFailed, Outcome
from trayapp.edges.netdeadline import arm, current

log = logging.getLogger(__name__)
USER_AGENT = f"trayapp/{__version__} (+https://github.com/trayapp/trayapp)"
MAX_REDIRECTS = 5
PER_ORIGIN = 8               # connections to one host at a time
MAX_VALIDATOR = 1024         # longest ETag / Last-Modified kept for the next request
# Quiet httpx's per-request INFO lines: our own log says what matters.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)


@dataclass(slots=True)
class _Cached:
    etag: str | None
    last_modified: str | None
    body: bytes
    status: int
    headers: dict[str, str]


class _NoCookies(http.cookiejar.CookiePolicy):
    """trayapp needs no cookies: never keep one, never send one."""

    netscape = True
    rfc2965 = False
    hide_cookie2 = True

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie,
                  request: urllib.request.Request) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: urllib.request.Request) -> bool:
        return False

    def path_return_ok(self, path: str, request: urllib.request.Request) -> bool:
        return False


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), \
        parts.port or {"http": 80, "https": 443}.get(scheme)


def _validator(value: str | None) -> str | None:
    """An ETag / Last-Modified we can send back byte for byte, else None."""
    if value and len(value) <= MAX_VALIDATOR and value.isascii() and value.isprintable():
        return value
    return None


class _TooLarge(Exception):
    pass


class _BadRedirect(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class _Inflater:
    """Undo the Content-Encoding, never producing more than ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        codings = [c for c in (p.strip().lower() for p in encoding.split(","))
                   if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in _WBITS):
            raise httpx.DecodingError("unsupported content encoding")
        self.coding = codings[0] if codings else None
        self.limit = limit
        self.size = 0
        self.chunks: list[bytes] = []
        self._obj = zlib.decompressobj(_WBITS[self.coding]) if self.coding else None
        self._first = True

    def _add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge
        self.chunks.append(data)

    def feed(self, data: bytes) -> None:
        if self._obj is None:
            self._add(data)
            return
        try:
            # At most one byte over the cap per call; over it means too large.
            self._add(self._obj.decompress(data, self.limit - self.size + 1))
        except zlib.error:
            if not (self._first and self.coding == "deflate"):
                raise httpx.DecodingError("corrupt compressed body") from None
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)   # raw deflate, no zlib header
            self._first = False
            self.feed(data)
        self._first = False

    def finish(self) -> bytes:
        if self._obj is not None:
            try:
                self._add(self._obj.flush())
            except zlib.error:
                raise httpx.DecodingError("corrupt compressed body") from None
        return b"".join(self.chunks)


def _caused_by(exc: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, kinds):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return False


def translate(exc: BaseException) -> tuple[FailKind, str]:
    """httpx (and socket) exceptions -> our failure kinds. The one place."""
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return FailKind.TIMEOUT, "timed out"
    if isinstance(exc, _TooLarge):
        return FailKind.TOO_LARGE, "answer larger than the size cap"
    if isinstance(exc, _BadRedirect):
        return FailKind.BAD_REDIRECT, exc.why
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return FailKind.INVALID_URL, "invalid or unsupported URL"
    if isinstance(exc, httpx.ProxyError):
        return FailKind.PROXY, "the proxy refused the connection"
    if _caused_by(exc, (ssl.SSLError, ssl.CertificateError)):
        return FailKind.TLS, "TLS handshake or certificate verification failed"
    if _caused_by(exc, (socket.gaierror,)):
        return FailKind.DNS, "host name could not be resolved"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        if "name or service" in text or "nodename" in text or "name resolution" in text \
                or "no address associated" in text:
            return FailKind.DNS, "host name could not be resolved"
        if "ssl" in text or "certificate" in text:
            return FailKind.TLS, "TLS handshake or certificate verification failed"
        return FailKind.REFUSED, "connection refused or unreachable"
    if isinstance(exc, httpx.NetworkError | OSError):
        return FailKind.REFUSED, "connection failed"
    return FailKind.PROTOCOL, f"broken HTTP answer ({type(exc).__name__})"


# OpenSSL's X509_V_ERR_* codes that say what is wrong with a certificate.
_TLS_CAUSES = {9: "not_yet_valid", 10: "expired", 18: "untrusted", 19: "untrusted",
               20: "untrusted", 21: "untrusted", 62: "hostname"}


def failure_cause(exc: BaseException) -> str:
    """What exactly failed, for telling the user's side from the vendor's (see
    :attr:`FetchFailed.cause`): the certificate's problem, or a proxy's 407."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, ssl.SSLCertVerificationError):
            return _TLS_CAUSES.get(cur.verify_code, "")
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    if isinstance(exc, httpx.ProxyError) and "407" in str(exc):
        return "407"
    return ""


def _read_head(response: httpx.Response, limit: int) -> bytes:
    """At most ``limit`` raw bytes of the answer; the rest is never read. The status
    already came: a body that stops or runs past the deadline changes nothing."""
    kept = bytearray()
    try:
        for chunk in response.iter_raw():
            kept += chunk[: limit - len(kept)]
            if len(kept) >= limit:
                break
    except (httpx.HTTPError, httpcore.TimeoutException, OSError):
        pass
    return bytes(kept)


class HttpClient:
    """A blocking HTTP client, safe to share between threads."""

    def __init__(self, *, connect_timeout: float = 5.0, timeout: float = 10.0,
                 max_body_bytes: int = 4 * 1024 * 1024, max_connections: int = 64) -> None:
        self.total_timeout = timeout
        self.connect_timeout = connect_timeout
        self.max_body_bytes = max_body_bytes
        self.max_connections = max_connections
        self._cache: dict[str, _Cached] = {}
        # At most max_connections requests in flight; the rest wait here.
        self._slots = threading.BoundedSemaphore(max_connections)
        self._lock = threading.Lock()
        # One small connection pool per origin (scheme, host, port), all sharing one
        # TLS context: httpcore's pool checks every connection it holds whenever a
        # request starts or ends, so one shared pool costs CPU quadratic in the
        # number of services. Connections stay open for the next cycle.
        self._tls = httpx.create_ssl_context(verify=True)
        self._clients: dict[tuple[str, str, int | None], httpx.Client] = {}

    def _client(self, url: str) -> httpx.Client:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise httpx.InvalidURL("invalid URL") from None
        key = (parts.scheme.lower(), (parts.hostname or "").lower(), port)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                # No client-wide timeout: each request carries what is left of its
                # own budget (see _fetch).
                client = self._clients[key] = arm(httpx.Client(
                    limits=httpx.Limits(max_connections=PER_ORIGIN,
                                        max_keepalive_connections=PER_ORIGIN,
                                        keepalive_expiry=120),
                    follow_redirects=False, verify=self._tls, trust_env=True,
                    cookies=http.cookiejar.CookieJar(_NoCookies()),
                    headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}))
        return client

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def fetch(self, url: str, headers: Mapping[str, str] | None = None, *,
              conditional: bool = True, deadline: float | None = None) -> Outcome:
        """GET ``url``; never raises. It ends by ``timeout`` after it gets a
        connection slot, and by ``deadline`` (``time.monotonic()``) if given."""
        return self._bounded("GET", url, deadline, lambda started, ends: self._fetch(
            url, dict(headers or {}), conditional, started, ends))

    def _bounded(self, method: str, url: str, deadline: float | None,
                 work: Callable[[float, float], Outcome], shown: str | None = None) -> Outcome:
        """Run one request's ``work(started, deadline)`` within the limits shared by every
        request: a connection slot (waited for no longer than ``deadline``), then the
        total timeout from the moment the slot is ours (capped by ``deadline``), and
        every exception translated into a :class:`FetchFailed`, once, here."""
        waited = time.monotonic()
        wait = None if deadline is None else max(0.0, deadline - waited)
        if not self._slots.acquire(timeout=wait):
            return FetchFailed(url=url, kind=FailKind.TIMEOUT, message="timed out",
                               elapsed_ms=int((time.monotonic() - waited) * 1000))
        started = time.monotonic()         # the time limit starts once a slot is ours
        try:
            ends = started + self.total_timeout
            current.deadline = ends if deadline is None else min(ends, deadline)
            return work(started, current.deadline)
        except Exception as exc:
            kind, message = translate(exc)
            elapsed = int((time.monotonic() - started) * 1000)
            log.debug("%s %s failed: %s (%s)", method, url if shown is None else shown, message,
                      type(exc).__name__)
            return FetchFailed(url=url, kind=kind, message=message, elapsed_ms=elapsed,
                               cause=failure_cause(exc))
        finally:
            current.deadline = None
            self._slots.release()

    def send(self, url: str, body: bytes, headers: Mapping[str, str] | None = None, *,
             deadline: float | None = None, content_type: str = "application/json",
             head_only: int | None = None, secret_url: bool = False) -> Outcome:
        """POST ``body`` to ``url`` once, for a model probe or a webhook; never raises.

        Same limits as :meth:`fetch` (the hard deadline, the size cap, the
        connection slots), but no redirect is followed: the request carries the
        user's API key (or the URL is itself a secret), which goes to the URL
        asked for and nowhere else; a 3xx comes back as the answer.
        ``elapsed_ms`` is the time to the first byte (the headers), the latency
        a user feels before the first token. With ``head_only`` (a webhook:
        only the status matters), at most that many bytes of the answer are
        read, within the deadline, and the rest is dropped with the
        connection; a body cut short by the deadline still returns the status.
        ``secret_url``: the log names the URL's scheme and host only."""
        def work(started: float, ends: float) -> Outcome:
            left = ends - started
            client = self._client(url)
            request = client.build_request(
                "POST", url, content=body,
                headers={**dict(headers or {}), "Content-Type": content_type},
                timeout=httpx.Timeout(left, connect=min(self.connect_timeout, left)))
            response = client.send(request, stream=True)
            try:
                first_byte = int((time.monotonic() - started) * 1000)
                answer = self._read_capped(response, ends) if head_only is None else \
                    _read_head(response, head_only)
                return Fetched(url=url, status=response.status_code, body=answer,
                               elapsed_ms=first_byte,
                               headers={k.lower(): v for k, v in response.headers.items()})
            finally:
                response.close()

        return self._bounded("POST", url, deadline, work,
                             "{}://{}".format(*_origin(url)[:2]) if secret_url else None)

    def _fetch(self, url: str, headers: dict[str, str], conditional: bool,
               started: float, deadline: float) -> Outcome:
        current = url
        cached = self._cache.get(url) if conditional else None
        if cached is not None:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        for _ in range(MAX_REDIRECTS + 1):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            client = self._client(current)
            request = client.build_request(
                "GET", current, headers=headers,
                timeout=httpx.Timeout(left, connect=min(self.connect_timeout, left)))
            try:
                response = client.send(request, stream=True)
            except (httpx.UnsupportedProtocol, httpx.InvalidURL):
                # httpx prepares the next request of a redirect even when it does not
                # follow it; a Location it cannot even parse is a refused redirect.
                if request.url.scheme in ("http", "https"):
                    raise _BadRedirect("redirect to a non-http(s) URL refused") from None
                raise
            try:
                if response.status_code in (301, 302, 303, 307, 308) and \
                        "location" in response.headers:
                    current = self._redirect_target(current, response.headers["location"])
                    headers.pop("If-None-Match", None)
                    headers.pop("If-Modified-Since", None)
                    cached = None
                    if headers and _origin(current) != _origin(url):
                        # The caller's headers (an API key) were meant for url's origin.
                        log.debug("redirect to another origin: request headers dropped")
                        headers = {}
                    continue
                elapsed = int((time.monotonic() - started) * 1000)
                resp_headers = {k.lower(): v for k, v in response.headers.items()}
                if response.status_code == 304 and cached is not None:
                    # Read the (empty) body: an unread answer makes httpcore close
                    # the connection, and the next poll pays a new TCP+TLS handshake.
                    self._read_capped(response, deadline)
                    return Fetched(url=url, status=cached.status, body=cached.body,
                                   elapsed_ms=elapsed, headers=cached.headers,
                                   not_modified=True)
                body = self._read_capped(response, deadline)
                elapsed = int((time.monotonic() - started) * 1000)
                if conditional and response.status_code == 200 and current == url:
                    etag = _validator(resp_headers.get("etag"))
                    modified = _validator(resp_headers.get("last-modified"))
                    if etag or modified:
                        self._cache[url] = _Cached(etag, modified, body, 200, resp_headers)
                    else:
                        self._cache.pop(url, None)
                return Fetched(url=url, status=response.status_code, body=body,
                               elapsed_ms=elapsed, headers=resp_headers)
            finally:
                response.close()
        raise _BadRedirect(f"more than {MAX_REDIRECTS} redirects")

    def _redirect_target(self, current: str, location: str) -> str:
        target = urljoin(current, location.strip())
        parts = urlsplit(target)
        try:
            _ = parts.port                 # raises on a port like :99999
        except ValueError:
            raise _BadRedirect("redirect to an invalid URL refused") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _BadRedirect("redirect to a non-http(s) URL refused")
        if urlsplit(current).scheme == "https" and parts.scheme == "http" and \
                not is_loopback_host(parts.hostname):
            raise _BadRedirect("redirect from https to plain http refused")
        return target

    def _read_capped(self, response: httpx.Response, deadline: float) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise _TooLarge
        body = _Inflater(response.headers.get("content-encoding", ""), self.max_body_bytes)
        for chunk in response.iter_raw():      # each piece as it arrives (<= 64 kB)
            body.feed(chunk)
            if time.monotonic() > deadline:
                raise TimeoutError
        return body.finish()


# ------------------------------------------------------------------ webhooks (POST)

@dataclass(frozen=True, slots=True)
class Posted:
    """What one POST got: the HTTP status, or our own words for why there was none."""

    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """No answer, a 5xx or a 429 may pass later; any other 4xx will not."""
        return self.status is None or self.status >= 500 or self.status == 429


WEBHOOK_ANSWER = 64 * 1024      # bytes of a webhook's answer read (then dropped)
_webhooks: list[HttpClient] = []       # the one webhook client, once made
_webhooks_lock = threading.Lock()


def _webhook_client() -> HttpClient:
    """The one client every webhook shares (its connections kept for the next event).
    Each POST brings its own deadline (the hook's ``timeout``); the client's own
    total is only a ceiling above the largest a hook may set."""
    with _webhooks_lock:
        if not _webhooks:
            _webhooks.append(HttpClient(connect_timeout=10.0, timeout=3600.0,
                                        max_body_bytes=WEBHOOK_ANSWER, max_connections=16))
        return _webhooks[0]


def post(url: str, body: bytes, *, content_type: str = "application/json",
         timeout: float = 10.0) -> Posted:
    """POST ``body`` to ``url`` once (for hooks), through :meth:`HttpClient.send`: the
    same edge as every feed and probe request.

    ``timeout`` is a total deadline: connect, interim ``1xx`` answers, headers and
    the answer's body together, however the server dribbles them. No redirect is
    followed (a webhook that moved is a configuration problem, and its URL carries
    a token), TLS verified, proxies from the environment, at most 64 kB of the
    answer read and dropped. Never raises; the URL (a secret) is never in the
    result nor in the log (scheme and host only)."""
    got = _webhook_client().send(url, body, deadline=time.monotonic() + timeout,
                                 content_type=content_type, head_only=WEBHOOK_ANSWER,
                                 secret_url=True)
    if isinstance(got, FetchFailed):
        return Posted(None, got.message)
    if got.status >= 300:                     # a redirect is not followed
        return Posted(got.status, f"HTTP {got.status}")
    return Posted(got.status)
