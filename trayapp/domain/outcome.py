"""What a request produced, as plain values: :class:`Fetched` or :class:`FetchFailed`.

The HTTP edge (:mod:`trayapp.edges.http`) is the only producer; the pure rules
(probe classification, feed reading, connectivity) are the consumers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum


class FailKind(StrEnum):
    TIMEOUT = "timeout"
    REFUSED = "refused"          # connection refused / reset / unreachable
    DNS = "dns"
    TLS = "tls"
    TOO_LARGE = "too_large"
    BAD_REDIRECT = "bad_redirect"
    PROTOCOL = "protocol"        # malformed HTTP, truncated answer
    INVALID_URL = "invalid_url"
    PROXY = "proxy"              # the configured proxy refused (407) or failed the tunnel
    KEY_UNUSABLE = "key_unusable"  # not sent: the user's key cannot go in an HTTP header


FAIL_WORDS = {
    FailKind.TIMEOUT: "timed out",
    FailKind.REFUSED: "connection refused",
    FailKind.DNS: "name not found (DNS)",
    FailKind.TLS: "TLS error",
    FailKind.TOO_LARGE: "answer too large",
    FailKind.BAD_REDIRECT: "bad redirect",
    FailKind.PROTOCOL: "broken HTTP answer",
    FailKind.INVALID_URL: "invalid URL",
    FailKind.PROXY: "the proxy refused the connection",
    FailKind.KEY_UNUSABLE: "your key cannot be sent",
}


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str
    status: int
    body: bytes
    elapsed_ms: int
    headers: Mapping[str, str] = field(default_factory=dict)   # lower-case names
    not_modified: bool = False      # answered 304; body is the cached one

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def header_date(self, name: str) -> datetime | None:
        """A header holding an HTTP-date (``Date``, ``Retry-After``), or None."""
        return http_date(self.header(name))


def http_date(value: str) -> datetime | None:
    """An HTTP-date (``Wed, 21 Oct 2026 07:28:00 GMT``) with its zone, or None for
    anything else: garbage, no zone, or a year past datetime's limits."""
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo is not None else None


@dataclass(frozen=True, slots=True)
class FetchFailed:
    url: str
    kind: FailKind
    message: str                    # one line, safe to show (no secrets)
    elapsed_ms: int = 0
    # What exactly failed, when it tells the user's side from the vendor's:
    # TLS "untrusted" (unknown issuer, self-signed), "not_yet_valid", "expired",
    # "hostname"; PROXY "407". Empty when nothing more is known.
    cause: str = ""

    @property
    def words(self) -> str:
        return FAIL_WORDS[self.kind]


Outcome = Fetched | FetchFailed
