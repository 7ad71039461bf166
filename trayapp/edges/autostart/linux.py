"""Linux and other XDG desktops: ``$XDG_CONFIG_HOME/autostart/trayapp.desktop``.

The entry follows the Desktop Entry spec (1.4) and its Autostart addendum;
``Exec`` holds the absolute command, quoted per the spec. Desktops that let
the user switch an entry off without deleting it write ``Hidden=true`` or
``X-GNOME-Autostart-enabled=false``; status reports those as disabled.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from trayapp.edges.autostart.base import FileEntry, Status, other_install

FILE_NAME = "trayapp.desktop"
# Characters that force an Exec argument into double quotes (spec: "Exec key").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
_ESCAPED_IN_QUOTES = set('"`$\\')


def config_home(environ: dict[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME`` when it is an absolute path, else ``~/.config``."""
    env = os.environ if environ is None else environ
    value = env.get("XDG_CONFIG_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / ".config"


def quote_exec_arg(arg: str) -> str:
    """One argument of an ``Exec`` value, quoted and escaped per the spec."""
    if not arg:
        return '""'
    arg = arg.replace("%", "%%")  # a literal percent is written as %%
    if not any(ch in _RESERVED for ch in arg):
        return arg
    inner = "".join("\\" + ch if ch in _ESCAPED_IN_QUOTES else ch for ch in arg)
    return f'"{inner}"'


def exec_value(argv: Sequence[str]) -> str:
    """The ``Exec=`` value as it is written in the file (string-escaped)."""
    line = " ".join(quote_exec_arg(a) for a in argv)
    # The value is also a desktop-entry "string": backslashes and control
    # characters are escaped once more on top of the Exec quoting.
    return (
        line.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    )


def exec_program(value: str) -> str | None:
    """The program (first argument) of an ``Exec=`` value as written in the file:
    the string escape undone, then the spec's quoting (the inverse of exec_value)."""
    line = value.replace("\\\\", "\x00").replace("\\s", " ").replace("\\n", "\n") \
        .replace("\\t", "\t").replace("\\r", "\r").replace("\x00", "\\")
    line = line.lstrip()
    if not line:
        return None
    if not line.startswith('"'):
        return line.split(" ", 1)[0].replace("%%", "%")
    out, i = [], 1
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line) and line[i + 1] in _ESCAPED_IN_QUOTES:
            out.append(line[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(out).replace("%%", "%")
        out.append(ch)
        i += 1
    return None               # an unterminated quote


def desktop_entry(argv: Sequence[str]) -> str:
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            "Version=1.4",
            "Name=trayapp",
            "GenericName=AI status monitor",
            "Comment=Shows in the system tray whether your AI tools are up",
            f"Exec={exec_value(argv)}",
            "Icon=trayapp",
            "Terminal=false",
            "StartupNotify=false",
            "Categories=Utility;",
            "X-GNOME-Autostart-enabled=true",
            "",
        ]
    )


class XdgAutostart(FileEntry):
    """The XDG autostart entry under ``config_dir`` (``$XDG_CONFIG_HOME``)."""

    def __init__(self, config_dir: Path, argv: Sequence[str]) -> None:
        super().__init__(Path(config_dir) / "autostart" / FILE_NAME, argv)

    def payload(self) -> bytes:
        return desktop_entry(self.argv).encode("utf-8")

    def read_status(self, data: bytes) -> Status:
        keys = _main_group(data.decode("utf-8", errors="replace"))
        if keys.get("Hidden", "").lower() == "true":
            return Status(False, self.location, "hidden by the desktop's startup settings")
        if keys.get("X-GNOME-Autostart-enabled", "").lower() == "false":
            return Status(False, self.location, "turned off in the desktop's startup settings")
        if keys.get("Exec") != exec_value(self.argv):
            return other_install(self.location, exec_program(keys.get("Exec", "")))
        return Status(True, self.location)


def _main_group(text: str) -> dict[str, str]:
    """The keys of the ``[Desktop Entry]`` group (enough to read our own file)."""
    keys: dict[str, str] = {}
    in_main = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            in_main = line == "[Desktop Entry]"
        elif in_main and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            keys.setdefault(key.strip(), value.strip())
    return keys
