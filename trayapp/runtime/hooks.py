"""Hooks: run a command or POST a webhook on every change, off the poll thread.

:meth:`Hooks.submit` is called by the loop (:class:`trayapp.runtime.engine.Runner`)
after each cycle. It picks the events each hook wants (pure: :func:`wanted`,
:func:`held`), and hands them to that hook's own worker thread, so a slow or
hanging hook never delays the next poll nor another hook. The event is
exactly what ``watch --json`` prints (:func:`trayapp.core.render.event_json`,
:func:`trayapp.core.render.network_json`).

* Commands run without a shell, the event JSON on stdin, in their own
  process group (:mod:`trayapp.edges.child`), killed with it after
  ``timeout``; when a command ends, what it left running in its group is
  killed too. The head of their output goes to the log (20 lines; the rest
  is read and dropped: memory stays flat); their environment has no API key
  (every ``probe.api_key_env`` is removed).
* Webhooks are POSTed through :func:`trayapp.edges.http.post`, retried with
  back-off (1 s, 4 s, 15 s) on no answer, 5xx or 429. The URL is a secret:
  the log names the hook and the URL's scheme and host only.
* Damping as for notifications: a problem (``worse``, ``incident_new``,
  ``maintenance_started``) at most once per ``min_gap`` per hook and service
  (recoveries always pass); quiet hours only with ``respect_quiet_hours``.
  A held event is dropped (logged at debug).
* A failing hook is logged once per failure streak, and once when it works again.
* At exit (:meth:`Hooks.close`) the events already queued are delivered for up
  to ``CLOSE_GRACE`` seconds; then a command still running is killed with its
  process group (and, as a last resort, at interpreter exit), so no hook
  outlives trayapp. A child that starts its own session (``setsid``) leaves
  the group and is not found.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from trayapp.config import Config
from trayapp.config.hooks import HookConfig
from trayapp.core.monitor import StepResult
from trayapp.core.render import event_json, network_json
from trayapp.domain.levels import parse_level
from trayapp.domain.text import one_line
from trayapp.edges import child, http

log = logging.getLogger(__name__)
BACKOFF = (1.0, 4.0, 15.0)           # seconds before the 2nd, 3rd and 4th attempt
QUEUE_SIZE = 100
CLOSE_GRACE = 3.0                    # seconds to deliver queued events at exit
OUTPUT_LINES = 20                    # a command's output lines logged, at most
PROBLEMS = frozenset({"worse", "incident_new", "maintenance_started"})
NETWORK = frozenset({"offline", "online"})


# ------------------------------------------------------------------ choosing (pure)

def wanted(hook: HookConfig, event: Mapping[str, Any]) -> bool:
    """Does this hook take this event (its kind, service and level)?"""
    kind = event.get("kind")
    if kind not in hook.on:
        return False
    if kind in NETWORK:
        return True
    if hook.services is not None and event.get("service") not in hook.services:
        return False
    if hook.min_level is not None:
        ranks = [level.rank for v in (event.get("old"), event.get("new"))
                 if (level := parse_level(str(v))) is not None]
        if not ranks or max(ranks) < hook.min_level.rank:
            return False
    return True


def held(hook: HookConfig, event: Mapping[str, Any], now: datetime, config: Config,
         last_problem: datetime | None) -> str | None:
    """Why the event is held back (``"quiet hours"``, ``"min_gap"``), or None."""
    if hook.respect_quiet_hours and config.quiet_hours is not None:
        from trayapp.core.policy import in_quiet_hours  # pure; no tray library
        if in_quiet_hours(now, config.quiet_hours):
            return "quiet hours"
    gap = config.min_gap if hook.min_gap is None else hook.min_gap
    if event.get("kind") in PROBLEMS and last_problem is not None and \
            now - last_problem < timedelta(seconds=gap):
        return "min_gap"
    return None


def message(event: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """One line for a chat: "Claude: operational -> major outage: <reason>"."""
    sid = event.get("service")
    who = names.get(sid, str(sid)) if sid is not None else "Network"
    old = str(event.get("old", "")).replace("_", " ")
    new = str(event.get("new", "")).replace("_", " ")
    change = f"{old} -> {new}" if old != new else new
    text = f"{who}: {change}: {event.get('reason') or ''}".rstrip(": ")
    incident = event.get("incident")
    if incident and str(incident) not in text:
        text += f" ({incident})"
    return one_line(text, 500)


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _discord_escape(text: str) -> str:
    return "".join("\\" + c if c in "\\*_~`|>#[]()@:<" else c for c in text)


def body(hook: HookConfig, event: Mapping[str, Any], names: Mapping[str, str]) -> bytes:
    """The webhook's body: the event itself, or a Slack / Discord message (feed text
    escaped for their markup; no mentions)."""
    if hook.format == "slack":
        data: Any = {"text": _slack_escape(message(event, names))}
    elif hook.format == "discord":
        data = {"content": _discord_escape(message(event, names)),
                "allowed_mentions": {"parse": []}}
    else:
        data = dict(event)
    return json.dumps(data, ensure_ascii=True).encode()


def clean_environ(environ: Mapping[str, str], config: Config) -> dict[str, str]:
    """The hook command's environment: ours, without any configured API key."""
    secret = {s.probe.api_key_env for s in config.services if s.probe and s.probe.api_key_env}
    return {k: v for k, v in environ.items() if k not in secret}


