from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.loopback import LoopbackServer

# Tests that share one xdist worker (scripts/test.sh: ``--dist loadgroup``):
# the desktop tests (each module starts its own Xvfb, D-Bus, tray and dunst;
# side by side on two cores they would fight over the CPU that their waits
# and pixel checks assume); the resolver tests (a UDP socket on the fixed
# address 127.0.0.77:53: two at once, and the second skips); the fault matrix
# (a module fixture runs every cell up front: split, each worker would run
# all of it); the release build (a module fixture builds the artifacts once).
# Every other test goes to whichever worker is free.
SERIAL_GROUPS = {"tests/desktop/": "desktop", "tests/faults/test_resolver.py": "resolver",
                 "tests/faults/test_matrix.py": "matrix", "tests/test_release_build.py": "release"}


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist's loadgroup, grouping by SERIAL_GROUPS as well. (Not by marking the
    tests ``xdist_group``: xdist 3.8 tags a marked test by setting ``item._nodeid``,
    which pytest 9.2 no longer reads, so those marks are silently ignored.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling  # type: ignore[import-untyped]  # no py.typed

    class SerialGroups(LoadGroupScheduling):  # type: ignore[misc]  # xdist is untyped
        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in SERIAL_GROUPS.items():
                if nodeid.startswith(prefix):
                    return group
            return str(super()._split_scope(nodeid))

    return SerialGroups(config, log)


@pytest.fixture(scope="session", autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """HOME and the XDG dirs (not the cache) point into this worker's temp dir
    for the whole run: a test that forgets to isolate itself writes there, not
    into the developer's own config and state, nor into another worker's."""
    home = tmp_path_factory.mktemp("home")
    real_cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    keep = {k: os.environ.get(k) for k in ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME",
                                           "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "XDG_CACHE_HOME")}
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    os.environ.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                      XDG_STATE_HOME=str(home / ".local/state"),
                      XDG_DATA_HOME=str(home / ".local/share"), XDG_RUNTIME_DIR=str(runtime),
                      # shared on purpose: tools' caches (PyInstaller's) are safe to share
                      XDG_CACHE_HOME=real_cache)
    try:
        yield home
    finally:
        for key, value in keep.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer()
    try:
        yield srv
    finally:
        srv.close()


# -- the end-of-run line naming what was skipped, by group -----------------------

INSTALL_HINT = re.compile(r"\s*\((?:Debian|apt-get|pip install|see the README)[^)]*\)?")


def skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    reason = str(longrepr[2]) if isinstance(longrepr, tuple) else str(longrepr)
    reason = reason.removeprefix("Skipped: ").strip()
    return INSTALL_HINT.sub("", reason).strip() or "no reason given"


def skip_group(report: pytest.TestReport | pytest.CollectReport) -> str:
    if report.nodeid.startswith("tests/desktop/") or "desktop" in report.keywords:
        return "desktop"
    return ""


def skipped_groups(reports: list[pytest.TestReport | pytest.CollectReport]) -> str:
    """``desktop 78 (desktop programs missing: Xvfb 78); modes are POSIX 2``:
    the desktop tests as one group with its reasons, every other skip by reason."""
    desktop: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for rep in reports:
        (desktop if skip_group(rep) == "desktop" else other)[skip_reason(rep)] += 1
    parts = []
    if desktop:
        why = "; ".join(f"{reason} {n}" for reason, n in desktop.most_common(3))
        if len(desktop) > 3:
            why += f"; {len(desktop) - 3} more reasons"
        parts.append(f"desktop {desktop.total()} ({why})")
    parts += [f"{reason} {n}" for reason, n in other.most_common()]
    return "; ".join(parts)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_terminal_summary(
        terminalreporter: pytest.TerminalReporter) -> Generator[None, None, None]:
    yield           # after pytest's own summaries (durations, short test summary)
    reports = [rep for rep in terminalreporter.stats.get("skipped", [])
               if getattr(rep, "skipped", False)]
    terminalreporter.write_line(
        "skipped groups: " + (skipped_groups(reports) if reports else "none"))
