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

An answer, per model, by the one verdict table (:data:`trayapp.core.verdict.TABLE`):
2xx with content within ``slow_ms`` is operational, slower degraded; an answer from
another model family than asked (a silent downgrade) degraded (``downgrade``); 503/529
degraded; other 5xx, a 400 with a generic message ("Error"), an empty 200 or one
without content a failing model (partial outage); timeout or no connection a major
outage; 404, or an error naming the model unknown, "check the model name" (your
side); a refused key or your quota "your side", never an outage.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from urllib.parse import quote, urlsplit, urlunsplit

from trayapp.config import ProbeConfig
from trayapp.core.answer import NetContext, read
from trayapp.core.verdict import model_result
from trayapp.domain.model import ModelResult
from trayapp.domain.outcome import Outcome

PROMPT = "Hi"


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


def classify_model(model: str, outcome: Outcome, slow_ms: int, ctx: NetContext,
                   now: datetime | None = None, tz: tzinfo | None = None) -> ModelResult:
    return model_result(read(outcome, ctx, slow_ms, model), now, tz)
