"""The README's promises that can drift: the vendor table and the two set-up commands."""

from __future__ import annotations

from pathlib import Path

from trayapp.config import load_presets

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_every_preset_is_in_the_vendor_table() -> None:
    for pid, preset in load_presets().items():
        assert f"| `{pid}` | {preset['name']} |" in README, pid


def test_the_two_setup_commands_exist() -> None:
    root = Path(__file__).parent.parent
    for script in ("scripts/run.sh", "scripts/test.sh"):
        assert f"{script}" in README
        assert (root / script).stat().st_mode & 0o111