# ------------------------------------------------------------------ running

def run_command(hook: HookConfig, payload: bytes, env: dict[str, str],
                started: Callable[[subprocess.Popen[bytes] | None], None] | None = None,
                ) -> str | None:
    """Run a command hook once (:mod:`trayapp.edges.child`: bounded output, its own
    process group, killed with it); its error in our words, or None. ``started``
    hears the process while it runs (then None), so it can be killed at exit."""
    assert hook.command is not None
    try:
        proc = child.start(hook.command, env)
    except FileNotFoundError:
        return f"command not found: {hook.command[0]}"
    except PermissionError:
        return f"not allowed to run {hook.command[0]}"
    except OSError as exc:
        return f"cannot run {hook.command[0]} ({exc.strerror or type(exc).__name__})"
    if started is not None:
        started(proc)
    try:
        done = child.run(proc, payload, hook.timeout)
    finally:
        if started is not None:
            started(None)
    lines = [line for line in done.output.decode("utf-8", "replace").splitlines()
             if line.strip()]
    for line in lines[:OUTPUT_LINES]:
        log.info("hook %s: %s", hook.name, one_line(line, 300))
    if done.dropped or len(lines) > OUTPUT_LINES:
        log.info("hook %s: the rest of its output is not logged", hook.name)
    if done.returncode is None:
        return f"timed out after {hook.timeout:g} s (killed)"
    if done.returncode != 0:
        return f"exited with status {done.returncode}"
    return None


