"""Name lookups under a deadline (:func:`trayapp.edges.netdeadline.lookup`) with a real resolver.

The hung-resolver case is in ``tests/faults/test_resolver.py`` (root only);
here: a burst of lookups larger than the number allowed at once all succeed
(they queue for a slot, they are not refused), and addresses skip the resolver.
"""

from __future__ import annotations

import socket
import threading

from trayapp.edges.netdeadline import MAX_LOOKUPS, lookup


def test_a_burst_of_lookups_queues_instead_of_failing() -> None:
    results: list[object] = []
    lock = threading.Lock()

    def one() -> None:
        try:
            found: object = lookup("localhost", 80, 20.0)
        except OSError as exc:
            found = exc
        with lock:
            results.append(found)

    threads = [threading.Thread(target=one) for _ in range(4 * MAX_LOOKUPS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 4 * MAX_LOOKUPS
    failed = [r for r in results if isinstance(r, OSError)]
    assert not failed, failed[:3]
    assert all(any(sa[4][0] in ("127.0.0.1", "::1") for sa in r) for r in results)  # type: ignore[union-attr]


def test_an_address_needs_no_resolver() -> None:
    assert lookup("127.0.0.1", 443, 0.0)[0][4][:2] == ("127.0.0.1", 443)
    assert lookup("[::1]", 443, 0.0)[0][0] == socket.AF_INET6
