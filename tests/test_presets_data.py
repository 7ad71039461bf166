from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from trayapp.sources import get, kinds

PRESETS: dict[str, Any] = tomllib.loads(
    (Path(__file__).parent.parent / "trayapp" / "config" / "presets.toml").read_text("utf-8"))
KEYS = {"name", "vendor", "web_url", "components", "feed", "probe", "local", "note"}
WANTED = ["anthropic", "openai", "ollama", "gemini", "github-copilot", "cursor", "mistral",
          "groq", "deepseek", "cohere", "perplexity", "openrouter", "together", "huggingface",
          "xai", "lmstudio"]


def check_url(url: object, local: bool) -> None:
    assert isinstance(url, str)
    parts = urlsplit(url)
    if local:
        assert parts.scheme == "http" and parts.hostname == "127.0.0.1", url
    else:
        assert parts.scheme == "https" and parts.hostname, url
    assert " " not in url


def test_all_presets_present_in_order() -> None:
    assert list(PRESETS) == WANTED


@pytest.mark.parametrize("pid", WANTED)
def test_preset(pid: str) -> None:
    p = PRESETS[pid]
    assert set(p) <= KEYS, set(p) - KEYS
    for key in ("name", "vendor", "web_url", "note"):
        assert isinstance(p[key], str) and p[key].strip()
    local = p.get("local", False) is True
    assert "feed" in p or "probe" in p
    check_url(p["web_url"], local)
    if "feed" in p:
        assert not local
        feed = p["feed"]
        assert set(feed) <= {"kind", "url", "alternate"}
        assert feed["kind"] in kinds() and get(feed["kind"]) is not None
        check_url(feed["url"], False)
        if "alternate" in feed:
            check_url(feed["alternate"], False)
    else:
        assert "probe only" in p["note"] or local
    if "probe" in p:
        probe = p["probe"]
        assert set(probe) <= {"url", "api_key_env", "api_key_header", "api_key_prefix",
                              "headers", "dialect"}
        assert probe.get("dialect", "openai") in ("anthropic", "openai", "gemini")
        check_url(probe["url"], local)
        if "api_key_env" in probe:
            assert probe["api_key_env"].isupper() and "api_key_header" in probe
    if "components" in p:
        assert all(isinstance(c, str) and c for c in p["components"])


def test_gemini_watches_the_vertex_gemini_product() -> None:
    gemini = PRESETS["gemini"]
    assert gemini["components"] == ["Z0FZJAMvEB4j3NbCJs6B"]
    assert gemini["feed"] == {"kind": "google-cloud",
                              "url": "https://status.cloud.google.com/incidents.json"}
    assert gemini["probe"]["api_key_header"] == "x-goog-api-key"
    assert gemini["probe"]["api_key_env"] == "GEMINI_API_KEY"


def test_local_tools_have_no_feed() -> None:
    for pid in ("ollama", "lmstudio"):
        assert PRESETS[pid]["local"] is True and "feed" not in PRESETS[pid]


def test_statuspage_filters_and_alternates_use_ids() -> None:
    """Ids survive renames, names do not (PLATFORMS.md section 10)."""
    claude = PRESETS["anthropic"]
    assert claude["components"] == ["k8w3r06qmzrp", "rwppv331jlwc", "yyzkbfz2thpt"]
    assert claude["feed"]["alternate"] == "https://tymt9n04zgry.statuspage.io"
    assert PRESETS["github-copilot"]["components"] == ["pjmpxvq2cmr2"]
    assert PRESETS["github-copilot"]["feed"]["alternate"] == "https://kctbh9vrtdwd.statuspage.io"
    assert PRESETS["cursor"]["feed"]["alternate"] == "https://0tp9ssgtptvs.statuspage.io"


def test_mistral_is_read_as_rootly() -> None:
    """Mistral moved from Checkly to Rootly: read its documented status.json (behind a
    Cloudflare challenge it shows blocked: tests/test_presets_field.py)."""
    assert PRESETS["mistral"]["feed"] == {"kind": "rootly", "url": "https://status.mistral.ai"}


def test_every_note_says_what_was_checked() -> None:
    for pid, p in PRESETS.items():
        if not p.get("local"):
            assert "(" in p["note"] and len(p["note"]) > 40, pid
