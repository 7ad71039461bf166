#!/usr/bin/env bash
# The test command: lint, type-check, the docs site, then the whole test suite.
# Creates .venv on first use. Extra arguments go to pytest (e.g. -k probe).
# Desktop tests need Xvfb, a tray host and dunst (see CONTRIBUTING.md); without them
# they skip with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
"$VENV/bin/ruff" check trayapp tests scripts packaging bench assets docs
"$VENV/bin/mypy" trayapp
# The layers (pyproject.toml [tool.importlinter]); its banner only when a contract breaks.
if ! contracts=$("$VENV/bin/lint-imports" --no-cache 2>&1); then echo "$contracts"; exit 1; fi
echo "import contracts: ${contracts##*$'\n'}"
# The docs site: every page and link (strict; not -q, which hides the warnings that
# strict counts), then the pages generated from the code must be current.
site=$(mktemp -d)
if ! out=$(NO_MKDOCS_2_WARNING=1 "$VENV/bin/mkdocs" build --strict -d "$site" 2>&1); then
    printf '%s\n' "$out" >&2
    exit 1
fi
rm -rf "$site"
"$VENV/bin/python" docs/generate.py --check
exec "$VENV/bin/python" -m pytest "$@"
