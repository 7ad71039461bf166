# Sourced by run.sh and test.sh: make .venv and install trayapp into it,
# editable, with the test tools. Re-installs only when pyproject.toml changed.
VENV="${TRAYAPP_VENV:-$PWD/.venv}"
PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PY" -m venv "$VENV" >/dev/null 2>&1; then
        echo "error: '$PY -m venv' failed; on Debian/Ubuntu install it with: apt-get install python3-venv" >&2
        exit 1
    fi
fi
stamp="$VENV/.trayapp-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[test]'
    # PyGObject (for pystray's gtk/appindicator backends and the full tray
    # menu) cannot be pip-installed without build tools; reuse the system's
    # copy when it is there and matches this Python.
    site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    ver=$("$VENV/bin/python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    if [ -d /usr/lib/python3/dist-packages/gi ] && [ ! -e "$site/gi" ] \
        && ls /usr/lib/python3/dist-packages/gi/_gi.cpython-"${ver/./}"* >/dev/null 2>&1; then
        ln -s /usr/lib/python3/dist-packages/gi "$site/gi"
    fi
    touch "$stamp"
fi