class _Worker:
    """One hook's thread and queue; logs its failures once per streak."""

    def __init__(self, hook: HookConfig, names: Mapping[str, str], env: dict[str, str]) -> None:
        self.hook = hook
        self.names = names
        self.env = env
        self.jobs: queue.Queue[dict[str, Any] | None] = queue.Queue(QUEUE_SIZE)
        self.stopping = threading.Event()
        self.running: subprocess.Popen[bytes] | None = None   # the command running now
        self.failing = False
        self.dropping = False
        self.thread = threading.Thread(target=self._loop, name=f"hook {hook.name}", daemon=True)
        self.thread.start()

    def put(self, event: dict[str, Any]) -> None:
        try:
            self.jobs.put_nowait(event)
            self.dropping = False
        except queue.Full:
            if not self.dropping:
                log.warning("hook %s: %d events waiting; dropping new ones", self.hook.name,
                            QUEUE_SIZE)
                self.dropping = True

    def stop(self, drain: bool = False) -> None:
        """Stop after the current delivery; with ``drain``, after the queued ones too."""
        if not drain:
            self.stopping.set()
        try:
            self.jobs.put_nowait(None)
        except queue.Full:
            self.stopping.set()

    def kill(self) -> None:
        """Stop now: no retry waits, and a command still running is killed (its group)."""
        self.stopping.set()
        proc = self.running
        if proc is not None:
            child.kill(proc)       # the worker's own child.run() then reaps it

    def _started(self, proc: subprocess.Popen[bytes] | None) -> None:
        self.running = proc

    def _loop(self) -> None:
        while not self.stopping.is_set():
            event = self.jobs.get()
            if event is None:
                return
            try:
                error = self._deliver(event)
            except Exception as exc:          # a hook must never stop monitoring
                error = f"failed ({type(exc).__name__})"
            if self.stopping.is_set():        # cut short by a stop: neither failure nor success
                return
            self._report(error)

    def _deliver(self, event: dict[str, Any]) -> str | None:
        hook = self.hook
        if hook.command is not None:
            return run_command(hook, json.dumps(event, ensure_ascii=True).encode(), self.env,
                               self._started)
        assert hook.url is not None
        data = body(hook, event, self.names)
        for attempt in range(len(BACKOFF) + 1):
            posted = http.post(hook.url, data, timeout=hook.timeout)
            if posted.ok:
                return None
            if not posted.retryable or attempt == len(BACKOFF):
                return f"{posted.error} (after {attempt + 1} attempts)" if attempt else \
                    posted.error
            log.debug("hook %s: %s; trying again in %g s", hook.name, posted.error,
                      BACKOFF[attempt])
            if self.stopping.wait(BACKOFF[attempt]):
                return None
        return None

    def _report(self, error: str | None) -> None:
        if error is None:
            if self.failing:
                log.info("hook %s: works again", self.hook.name)
            self.failing = False
        elif not self.failing:
            log.warning("hook %s (%s): %s", self.hook.name, self.hook.target, error)
            self.failing = True
        else:
            log.debug("hook %s: still failing: %s", self.hook.name, error)


class Hooks:
    """Every configured hook; :meth:`submit` never blocks the caller."""

    def __init__(self, config: Config, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ
        self.config = config
        self._workers: dict[str, _Worker] = {}
        self._last_problem: dict[tuple[str, str | None], datetime] = {}
        self._offline: bool | None = None

    def reconfigure(self, config: Config) -> None:
        keep = {h.name: h for h in config.hooks}
        for name, worker in list(self._workers.items()):
            if keep.get(name) != worker.hook or config.services != self.config.services:
                worker.stop()
                del self._workers[name]
        self.config = config

    def events(self, result: StepResult) -> list[dict[str, Any]]:
        """This cycle's changes as `watch --json` prints them (network first)."""
        snap = result.snapshot
        out = []
        if snap.offline != self._offline:
            if self._offline is not None or snap.offline:
                out.append(network_json(snap, first=self._offline is None))
            self._offline = snap.offline
        out += [event_json(e) for e in result.events]
        return out

    def submit(self, result: StepResult) -> None:
        events = self.events(result)
        if not self.config.hooks:
            return
        now = result.snapshot.checked_at
        for event in events:
            for hook in self.config.hooks:
                if not wanted(hook, event):
                    continue
                key = (hook.name, event.get("service"))
                why = held(hook, event, now, self.config, self._last_problem.get(key))
                if why is not None:
                    log.debug("hook %s: %s %s held back (%s)", hook.name, event.get("service"),
                              event.get("kind"), why)
                    continue
                if event.get("kind") in PROBLEMS:
                    self._last_problem[key] = now
                self._worker(hook).put(event)

    def _worker(self, hook: HookConfig) -> _Worker:
        worker = self._workers.get(hook.name)
        if worker is None:
            names = {s.id: s.name for s in self.config.services}
            worker = self._workers[hook.name] = _Worker(
                hook, names, clean_environ(self.environ, self.config))
        return worker

    def close(self, grace: float = CLOSE_GRACE) -> None:
        """At exit: the events already queued are delivered for up to ``grace`` seconds
        (all hooks together); then whatever still runs is stopped, and a command hook
        still running is killed with its process group, so none outlives trayapp."""
        workers, self._workers = list(self._workers.values()), {}
        for worker in workers:
            worker.stop(drain=True)
        ends = time.monotonic() + grace
        for worker in workers:
            worker.thread.join(max(0.0, ends - time.monotonic()))
        for worker in workers:
            if worker.thread.is_alive():
                log.info("hook %s: still busy at exit; stopped", worker.hook.name)
                worker.kill()
                worker.thread.join(1.0)
