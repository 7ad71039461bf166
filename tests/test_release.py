"""Ready to publish (issue 30): the name, the version, the licence, the changelog and
the release workflow, as files. Building and installing the artifacts is
tests/test_release_build.py (slow)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

import trayapp
from trayapp.windows.about import licence

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
RELEASE = ROOT / ".github" / "workflows" / "release.yml"
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
COPYRIGHT = "Copyright (c) 2026 the trayapp contributors"


def test_the_package_answers_with_its_distributions_name_and_version() -> None:
    assert PROJECT["name"] == trayapp.DIST_NAME
    assert trayapp.__version__ == PROJECT["version"]      # read from the installed metadata


def test_the_quick_look_agrees_with_importlib_metadata() -> None:
    from importlib.metadata import version
    assert trayapp.installed_version() == version(trayapp.DIST_NAME) == PROJECT["version"]


def test_a_tree_that_was_never_installed_says_its_version_is_unknown(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "trayapp", tmp_path / "trayapp")
    done = subprocess.run([sys.executable, "-S", "-c",
                           "import trayapp; print(trayapp.__version__)"],
                          cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == trayapp.UNKNOWN_VERSION


def test_the_licence_is_mit_as_spdx_with_its_file() -> None:
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n") and COPYRIGHT in text
    # PEP 639: the SPDX string replaces the licence classifier (setuptools refuses both)
    assert not [c for c in PROJECT["classifiers"] if c.startswith("License ::")]


def test_the_about_window_reads_the_installed_licence() -> None:
    assert licence() == ("MIT", (ROOT / "LICENSE").read_text())


def test_the_metadata_says_where_things_are() -> None:
    urls = PROJECT["urls"]
    assert {"Source", "Documentation", "Issues", "Changelog"} <= set(urls)
    assert all(u.startswith("https://") for u in urls.values())
    classifiers = PROJECT["classifiers"]
    for kind in ("Development Status :: ", "Environment :: ", "Intended Audience :: ",
                 "Programming Language :: Python :: 3.11"):
        assert any(c.startswith(kind) for c in classifiers), kind
    for system in ("POSIX :: Linux", "MacOS", "Microsoft :: Windows"):
        assert f"Operating System :: {system}" in classifiers
    assert PROJECT["keywords"]
    assert PROJECT["scripts"] == {"trayapp": "trayapp.cli.main:main"}


# -- CHANGELOG.md: Keep a Changelog 1.1 --------------------------------------------

CHANGELOG = (ROOT / "CHANGELOG.md").read_text()
KINDS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_the_changelog_is_keep_a_changelog_with_this_version_on_top() -> None:
    assert CHANGELOG.startswith("# Changelog\n")
    versions = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", CHANGELOG, re.M)
    assert len(versions) == len(re.findall(r"^## ", CHANGELOG, re.M)), "a malformed heading"
    assert versions[0] == ("Unreleased", "")
    assert versions[1][0] == PROJECT["version"], "the released version on top is this one"
    dates = [date.fromisoformat(d) for _, d in versions[1:]]
    assert all(dates) and dates == sorted(dates, reverse=True)
    for kind in re.findall(r"^### (.+)$", CHANGELOG, re.M):
        assert kind in KINDS, kind
    for name, _ in versions:
        assert re.search(rf"^\[{re.escape(name)}\]: https://", CHANGELOG, re.M), name


# -- the workflows -------------------------------------------------------------------

def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows",
                           str(path)], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_every_workflow_is_schema_valid(path: Path) -> None:
    done = validate(path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("edit", [
    ("runs-on: ${{ matrix.os }}", "run-on: ${{ matrix.os }}"),       # a misspelt key
    ("      id-token: write", "      id-token: always"),              # a value not allowed
])
def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path,
                                                    edit: tuple[str, str]) -> None:
    text = RELEASE.read_text()
    assert edit[0] in text
    broken = tmp_path / "release.yml"
    broken.write_text(text.replace(edit[0], edit[1], 1))
    assert validate(broken).returncode != 0


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))       # YAML 1.1 reads the key `on` as true
    return data


def test_the_release_workflow_publishes_a_tag_without_a_token() -> None:
    flow = load(RELEASE)
    assert flow["on"] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+*"]}}
    assert flow["permissions"] == {"contents": "read"}
    assert flow["env"]["DIST_NAME"] == PROJECT["name"]
    jobs = flow["jobs"]
    publish = jobs["publish"]
    assert publish["permissions"] == {"id-token": "write"}       # trusted publishing (OIDC)
    assert set(publish["needs"]) == {"dist", "apps"}              # nothing half-released
    step = next(s for s in publish["steps"] if "pypi-publish" in s.get("uses", ""))
    assert "with" not in step                                     # no password, no token
    assert "secrets." not in RELEASE.read_text()
    assert {i["os"].split("-")[0] for i in jobs["apps"]["strategy"]["matrix"]["include"]} \
        == {"ubuntu", "macos", "windows"}
    release = jobs["release"]
    assert release["permissions"] == {"contents": "write"}
    runs = "\n".join(s.get("run", "") for s in release["steps"])
    assert "sha256sum" in runs and "SHA256SUMS" in runs and "gh release create" in runs


# -- the docs use the name -----------------------------------------------------------

def test_the_readme_and_install_page_install_by_the_new_name() -> None:
    line = f"pipx install {PROJECT['name']}"
    assert line in (ROOT / "README.md").read_text()
    assert line in (ROOT / "docs" / "install.md").read_text()
    assert "releasing.md" in (ROOT / "mkdocs.yml").read_text()
