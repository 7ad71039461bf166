"""``trayapp report SERVICE --outcome OUTCOME [--model M] [--detail TEXT]`` and
``trayapp report --from claude-code``: one observation of a real request, appended to
the reports file (:mod:`trayapp.edges.reports`), and a poke to the running tray or
``watch`` so it counts at once. Never the network.

A hook runs this after a coding tool's failed turn, so it is the fast path of
:mod:`trayapp.cli.quick`: ``argv`` read by hand, no argparse, no config, no httpx.
``--from`` reads a hook's JSON on stdin and must never fail or slow the tool: bad,
empty, missing or oversized input is one line on stderr and exit 0.

Claude Code's ``StopFailure`` hook (a turn ended by an API error) gives ``error_type``
(``rate_limit``, ``authentication_failed``, ``oauth_org_not_allowed``,
``billing_error``, ``invalid_request``, ``model_not_found``, ``server_error``,
``max_output_tokens``, ``unknown``), ``error`` (a short code, e.g. ``"429"``) and
``error_message``; its ``Stop`` hook (a turn that ended well) is an ``ok``.
"""

from __future__ import annotations

import json
import os
import sys
import time

from trayapp.domain.reported import DETAIL_CHARS, OUTCOMES
from trayapp.edges import reports

EXIT_USAGE = 64
STDIN_LIMIT = 256 * 1024      # a hook's JSON is a few hundred bytes
STDIN_SECONDS = 2.0           # a hook's stdin is closed at once; never wait longer
USAGE = ("usage: trayapp report SERVICE --outcome {" + ",".join(OUTCOMES) + "} "
         "[--model M] [--detail TEXT]\n       trayapp report --from claude-code  "
         "(a Claude Code hook's JSON on stdin)")
TOOLS = ("claude-code",)
_VALUE_OPTIONS = ("--outcome", "--model", "--detail", "--from", "--config")  # config: unused


def _say(text: str) -> None:
    from trayapp.domain.text import one_line
    print(f"trayapp report: {one_line(text, 300)}", file=sys.stderr)


def _parse(argv: list[str]) -> dict[str, str] | str:
    """The options, or the one line that says what is wrong."""
    opts: dict[str, str] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=")
        if name in _VALUE_OPTIONS:
            if not eq:
                if i + 1 >= len(argv):
                    return f"{name} needs a value"
                i += 1
                value = argv[i]
            opts[name[2:]] = value
        elif arg in ("-v", "--verbose"):
            pass
        elif arg.startswith("-"):
            return f"unknown option {arg!r}"
        elif "service" in opts:
            return f"one service only (got {opts['service']!r} and {arg!r})"
        else:
            opts["service"] = arg
        i += 1
    return opts


def _read_stdin() -> bytes | str:
    """A hook's stdin, bounded in size and time, or why not (one line)."""
    stream = sys.stdin
    if stream is None or stream.closed:
        return "nothing on stdin (run it as a hook: the tool gives its JSON there)"
    try:
        fd = stream.fileno()
        if os.isatty(fd):
            return "stdin is a terminal, not a hook's JSON"
    except (OSError, ValueError):
        return "nothing on stdin"
    chunks: list[bytes] = []
    total, deadline = 0, time.monotonic() + STDIN_SECONDS
    try:
        import select
        while total <= STDIN_LIMIT:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return "no hook JSON on stdin within 2 s"
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except (OSError, ValueError):       # Windows: select takes sockets only; read plainly
        data = stream.buffer.read(STDIN_LIMIT + 1)
        chunks, total = [data], len(data)
    if total > STDIN_LIMIT:
        return f"the hook's input is over {STDIN_LIMIT // 1024} KiB; not read"
    return b"".join(chunks)


def _has(text: str, *words: str) -> bool:
    return any(w in text for w in words)


