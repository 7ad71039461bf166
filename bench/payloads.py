"""The payloads and configs the sections serve and run: real captured pages from
``tests/fixtures/`` and loopback stand-ins of the built-in default services
(Claude watched; ChatGPT and Ollama as fallbacks), so every figure is for
what a user runs by default, against bytes a real page served.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.harness import ROOT
from bench.server import BenchServer

FIXTURES = ROOT / "tests" / "fixtures"
OK = (FIXTURES / "statuspage/anthropic-summary-3.json").read_bytes()
DOWN = (FIXTURES / "statuspage/github-summary-1.json").read_bytes()
OPENAI_OK = (FIXTURES / "incidentio/openai-summary-compat-2.json").read_bytes()
UNAUTHORIZED = b'{"type":"error","error":{"type":"authentication_error","message":"x-api-key"}}'
OVERLOADED = b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'
TERMINAL_FLOOR = "import httpx, platformdirs; httpx.Client()"
TRAY_FLOOR = "import httpx, PIL.Image, pystray, plyer, platformdirs"
DEFAULT_INTERVAL = 60


def default_standins(server: BenchServer, p: str) -> None:
    """Loopback stand-ins of the built-in default services' feeds and probes."""
    server.set(f"{p}/generate_204", b"", status=204)
    server.set(f"{p}/claude/api/v2/summary.json", OK, etag='"claude-1"')
    server.set(f"{p}/claude/v1/models", UNAUTHORIZED, status=401)
    server.set(f"{p}/openai/api/v2/summary.json", OPENAI_OK, etag='"openai-1"')
    server.set(f"{p}/openai/api/v2/incidents.json", b'{"incidents": []}', etag='"openai-i1"')
    server.set(f"{p}/openai/v1/models", UNAUTHORIZED, status=401)
    server.set(f"{p}/ollama/api/tags", b'{"models":[]}')


def default_config(path: Path, server: BenchServer, p: str, interval: int) -> Path:
    """The built-in default (Claude watched; ChatGPT and Ollama as fallbacks), on loopback."""
    b = server.base + p
    path.write_text(f"""\
interval = {interval}
connectivity_url = "{b}/generate_204"
[[services]]
id = "claude"
name = "Claude"
components = ["Claude API", "claude.ai", "Claude Code"]
fallbacks = ["openai", "ollama"]
feed = {{ kind = "statuspage", url = "{b}/claude" }}
probe = {{ url = "{b}/claude/v1/models", headers = {{ "anthropic-version" = "2023-06-01" }} }}
[[services]]
id = "openai"
name = "ChatGPT"
role = "fallback"
feed = {{ kind = "incidentio", url = "{b}/openai" }}
probe = {{ url = "{b}/openai/v1/models" }}
[[services]]
id = "ollama"
name = "Ollama (local)"
role = "fallback"
probe = {{ url = "{b}/ollama/api/tags" }}
""")
    return path


def one_service_config(path: Path, server: BenchServer, p: str, interval: int) -> Path:
    b = server.base + p
    path.write_text(f"""\
interval = {interval}
connectivity_url = "{b}/generate_204"
timeout = 5
connect_timeout = 2
[[services]]
id = "claude"
name = "Claude"
feed = {{ kind = "statuspage", url = "{b}/svc" }}
probe = {{ url = "{b}/svc/v1/models" }}
""")
    return path


def _summary(incidents: list[dict[str, object]]) -> bytes:
    """A Statuspage summary.json listing ``incidents`` (built: no real page is this large)."""
    doc = {"page": {"id": "p1", "name": "Claude", "url": "https://status.claude.com",
                    "updated_at": "2026-03-01T11:05:00Z"},
           "status": {"indicator": "major", "description": "Partial System Outage"},
           "components": [], "incidents": incidents, "scheduled_maintenances": []}
    return json.dumps(doc, ensure_ascii=False).encode()


def _incident(n: int, name: str, body: str) -> dict[str, object]:
    at = "2026-03-01T11:00:00Z"
    return {"id": f"i{n}", "name": name, "status": "investigating", "impact": "major",
            "created_at": at, "updated_at": at, "components": [],
            "incident_updates": [{"id": f"u{n}", "status": "investigating", "body": body,
                                  "created_at": at, "display_at": at}]}


def many_incidents_page(count: int = 10_000) -> bytes:
    """A page listing ``count`` open incidents (about 3.5 MB)."""
    return _summary([_incident(n, f"Incident {n}", "Investigating.") for n in range(count)])


def emoji_page(size: int = 4_000_000) -> bytes:
    """About ``size`` bytes of emoji in incident names and update bodies (4 bytes each)."""
    emoji = "\U0001f525\U0001f4a5\U0001f680\U0001f9e8"
    one = len(json.dumps(_incident(0, emoji * 250, emoji * 1000), ensure_ascii=False).encode())
    return _summary([_incident(n, emoji * 250, emoji * 1000) for n in range(size // one)])
