"""`trayapp init` (a commented starter config, never overwriting) and Save's file
handling (validated first, atomic, one backup)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.faults.kit import isolated_env, run_cli
from tests.loopback import free_port
from trayapp.config import (
    DEFAULT_CONFIG_TOML,
    ConfigError,
    default_config,
    default_toml,
    load_presets,
    parse_text,
)
from trayapp.edges import configwrite


def test_the_starter_is_the_default_with_every_preset_listed() -> None:
    text = configwrite.starter_text()
    starter, default = parse_text(text, "starter"), default_config()
    assert starter.services == default.services
    assert starter.interval == default.interval
    for pid in load_presets():
        assert any(line.startswith(f"#   {pid} ") for line in text.splitlines()), pid


def test_init_writes_the_file_prints_its_path_and_refuses_to_overwrite(tmp_path: Path) -> None:
    # No Ollama answers (OLLAMA_HOST names a port nothing listens on): left commented out.
    env = isolated_env(tmp_path / "env", OLLAMA_HOST=f"127.0.0.1:{free_port()}")
    first = run_cli(env, "init")
    path = Path(env["XDG_CONFIG_HOME"]) / "trayapp" / "config.toml"
    assert first.rc == 0, first.stderr
    assert first.stdout.strip() == str(path)
    assert path.read_text() == configwrite.starter_text(ollama=None)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text(DEFAULT_CONFIG_TOML + "# mine\n")
    again = run_cli(env, "init")
    assert again.rc == 1
    assert again.stderr.strip().splitlines() == [
        f"trayapp: {path} already exists; not overwritten"]
    assert path.read_text().endswith("# mine\n")


def test_init_with_config_writes_there(tmp_path: Path) -> None:
    env = isolated_env(tmp_path / "env")
    target = tmp_path / "elsewhere" / "my.toml"
    done = run_cli(env, "init", "--config", str(target))
    assert done.rc == 0 and done.stdout.strip() == str(target)
    parse_text(target.read_text(), str(target))


def test_save_keeps_one_backup_and_writes_atomically(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    configwrite.save(path, DEFAULT_CONFIG_TOML)
    assert path.read_text() == DEFAULT_CONFIG_TOML
    assert not configwrite.backup_path(path).exists()      # nothing to back up
    second = DEFAULT_CONFIG_TOML.replace("[[services]]", "interval = 90\n\n[[services]]", 1)
    configwrite.save(path, second)
    assert configwrite.backup_path(path).read_text() == DEFAULT_CONFIG_TOML
    third = second.replace("interval = 90", "interval = 120")
    configwrite.save(path, third)
    assert path.read_text() == third
    assert configwrite.backup_path(path).read_text() == second
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml", "config.toml.bak"]


def test_a_save_the_parser_refuses_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(DEFAULT_CONFIG_TOML)
    bad = DEFAULT_CONFIG_TOML.replace('preset = "openai"', 'preset = "nope"')
    with pytest.raises(ConfigError) as caught:
        configwrite.save(path, bad)
    assert str(caught.value).startswith(f"{path}: services.openai.preset: unknown preset")
    assert path.read_text() == DEFAULT_CONFIG_TOML
    assert not configwrite.backup_path(path).exists()


def test_current_text_is_the_default_when_there_is_no_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{free_port()}")   # no Ollama here
    assert configwrite.current_text(tmp_path / "none.toml") == (default_toml(None), False)
    (tmp_path / "bin.toml").write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match="not UTF-8"):
        configwrite.current_text(tmp_path / "bin.toml")
