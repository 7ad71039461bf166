#!/usr/bin/env bash
# The test command: lint, type-check, then the whole test suite.
# Creates .venv on first use. Extra arguments go to pytest (e.g. -k probe).
# Desktop tests need Xvfb, a tray host and dunst (see README); without them
# they skip with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
"$VENV/bin/ruff" check trayapp tests scripts packaging bench assets docs
"$VENV/bin/mypy" trayapp
# The layers (pyproject.toml [tool.importlinter]); its banner only when a contract breaks.
if ! contracts=$("$VENV/bin/lint-imports" --no-cache 2>&1); then echo "$contracts"; exit 1; fi
echo "import contracts: ${contracts##*$'\n'}"
exec "$VENV/bin/python" -m pytest "$@"
