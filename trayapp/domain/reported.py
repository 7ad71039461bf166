"""The words of a report of one real request (``trayapp report``, a hook, an agent).

No imports: the report command's fast path loads this for free.
"""

OUTCOMES = ("ok", "overloaded", "rate_limited", "server_error", "timeout", "unreachable",
            "auth", "other")
# The vendor's side: these count towards "your tools: N failures".
VENDOR_SIDE = frozenset({"overloaded", "server_error", "timeout", "unreachable"})
# The user's side (a plan's limit, a key): they count only when the page or the probe
# also sees trouble.
USER_SIDE = frozenset({"rate_limited", "auth"})
SERVICE_CHARS = 40
MODEL_CHARS = 80
DETAIL_CHARS = 200
