"""The model probe budget holds across real processes, and `status` shows it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.fakevendor import FakeVendor
from tests.faults.kit import ROOT, isolated_env, run_cli, trayapp_argv, write_config
from trayapp.edges.budget import Budget

KEY = "sk-ant-budget-" + "7" * 20
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)

_HAMMER = """
import sys, pathlib, datetime
from trayapp.edges.budget import Budget
go = pathlib.Path(sys.argv[2])
while not go.exists():
    pass
budget = Budget(pathlib.Path(sys.argv[1]))
now = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=datetime.timezone.utc)
print(sum(budget.take("claude", now, 250, 1, 0).granted for _ in range(300)))
"""


def test_two_processes_at_once_never_exceed_the_budget(tmp_path: Path) -> None:
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", _HAMMER, str(tmp_path / "b"), str(go)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    go.touch()
    granted = [int(p.communicate(timeout=60)[0]) for p in procs]
    assert sum(granted) == 250, granted           # every probe allowed, and not one more
    assert Budget(tmp_path / "b").spent("claude", NOW, 250).used == 250


def test_a_corrupt_budget_file_spends_nothing_more_today(tmp_path: Path) -> None:
    budget = Budget(tmp_path)
    budget.path("claude").write_text("{not json")
    assert budget.take("claude", NOW, 300, 2, 0).granted == 0
    tomorrow = NOW.replace(day=3)
    assert budget.take("claude", tomorrow, 300, 2, 0).granted == 2


def test_an_unwritable_budget_directory_runs_no_model_probe(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    grant = Budget(blocker / "sub").take("claude", NOW, 300, 2, 0)
    assert grant.granted == 0


@pytest.fixture
def vendor() -> Iterator[FakeVendor]:
    v = FakeVendor(key=KEY)
    try:
        yield v
    finally:
        v.close()


def _config(vendor: FakeVendor, path: Path, limit: int) -> Path:
    return write_config(path, [{
        "id": "claude", "name": "Claude", "feed": False,
        "probe": {"url": f"{vendor.base}/v1/models", "api_key_env": "ANTHROPIC_API_KEY",
                  "api_key_header": "x-api-key", "dialect": "anthropic",
                  "models": ["claude-opus-4-1", "claude-sonnet-4-5"],
                  "max_model_probes_per_day": limit}}])


def test_status_reports_models_latency_and_the_budget(vendor: FakeVendor,
                                                      tmp_path: Path) -> None:
    vendor.set("claude-opus-4-1", 529)
    vendor.set("claude-sonnet-4-5", 200)
    env = isolated_env(tmp_path / "env", ANTHROPIC_API_KEY=KEY)
    config = _config(vendor, tmp_path / "c.toml", 300)
    run = run_cli(env, "status", "--json", "--config", str(config))
    svc = run.service("claude")
    assert run.rc == 1 and svc["level"] == "degraded", run.stdout + run.stderr
    assert "claude-opus-4-1: overloaded (HTTP 529); claude-sonnet-4-5 answers" in svc["summary"]
    assert svc["probe"]["latency_ms"] is not None and "median_ms" in svc["probe"]
    assert [(m["model"], m["level"]) for m in svc["models"]] == [
        ("claude-opus-4-1", "degraded"), ("claude-sonnet-4-5", "operational")]
    assert svc["model_budget"]["used"] == 3 and svc["model_budget"]["limit"] == 300
    assert vendor.counts["claude-opus-4-1"] == 2      # retried once, like the probe
    text = run_cli(env, "status", "--config", str(config))
    assert "model probes today: 6/300" in text.stdout, text.stdout
    assert "try: claude-sonnet-4-5 (same vendor)" in text.stdout, text.stdout
    assert KEY not in run.stdout + run.stderr + text.stdout + text.stderr


def test_two_status_runs_at_once_share_the_budget(vendor: FakeVendor, tmp_path: Path) -> None:
    vendor.set("claude-opus-4-1", 500)
    vendor.set("claude-sonnet-4-5", 500)
    env = isolated_env(tmp_path / "env", ANTHROPIC_API_KEY=KEY)
    config = _config(vendor, tmp_path / "c.toml", 3)
    procs = [subprocess.Popen(trayapp_argv("status", "--json", "--config", str(config)),
                              env=env, cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        p.communicate(timeout=60)
    assert vendor.model_requests() == 3                 # 2 runs x (2 + 2 retries) wanted
    again = run_cli(env, "status", "--json", "--config", str(config))
    assert vendor.model_requests() == 3
    assert again.service("claude")["model_budget"]["used"] == 3
