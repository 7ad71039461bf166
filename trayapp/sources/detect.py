"""Which status platform produced a document, from its content alone.

Rules (PLATFORMS.md section 9), first match wins:

* XML ``<feed>`` (Atom) or ``<rss>`` -> ``rss`` (history feeds of any platform).
* HTML (a bot challenge, a Next.js incident.io page with
  ``self.__next_f.push``, any web page) -> None: a web page is not a feed, and
  the incident.io page's embedded data is not read. :func:`html_hint` names
  the platform an HTML page reveals, for error messages only.
* JSON top-level array whose items have ``external_desc``/``status_impact`` -> ``google-cloud``.
* ``page.status`` in UP / HASISSUES / UNDERMAINTENANCE, or (``/v2/components.json``)
  no ``page`` and ``components`` whose statuses are all Instatus UPPERCASE words -> ``instatus``.
* ``data.type == "status_page"`` -> ``betterstack``.
* ``data.page.page_id`` with ``data.active_changes`` -> ``flashduty``.
* ``metadata`` and ``uptime`` lists -> ``checkly``.
* ``domainPrefix`` or ``pageUrl`` on ``statuspage.datadoghq.com`` -> ``datadog``.
* ``result.status_overall`` -> ``statusio``.
* ``status.indicator`` and a ``page`` without an ``id`` -> ``rootly`` (its
  ``/api/v1/status.json``; Statuspage and incident.io always give ``page.id``).
* ``page.id`` a ULID (26 Crockford base-32 characters) and no ``time_zone``
  -> ``incidentio`` (its Statuspage-compatible shim).
* ``page.id`` 12 lowercase letters/digits (``time_zone`` usually present) -> ``statuspage``.
"""

from __future__ import annotations

import re

from trayapp.sources.common import (
    as_dict,
    dicts,
    get_str,
    load_json,
    looks_like_challenge,
    looks_like_html,
)

_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
_STATUSPAGE_ID = re.compile(r"^[a-z0-9]{12}$")
_XML_ROOT = re.compile(rb"<(?:[a-zA-Z_][\w.-]*:)?(feed|rss)[\s>]")
INSTATUS_STATES = frozenset({"UP", "HASISSUES", "UNDERMAINTENANCE"})
INSTATUS_COMPONENT = frozenset({"OPERATIONAL", "UNDERMAINTENANCE", "DEGRADEDPERFORMANCE",
                                "PARTIALOUTAGE", "MINOROUTAGE", "MAJOROUTAGE"})


def detect(body: bytes) -> str | None:
    """The feed kind that reads ``body``, or None when nothing matches."""
    head = body[:4096].lstrip()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip()
    if head.startswith(b"<"):
        if looks_like_html(body):
            return None
        match = _XML_ROOT.search(head)
        return "rss" if match else None
    obj, err = load_json(body)
    if err is not None:
        return None
    if isinstance(obj, list):
        items = dicts(obj)
        if any("external_desc" in i or "status_impact" in i for i in items):
            return "google-cloud"
        return None
    if not isinstance(obj, dict):
        return None
    return _detect_object(obj)


def _detect_object(obj: dict[str, object]) -> str | None:
    page = as_dict(obj.get("page"))
    data = as_dict(obj.get("data"))
    if get_str(page, "status") in INSTATUS_STATES:
        return "instatus"
    components = dicts(obj.get("components"))
    if "page" not in obj and components and all(
            get_str(c, "status") in INSTATUS_COMPONENT for c in components):
        return "instatus"
    if get_str(data, "type") == "status_page":
        return "betterstack"
    if "page_id" in as_dict(data.get("page")) and isinstance(data.get("active_changes"), list):
        return "flashduty"
    if isinstance(obj.get("metadata"), list) and isinstance(obj.get("uptime"), list):
        return "checkly"
    if "domainPrefix" in obj or "statuspage.datadoghq.com" in get_str(obj, "pageUrl"):
        return "datadog"
    if isinstance(as_dict(obj.get("result")).get("status_overall"), dict):
        return "statusio"
    if isinstance(as_dict(obj.get("status")).get("indicator"), str) \
            and isinstance(obj.get("page"), dict) and "id" not in page:
        return "rootly"
    page_id = get_str(page, "id")
    if _ULID.match(page_id) and "time_zone" not in page:
        return "incidentio"
    if _STATUSPAGE_ID.match(page_id):
        return "statuspage"
    return None


def html_hint(body: bytes) -> str | None:
    """The platform an HTML page reveals (for messages), or None."""
    if looks_like_challenge(body):
        return None
    sample = body[:400000]
    if b"self.__next_f.push" in sample and b"incident" in sample:
        return "incidentio"
    return None
