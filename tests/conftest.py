from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.loopback import LoopbackServer


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer()
    try:
        yield srv
    finally:
        srv.close()
