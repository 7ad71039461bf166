"""Give freed heap memory back to the operating system between polls.

A poll cycle allocates in a burst (responses, parsed JSON, reports) and then
the process sleeps for a minute. glibc's allocator keeps what was freed in
its heaps, in holes it only reuses, so the resident size of a long-running
process ratchets up to its busiest moment (start-up, with hundreds of
module files read and unmarshalled, is the biggest). ``malloc_trim(0)``
returns every free page to the kernel; it costs well under a millisecond
for a heap this size.

Only glibc has it: elsewhere (macOS, Windows, musl) :func:`release` does
nothing. ``ctypes`` is imported on the first call, never at import time.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

_trim: Callable[[int], int] | None = None
_looked = False


def _find() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        trim: Callable[[int], int] = libc.malloc_trim   # AttributeError off glibc
    except (OSError, AttributeError, ImportError):
        return None
    return trim


def release() -> bool:
    """Return free heap pages to the OS. True when the allocator could be asked."""
    global _trim, _looked
    if not _looked:
        _trim, _looked = _find(), True
    if _trim is None:
        return False
    _trim(0)
    return True
