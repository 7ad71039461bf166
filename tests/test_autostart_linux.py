"""XDG autostart: round trips, spec-valid entry, and an Exec line that runs."""

from __future__ import annotations

import inspect
import io
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import trayapp
import trayapp.cli.main
from trayapp.edges.autostart import (
    AutostartError,
    backend,
    disable,
    enable,
    is_enabled,
    run_command,
    status,
)
from trayapp.edges.autostart.base import launch_argv
from trayapp.edges.autostart.linux import XdgAutostart, desktop_entry

NASTY = [
    "/opt/my apps/tray app",
    "a$HOME b",
    'say "hi"',
    "back\\slash",
    "100%",
    "tab\there",
    "it's `x`",
    "émoji ✓",
    "",
]


def parse_exec(value: str) -> list[str]:
    """An independent reading of an ``Exec=`` value, per the Desktop Entry spec."""
    # 1. The value is a "string": undo \s \n \t \r \\ first.
    text, i = "", 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            text += {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}[value[i + 1]]
            i += 2
        else:
            text += value[i]
            i += 1
    # 2. Split into arguments; double quotes group, and inside them a
    #    backslash escapes " ` $ and \.
    args: list[str] = []
    cur: str | None = None
    i, quoted = 0, False
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == "\\" and text[i + 1] in '"`$\\':
                cur = (cur or "") + text[i + 1]
                i += 1
            elif ch == '"':
                quoted = False
            else:
                cur = (cur or "") + ch
        elif ch == '"':
            quoted, cur = True, cur or ""
        elif ch == " ":
            if cur is not None:
                args.append(cur)
            cur = None
        else:
            cur = (cur or "") + ch
        i += 1
    assert not quoted, "unterminated quote"
    if cur is not None:
        args.append(cur)
    # 3. %% is a literal percent; we write no field codes.
    return [a.replace("%%", "%") for a in args]


def exec_of(path: Path) -> str:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.startswith("Exec=")]
    assert len(lines) == 1
    return lines[0].removeprefix("Exec=")


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config"


def test_round_trip_through_the_cli_contract(xdg: Path) -> None:
    path = xdg / "autostart" / "trayapp.desktop"
    out = io.StringIO()
    assert run_command("status", out) == 0
    assert out.getvalue() == f"autostart disabled: {path} (no entry)\n"
    assert not is_enabled()

    out = io.StringIO()
    assert run_command("enable", out) == 0
    assert out.getvalue() == f"autostart enabled: {path}\n"
    assert path.is_file() and is_enabled()
    before = path.stat()

    assert enable() == str(path)  # twice: harmless, and the file is not rewritten
    assert path.stat().st_ino == before.st_ino
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert list(path.parent.iterdir()) == [path]  # no temp files left behind

    out = io.StringIO()
    assert run_command("status", out) == 0
    assert out.getvalue() == f"autostart enabled: {path}\n"

    out = io.StringIO()
    assert run_command("disable", out) == 0
    assert out.getvalue() == f"autostart disabled: removed {path}\n"
    assert not path.exists() and not is_enabled()

    out = io.StringIO()
    assert run_command("disable", out) == 0  # when absent: fine
    assert out.getvalue() == f"autostart disabled: there was no entry at {path}\n"


def test_a_hand_deleted_entry_is_never_recreated(xdg: Path) -> None:
    path = Path(enable())
    path.unlink()
    assert not is_enabled()
    status()
    run_command("status", io.StringIO())
    assert not path.exists()


@pytest.mark.parametrize(
    "line", ["Hidden=true", "X-GNOME-Autostart-enabled=false"], ids=["hidden", "gnome-off"]
)
def test_switched_off_by_the_desktop_reads_as_disabled(xdg: Path, line: str) -> None:
    path = Path(enable())
    text = path.read_text().replace("X-GNOME-Autostart-enabled=true\n", "") + line + "\n"
    path.write_text(text)
    state = status()
    assert not state.enabled and "startup settings" in state.note
    enable()  # an explicit enable turns it back on
    assert is_enabled()


def test_an_entry_from_another_install_is_reported(xdg: Path) -> None:
    entry = XdgAutostart(xdg, ["/old/venv/bin/trayapp"])
    entry.enable()
    state = status()
    assert state.enabled and "another install" in state.note
    enable()
    assert status().note == ""
    assert parse_exec(exec_of(Path(status().location))) == launch_argv()


