"""trayapp's benchmark: ``python bench/run.py [--quick] [--only SECTION] [--out DIR]``.

Starts a loopback feed/probe server (``bench/server.py``, 127.0.0.1 only) and
measures, as medians over repeated runs, against floors measured in the same
run: detection and recovery latency, memory and CPU footprint, scale, network
cost, start-up, a peer side by side and the history store (one module per
section, each with its method in its docstring). Writes ``RESULTS.md`` (default: next to this file).

Everything it starts it stops; every loop is bounded. The tray parts run only
when ``trayapp.tray`` is importable and Xvfb, a tray host and xdotool are
installed; otherwise they are reported as skipped, with the reason.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import (
    desktop,
    detection,
    footprint,
    history,
    memory,
    network,
    peer,
    scale,
    startup,
    wake,
)
from bench.harness import HERE, Bench, compile_bytecode, env_for
from bench.report import write_results
from bench.server import BenchServer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="a short smoke-test run (about three minutes; numbers are indicative)")
    ap.add_argument("--out", type=Path, default=HERE, help="where RESULTS.md goes")
    ap.add_argument("--only", choices=["detection", "footprint", "scale", "startup", "peer",
                                         "history", "memory"],
                    help="run one section (footprint includes the network counts, the memory "
                         "breakdown and the wakeups; memory: those two only)")
    ap.add_argument("--no-tray", action="store_true", help="skip the tray measurements")
    ap.add_argument("--tray-window", default=desktop.DEFAULT_WINDOW_NAME,
                    help="the tray icon's window name, for `xdotool search --name`")
    args = ap.parse_args(argv)
    started, t0 = dt.datetime.now(dt.UTC), time.monotonic()
    compile_bytecode()
    shown = list(argv if argv is not None else sys.argv[1:])
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="trayapp-bench-")))
        server = BenchServer()
        stack.callback(server.close)
        b = Bench(args.quick, server, tmp)
        b.tray_skip = "--no-tray given" if args.no_tray else desktop.unavailable(
            env_for(tmp / "probe-tray"))
        if b.tray_skip is None:
            try:
                b.session = stack.enter_context(desktop.session(tmp / "desktop",
                                                                args.tray_window))
            except Exception as exc:
                b.tray_skip = f"the virtual desktop did not start ({exc})"
        print(f"trayapp bench ({'quick' if args.quick else 'full'}); tray: "
              f"{b.tray_skip or 'measured'}", flush=True)
        if args.only in (None, "detection"):
            detection.run(b)
            wake.run(b)
        if args.only in (None, "footprint"):
            network.run(b, footprint.run(b))
        if args.only in (None, "footprint", "memory"):
            memory.run(b)
        if args.only in (None, "scale"):
            scale.run(b)
        if args.only in (None, "startup"):
            startup.run(b)
        if args.only in (None, "peer"):
            peer.run(b)
        if args.only in (None, "history"):
            history.run(b)
    path = write_results(b, args.out, shown, started, time.monotonic() - t0)
    print(f"wrote {path}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
