"""The loop: tick -> poll -> decide -> save -> show, shared by ``watch`` and the tray.

:class:`Engine` runs one cycle (poller + monitor + state file).
:class:`Runner` repeats cycles (run it in a worker thread under the tray:
pystray owns the main thread), sleeping on an event between polls so an idle
app costs nothing. It is the only place that catches broad
exceptions: a failing cycle is logged and retried, the loop never dies.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from trayapp.config import Config
from trayapp.core.cadence import next_poll
from trayapp.core.monitor import MonitorState, StepResult, step
from trayapp.core.render import snapshot_json
from trayapp.core.reports import apply as apply_reports
from trayapp.domain.levels import Level
from trayapp.domain.model import Polling
from trayapp.edges import reports, snapcache
from trayapp.edges.http import HttpClient
from trayapp.edges.netchange import fingerprint
from trayapp.edges.power import on_battery
from trayapp.edges.state import StateStore
from trayapp.runtime.hooks import Hooks
from trayapp.runtime.poller import HISTORY_EVERY, Poller, cycle_budget
from trayapp.runtime.recorder import Recorder

log = logging.getLogger(__name__)
SLEEP_SLICE = 15.0          # how often a sleeping loop checks for a resume or a new network
RESUME_SLACK = 30.0         # wall clock ahead of the monotonic clock by this much = resumed
OVERSLEEP = 5.0             # a wait that returned this much late: the process was frozen
OVERRUN = 10.0              # a cycle this much over its budget: the process was frozen in it
OFFLINE_SLICE = 3.0         # the slice while offline: a network that comes back is seen soon
MIN_POOL, MAX_POOL = 8, 128  # connections in the HTTP pool (file descriptors stay few)


def wall_clock() -> datetime:
    return datetime.now(UTC)


def pool_size(config: Config) -> int:
    """Connections for one cycle's requests at once (feeds, probes, the connectivity
    check), so a cycle costs about one round trip; bounded."""
    feeds = {s.feed for s in config.services if s.feed is not None}
    probes = sum(1 + len(s.probe.models) for s in config.services if s.probe is not None)
    return max(MIN_POOL, min(MAX_POOL, len(feeds) + probes + 1))


def make_client(config: Config) -> HttpClient:
    return HttpClient(connect_timeout=config.connect_timeout, timeout=config.timeout,
                      max_body_bytes=config.max_body_bytes, max_connections=pool_size(config))


class Engine:
    """One poll cycle with memory: poller + monitor + state file."""

    def __init__(self, config: Config, client: HttpClient, store: StateStore | None = None,
                 environ: Mapping[str, str] | None = None, *, past_path: Path | None = None,
                 history_path: Path | None = None, reports_path: Path | None = None) -> None:
        self.config = config
        # The user's own tools' reports (trayapp.core.reports): the last poll's result
        # before they were counted, to count them again when one comes in between polls.
        self.reports_path = reports_path
        self._base: StepResult | None = None
        self._shown: dict[str, Level] = {}
        self._counting: frozenset[str] = frozenset()
        self.reports_until: float | None = None      # when a count runs out (Unix time)
        self._reports_seen: float | None = None      # the file's mtime when last read
        self.store = store
        # The pages' incident histories (read at most hourly, kept in ``past_path``) and
        # the incidents this machine saw resolve (``history_path``, read hourly).
        self.past_path = past_path
        self.history_path = history_path
        self._machine_read: datetime | None = None
        self.poller = Poller(config, client, environ, past_path=past_path)
        self.state = store.load() if store is not None else MonitorState()
        # The state file was lost: re-learn quietly instead of re-announcing, for as
        # many online cycles as a probe failure takes to be confirmed again.
        self._silent_cycles = config.failure_threshold if store is not None \
            and store.was_corrupt else 0
        self._source_trouble: dict[str, str] = {}    # service id -> the feed error logged

    def reconfigure(self, config: Config) -> None:
        self.config = config
        waits = self.poller.waits           # a reload does not end a vendor's Retry-After
        machine = self.poller.machine
        self.poller = Poller(config, self.poller.client, self.poller.environ,
                             past_path=self.past_path)
        self.poller.waits = waits
        self.poller.machine = machine

    def _read_machine(self, now: datetime) -> None:
        """The incidents this machine saw resolve, from the history file: hourly."""
        if self.history_path is None or self.config.history_days <= 0:
            return
        last = self._machine_read
        if last is not None and timedelta(0) <= now - last < HISTORY_EVERY:
            return
        self._machine_read = now
        from trayapp.edges.history_store import resolved_incidents
        since = int((now - timedelta(days=self.config.history_days)).timestamp())
        self.poller.machine = resolved_incidents(self.history_path, since)

    def cycle(self, now: datetime, *, retry_probes: bool = False) -> StepResult:
        self._read_machine(now)
        poll = self.poller.poll(now, retry_probes=retry_probes, urgent=self._urgent())
        before = {sid: m.known_level for sid, m in self.state.services.items()}
        result = step(self.config, self.state, poll.connectivity, poll.observations, now)
        self._base = replace(result, events=())
        result = self._with_reports(result, {**before, **self._shown}, now)
        if self._silent_cycles and not result.snapshot.offline:
            result = replace(result, events=())
            self._silent_cycles -= 1
        self._log_source_health(result)
        self.state = result.state
        if self.store is not None:
            self.store.save(self.state)
        return result


    def _with_reports(self, result: StepResult, before: Mapping[str, Level],
                      now: datetime) -> StepResult:
        if self.reports_path is None:
            return result
        self._reports_seen = reports.mtime(str(self.reports_path))
        since = now.timestamp() - self.config.report_window - 60
        snap = result.snapshot
        applied = apply_reports(self.config, snap.services, result.events,
                                reports.read_recent(str(self.reports_path), since), before,
                                self._counting, snap.offline, now)
        self._shown, self._counting = dict(applied.shown), applied.active
        self.reports_until = applied.until
        return replace(result, snapshot=replace(snap, services=applied.statuses),
                       events=applied.events)

    def reports_due(self, now: datetime) -> bool:
        """A report came in (the file moved) or a count ran out since the last decision."""
        if self.reports_path is None or self._base is None:
            return False
        if self.reports_until is not None and now.timestamp() >= self.reports_until:
            return True
        return reports.mtime(str(self.reports_path)) != self._reports_seen

    def rejudge(self, now: datetime) -> StepResult | None:
        """The last poll's result with the reports counted again (no network): a report
        that came in between polls is shown at once. None before the first poll."""
        if self._base is None:
            return None
        return self._with_reports(self._base, dict(self._shown), now)

    def _urgent(self) -> frozenset[str]:
        """Services in trouble: their models are probed every cycle, not every
        ``model_interval`` (the daily budget still holds)."""
        return frozenset(
            sid for sid, m in self.state.services.items()
            if m.known_level.is_problem or m.bad_streak
            or any(x.bad_streak or x.level.is_problem for x in m.models))

    def _log_source_health(self, result: StepResult) -> None:
        """Say once when a status source breaks, is blocked or recovers."""
        if result.snapshot.offline:
            return
        for svc in result.snapshot.services:
            feed = svc.feed
            error = feed.error if feed is not None and feed.problem is not None else None
            before = self._source_trouble.get(svc.id)
            if error and before is None:
                log.warning("%s: %s", svc.id, error)
                self._source_trouble[svc.id] = error
            elif error is None and before is not None:
                log.info("%s: status source readable again", svc.id)
                del self._source_trouble[svc.id]


class Runner:
    """Repeats :meth:`Engine.cycle` until stopped. Thread-safe controls.

    After each cycle, before ``on_result``: with a state ``store`` (the tray and
    ``watch``) the snapshot is saved for ``status --cached`` (:mod:`trayapp.edges.snapcache`)
    and the cycle is kept in the history (:mod:`trayapp.runtime.recorder`, one transaction, on
    this thread: never the UI's), and the changes go to the configured hooks
    (:mod:`trayapp.runtime.hooks`, their own threads).

    Between polls it sleeps in slices of ``SLEEP_SLICE`` seconds and polls at once,
    without waiting for the next tick, when a slice ends on a resume from sleep (the
    wall clock jumped ahead of the monotonic one), on a process that was frozen
    (the slice ended ``OVERSLEEP`` late) or on a new network (``network()``'s
    fingerprint of the routes and addresses changed); ``on_checking(why)`` is told
    first, so a surface can show its last level as being checked again. The pace
    comes from :func:`trayapp.core.cadence.next_poll` with ``power()`` (on battery?).
    """

    def __init__(self, config: Config, on_result: Callable[[StepResult], None], *,
                 store: StateStore | None = None, environ: Mapping[str, str] | None = None,
                 clock: Callable[[], datetime] = wall_clock,
                 on_checking: Callable[[str], None] | None = None,
                 power: Callable[[], bool | None] = on_battery,
                 network: Callable[[], str] = fingerprint,
                 slice_seconds: float = SLEEP_SLICE) -> None:
        self.config = config
        self.on_result = on_result
        self.on_checking = on_checking
        self.store = store
        self.environ = environ
        self.clock = clock
        self.power = power
        self.network = network
        self.slice_seconds = slice_seconds
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._pending_config: Config | None = None
        self._poll_requested = False
        self.engine: Engine | None = None
        self.hooks = Hooks(config, environ)
        self.history = Recorder(config) if store is not None else None
        self._cache_problem: str | None = None
        self._early: str | None = None      # why the last sleep was cut short, if it was
        self._poked = False           # a report came in (trayapp.edges.reports.poke)
        self._polling: Polling | None = None    # the pace after the last poll

    # -- controls, callable from any thread ---------------------------------
    def request_poll(self) -> None:
        self._poll_requested = True
        self._kick()

    def stop(self) -> None:
        self._stopping.set()
        self._kick()

    def reconfigure(self, config: Config) -> None:
        self._pending_config = config
        self.request_poll()

    def _kick(self) -> None:
        self._wake.set()

    # -- the loop ---------------------------------------------------------------
    def run(self) -> None:
        client = make_client(self.config)
        past_path = history_path = None
        if self.store is not None:
            from trayapp.edges.history_store import default_path
            from trayapp.edges.pastcache import FILE_NAME
            past_path = self.store.path.parent / FILE_NAME
            history_path = self.history.path if self.history and self.history.path \
                else default_path()
        reports_dir = self.store.path.parent if self.store is not None else None
        self.engine = Engine(self.config, client, self.store, self.environ,
                             past_path=past_path, history_path=history_path,
                             reports_path=reports_dir / reports.FILE_NAME
                             if reports_dir is not None else None)
        wake = self._listen(reports_dir) if reports_dir is not None else None
        try:
            while not self._stopping.is_set():
                if self._pending_config is not None:
                    self.config, self._pending_config = self._pending_config, None
                    self.engine.reconfigure(self.config)
                    self.hooks.reconfigure(self.config)
                    if self.history is not None:
                        self.history.reconfigure(self.config)
                self._poll_requested = False
                delay, offline = float(self.config.interval), False
                began = time.monotonic(), self.clock()
                try:
                    result = self.engine.cycle(began[1])
                    polling = next_poll(result, self.config, self.power())
                    delay, offline = polling.every, result.snapshot.offline
                    self._polling = polling
                    result = replace(result, snapshot=replace(result.snapshot,
                                                              polling=polling))
                    self._after_cycle(result)
                    self.on_result(result)
                except Exception:
                    log.exception("poll cycle failed; trying again in %.0f s", delay)
                why = self._sleep(delay, min(self.slice_seconds, OFFLINE_SLICE) if offline
                                  else self.slice_seconds, began)
                if why and self.on_checking is not None and not self._stopping.is_set():
                    try:
                        self.on_checking(why)
                    except Exception:
                        log.exception("showing 'checking' failed")
        finally:
            if wake is not None:
                reports.stop_listening(*wake)
            self.hooks.close()
            if self.history is not None:
                self.history.close()
            client.close()

    def _listen(self, directory: Path) -> tuple[socket.socket, str] | None:
        """Hear `trayapp report`'s poke on a thread blocked in ``recv`` (no wakeups)."""
        try:
            sock, name = reports.listen(str(directory))
        except OSError as exc:
            log.info("reports are read at each wake only (%s)", exc.strerror or exc)
            return None

        def hear() -> None:
            while not self._stopping.is_set():
                try:
                    sock.recv(64)
                except OSError:
                    return                  # closed: the loop ended
                self._poked = True
                self._kick()

        threading.Thread(target=hear, name="reports-wake", daemon=True).start()
        return sock, name

    def _rejudge(self) -> None:
        """A report came in, or a count ran out: the last poll decided again, shown."""
        self._poked = False
        engine = self.engine
        if engine is None:
            return
        try:
            result = engine.rejudge(self.clock())
            if result is not None:
                result = replace(result, snapshot=replace(result.snapshot,
                                                          polling=self._polling))
                self._after_cycle(result)
                self.on_result(result)
        except Exception:
            log.exception("counting the reports failed")

    def _after_cycle(self, result: StepResult) -> None:
        if self.store is not None:
            problem = snapcache.save(snapshot_json(result.snapshot))
            if problem and problem != self._cache_problem:
                log.warning("%s", problem)         # once, until it changes
            self._cache_problem = problem
        if self.history is not None:
            self.history.record(result)
        self.hooks.submit(result)

    def _sleep(self, delay: float, slice_seconds: float,
               began: tuple[float, datetime]) -> str | None:
        """Sleep ``delay`` seconds in slices, or less: the reason to poll early, if there
        is one that the surfaces should show (a resume, a new network); None otherwise.

        ``began``: the monotonic and wall clocks when the cycle began, so a sleep or a
        freeze during the cycle counts too: a wall clock ahead of the monotonic one
        (the machine slept), or a cycle that overran its budget by ``OVERRUN`` (the
        process did not run; never twice in a row, so a slow machine is not polled in
        a loop). Offline the slices are shorter, so the network coming back is seen
        within seconds (offline is rare: the extra wakeups cost nothing on a normal day).
        """
        mono_began, wall_began = began
        late = time.monotonic() - mono_began - cycle_budget(self.config, False) - 1.0
        if late > OVERRUN and self._early != "frozen":
            return self._early_poll("frozen", late)
        self._early = None
        deadline = time.monotonic() + delay
        network = self.network()
        while not self._stopping.is_set() and not self._poll_requested:
            jump = (self.clock() - wall_began).total_seconds() - (time.monotonic() - mono_began)
            if jump > RESUME_SLACK:
                return self._early_poll("resumed", jump)
            before = time.monotonic()
            remaining = deadline - before
            if remaining <= 0:
                return None
            asked = min(remaining, slice_seconds)
            until = self.engine.reports_until if self.engine is not None else None
            if until is not None:       # a report count runs out then: judge again at once
                asked = max(0.05, min(asked, until - self.clock().timestamp() + 0.05))
            woken = self._wake.wait(asked)
            self._wake.clear()
            late = time.monotonic() - before - asked
            if not woken and late > OVERSLEEP:
                return self._early_poll("frozen", late)
            if self._poked or (self.engine is not None
                               and self.engine.reports_due(self.clock())):
                self._rejudge()
            if self.network() != network:
                return self._early_poll("network", 0.0)
        return None

    def _early_poll(self, kind: str, seconds: float) -> str:
        self._early = kind
        if kind == "network":
            log.info("the network changed; polling now")
            return "the network changed"
        if kind == "resumed":
            log.info("the clock jumped %.0f s ahead (sleep/resume?); polling now", seconds)
        else:
            log.info("this process did not run for %.0f s (frozen, suspended?); polling now",
                     seconds)
        return "after a sleep"