def test_xdg_config_home_default_and_relative(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/someone")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    assert backend("linux").location == "/home/someone/.config/autostart/trayapp.desktop"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/dir")  # the spec says: ignore it
    assert backend("linux").location == "/home/someone/.config/autostart/trayapp.desktop"


def test_os_errors_are_one_line_messages(xdg: Path) -> None:
    xdg.parent.mkdir(parents=True, exist_ok=True)
    xdg.write_text("a file where the config folder should be")
    out, err = io.StringIO(), io.StringIO()
    assert run_command("enable", out, err) == 1
    assert out.getvalue() == ""
    message = err.getvalue()
    assert message.startswith("error: cannot enable autostart: ")
    assert message.count("\n") == 1 and "Traceback" not in message
    assert str(xdg) in message
    assert run_command("status", out, err) in (0, 1)  # NotADirectory: no entry or error
    assert run_command("frobnicate", out, err) == 2


def test_disable_error_is_one_line(xdg: Path) -> None:
    (xdg / "autostart" / "trayapp.desktop").mkdir(parents=True)  # a folder in its place
    err = io.StringIO()
    assert run_command("disable", io.StringIO(), err) == 1
    assert err.getvalue().startswith("error: cannot disable autostart: ")
    with pytest.raises(AutostartError, match="cannot disable autostart"):
        disable()


def _validate(path: Path) -> None:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
    result = subprocess.run([tool, str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == "", result


def test_the_entry_is_spec_valid(xdg: Path) -> None:
    path = Path(enable())
    text = path.read_text()
    for line in [
        "Type=Application",
        "Terminal=false",
        "Icon=trayapp",
        "X-GNOME-Autostart-enabled=true",
        "Name=trayapp",
    ]:
        assert line + "\n" in text
    assert "Comment=" in text
    _validate(path)


def test_nasty_paths_are_quoted_validly_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "x.desktop"
    path.write_text(desktop_entry(NASTY), encoding="utf-8")
    assert parse_exec(exec_of(path)) == NASTY
    _validate(path)


def test_launch_argv_is_absolute_and_executable() -> None:
    argv = launch_argv()
    assert os.path.isabs(argv[0])
    assert os.path.isfile(argv[0]) and os.access(argv[0], os.X_OK)
    assert argv[1:] in ([], ["-m", "trayapp"])


def test_launch_argv_of_a_frozen_app_is_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/trayapp/trayapp")
    assert launch_argv() == ["/opt/trayapp/trayapp"]


def _exec_argv(xdg: Path) -> list[str]:
    argv = parse_exec(exec_of(Path(enable())))
    assert argv == launch_argv()
    return argv


def test_exec_starts_this_installation(xdg: Path) -> None:
    argv = _exec_argv(xdg)
    assert os.path.isabs(argv[0]) and os.access(argv[0], os.X_OK)
    if argv[1:] == ["-m", "trayapp"]:
        probe = [argv[0], "-c", "import trayapp, sys; print(trayapp.__file__)"]
    else:  # a console script: its shebang names the interpreter that has trayapp
        first = Path(argv[0]).read_text(errors="replace").splitlines()[0]
        assert first.startswith("#!")
        probe = [*first[2:].split(), "-c", "import trayapp; print(trayapp.__file__)"]
    done = subprocess.run(probe, capture_output=True, text=True, timeout=60, cwd="/")
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).resolve() == Path(trayapp.__file__).resolve()


def test_exec_with_version_prints_the_version(xdg: Path) -> None:
    argv = _exec_argv(xdg)
    done = subprocess.run(
        [*argv, "--version"], capture_output=True, text=True, timeout=60, cwd="/"
    )
    if "--version" not in inspect.getsource(trayapp.cli.main):
        pytest.skip("trayapp --version is not implemented yet in trayapp/cli/main.py")
    assert done.returncode == 0, done.stderr
    assert trayapp.__version__ in done.stdout


def test_exec_through_a_path_with_spaces_and_quotes_runs(tmp_path: Path) -> None:
    # A launcher under a hostile folder name: the parsed Exec must run it.
    folder = tmp_path / 'my apps $HOME "q" 100%'
    folder.mkdir()
    launcher = folder / "py"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR)
    entry = tmp_path / "t.desktop"
    entry.write_text(desktop_entry([str(launcher), "-m", "trayapp"]), encoding="utf-8")
    argv = parse_exec(exec_of(entry))
    assert argv == [str(launcher), "-m", "trayapp"]
    done = subprocess.run(
        [argv[0], "-c", "import trayapp; print('ok')"], capture_output=True, text=True, timeout=60
    )
    assert done.stdout == "ok\n", done.stderr
