"""The command line: the composition root. Builds everything and wires it.

    trayapp                      the tray (or `watch`, with the reason, when no tray can be shown)
    trayapp status [--json]      one poll of everything; exit code for scripts
    trayapp watch  [--json]      one line per change until Ctrl-C
    trayapp presets              the built-in vendor presets
    trayapp autostart enable|disable|status
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from dataclasses import replace
from typing import NoReturn, TextIO

from trayapp import __version__
from trayapp.config import Config, ConfigError, load_presets
from trayapp.engine import Engine, Runner, make_client, wall_clock
from trayapp.model import Snapshot
from trayapp.monitor import StepResult
from trayapp.render import dumps, event_json, event_text, exit_code, snapshot_json, snapshot_text
from trayapp.text import one_line

EXIT_USAGE = 64
EXIT_CONFIG = 78
log = logging.getLogger("trayapp.cli")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"trayapp: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--config", metavar="PATH",
                        help="configuration file (default: $TRAYAPP_CONFIG, else the user "
                             "config dir's config.toml, else the built-in default)")
    common.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser = _Parser(prog="trayapp", parents=[common],
                     description="Can I rely on my AI tools right now? A tray icon and "
                                 "commands that watch AI vendors' status pages and APIs.")
    parser.add_argument("--version", action="version", version=f"trayapp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    p = sub.add_parser("status", parents=[common], help="poll once and print the status",
                       description="Poll everything once and print it. Exit code: 2 a watched "
                                   "service is in major outage, 1 degraded or partial outage, "
                                   "3 could not tell (offline), 0 all fine.")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.add_argument("--service", metavar="ID", help="only this service (and its fallbacks)")
    p = sub.add_parser("watch", parents=[common], help="print one line per change",
                       description="Poll until interrupted; print one line per change.")
    p.add_argument("--json", action="store_true", help="JSON Lines output")
    sub.add_parser("tray", parents=[common], help="show the tray icon (the default)")
    sub.add_parser("presets", parents=[common], help="list the built-in vendor presets")
    p = sub.add_parser("autostart", parents=[common], help="start trayapp at login")
    p.add_argument("action", choices=["enable", "disable", "status"])
    return parser


# ------------------------------------------------------------------ commands

def _secret_envs(config: Config | None) -> list[str]:
    if config is None:
        return []
    return [s.probe.api_key_env for s in config.services if s.probe and s.probe.api_key_env]


def cmd_status(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    if args.service:
        me = config.service(args.service)
        if me is None:
            print(one_line(f"trayapp: error: no service with id {args.service!r} "
                           f"(have: {', '.join(s.id for s in config.services)})", 1000),
                  file=sys.stderr)
            return EXIT_USAGE
        keep = {me.id, *me.fallbacks}
        config = replace(config, services=tuple(
            replace(s, role="watch" if s.id == me.id else "fallback")
            for s in config.services if s.id in keep))
    # One poll has no history: the probe's retry (after about a second) is the confirmation.
    config = replace(config, failure_threshold=1)

    client = make_client(config)
    try:
        snapshot = Engine(config, client).cycle(wall_clock(), retry_probes=True).snapshot
    finally:
        client.close()
    if args.json:
        print(dumps(snapshot_json(snapshot)), file=out)
    else:
        print(snapshot_text(snapshot), file=out)
    return exit_code(snapshot)


class WatchPrinter:
    """Turns each cycle's result into change lines; warnings once each."""

    def __init__(self, out: TextIO, as_json: bool) -> None:
        self.out = out
        self.as_json = as_json
        self.offline: bool | None = None
        self.warned: set[str] = set()

    def __call__(self, result: StepResult) -> None:
        snap = result.snapshot
        for w in snap.warnings:
            if w not in self.warned:
                self.warned.add(w)
                log.warning("config warning: %s", one_line(w))
        if snap.offline != self.offline:
            if self.offline is not None or snap.offline:
                self._network(snap)
            self.offline = snap.offline
        for event in result.events:
            line = dumps(event_json(event)) if self.as_json else event_text(event)
            print(line, file=self.out, flush=True)

    def _network(self, snap: Snapshot) -> None:
        old, new = ("online", "offline") if snap.offline else ("offline", "online")
        reason = snap.reason or "network is back"
        if self.as_json:
            print(dumps({"time": snap.checked_at.isoformat(), "service": None, "kind": new,
                         "old": old, "new": new, "reason": reason}), file=self.out, flush=True)
        else:
            when = snap.checked_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            print(f"{when}  network  {old} -> {new}  {reason}", file=self.out, flush=True)


def cmd_watch(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from trayapp.paths import state_dir
    from trayapp.state import StateStore

    if not args.json:
        watched = ", ".join(s.name for s in config.services if s.role == "watch")
        print(one_line(f"trayapp: watching {watched} every {config.interval} s "
                       f"({config.source}); Ctrl-C to stop", 1000), file=sys.stderr, flush=True)
    runner = Runner(config, WatchPrinter(out, args.json),
                    store=StateStore(state_dir() / "watch-state.json"))
    try:
        runner.run()
    except KeyboardInterrupt:
        pass
    return 0


def cmd_tray(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from trayapp.tray import app as tray_app  # lazily: the tray's libraries are heavy

    outcome = tray_app.run(config, args)
    if isinstance(outcome, int):
        return outcome
    reason = outcome
    print(f"trayapp: no tray icon can be shown ({reason}); running `trayapp watch` instead",
          file=sys.stderr, flush=True)
    args.json = False
    return cmd_watch(config, args, out)


def cmd_presets(out: TextIO) -> int:
    presets = load_presets()
    rows = []
    for pid, p in presets.items():
        feed = p.get("feed") or {}
        probe = p.get("probe") or {}
        platform = feed.get("kind", "probe only")
        page = feed.get("url", "-")
        rows.append((pid, str(p.get("name", pid)), platform, page, probe.get("url", "-")))
    widths = [max(len(r[i]) for r in [*rows, ("PRESET", "NAME", "PLATFORM", "STATUS PAGE", "")])
              for i in range(4)]
    header = ("PRESET", "NAME", "PLATFORM", "STATUS PAGE", "API PROBE")
    for r in [header, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)) + "  " + r[4],
              file=out)
    return 0


def cmd_autostart(args: argparse.Namespace, out: TextIO) -> int:
    from trayapp import autostart

    result: int = autostart.run_command(args.action, out)
    return result


# ------------------------------------------------------------------ main

def _terminate(signum: int, frame: object) -> None:
    # Stop as Ctrl-C does: the loop is plain blocking code on the main thread, so
    # KeyboardInterrupt unwinds it through its `finally` blocks (connections
    # closed, state already saved after each cycle) and main() exits with 0.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "tray"
    out = sys.stdout
    if command == "presets":
        return cmd_presets(out)
    if command == "autostart":
        return cmd_autostart(args, out)

    from trayapp import configfile, logsetup, paths
    try:
        config = configfile.load(args.config)
    except ConfigError as exc:
        print(f"trayapp: bad configuration: {one_line(str(exc), 1000)}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        log_dir = paths.log_dir()
    except Exception:
        log_dir = None
    logsetup.setup(args.verbose, log_dir, _secret_envs(config))
    secret = configfile.secret_warning(config, args.config)
    if secret:
        log.warning("warning: %s", secret)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        if command == "status":
            return cmd_status(config, args, out)
        if command == "watch":
            return cmd_watch(config, args, out)
        return cmd_tray(config, args, out)
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:
        return 0
