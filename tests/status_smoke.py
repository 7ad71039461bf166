"""`trayapp status --json` against the loopback fixture server, as CI runs it on Linux,
macOS and Windows (.github/workflows/ci.yml): ``python -m tests.status_smoke``.

Serves real captured Statuspage summaries (tests/fixtures/statuspage: Anthropic's,
operational; GitHub's of 2020-04-02, a major outage) on 127.0.0.1, runs the real
``python -m trayapp status --json`` in an isolated home for each, and checks the
level and the exit code the README documents (0 fine, 2 major outage). Prints one
line per check; exits 1 on the first that differs.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.cli_helpers import isolated_env, status_json, write_config
from tests.loopback import LoopbackServer, fixture

CASES = (("statuspage/anthropic-summary-3.json", "operational", 0),
         ("statuspage/github-summary-1.json", "major_outage", 2))


def check(summary: str, level: str, code: int) -> str | None:
    """None when ``trayapp status --json`` says ``level`` with exit ``code``, else why not."""
    server = LoopbackServer()
    try:
        server.set("/generate_204", b"", status=204)
        server.set("/api/v2/summary.json", fixture(summary))
        server.set("/v1/models", b'{"error": "missing api key"}', status=401)   # up: 401
        with tempfile.TemporaryDirectory() as tmp:
            cfg = write_config(Path(tmp), server)
            rc, data, stderr = status_json(cfg, isolated_env(Path(tmp)))
    finally:
        server.close()
    got = (data.get("overall"), rc)
    return None if got == (level, code) else f"expected {(level, code)}, got {got}: {stderr}"


def main() -> int:
    for summary, level, code in CASES:
        why = check(summary, level, code)
        print(f"{'ok' if why is None else 'FAIL'}: {summary}: {why or level}")
        if why:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