def claude_code(data: object) -> tuple[str, str, str | None, str | None] | str:
    """(service, outcome, model, detail) from a Claude Code hook's JSON, or why not."""
    if not isinstance(data, dict):
        return "the hook's input is not a JSON object"
    event = data.get("hook_event_name")
    model = data.get("model") if isinstance(data.get("model"), str) else None
    if event == "Stop":
        return "anthropic", "ok", model, None
    if event != "StopFailure":
        return f"not a Stop or StopFailure hook ({str(event)[:40]!r}); nothing reported"
    kind = str(data.get("error_type") or "")
    code = str(data.get("error") or "")
    message = str(data.get("error_message") or data.get("error_details") or "")
    said = f"{code} {message}".lower()
    if _has(said, "overloaded", "529"):
        outcome = "overloaded"
    elif _has(said, "timeout", "timed out"):
        outcome = "timeout"
    elif kind == "rate_limit":
        outcome = "rate_limited"
    elif kind in ("authentication_failed", "oauth_org_not_allowed", "billing_error"):
        outcome = "auth"
    elif kind == "server_error" or _has(said, "500", "502", "503", "504", "internal"):
        outcome = "server_error"
    elif _has(said, "econnrefused", "enotfound", "connection", "network"):
        outcome = "unreachable"
    else:
        outcome = "other"
    detail = " ".join(p for p in (kind, code, message) if p)[:DETAIL_CHARS * 4]
    return "anthropic", outcome, model, detail or None


def _save(service: str, outcome: str, model: str | None, detail: str | None) -> str | None:
    """Record and poke; the one line that says why not, or None."""
    path = reports.default_path()
    try:
        reports.record(path, service, outcome, model, detail, time.time())
    except ValueError as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot write {path} ({exc.strerror or type(exc).__name__})"
    reports.poke(os.path.dirname(path))
    return None


def _from_tool(tool: str) -> int:
    if tool not in TOOLS:
        _say(f"--from: one of {', '.join(TOOLS)} (got {tool!r}); nothing reported")
        return 0
    raw = _read_stdin()
    if isinstance(raw, str):
        _say(raw)
        return 0
    if not raw.strip():
        _say("nothing on stdin (run it as a hook: the tool gives its JSON there)")
        return 0
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        _say("the hook's input is not JSON; nothing reported")
        return 0
    got = claude_code(data)
    if isinstance(got, str):
        _say(got)
        return 0
    problem = _save(*got)
    if problem:
        _say(problem)
    return 0                            # a hook never fails the tool


def run(argv: list[str]) -> int:
    """``argv``: what follows ``report``."""
    if any(a in ("-h", "--help") for a in argv):
        print(USAGE)
        return 0
    opts = _parse(argv)
    if isinstance(opts, str):
        if "--from" in " ".join(argv):
            _say(opts)
            return 0
        _say(f"{opts}\n{USAGE}")
        return EXIT_USAGE
    if "from" in opts:
        return _from_tool(opts["from"])
    if "service" not in opts or "outcome" not in opts:
        _say(f"SERVICE and --outcome are needed; {USAGE}")
        return EXIT_USAGE
    if opts["outcome"] not in OUTCOMES:
        _say(f"--outcome must be one of {', '.join(OUTCOMES)} (got {opts['outcome']!r})")
        return EXIT_USAGE
    problem = submit(opts["service"], opts["outcome"], opts.get("model"), opts.get("detail"))
    if problem:
        _say(problem)
        return EXIT_USAGE if problem.startswith("no service") else 1
    return 0


def submit(service: str, outcome: str, model: str | None, detail: str | None) -> str | None:
    """Check the service, record the report and wake the running loops (the command
    and the MCP server's ``report`` tool); the one line that says why not, or None."""
    return _known(service) or _save(service, outcome, model, detail)


def _known(service: str) -> str | None:
    """None when the service is one the last snapshot lists (by id or name) or any
    service when there is no snapshot yet (the loop matches ids, presets and names)."""
    from trayapp.edges import snapcache
    data, _ = snapcache.read()
    listed = [s for s in (data or {}).get("services") or () if isinstance(s, dict)]
    if not listed:
        return None
    name = service.strip().lower()
    have = {str(s.get(k) or "").lower() for s in listed for k in ("id", "name")}
    if name in have or name in _PRESET_NAMES:
        return None
    ids = ", ".join(str(s.get("id")) for s in listed)
    return f"no service {service[:40]!r} (have: {ids[:200]})"


# The presets' ids a report may name (the loop matches them to the service using them).
_PRESET_NAMES = frozenset({"anthropic", "openai", "gemini", "github-copilot", "cursor",
                           "mistral", "groq", "deepseek", "cohere", "perplexity",
                           "openrouter", "together", "huggingface", "xai", "ollama",
                           "lmstudio"})
