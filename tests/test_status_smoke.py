"""The CI's status smoke check (tests/status_smoke.py) runs here too, and can fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.status_smoke import check

ROOT = Path(__file__).resolve().parents[1]


def test_the_smoke_check_passes_as_ci_runs_it() -> None:
    done = subprocess.run([sys.executable, "-m", "tests.status_smoke"], cwd=ROOT, text=True,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("ok: ") == 2 and "Traceback" not in done.stderr


def test_the_smoke_check_sees_a_wrong_level() -> None:
    why = check("statuspage/github-summary-1.json", "operational", 0)
    assert why is not None and "major_outage" in why
