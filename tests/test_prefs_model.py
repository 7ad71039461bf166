"""The Preferences window's logic, pure: what it shows (build), what an edit does
(choose, add_page, read_settings) and what it writes (apply), on real config files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from trayapp.config import DEFAULT_CONFIG_TOML, default_config, load_presets, parse_text
from trayapp.edges.configwrite import starter_text
from trayapp.windows import prefs_model as pm

CONFIGS = Path(__file__).parent / "configs"   # hand-written configs (not feed captures)
COMMENTED = (CONFIGS / "commented.toml").read_text()
PRESETS = load_presets()


def model(text: str) -> pm.Prefs:
    return pm.build(parse_text(text, "test.toml"), PRESETS)


def written(text: str, edit: pm.Prefs) -> str:
    return pm.apply(text, model(text), edit)


# ---------------------------------------------------------------- what it shows

def test_the_default_shows_every_preset_once_with_the_configured_ones_first() -> None:
    prefs = pm.build(default_config(), PRESETS)
    assert [r.sid for r in prefs.rows[:3]] == ["claude", "openai", "ollama"]
    assert [r.choice for r in prefs.rows[:3]] == ["watch", "fallback", "fallback"]
    assert {r.preset for r in prefs.rows} == set(PRESETS)
    assert all(r.choice == "off" and not r.present for r in prefs.rows[3:])
    assert prefs.fallbacks == {"claude": ("openai", "ollama")}


@pytest.mark.parametrize(("sid", "name", "platform", "probe", "local", "keyed"), [
    ("claude", "Claude", "Atlassian Statuspage", True, False, True),
    ("openai", "ChatGPT", "incident.io", True, False, True),
    ("ollama", "Ollama (local)", "probe only", True, True, False),
    ("cursor", "Cursor", "Atlassian Statuspage", False, False, False),
    ("gemini", "Gemini (Vertex AI)", "Google Cloud Service Health", True, False, True),
    ("mistral", "Mistral", "Rootly", True, False, True),
    ("acme", "ACME internal LLM", "Atlassian Statuspage", False, False, False),
])
def test_each_row_says_platform_probe_and_where(sid: str, name: str, platform: str,
                                                probe: bool, local: bool,
                                                keyed: bool) -> None:
    row = model(COMMENTED).row(sid)
    assert row is not None
    assert (row.name, row.platform, row.probe, row.local, row.keyed) == \
        (name, platform, probe, local, keyed)


def test_settings_come_from_the_file() -> None:
    s = model(COMMENTED).settings
    assert (s.interval, s.min_level, s.quiet_hours, s.min_gap, s.stale_after) == \
        (120, "partial_outage", "23:00-07:30", 600, 1800)


def test_a_preset_used_under_another_id_is_not_offered_twice() -> None:
    text = DEFAULT_CONFIG_TOML.replace('id = "claude"', 'id = "work-claude"')
    prefs = model(text)
    assert [r.sid for r in prefs.rows if r.preset == "anthropic"] == ["work-claude"]


def test_a_proposed_id_that_is_taken_gets_a_suffix() -> None:
    text = DEFAULT_CONFIG_TOML.replace('id = "ollama"', 'id = "cursor"') \
        .replace('["openai", "ollama"]', '["openai", "cursor"]')
    prefs = model(text)
    row = next(r for r in prefs.rows if r.preset == "cursor")
    assert row.sid == "cursor-2"


# ---------------------------------------------------------------- what an edit does

@pytest.mark.parametrize(("sid", "choice", "fallbacks"), [
    # a new fallback joins every watched service's list, at the end
    ("cursor", "fallback", {"claude": ("openai", "ollama", "cursor")}),
    # a new watched service falls back on every fallback, in list order
    ("cursor", "watch", {"claude": ("openai", "ollama"), "cursor": ("openai", "ollama")}),
    # a fallback switched off leaves the lists
    ("openai", "off", {"claude": ("ollama",)}),
    # a fallback promoted to watch leaves the others' lists and gets its own
    ("openai", "watch", {"claude": ("ollama",), "openai": ("ollama",)}),
    # the watched one demoted: its list goes, it joins no list (nobody else watches)
    ("claude", "fallback", {}),
    # nothing changes
    ("claude", "watch", {"claude": ("openai", "ollama")}),
])
def test_choose_keeps_fallbacks_consistent(sid: str, choice: str,
                                           fallbacks: dict[str, tuple[str, ...]]) -> None:
    prefs = pm.choose(model(DEFAULT_CONFIG_TOML), sid, choice)
    row = prefs.row(sid)
    assert row is not None and row.choice == choice
    assert dict(prefs.fallbacks) == fallbacks


def test_choose_refuses_a_word_it_does_not_know() -> None:
    with pytest.raises(ValueError):
        pm.choose(model(DEFAULT_CONFIG_TOML), "claude", "maybe")


@pytest.mark.parametrize(("form", "expected"), [
    ({"interval": "90", "min_gap": "0", "stale_after": "600", "min_level": "degraded",
      "quiet_hours": "", "notify_maintenance": True},
     pm.Settings(interval=90, min_gap=0, stale_after=600, notify_maintenance=True)),
    ({"interval": " 60 ", "min_gap": "600", "stale_after": "1800",
      "min_level": "major_outage", "quiet_hours": "22:00-07:00"},
     pm.Settings(min_level="major_outage", quiet_hours="22:00-07:00")),
    ({"interval": "sixty", "min_gap": "600", "stale_after": "1800", "min_level": "degraded"},
     pm.Problem("Check every (seconds): must be a whole number, got 'sixty'", "interval")),
    ({"interval": "60", "min_gap": "-1", "stale_after": "1800", "min_level": "degraded"},
     pm.Problem("At most one notification per service every (seconds): must be a whole "
                "number, got '-1'", "min_gap")),
    ({"interval": "60", "min_gap": "600", "stale_after": "1800", "min_level": "loud"},
     pm.Problem("Notify from this level up: must be one of maintenance, degraded, "
                "partial_outage, major_outage", "min_level")),
    ({"interval": "60", "min_gap": "600", "stale_after": "1800", "min_level": "degraded",
      "quiet_hours": "at night"},
     pm.Problem("Quiet hours (like 22:00-07:00): must look like \"22:00-07:00\" "
                "(or be empty)", "quiet_hours")),
])
def test_the_settings_form_is_read_or_names_the_field(
        form: dict[str, str | bool], expected: pm.Settings | pm.Problem) -> None:
    assert pm.read_settings(form) == expected


@pytest.mark.parametrize(("text", "values"), [
    ("openai, ollama", ("openai", "ollama")),
    (" openai,,ollama , openai ", ("openai", "ollama")),
    ("", ()),
])
def test_lists_are_typed_comma_separated(text: str, values: tuple[str, ...]) -> None:
    assert pm.parse_list(text) == values


# ---------------------------------------------------------------- what it writes

@pytest.mark.parametrize("text", [COMMENTED, DEFAULT_CONFIG_TOML, starter_text()],
                         ids=["commented", "default", "starter"])
def test_nothing_changed_is_byte_identical(text: str) -> None:
    assert written(text, model(text)) == text


def test_a_preset_set_to_watch_is_added_and_the_notes_survive() -> None:
    new = written(COMMENTED, pm.choose(model(COMMENTED), "cursor", "watch"))
    assert new.startswith(COMMENTED)            # every byte before is kept, in order
    config = parse_text(new, "test.toml")
    cursor = config.service("cursor")
    assert cursor is not None and cursor.role == "watch" and cursor.preset == "cursor"
    assert cursor.fallbacks == ("openai", "ollama", "acme")
    assert "\n\n[[services]]\nid = \"cursor\"" in new


def test_switching_off_removes_the_table_and_its_mentions_only() -> None:
    new = written(COMMENTED, pm.choose(model(COMMENTED), "ollama", "off"))
    config = parse_text(new, "test.toml")
    assert config.service("ollama") is None
    claude = config.service("claude")
    assert claude is not None and claude.fallbacks == ("openai",)
    for note in ("# My trayapp setup", "# slower on battery", "# the one I pay for",
                 "# aligned on purpose", "# not the console", "# quiet at night"):
        assert note in new, note


def test_a_role_change_touches_one_line() -> None:
    new = written(COMMENTED, pm.choose(model(COMMENTED), "acme", "watch"))
    old_lines, new_lines = COMMENTED.splitlines(), new.splitlines()
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=False) if a != b]
    assert ('role = "fallback"', 'role = "watch"') in changed
    acme = parse_text(new, "t").service("acme")
    assert acme is not None and acme.role == "watch"
    assert acme.fallbacks == ("openai", "ollama")


@pytest.mark.parametrize(("settings", "line"), [
    (pm.Settings(interval=300, min_level="partial_outage", quiet_hours="23:00-07:30"),
     "interval = 300          # slower on battery"),
    (pm.Settings(interval=120, min_level="major_outage", quiet_hours="23:00-07:30"),
     'min_level = "major_outage"   # I only care about real outages'),
    (pm.Settings(interval=120, min_level="partial_outage", quiet_hours="23:00-07:30",
                 notify_maintenance=True), "notify_maintenance = true"),
])
def test_a_setting_is_changed_in_place_with_its_comment(settings: pm.Settings,
                                                       line: str) -> None:
    new = written(COMMENTED, replace(model(COMMENTED), settings=settings))
    assert line in new.splitlines()
    parse_text(new, "test.toml")
    assert new.count("[[services]]") == 4


def test_emptied_quiet_hours_are_removed() -> None:
    prefs = model(COMMENTED)
    new = written(COMMENTED, replace(prefs, settings=replace(prefs.settings, quiet_hours="")))
    assert "quiet_hours" not in new
    assert parse_text(new, "t").quiet_hours is None


def test_components_and_fallbacks_typed_in_are_written() -> None:
    prefs = model(COMMENTED)
    edit = replace(prefs, fallbacks={"claude": ("ollama",)},
                   components={**prefs.components, "claude": ("Claude API",)})
    config = parse_text(written(COMMENTED, edit), "t")
    claude = config.service("claude")
    assert claude is not None
    assert (claude.fallbacks, claude.components) == (("ollama",), ("Claude API",))


def test_a_page_added_by_url_is_written_as_auto_with_its_components() -> None:
    edit = pm.add_page(model(DEFAULT_CONFIG_TOML), name="Example Cloud",
                       url="https://status.example.com", platform="statuspage",
                       components=("API", "Dashboard"), choice="fallback")
    new = written(DEFAULT_CONFIG_TOML, edit)
    config = parse_text(new, "t")
    page = config.service("example-cloud")
    assert page is not None and page.feed is not None and page.probe is None
    assert (page.name, page.role, page.feed.kind, page.feed.url, page.components) == \
        ("Example Cloud", "fallback", "auto", "https://status.example.com", ("API", "Dashboard"))
    claude = config.service("claude")
    assert claude is not None and claude.fallbacks == ("openai", "ollama", "example-cloud")


def test_an_edit_the_parser_refuses_is_named_by_validate() -> None:
    edit = pm.choose(model(DEFAULT_CONFIG_TOML), "claude", "fallback")
    result = pm.validate(written(DEFAULT_CONFIG_TOML, edit), "config.toml")
    assert result == 'config.toml: services: no service has role = "watch"'
    bad = replace(edit, settings=pm.Settings(interval=5))
    result = pm.validate(written(DEFAULT_CONFIG_TOML, pm.choose(bad, "claude", "watch")),
                         "config.toml")
    assert isinstance(result, str) and result.startswith("config.toml: interval: must be at least")


def test_history_retention_is_read_and_written_when_the_config_has_it() -> None:
    form: dict[str, str | bool] = {"interval": "60", "min_gap": "600", "stale_after": "1800",
                                   "min_level": "degraded", "history_days": "30"}
    assert pm.read_settings(form) == pm.Settings(history_days=30)
    assert pm.read_settings({**form, "history_days": "a month"}) == \
        pm.Problem("Keep history for (days; 0: none): must be a whole number, "
                   "got 'a month'", "history_days")
    without = {k: v for k, v in form.items() if k != "history_days"}
    assert pm.read_settings(without) == pm.Settings()        # no field: nothing to write
    prefs = replace(model(COMMENTED), settings=replace(model(COMMENTED).settings,
                                                       history_days=90))
    new = pm.apply(COMMENTED, prefs, replace(prefs, settings=replace(prefs.settings,
                                                                     history_days=30)))
    assert "history_days = 30" in new.splitlines()
    assert pm.apply(COMMENTED, prefs, prefs) == COMMENTED


def test_a_parser_error_names_the_field_as_the_window_labels_it() -> None:
    problem = pm.name_problem("/home/me/config.toml: interval: must be at least 10",
                              "/home/me/config.toml")
    assert problem == pm.Problem("Check every (seconds): must be at least 10", "interval")
    other = pm.name_problem('/c.toml: services: no service has role = "watch"', "/c.toml")
    assert other == pm.Problem('services: no service has role = "watch"', None)
    assert str(other) == other.text


def test_edits_are_unsaved_until_they_equal_the_saved_ones_again() -> None:
    prefs = model(COMMENTED)
    form: dict[str, str | bool] = {"interval": "60", "min_level": "degraded",
                                   "notify_maintenance": False}
    saved = pm.Edits.of(prefs, form, {}, False)
    assert pm.Edits.of(prefs, {**form, "interval": " 60 "}, {}, False) == saved
    assert pm.Edits.of(prefs, {**form, "interval": "90"}, {}, False) != saved
    assert pm.Edits.of(prefs, {**form, "notify_maintenance": True}, {}, False) != saved
    assert pm.Edits.of(prefs, form, {"openai": "sk-x"}, False) != saved
    assert pm.Edits.of(prefs, form, {}, True) != saved
    assert pm.Edits.of(pm.choose(prefs, "claude", "off"), form, {}, False) != saved
    assert pm.Edits.of(pm.choose(prefs, "claude", "watch"), form, {}, False) == saved
    assert pm.title(False) == "trayapp Preferences"
    assert pm.title(True) == "trayapp Preferences \N{EN DASH} unsaved changes"
