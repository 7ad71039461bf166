"""A keyring backend that takes its time, like a locked keyring waiting for its password.

``PYTHON_KEYRING_BACKEND=tests.slowkeyring.SlowKeyring``: keyrings.alt's file
keyring, whose reads first wait ``TRAYAPP_TEST_KEYRING_DELAY`` seconds.
"""

from __future__ import annotations

import os
import time

from keyrings.alt.file import PlaintextKeyring


class SlowKeyring(PlaintextKeyring):  # type: ignore[misc]
    def get_password(self, service: str, username: str) -> str | None:
        time.sleep(float(os.environ.get("TRAYAPP_TEST_KEYRING_DELAY", "0")))
        found: str | None = super().get_password(service, username)
        return found
