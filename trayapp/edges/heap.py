"""Keep the C heap small in a process that runs all day: one arena, trimmed between polls.

A poll cycle allocates in a burst (responses, parsed JSON, reports) and then
the process sleeps for a minute. glibc's allocator keeps what was freed in
its heaps, in holes it only reuses, so the resident size of a long-running
process ratchets up to its busiest moment (start-up, with hundreds of
module files read and unmarshalled, is the biggest). ``malloc_trim(0)``
returns every free page to the kernel; it costs well under a millisecond
for a heap this size.

glibc also gives each thread that allocates its own arena (up to eight per
core), and a poll cycle runs its requests on short-lived threads: every
arena keeps its own free pages and fragments. :func:`single_arena` caps them
at one (``mallopt(M_ARENA_MAX, 1)``, what ``MALLOC_ARENA_MAX=1`` does); the
GIL serialises the allocating code anyway, so nothing waits longer. Call it
before the first thread starts.

Only glibc has these: elsewhere (macOS, Windows, musl) both do nothing.
``ctypes`` is imported on the first call, never at import time.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

M_ARENA_MAX = -8        # glibc's malloc.h


@dataclass(frozen=True, slots=True)
class _Glibc:
    malloc_trim: Callable[[int], int]
    mallopt: Callable[[int, int], int]


@cache
def _glibc() -> _Glibc | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        # AttributeError off glibc (musl has neither)
        return _Glibc(malloc_trim=libc.malloc_trim, mallopt=libc.mallopt)
    except (OSError, AttributeError, ImportError):
        return None


def release() -> bool:
    """Return free heap pages to the OS. True when the allocator could be asked."""
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def single_arena() -> bool:
    """Let every thread allocate from the main arena. True when glibc took it."""
    libc = _glibc()
    return libc is not None and bool(libc.mallopt(M_ARENA_MAX, 1))
