"""heap really hands freed memory back and caps glibc's arenas, each in a subprocess."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from trayapp.edges import heap

CHILD = """
import sys
from trayapp.edges import heap

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


ARENAS = """
import sys, threading
from trayapp.edges import heap

if sys.argv[1] == "capped":
    assert heap.single_arena()
start = threading.Barrier(4)
kept = []

def work():
    start.wait()
    kept.append([bytes(100_000) for _ in range(5)])   # malloc, from this thread

threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
# glibc reserves 64 MB per thread arena and maps the unused part PROT_NONE.
big_reserved = 0
with open("/proc/self/maps") as f:
    for line in f:
        span, perms = line.split()[:2]
        lo, hi = (int(x, 16) for x in span.split("-"))
        if perms == "---p" and hi - lo > 1024 * 1024:
            big_reserved += 1
print(big_reserved)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                    reason="arenas are glibc's")
def test_single_arena_keeps_threads_on_the_main_heap() -> None:
    def arenas(mode: str) -> int:
        return int(subprocess.run([sys.executable, "-c", ARENAS, mode], capture_output=True,
                                  text=True, check=True).stdout)

    assert arenas("default") >= 2       # the control: each thread got an arena of its own
    assert arenas("capped") == 0


def test_release_is_safe_to_call_repeatedly() -> None:
    first = heap.release()
    assert heap.release() is first
