from __future__ import annotations

import pytest

from trayapp.config import ConfigError, default_config, parse_text
from trayapp.domain.levels import Level

GOOD = """
interval = 60
[[services]]
id = "claude"
preset = "anthropic"
fallbacks = ["openai"]
[[services]]
id = "openai"
preset = "openai"
role = "fallback"
"""


def test_default_config_watches_claude_with_fallbacks() -> None:
    cfg = default_config()
    claude = cfg.service("claude")
    assert claude is not None and claude.role == "watch"
    assert claude.fallbacks == ("openai", "ollama")
    assert claude.feed is not None and claude.feed.url == "https://status.claude.com"
    assert claude.probe is not None and claude.probe.url == "https://api.anthropic.com/v1/models"
    ollama = cfg.service("ollama")
    assert ollama is not None and ollama.feed is None
    assert ollama.probe is not None and ollama.probe.url == "http://127.0.0.1:11434/api/tags"
    assert cfg.interval == 60
    assert cfg.connectivity_url == "http://connectivitycheck.gstatic.com/generate_204"


def test_explicit_keys_override_the_preset() -> None:
    cfg = parse_text(GOOD.replace('fallbacks = ["openai"]', 'fallbacks = ["openai"]\n'
                                  'name = "My Claude"\ncomponents = ["Claude Code"]\n'
                                  'probe = { slow_ms = 5000 }'), "c.toml")
    claude = cfg.service("claude")
    assert claude is not None
    assert claude.name == "My Claude"
    assert claude.components == ("Claude Code",)
    assert claude.probe is not None
    assert claude.probe.slow_ms == 5000
    assert claude.probe.url == "https://api.anthropic.com/v1/models"   # kept from the preset


def test_probe_false_disables_the_presets_probe() -> None:
    cfg = parse_text(GOOD.replace('fallbacks = ["openai"]', 'probe = false'), "c.toml")
    claude = cfg.service("claude")
    assert claude is not None and claude.probe is None and claude.feed is not None


@pytest.mark.parametrize(("text", "key", "words"), [
    ("interval = 60\nbogus = 1\n" + GOOD.split("\n", 2)[2], "bogus", "unknown key"),
    ('interval = "soon"\n' + GOOD.split("\n", 2)[2], "interval", "whole number"),
    ("interval = 5\n" + GOOD.split("\n", 2)[2], "interval", "at least 15"),
    (GOOD.replace('preset = "openai"', 'preset = "nope"'), "services.openai.preset",
     "unknown preset"),
    (GOOD.replace('fallbacks = ["openai"]', 'fallbacks = ["gemini"]'),
     "services.claude.fallbacks", "no service with id"),
    (GOOD.replace('id = "openai"', 'id = "claude"'), "services.claude.id", "duplicate"),
    (GOOD.replace('id = "openai"', 'id = "Open AI"'), "services[1].id", "[a-z0-9-]+"),
    (GOOD.replace('role = "fallback"', 'role = "boss"'), "services.openai.role", "watch"),
    (GOOD + 'feed = { kind = "statuspage", url = "http://status.example.com" }\n',
     "services.openai.feed.url", "https"),
    (GOOD + 'feed = { kind = "rss2", url = "https://x.example" }\n',
     "services.openai.feed.kind", "unknown feed kind"),
    (GOOD + 'feed = { kind = "statuspage", url = "ftp://x.example" }\n',
     "services.openai.feed.url", "http(s)"),
    (GOOD + 'colour = "red"\n', "services.openai.colour", "unknown key"),
    (GOOD + '[[services]]\nid = "x"\nprobe = { url = "https://a.example", api_key_env = "K" }\n',
     "services.x.probe.api_key_header", "missing"),
    ('[[services]]\nid = "x"\n', "services.x", "feed, a probe"),
    ("interval = 60\n", "services", "at least one"),
    ('min_level = "bad"\n' + GOOD, "min_level", "one of"),
    ('quiet_hours = "late"\n' + GOOD, "quiet_hours", "22:00-07:00"),
    ("history_days = -1\n" + GOOD, "history_days", "between 0 and"),
    ('history_days = "forever"\n' + GOOD, "history_days", "whole number"),
])
def test_bad_config_names_the_file_and_the_key(text: str, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_text(text, "/home/u/.config/trayapp/config.toml")
    assert info.value.key == key
    assert words in info.value.problem
    message = str(info.value)
    assert message.startswith("/home/u/.config/trayapp/config.toml: ")
    assert "\n" not in message


def test_not_toml_is_one_line() -> None:
    with pytest.raises(ConfigError) as info:
        parse_text("[[services]\nid=", "c.toml")
    assert "not valid TOML" in str(info.value)
    assert "\n" not in str(info.value)


def test_loopback_configs_may_poll_fast_and_use_http() -> None:
    cfg = parse_text("""
interval = 1
connectivity_url = "http://127.0.0.1:9/generate_204"
[[services]]
id = "local"
feed = { kind = "statuspage", url = "http://127.0.0.1:8080" }
probe = { url = "http://localhost:8080/v1/models" }
""", "c.toml")
    assert cfg.interval == 1 and cfg.min_interval == 1


def test_quiet_hours_and_levels() -> None:
    cfg = parse_text('quiet_hours = "22:00-07:30"\nmin_level = "partial_outage"\n' + GOOD, "c")
    assert cfg.quiet_hours is not None
    assert (cfg.quiet_hours[0].hour, cfg.quiet_hours[1].minute) == (22, 30)
    assert cfg.min_level is Level.PARTIAL_OUTAGE


def test_connectivity_check_can_be_disabled() -> None:
    assert parse_text('connectivity_url = ""\n' + GOOD, "c").connectivity_url is None


def test_history_days_defaults_to_90_and_0_turns_it_off() -> None:
    assert default_config().history_days == 90
    assert parse_text("history_days = 0\n" + GOOD, "c.toml").history_days == 0
    assert parse_text("history_days = 365\n" + GOOD, "c.toml").history_days == 365
