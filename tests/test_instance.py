"""Single instance: two real processes, and a killed holder never blocks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from trayapp.edges.instance import (
    LOCK_NAME,
    InstanceLockError,
    acquire,
    already_running_message,
    holder_pid,
)

HOLDER = """
import sys
from pathlib import Path
from trayapp.edges.instance import acquire
lock = acquire(Path(sys.argv[1]))
print("ready" if lock else "busy", flush=True)
sys.stdin.read()  # hold until the test closes our stdin (or kills us)
"""

CONTENDER = """
import sys
from pathlib import Path
from trayapp.edges.instance import acquire, already_running_message
lock = acquire(Path(sys.argv[1]))
if lock is None:
    print(already_running_message(Path(sys.argv[1])))
    raise SystemExit(3)
print("acquired")
"""


def _start_holder(directory: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(directory)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"  # readiness line, no sleeps
    return proc


def _contend(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CONTENDER, str(directory)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_second_process_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    holder = _start_holder(tmp_path)
    try:
        second = _contend(tmp_path)
        assert second.returncode == 3, second.stderr
        assert second.stdout.strip() == f"trayapp is already running (pid {holder.pid})"
        assert second.stderr == ""
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    holder = _start_holder(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    assert holder.wait() == -signal.SIGKILL
    assert (tmp_path / LOCK_NAME).exists()  # the file stays; the lock does not
    assert holder_pid(tmp_path) == holder.pid  # even the old PID is still there
    second = _contend(tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout.strip() == "acquired"


def test_a_clean_exit_releases_too(tmp_path: Path) -> None:
    holder = _start_holder(tmp_path)
    holder.communicate("")  # close stdin: the holder exits normally
    lock = acquire(tmp_path)
    assert lock is not None
    with lock:
        assert lock.held
    assert not lock.held


def test_in_process_acquire_release_and_context_manager(tmp_path: Path) -> None:
    first = acquire(tmp_path)
    assert first is not None
    assert holder_pid(tmp_path) == os.getpid()
    assert acquire(tmp_path) is None  # a second open of the file is refused too
    assert already_running_message(tmp_path) == f"trayapp is already running (pid {os.getpid()})"
    first.release()
    first.release()  # harmless twice
    assert not first.held
    assert holder_pid(tmp_path) is None  # the PID is cleared on release
    again = acquire(tmp_path)
    assert again is not None
    with again as entered:
        assert entered is again and again.held
    assert not again.held
    assert acquire(tmp_path) is not None


def test_creates_the_directory(tmp_path: Path) -> None:
    lock = acquire(tmp_path / "a" / "b")
    assert lock is not None
    lock.release()


def test_message_without_a_readable_pid(tmp_path: Path) -> None:
    assert already_running_message(tmp_path) == "trayapp is already running"
    (tmp_path / LOCK_NAME).write_text("garbage")
    assert holder_pid(tmp_path) is None


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root ignores file modes"
)
def test_unwritable_directory_is_a_one_line_error(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(InstanceLockError, match="cannot create the lock file"):
            acquire(tmp_path / "sub")
    finally:
        tmp_path.chmod(0o700)


def test_a_file_in_the_way_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "notadir"
    blocker.write_text("")
    with pytest.raises(InstanceLockError) as info:
        acquire(blocker)
    assert "\n" not in str(info.value)
    assert str(blocker / LOCK_NAME) in str(info.value)
