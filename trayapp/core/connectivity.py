"""Am I offline? The connectivity check's rule. Pure.

The check URL (default Google's ``generate_204``) must answer 204 with an
empty body. No answer -> ``no network``; any other answer (a hotel or
airport login page, a redirect) -> ``captive portal``.
"""

from __future__ import annotations

from trayapp.domain.model import Connectivity
from trayapp.domain.outcome import FetchFailed, Outcome


def classify(outcome: Outcome | None) -> Connectivity:
    if outcome is None:           # the check is disabled in the config
        return Connectivity.ONLINE
    if isinstance(outcome, FetchFailed):
        return Connectivity.NO_NETWORK
    if outcome.status == 204 and not outcome.body.strip():
        return Connectivity.ONLINE
    return Connectivity.CAPTIVE_PORTAL


def reason(state: Connectivity) -> str | None:
    """Why the laptop is offline, without the word "offline": every surface says
    that itself ("Offline: no network", "offline: no network")."""
    if state is Connectivity.NO_NETWORK:
        return "no network"
    if state is Connectivity.CAPTIVE_PORTAL:
        return "captive portal (a network login page is in the way)"
    return None
