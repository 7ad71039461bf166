from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.desktop.session import DesktopSession, missing_programs


@pytest.fixture(scope="module")
def desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DesktopSession]:
    missing = missing_programs()
    if missing:
        pytest.skip("desktop programs missing: " + ", ".join(missing) + " (Debian: apt-get "
                    "install xvfb x11-utils tint2 dbus dunst libnotify-bin xdotool)")
    with DesktopSession(Path(tmp_path_factory.mktemp("desktop"))) as desk:
        yield desk
