"""`trayapp preferences` without a display, or on a file it cannot edit: one line, no window."""

from __future__ import annotations

from pathlib import Path

from tests.faults.kit import isolated_env, run_cli


def test_without_a_display_one_line_says_what_to_do_instead(tmp_path: Path) -> None:
    env = isolated_env(tmp_path / "env")
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    run = run_cli(env, "preferences")
    assert run.rc == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trayapp: no Preferences window ("), lines
    assert "trayapp init" in lines[0] and "Traceback" not in run.stderr
    assert not (Path(env["XDG_CONFIG_HOME"]) / "trayapp" / "config.toml").exists()


def test_a_file_it_cannot_parse_is_named_and_left_alone(tmp_path: Path) -> None:
    env = isolated_env(tmp_path / "env")
    bad = tmp_path / "bad.toml"
    bad.write_text("# mine\ninterval = \"often\"\n[[services]]\nid = \"claude\"\n"
                   "preset = \"anthropic\"\n")
    before = bad.read_bytes()
    run = run_cli(env, "preferences", "--config", str(bad))
    assert run.rc == 78
    assert run.stderr.strip() == (f"trayapp: cannot edit the configuration: {bad}: interval: "
                                  "must be a whole number (fix the file first)")
    assert bad.read_bytes() == before
