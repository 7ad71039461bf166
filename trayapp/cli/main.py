"""The command line: the composition root. Builds everything and wires it.

    trayapp                      the tray (or `watch`, with the reason, when no tray can be shown)
    trayapp status [--json]      one poll of everything; exit code for scripts
    trayapp status --cached      the snapshot the tray or `watch` saved: instant, no network
    trayapp pick SERVICE         the id of the service to use now (itself or a fallback)
    trayapp watch  [--json]      one line per change until Ctrl-C
    trayapp history              uptimes, changes and incidents kept while trayapp ran
    trayapp presets              the built-in vendor presets
    trayapp autostart enable|disable|status
    trayapp preferences          the Preferences window
    trayapp key set|delete|status SERVICE   a probe's API key in the OS keyring
    trayapp init                 write a commented starter config and print its path
"""

from __future__ import annotations

import sys

# Nothing heavy at the top: `status --cached` and `pick --cached` must start as fast
# as a bare interpreter (trayapp.cli.quick); each command imports what it uses.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    import logging
    from typing import NoReturn, TextIO

    from trayapp.config import Config
    from trayapp.core.monitor import StepResult
    from trayapp.domain.model import Snapshot

EXIT_USAGE = 64
EXIT_CONFIG = 78


def build_parser() -> argparse.ArgumentParser:
    import argparse

    from trayapp.cli.report import TOOLS
    from trayapp.domain.reported import OUTCOMES

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            self.print_usage(sys.stderr)
            self.exit(EXIT_USAGE, f"trayapp: error: {message}\n")

    class _Version(argparse.Action):
        """``--version``: the installed package's version (``trayapp.__version__``),
        looked up only when asked, not by every command that builds the parser."""

        def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
            import trayapp
            print(f"trayapp {trayapp.__version__}")
            parser.exit()

    # Every global option works before or after the subcommand. A subparser's own
    # defaults overwrite what the main parser set ("trayapp --config X status" would
    # forget X), so the subcommands' copy has no defaults: SUPPRESS leaves the
    # attribute alone unless the option is given there.
    def globals_parser(defaults: bool) -> _Parser:
        common = _Parser(add_help=False)
        common.add_argument("--config", metavar="PATH",
                            default=None if defaults else argparse.SUPPRESS,
                            help="configuration file (default: $TRAYAPP_CONFIG, else the "
                                 "user config dir's config.toml, else the built-in default)")
        common.add_argument("-v", "--verbose", action="store_true",
                            default=False if defaults else argparse.SUPPRESS,
                            help="debug logging")
        common.add_argument("--version", action=_Version, nargs=0, default=argparse.SUPPRESS,
                            help="show program's version number and exit")
        return common

    parser = _Parser(prog="trayapp", parents=[globals_parser(True)],
                     description="Can I rely on my AI tools right now? A tray icon and "
                                 "commands that watch AI vendors' status pages and APIs.")
    common = globals_parser(False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    p = sub.add_parser("status", parents=[common], help="poll once and print the status",
                       description="Poll everything once and print it. Exit code: 2 a watched "
                                   "service is in major outage, 1 degraded or partial outage, "
                                   "3 could not tell (offline), 0 all fine.")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.add_argument("--service", metavar="ID", help="only this service (and its fallbacks)")
    _cached_flags(p)
    p = sub.add_parser("pick", parents=[common], help="print the id of the service to use now",
                       description="Print SERVICE's id when it is operational, in maintenance or "
                                   "degraded but answering; else its first fallback that is up "
                                   "(local ones too). Exit code: 0 an answer, 1 none is up, "
                                   "3 could not tell (offline, no local fallback).")
    p.add_argument("service", metavar="SERVICE", help="the service id, as in the config")
    p.add_argument("--json", action="store_true",
                   help="JSON output: the pick, the reason, every fallback's level")
    p.add_argument("--wait-under", metavar="TIME", type=_max_age, default=None,
                   help="when SERVICE is not answering, add a hint to --json: \"wait\" when "
                        "its open incident usually ends within TIME (15m), else \"switch\"")
    _cached_flags(p)
    p = sub.add_parser("watch", parents=[common], help="print one line per change",
                       description="Poll until interrupted; print one line per change.")
    p.add_argument("--json", action="store_true", help="JSON Lines output")
    sub.add_parser("tray", parents=[common], help="show the tray icon (the default)")
    p = sub.add_parser("history", parents=[common],
                       help="uptimes, changes and incidents seen while trayapp ran",
                       description="What the history file kept: per service the uptime "
                                   "(share of observed time that was up) over 24 h, 7 d and "
                                   "30 d, the level changes and incidents, newest first.")
    p.add_argument("--service", metavar="ID", help="only this service")
    p.add_argument("--since", metavar="WHEN",
                   help="changes and incidents since 24h, 7d, 30d (default) or a local "
                        "date like 2026-11-30")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON output")
    fmt.add_argument("--csv", action="store_true", help="CSV: one row per change or incident")
    sub.add_parser("mcp", parents=[common], help="a Model Context Protocol server (stdio)",
                   description="Serve the tools status, pick and history to an agent over "
                               "MCP on standard input and output (needs the mcp extra: "
                               "pip install 'ai-status-tray[mcp]').")
    sub.add_parser("presets", parents=[common], help="list the built-in vendor presets")
    p = sub.add_parser("autostart", parents=[common], help="start trayapp at login")
    p.add_argument("action", choices=["enable", "disable", "status"])
    sub.add_parser("preferences", parents=[common], help="open the Preferences window")
    p = sub.add_parser("key", parents=[common], help="a probe's API key in the OS keyring",
                       description="Store, delete or check the API key a service's probe "
                                   "sends, in the OS keyring. `set` reads it without echo (or "
                                   "one line from standard input). The probe's api_key_env "
                                   "variable wins when it is set.")
    p.add_argument("action", choices=["set", "delete", "status"])
    p.add_argument("service", metavar="SERVICE", help="the service id, as in the config")
    p = sub.add_parser("report", parents=[common],
                       help="record what a real request of your own tools met",
                       description="Record one real request's outcome (from a hook, a "
                                   "script, an SDK): two vendor-side failures of a service "
                                   "within report_window make it at least degraded. No "
                                   "network; about one interpreter start.")
    p.add_argument("service", metavar="SERVICE", nargs="?",
                   help="the service id, its preset (anthropic) or its name")
    p.add_argument("--outcome", choices=OUTCOMES, help="what the request met")
    p.add_argument("--model", metavar="M", help="the model it asked")
    p.add_argument("--detail", metavar="TEXT", help="one line, e.g. the error")
    p.add_argument("--from", dest="from_tool", choices=TOOLS,
                   help="read the tool's hook JSON on stdin instead (always exit 0)")
    sub.add_parser("init", parents=[common], help="write a commented starter config",
                   description="Write the built-in default config, commented, with the "
                               "presets listed, and print its path; a local Ollama is a "
                               "fallback only if it answers now (else commented out). Never "
                               "overwrites a file.")
    return parser


def _max_age(text: str) -> float:
    import argparse

    from trayapp.cli.quick import parse_duration

    value = parse_duration(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (like 90s, 5m, 1h)")
    return value


def _cached_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cached", action="store_true",
                   help="read the snapshot the tray or `watch` saved: no network, instant")
    p.add_argument("--max-age", metavar="AGE", type=_max_age, default=300.0,
                   help="with --cached: older than this (90s, 5m, 1h) counts as no recent "
                        "snapshot (default 5m)")
    p.add_argument("--or-poll", action="store_true",
                   help="with --cached: poll live when there is no recent snapshot, instead "
                        "of exit 3")


# ------------------------------------------------------------------ commands

def _secret_envs(config: Config | None) -> list[str]:
    if config is None:
        return []
    return [s.probe.api_key_env for s in config.services if s.probe and s.probe.api_key_env]


def _unknown_service(config: Config, service: str) -> int:
    from trayapp.domain.text import one_line

    print(one_line(f"trayapp: error: no service with id {service!r} "
                   f"(have: {', '.join(s.id for s in config.services)})", 1000), file=sys.stderr)
    return EXIT_USAGE


def _from_cache(args: argparse.Namespace, out: TextIO) -> int | None:
    """``--cached`` from the full command line: the cached answer, exit 3, or None to poll."""
    from trayapp.cli import quick

    data, age, why = quick.fresh(args.max_age, args.json and args.command == "status")
    if data is not None:
        if args.command == "pick":
            return quick.print_pick(data, args.service, age, args.json, out, args.wait_under)
        return quick.print_status(data, age, args.json, out)
    if args.or_poll:
        return None
    return quick.no_snapshot(why, age, args.json, out)


def cmd_status(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from trayapp.core.render import dumps, exit_code, snapshot_json, snapshot_text
    from trayapp.edges import snapcache

    if args.service and config.service(args.service) is None:
        return _unknown_service(config, args.service)
    from trayapp.cli.once import poll_once

    snapshot = poll_once(config, args.service, record=True)
    data = snapshot_json(snapshot)
    if not args.service:        # a partial poll would hide the other services from the cache
        problem = snapcache.save(data)
        if problem:
            _log().info("%s", problem)
    if args.json:
        print(dumps(data), file=out)
    else:
        print(snapshot_text(snapshot), file=out)
    return exit_code(snapshot)


def cmd_pick(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from trayapp.cli import quick
    from trayapp.core.render import snapshot_json

    if config.service(args.service) is None:
        return _unknown_service(config, args.service)
    from trayapp.cli.once import poll_once

    return quick.print_pick(snapshot_json(poll_once(config, args.service)), args.service,
                            None, args.json, out, args.wait_under)


class WatchPrinter:
    """Turns each cycle's result into change lines; warnings once each."""

    def __init__(self, out: TextIO, as_json: bool) -> None:
        self.out = out
        self.as_json = as_json
        self.offline: bool | None = None
        self.warned: set[str] = set()

    def __call__(self, result: StepResult) -> None:
        from trayapp.core.render import dumps, event_json, event_text
        from trayapp.domain.text import one_line

        snap = result.snapshot
        for w in snap.warnings:
            if w not in self.warned:
                self.warned.add(w)
                _log().warning("config warning: %s", one_line(w))
        if snap.offline != self.offline:
            # Starting offline is no "online -> offline" change: online was never seen.
            if self.offline is not None:
                self._network(snap)
            elif snap.offline:
                self._network(snap, first=True)
            self.offline = snap.offline
        for event in result.events:
            line = dumps(event_json(event)) if self.as_json else event_text(event)
            print(line, file=self.out, flush=True)
        from trayapp.edges import heap
        heap.release()     # this cycle's garbage (and, the first time, start-up's), as the tray

    def _network(self, snap: Snapshot, first: bool = False) -> None:
        from trayapp.core.render import dumps, network_json

        event = network_json(snap, first=first)
        old, new, reason = event["old"], event["new"], event["reason"]
        if self.as_json:
            print(dumps(event), file=self.out, flush=True)
        else:
            when = snap.checked_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            change = f"{old} -> {new}" if old else new
            print(f"{when}  network  {change}  {reason}", file=self.out, flush=True)


def cmd_watch(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from trayapp.edges import heap
    from trayapp.edges.paths import state_dir
    from trayapp.edges.state import StateStore
    from trayapp.runtime.engine import Runner

    heap.single_arena()     # before any thread starts: poll threads share one C heap
    if not args.json:
        from trayapp.domain.text import one_line

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
    from trayapp.config import load_presets

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


def cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    from trayapp.cli.history import run  # sqlite3 is imported there, not here

    return run(args.service, args.since, args.json, args.csv, out)


def cmd_autostart(args: argparse.Namespace, out: TextIO) -> int:
    from trayapp.edges import autostart

    result: int = autostart.run_command(args.action, out)
    return result


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    from trayapp.domain.text import one_line
    from trayapp.edges import configfile, configwrite
    from trayapp.edges.localserver import find_ollama, ollama_url

    path, _ = configfile.locate(args.config)
    ollama = find_ollama()              # a fallback only if it answers now
    problem = configwrite.init(path, ollama)
    if problem:
        print(one_line(f"trayapp: {problem}", 1000), file=sys.stderr)
        return 1
    print(one_line(f"trayapp: Ollama answers at {ollama}: added as a fallback" if ollama
                   else f"trayapp: no Ollama answers at {ollama_url()}: left commented out "
                   "in the config", 1000), file=sys.stderr)
    print(path, file=out)
    return 0


# ------------------------------------------------------------------ main

def _log() -> logging.Logger:
    import logging
    return logging.getLogger("trayapp.cli")


def _terminate(signum: int, frame: object) -> None:
    # Stop as Ctrl-C does: the loop is plain blocking code on the main thread, so
    # KeyboardInterrupt unwinds it through its `finally` blocks (connections
    # closed, state already saved after each cycle) and main() exits with 0.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    from trayapp.cli import quick  # the prompt's path: no argparse, no config, no network

    fast = quick.run(sys.argv[1:] if argv is None else argv)
    if fast is not None:
        return fast
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "tray"
    if args.config is not None and not args.config.strip():
        # Never fall back to $TRAYAPP_CONFIG or the user's file: a script's unset
        # variable (`--config "$CFG"`) must not poll the user's real vendors.
        print("trayapp: bad configuration: --config: names no file (an empty path); "
              "leave the option out for the default", file=sys.stderr)
        return EXIT_CONFIG
    out = sys.stdout
    if command == "presets":
        return cmd_presets(out)
    if command == "autostart":
        return cmd_autostart(args, out)
    if command == "history":     # no config needed: the file says what was watched
        try:
            return cmd_history(args, out)
        except BrokenPipeError:
            return 0
    if command == "init":
        return cmd_init(args, out)
    if command == "report":
        from trayapp.cli import report
        return report.run([*([args.service] if args.service else []), *(
            f"--{k}={v}" for k, v in (("outcome", args.outcome), ("model", args.model),
                                      ("detail", args.detail), ("from", args.from_tool))
            if v is not None)])
    if command == "preferences":
        from trayapp.windows import prefs as prefs_window
        return prefs_window.run(args.config)
    if command in ("status", "pick") and args.cached:
        if command == "status" and args.service:
            print("trayapp: error: --service cannot be combined with --cached "
                  "(the snapshot holds every service)", file=sys.stderr)
            return EXIT_USAGE
        cached = _from_cache(args, out)
        if cached is not None:
            return cached

    import signal

    from trayapp.config import ConfigError
    from trayapp.domain.text import one_line
    from trayapp.edges import configfile, logsetup, paths
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
        _log().warning("warning: %s", secret)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        if command == "status":
            return cmd_status(config, args, out)
        if command == "watch":
            return cmd_watch(config, args, out)
        if command == "pick":
            return cmd_pick(config, args, out)
        if command == "mcp":
            from trayapp.cli import mcp_server
            return mcp_server.serve(config)
        if command == "key":
            from trayapp.cli import key as keycmd
            return keycmd.run(args.action, args.service, config, sys.stdin, out, sys.stderr)
        return cmd_tray(config, args, out)
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:
        return 0
