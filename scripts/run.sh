#!/usr/bin/env bash
# Run trayapp from this checkout (creates .venv on first use).
# Arguments go to trayapp: scripts/run.sh status, scripts/run.sh watch, ...
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
exec "$VENV/bin/trayapp" "$@"
