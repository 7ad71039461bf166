#!/usr/bin/env bash
# The test command: lint, type-check, the import contracts, the docs site, then
# the whole test suite, in parallel on the machine's cores (pytest-xdist), with
# the 15 slowest tests listed.
#
#   scripts/test.sh            everything
#   scripts/test.sh --fast     the inner loop: ruff, mypy, the contracts and the unit
#                              tests (no docs site, desktop, slow, benchmark or
#                              fault-injection tests)
#
# Creates .venv on first use. Other arguments go to pytest (e.g. -k probe;
# -n 0 runs in one process). TRAYAPP_TEST_WORKERS sets the worker count
# (default: two per core). Desktop tests need Xvfb, a tray host and dunst (see
# CONTRIBUTING.md); without them they skip with the reason, and the last lines
# say which groups were skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
fast=0
args=()
for arg in "$@"; do
    if [ "$arg" = --fast ]; then fast=1; else args+=("$arg"); fi
done
. scripts/venv.sh
"$VENV/bin/ruff" check trayapp tests scripts packaging bench assets docs
"$VENV/bin/mypy" trayapp bench
# The macOS and Windows branches, type-checked as those systems (a cache each, so
# the three checks never invalidate one another's).
for plat in darwin win32; do
    "$VENV/bin/mypy" --platform "$plat" --cache-dir ".mypy_cache/$plat" trayapp
done
# The layers (pyproject.toml [tool.importlinter]); its banner only when a contract breaks.
if ! contracts=$("$VENV/bin/lint-imports" --no-cache 2>&1); then echo "$contracts"; exit 1; fi
echo "import contracts: ${contracts##*$'\n'}"
if [ "$fast" = 0 ]; then
    # The docs site: every page and link (strict; not -q, which hides the warnings that
    # strict counts), then the pages generated from the code must be current.
    site=$(mktemp -d)
    if ! out=$(NO_MKDOCS_2_WARNING=1 "$VENV/bin/mkdocs" build --strict -d "$site" 2>&1); then
        printf '%s\n' "$out" >&2
        exit 1
    fi
    rm -rf "$site"
    "$VENV/bin/python" docs/generate.py --check
    echo "docs site: built (strict), generated pages current"
fi
# Two workers per core: most of the suite's time is waiting (subprocesses,
# loopback servers, timeouts, the soak), not CPU. --dist loadgroup: the groups
# in tests/conftest.py (the desktop sessions, the fixed-address resolver test,
# the fault matrix) each stay on one worker.
workers="${TRAYAPP_TEST_WORKERS:-$(( $(nproc 2>/dev/null || echo 1) * 2 ))}"
pytest=("$VENV/bin/python" -m pytest -n "$workers" --dist loadgroup --durations=15)
if [ "$fast" = 1 ]; then
    pytest+=(-m "not desktop and not slow" --ignore=tests/desktop --ignore=tests/faults
             --ignore=tests/test_bench_smoke.py --ignore=tests/test_bench_history.py
             --ignore=tests/test_contracts.py --ignore=tests/test_docs.py)
fi
exec "${pytest[@]}" ${args[@]+"${args[@]}"}
