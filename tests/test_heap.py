"""heap.release() really hands freed memory back to the kernel (glibc), in a subprocess."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from trayapp import heap

CHILD = """
import sys
from trayapp import heap

def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4

# 4000 blocks of 4 kB (glibc's heap, not pymalloc), then free all but the last,
# which pins the top of the heap: free() alone cannot shrink it.
blocks = [bytes(4096) + bytes([i % 256]) for i in range(4000)]
keep = blocks[-1]
del blocks
before = rss_kb()
asked = heap.release()
after = rss_kb()
print(asked, before, after)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                    reason="malloc_trim is glibc's")
def test_release_returns_freed_heap_to_the_kernel() -> None:
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                         check=True).stdout.split()
    asked, before, after = out[0] == "True", int(out[1]), int(out[2])
    assert asked
    assert before - after > 8 * 1024, (before, after)   # most of the 16 MB came back


def test_release_is_safe_to_call_repeatedly() -> None:
    first = heap.release()
    assert heap.release() is first
