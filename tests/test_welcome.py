"""The first-run welcome sentence (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trayapp.config import DEFAULT_CONFIG_TOML, default_config, parse_text
from trayapp.core.welcome import welcome_text

TWO = """
[[services]]
id = "claude"
preset = "anthropic"
fallbacks = ["ollama"]

[[services]]
id = "cursor"
preset = "cursor"
fallbacks = ["openai", "ollama"]

[[services]]
id = "openai"
preset = "openai"
role = "fallback"

[[services]]
id = "ollama"
preset = "ollama"
role = "fallback"
"""


@pytest.mark.parametrize(("text", "sentence"), [
    (DEFAULT_CONFIG_TOML, "Watching Claude, with ChatGPT and Ollama (local) as fallbacks"),
    (TWO, "Watching Claude and Cursor, with Ollama (local) and ChatGPT as fallbacks"),
    (DEFAULT_CONFIG_TOML.replace('fallbacks = ["openai", "ollama"]', 'fallbacks = ["openai"]'),
     "Watching Claude, with ChatGPT as a fallback"),
    ('[[services]]\nid = "claude"\npreset = "anthropic"\n', "Watching Claude, with no fallback"),
    ('[[services]]\nid = "mine"\nname = "My LLM"\nrole = "fallback"\n'
     'probe = { url = "http://127.0.0.1:8080/v1/models" }\n'
     '[[services]]\nid = "claude"\npreset = "anthropic"\nfallbacks = ["mine"]\n',
     "Watching Claude, with My LLM as a fallback"),
])
def test_welcome_text(text: str, sentence: str) -> None:
    assert welcome_text(parse_text(text, "t")) == sentence


def test_the_built_in_default_is_what_a_first_start_shows() -> None:
    assert welcome_text(default_config()).startswith("Watching Claude")


def test_the_tray_shows_the_welcome_only_on_the_built_in_default(tmp_path: Path) -> None:
    from trayapp.core.welcome import first_run_banner

    config = default_config()
    missing = tmp_path / "config.toml"
    assert first_run_banner(config, missing, explicit=False) == welcome_text(config)
    assert first_run_banner(config, missing, explicit=True) is None    # --config named it
    missing.write_text("")
    assert first_run_banner(config, missing, explicit=False) is None   # the user has a file
