"""The README stays a few screens, and the docs site's generated pages stay current.

`scripts/test.sh` also builds the site with `mkdocs build --strict` (every page
and link) and runs `docs/generate.py --check`.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from trayapp.config import load_presets

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_pages_are_current() -> None:
    assert generator().stale() == [], "run: python docs/generate.py"


def test_every_preset_is_in_the_presets_page() -> None:
    page = (ROOT / "docs" / "reference" / "presets.md").read_text(encoding="utf-8")
    for pid, preset in load_presets().items():
        assert f"| `{pid}` | {preset['name']} |" in page, pid


def test_the_readme_is_a_few_screens_with_the_two_setup_commands() -> None:
    assert len(README.splitlines()) <= 300
    for command in ("scripts/run.sh", "scripts/test.sh"):
        assert re.search(rf"^{re.escape(command)} ", README, flags=re.MULTILINE), command


def test_the_readmes_links_point_at_files() -> None:
    # The site's links are checked by `mkdocs build --strict`; the README is not in it.
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README)
    local = [link for link in links if "://" not in link]
    assert local
    for link in local:
        assert (ROOT / link).exists(), link
