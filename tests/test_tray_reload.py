"""Config reload: a changed file is reloaded; a bad edit keeps the last good config, said once."""

from __future__ import annotations

import os
from pathlib import Path

from trayapp.tray.app import ConfigWatcher


def write(path: Path, text: str, mtime: int) -> None:
    path.write_text(text)
    os.utime(path, (mtime, mtime))


def service_toml(sid: str) -> str:
    return f'[[services]]\nid = "{sid}"\nprobe = {{ url = "https://{sid}.example.com" }}\n'


def test_reload_on_change_and_bad_edit_reported_once(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    write(cfg, service_toml("a"), 1000)
    watcher = ConfigWatcher(cfg)
    assert watcher.check() == (None, None)                 # unchanged: nothing to do
    write(cfg, service_toml("b"), 1001)
    new, err = watcher.check()
    assert err is None and new is not None and new.services[0].id == "b"
    assert watcher.check() == (None, None)
    write(cfg, "services = [", 1002)                       # a bad edit
    new, err = watcher.check()
    assert new is None and err is not None and "not valid TOML" in err
    assert watcher.check() == (None, None)                 # told once, not every cycle
    write(cfg, service_toml("c"), 1003)                    # fixed
    new, err = watcher.check()
    assert new is not None and new.services[0].id == "c"


def test_missing_file_is_not_an_error(tmp_path: Path) -> None:
    watcher = ConfigWatcher(tmp_path / "nope.toml")
    assert watcher.check() == (None, None)
    assert ConfigWatcher(None).check() == (None, None)
