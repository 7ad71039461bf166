"""The release artifacts, built as the release workflow builds them (issue 30).

From a copy of the tree as a clone would have it (tracked and new files, nothing
ignored): `python -m build` with no deprecation warning, `twine check --strict`
on the sdist and the wheel, and the wheel installed into a fresh venv running
`trayapp --version` and `trayapp status --json` against a loopback server.

The build runs --no-isolation, with the backend from the test extras, so it needs
no network; the fresh venv installs the wheel's dependencies from the package
index (or pip's cache). One worker runs the module (tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

import pytest

from tests.cli_helpers import isolated_env, write_config
from tests.loopback import LoopbackServer, fixture

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
STEM = f"{PROJECT['name'].replace('-', '_')}-{PROJECT['version']}"


@dataclass(frozen=True)
class Built:
    log: str
    wheel: Path
    sdist: Path


def clone_like(dest: Path) -> None:
    """The files a clone of this tree would have, uncommitted work included."""
    names = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], cwd=ROOT, capture_output=True,
                           check=True).stdout.split(b"\0")
    for name in filter(None, names):
        src = ROOT / os.fsdecode(name)
        if src.is_file():                    # a file deleted but not yet committed is gone
            (dest / os.fsdecode(name)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / os.fsdecode(name))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (the build copies what a clone would have)")
    tmp = tmp_path_factory.mktemp("release")
    clone_like(tmp / "src")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation",
                           "--outdir", str(tmp / "dist"), str(tmp / "src")],
                          capture_output=True, text=True, env=env, timeout=300)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    return Built(log, tmp / "dist" / f"{STEM}-py3-none-any.whl",
                 tmp / "dist" / f"{STEM}.tar.gz")


def test_the_build_makes_both_artifacts_without_a_deprecation_warning(built: Built) -> None:
    assert built.wheel.is_file() and built.sdist.is_file(), built.log
    lowered = built.log.lower()
    for warned in ("deprecat", "setuptoolswarning", "is not supported", "2027"):
        assert warned not in lowered, built.log


def test_twine_check_passes_both(built: Built) -> None:
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict",
                           str(built.sdist), str(built.wheel)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2, done.stdout


def test_the_wheel_carries_the_licence_and_the_metadata(built: Built) -> None:
    licence = (ROOT / "LICENSE").read_text()
    with zipfile.ZipFile(built.wheel) as wheel:
        meta = Parser().parsestr(wheel.read(f"{STEM}.dist-info/METADATA").decode())
        assert wheel.read(f"{STEM}.dist-info/licenses/LICENSE").decode() == licence
        names = wheel.namelist()
    assert meta["Name"] == PROJECT["name"] and meta["Version"] == PROJECT["version"]
    assert meta["License-Expression"] == "MIT" and meta["License-File"] == "LICENSE"
    assert float(meta["Metadata-Version"]) >= 2.4
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert urls == PROJECT["urls"]
    assert meta.get_all("Classifier") == PROJECT["classifiers"]
    assert "trayapp/config/presets.toml" in names and "trayapp/py.typed" in names
    assert not [n for n in names if n.startswith("tests/")]
    with tarfile.open(built.sdist) as sdist:
        assert sdist.extractfile(f"{STEM}/LICENSE").read().decode() == licence  # type: ignore[union-attr]


def test_the_wheel_runs_from_a_fresh_venv(built: Built, tmp_path: Path,
                                          server: LoopbackServer) -> None:
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    pip = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q",
                          "--disable-pip-version-check", str(built.wheel)],
                         capture_output=True, text=True, timeout=600)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    env = isolated_env(tmp_path)
    env.pop("PYTHONPATH", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(bin_dir / "trayapp"), *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)

    version = run("--version")
    assert (version.returncode, version.stdout) == (0, f"trayapp {PROJECT['version']}\n")
    where = subprocess.run([str(bin_dir / "python"), "-c",
                            "import trayapp; print(trayapp.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(venv)      # the wheel's, not this tree

    server.set("/generate_204", b"", status=204)
    server.set("/api/v2/summary.json", fixture("statuspage/anthropic-summary-3.json"))
    server.set("/v1/models", fixture("edge-cases/anthropic-api-401-missing-key-1.json"),
               status=401)
    status = run("status", "--json", "--config", str(write_config(tmp_path, server)))
    assert "Traceback" not in status.stderr, status.stderr
    data = json.loads(status.stdout)
    assert status.returncode == 0, status
    assert [(s["id"], s["level"]) for s in data["services"]] == [("claude", "operational")]
