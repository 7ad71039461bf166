"""The README's promise that can drift: the two set-up commands.

The rest of the README's checks (its length, its links) and the docs site's
are in tests/test_docs.py; the presets table is docs/reference/presets.md.
"""

from __future__ import annotations

from pathlib import Path

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_the_two_setup_commands_exist() -> None:
    root = Path(__file__).parent.parent
    for script in ("scripts/run.sh", "scripts/test.sh"):
        assert f"{script}" in README
        assert (root / script).stat().st_mode & 0o111
