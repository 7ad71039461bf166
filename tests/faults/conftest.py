from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.kit import isolated_env, self_signed_cert
from tests.loopback import LoopbackServer


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment whose HOME and XDG dirs are under tmp_path."""
    return isolated_env(tmp_path / "env")


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    files = self_signed_cert(tmp_path_factory.mktemp("tls"))
    if files is None:
        pytest.skip("neither the openssl CLI nor the cryptography package is installed")
    return files


@pytest.fixture
def tls_server(tls_files: tuple[Path, Path]) -> Iterator[LoopbackServer]:
    """An https server on 127.0.0.1 with a self-signed certificate nobody trusts."""
    srv = LoopbackServer(tls=tls_files)
    try:
        yield srv
    finally:
        srv.close()


@pytest.fixture
def full_dir(tmp_path: Path) -> object:
    """A tiny tmpfs, filled up: writes fail with ENOSPC. Skips where mount is refused."""
    mnt = tmp_path / "full"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        (mnt / "trayapp").mkdir()
        try:
            with open(mnt / "filler", "wb") as f:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
        except OSError:
            pass
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)
