"""The import contracts (pyproject.toml, ``[tool.importlinter]``) pass, and they bite:
each kind of wrong import, planted in a copy of the package, breaks the contract that
forbids it. ``lint-imports`` runs in the test command too; this proves it can fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
LINT = Path(sys.executable).parent / "lint-imports"

# (file to change, line to add, the contract that must break)
WRONG = [
    ("core/pick.py", "from trayapp.tray import menu", "Layers"),           # core -> interface
    ("sources/rss.py", "from trayapp.edges import http", "Layers"),        # adapter -> network
    ("domain/levels.py", "from trayapp.config import Config", "Layers"),   # vocabulary -> config
    ("tray/menu.py", "from trayapp.windows import details_text", "Layers"),  # sibling interfaces
    ("runtime/engine.py", "from trayapp.cli import quick", "Layers"),      # loop -> command
    ("core/monitor.py", "import subprocess", "The pure layers"),
    ("config/reader.py", "import httpx", "The pure layers"),
    ("core/latency.py", "from trayapp.core import monitor", "No import cycles"),
    ("core/assess.py", "from trayapp.config.schema import _merged", "No private name"),
]


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1"}
    return subprocess.run([str(LINT), "--no-cache"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)


def copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "trayapp", tmp_path / "trayapp",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "tests").mkdir()
    for name in ("__init__.py", "contracts.py"):
        shutil.copy(ROOT / "tests" / name, tmp_path / "tests" / name)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.fixture(scope="module")
def lint_imports() -> Path:
    if not LINT.exists():
        pytest.skip("lint-imports (import-linter) is not installed in this environment")
    return LINT


def test_the_contracts_are_kept(lint_imports: Path, tmp_path: Path) -> None:
    done = lint(copy_of_the_package(tmp_path))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(("where", "line", "contract"), WRONG,
                         ids=[f"{w}:{c}" for w, _, c in WRONG])
def test_a_wrong_import_breaks_its_contract(lint_imports: Path, tmp_path: Path, where: str,
                                            line: str, contract: str) -> None:
    root = copy_of_the_package(tmp_path)
    target = root / "trayapp" / where
    source = target.read_text()
    # after `from __future__ import annotations`, so the module stays valid Python
    head, sep, rest = source.partition("from __future__ import annotations\n")
    target.write_text(head + sep + line + "  # planted by the test\n" + rest)
    done = lint(root)
    assert done.returncode != 0, done.stdout[-3000:]
    broken = [ln for ln in done.stdout.splitlines() if ln.rstrip().endswith("BROKEN")]
    assert any(ln.startswith(contract) for ln in broken), (contract, broken)
