"""Per-model probes: the request each dialect sends, and what its answer means. Pure.

One minimal real request per model, one output token:
  * ``anthropic``: ``POST <origin>/v1/messages``, ``max_tokens = 1``
  * ``openai``:    ``POST <origin>/v1/chat/completions``, ``max_tokens = 1``
    (OpenAI, Groq, Mistral, DeepSeek, OpenRouter, Together, xAI, Ollama, LM Studio)
  * ``gemini``:    ``POST <origin>/v1beta/models/<model>:generateContent``,
    ``maxOutputTokens = 1``
The origin is the probe URL's scheme, host and port, keeping any path before
``/v1`` (``https://openrouter.ai/api/v1/models`` -> ``https://openrouter.ai/api``);
``models_url`` overrides the whole URL (``{model}`` in it is replaced).

An answer, per model:
  * 2xx within ``slow_ms``            -> operational;  slower -> degraded
  * 529 or 503 (overloaded)           -> degraded
  * any other 5xx                     -> partial outage (for that model)
  * timeout, refused, TLS, DNS        -> major outage (for that model)
  * 400/404/422 (the request or model name refused) -> unknown, "check the model name"
  * "your side" (see :func:`trayapp.core.probe.your_side`): unknown, with its reason
  * anything else                     -> unknown
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit, urlunsplit

from trayapp.config import ProbeConfig
from trayapp.core.probe import YOUR_SIDE, NetContext, is_challenge, your_side
from trayapp.domain.levels import Level
from trayapp.domain.model import ModelResult
from trayapp.domain.outcome import FailKind, Fetched, FetchFailed, Outcome

PROMPT = "Hi"
_NETWORK_FAILURES = {FailKind.TIMEOUT, FailKind.REFUSED, FailKind.DNS, FailKind.TLS}


def origin(url: str) -> str:
    """The API's base: scheme, host, port and any path before ``/v1``."""
    parts = urlsplit(url)
    path = parts.path
    cut = path.find("/v1")
    base = path[:cut] if cut >= 0 else ""
    return urlunsplit((parts.scheme, parts.netloc, base.rstrip("/"), "", ""))


def request(probe: ProbeConfig, model: str) -> tuple[str, bytes]:
    """The URL and JSON body of one model probe."""
    body: dict[str, object]
    if probe.dialect == "gemini":
        path = f"/v1beta/models/{quote(model, safe='')}:generateContent"
        body = {"contents": [{"role": "user", "parts": [{"text": PROMPT}]}],
                "generationConfig": {"maxOutputTokens": 1}}
    else:
        path = "/v1/messages" if probe.dialect == "anthropic" else "/v1/chat/completions"
        body = {"model": model, "max_tokens": 1,
                "messages": [{"role": "user", "content": PROMPT}]}
    if probe.models_url:
        url = probe.models_url.replace("{model}", quote(model, safe=""))
    else:
        url = origin(probe.url) + path
    return url, json.dumps(body, separators=(",", ":")).encode()


def classify_model(model: str, outcome: Outcome, slow_ms: int,
                   ctx: NetContext) -> ModelResult:
    mine = your_side(outcome, ctx)
    code = outcome.status if isinstance(outcome, Fetched) else None
    ms = outcome.elapsed_ms or None

    def result(level: Level, detail: str, side: str | None = None) -> ModelResult:
        return ModelResult(model, level, detail, status_code=code, latency_ms=ms,
                           your_side=side)

    if mine is not None:
        return result(Level.UNKNOWN, mine[1], mine[0])
    if isinstance(outcome, FetchFailed):
        if outcome.kind is FailKind.TIMEOUT:
            return result(Level.MAJOR_OUTAGE, "not responding (timed out)")
        if outcome.kind in _NETWORK_FAILURES:
            return result(Level.MAJOR_OUTAGE, f"unreachable: {outcome.words}")
        return result(Level.UNKNOWN, f"inconclusive: {outcome.words}")
    status = outcome.status
    if is_challenge(outcome):
        return result(Level.UNKNOWN, f"blocked by a bot challenge (HTTP {status})")
    if status in (503, 529):
        return result(Level.DEGRADED, f"overloaded (HTTP {status})")
    if 500 <= status <= 599:
        return result(Level.PARTIAL_OUTAGE, f"server errors (HTTP {status})")
    if status in (400, 404, 422):
        return result(Level.UNKNOWN,
                      f"HTTP {status}: {YOUR_SIDE['request_refused']}", "request_refused")
    if 200 <= status <= 299:
        if outcome.elapsed_ms > slow_ms:
            return result(Level.DEGRADED, f"slow: first byte in {outcome.elapsed_ms} ms")
        return result(Level.OPERATIONAL, f"answers (first byte in {outcome.elapsed_ms} ms)")
    return result(Level.UNKNOWN, f"inconclusive: unexpected answer (HTTP {status})")
