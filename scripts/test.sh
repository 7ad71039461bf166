#!/usr/bin/env bash
# The test command: lint, type-check, then the whole test suite.
# Creates .venv on first use. Extra arguments go to pytest (e.g. -k probe).
# Desktop tests need Xvfb, a tray host and dunst (see README); without them
# they skip with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
"$VENV/bin/ruff" check trayapp tests scripts packaging bench assets docs
"$VENV/bin/mypy" trayapp bench
exec "$VENV/bin/python" -m pytest "$@"
