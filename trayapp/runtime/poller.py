"""One poll cycle: fetch everything concurrently, interpret, return observations.

A cycle costs about its slowest request, not the sum: the connectivity
check, every feed and every probe run at once, each on a short-lived thread
(:func:`run_all`; the HTTP client bounds the connections). Feeds shared by
several services are fetched once. A cycle has a deadline, passed to every
request it makes (:func:`cycle_budget`): a feed needing several documents, a
re-detection or its alternate host, or a probe's retry cannot stretch it, so
one slow or hostile server delays no other service's result past it.
Nothing here decides levels over time; that is :mod:`trayapp.core.monitor`.

A vendor that answers 429, 503 or 529 with ``Retry-After`` is obeyed
(:mod:`trayapp.core.retryafter`): no request to that URL (a feed's document,
a probe, a model probe) before then, no retry either; each poll meanwhile
reuses its last answer, marked ``held``. A probe refused by a server on this
machine (``not_running``) is not retried: nothing is listening.

Per-model probes (:mod:`trayapp.core.modelprobe`) run only with the user's key,
within the shared daily budget (:mod:`trayapp.edges.budget`), ``model_interval``
apart (the poll interval while the service is in trouble; every ``status``). Probe
answers are classified once the whole cycle is in, so a failure can be told
apart by what the other answers say ("your side": other names resolve, the
servers' ``Date`` against this clock).

Why threads and blocking httpx rather than asyncio: a cycle is a handful of
requests a minute, and the async stack (asyncio, anyio's backend, httpcore's
async half) costs about 2.8 MB resident, a tenth of the whole tray app. The
threads exist only while a cycle runs, so an idle app has none of them.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar

from trayapp import sources
from trayapp.config import Config, FeedConfig, ProbeConfig, ServiceConfig
from trayapp.core.connectivity import classify as classify_connectivity
from trayapp.core.feeds import read_feed
from trayapp.core.modelprobe import classify_model, request
from trayapp.core.monitor import on_this_machine
from trayapp.core.probe import NetContext, clock_skew
from trayapp.core.probe import classify as classify_probe
from trayapp.core.retryafter import wait_seconds
from trayapp.domain.model import (
    Connectivity,
    FeedReport,
    ModelBudget,
    ModelResult,
    Observation,
    ProbeResult,
    SourceProblem,
    failed_feed,
)
from trayapp.domain.outcome import FailKind, Fetched, FetchFailed, Outcome
from trayapp.domain.past import PastIncident, PastIncidents
from trayapp.edges.budget import Budget
from trayapp.edges.http import HttpClient
from trayapp.edges.pastcache import PageHistory
from trayapp.sources import NeedDocuments
from trayapp.sources.common import looks_like_html
from trayapp.sources.incident_history import history_url
from trayapp.sources.incident_history import parse as parse_history

log = logging.getLogger(__name__)
MAX_DOCUMENT_ROUNDS = 4
PROBE_RETRY_DELAY = 1.0
MAX_BACKOFF = timedelta(minutes=30)
HISTORY_EVERY = timedelta(hours=1)   # a page's incident history is read at most this often
T = TypeVar("T")


def cycle_budget(config: Config, retry_probes: bool) -> float:
    """Seconds a poll cycle may take: two requests in a row (a feed's second
    document, a probe's retry) plus the retry's pause."""
    return 2 * config.timeout + (PROBE_RETRY_DELAY if retry_probes else 0.0)


def run_all(jobs: Sequence[Callable[[], T]], limit: int) -> list[T]:
    """Run ``jobs`` on at most ``limit`` threads at once; their results, in order.

    The threads end with the last job. An exception in a job is raised here,
    after every job has finished. Not ``ThreadPoolExecutor``: its workers are
    joined at interpreter exit, so Ctrl-C or SIGTERM during a cycle would wait
    for a hanging server's timeout; these threads are daemons and do not.
    """
    if len(jobs) <= 1 or limit <= 1:
        return [job() for job in jobs]
    results: list[T | None] = [None] * len(jobs)
    errors: list[BaseException] = []
    pending = iter(enumerate(jobs))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                nxt = next(pending, None)
            if nxt is None:
                return
            index, job = nxt
            try:
                results[index] = job()
            except BaseException as exc:     # handed to the caller below
                errors.append(exc)

    threads = [threading.Thread(target=work, name="poll", daemon=True)
               for _ in range(min(limit, len(jobs)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]   # every slot was filled


@dataclass(frozen=True, slots=True)
class PollResult:
    connectivity: Connectivity
    observations: Mapping[str, Observation]


@dataclass(frozen=True, slots=True)
class Wait:
    """A URL that asked (Retry-After) not to be asked again before ``until``."""

    until_mono: float       # on the poller's monotonic clock: what is obeyed
    until: datetime         # the same on the wall clock: what is said
    outcome: Outcome        # the answer that asked; it stands meanwhile


@dataclass(frozen=True, slots=True)
class Asked:
    outcome: Outcome
    held: bool = False                  # not asked: a Retry-After still runs
    retry_at: datetime | None = None    # the Retry-After in force after this answer


@dataclass(slots=True)
class _Backoff:
    strikes: int
    until: float            # on the monotonic clock: setting the wall clock back
    report: FeedReport      # (or forward) neither prolongs nor ends a pause


def probe_headers(probe: ProbeConfig, environ: Mapping[str, str],
                  service_id: str | None = None,
                  keyring: Callable[[str], str | None] | None = None) -> dict[str, str]:
    """The probe's headers, with the API key: from its environment variable when that is
    set (it wins), else the one stored in the OS keyring for ``service_id``
    (:mod:`trayapp.edges.keys`, cached per process)."""
    headers = dict(probe.headers)
    if not probe.api_key_header:
        return headers
    key = environ.get(probe.api_key_env, "").strip() if probe.api_key_env else ""
    if not key and service_id is not None:
        if keyring is None:
            from trayapp.edges.keys import lookup
            keyring = lookup
        key = keyring(service_id) or ""
    if key:
        headers[probe.api_key_header] = probe.api_key_prefix + key
    return headers


def is_keyed(probe: ProbeConfig, headers: Mapping[str, str]) -> bool:
    """The user's key is among the probe's headers."""
    return bool(probe.api_key_header) and probe.api_key_header in headers


def key_unusable(probe: ProbeConfig, headers: Mapping[str, str],
                 environ: Mapping[str, str]) -> str | None:
    """Why the user's key among ``headers`` cannot be sent (not printable ASCII, too
    long: :func:`trayapp.edges.keys.key_problem`) and where it came from; None when it
    can. Checked before any request, so the probe says why instead of "broken HTTP
    answer"; ``key set`` refuses such keys, but the environment and older keyrings can
    still hold them."""
    name = probe.api_key_header
    if not name or name not in headers:
        return None
    from trayapp.edges.keys import key_problem
    problem = key_problem(headers[name].removeprefix(probe.api_key_prefix))
    if problem is None:
        return None
    env = probe.api_key_env
    where = f"${env}" if env and environ.get(env, "").strip() else "the keyring"
    return f"{problem} ({where})"


@dataclass(slots=True)
class _ModelRun:
    outcomes: list[tuple[str, Asked]]
    budget: ModelBudget | None


class Poller:
    def __init__(self, config: Config, client: HttpClient,
                 environ: Mapping[str, str] | None = None, *,
                 monotonic: Callable[[], float] = time.monotonic,
                 budget: Budget | None = None, past_path: Path | None = None) -> None:
        self.config = config
        self.past_path = past_path    # the pages' incident histories on disk (edges.pastcache)
        self._pages: dict[str, PageHistory] | None = None     # history url -> its last read
        self._pages_dirty = False
        self._history_of: dict[str, str] = {}        # feed url -> its history url
        self.machine: dict[str, tuple[PastIncident, ...]] = {}   # service id -> seen here
        self.budget = budget          # the model probes' daily count; made when first needed
        self.client = client
        self.environ = os.environ if environ is None else environ
        self.monotonic = monotonic                   # the back-off pauses' clock
        self._detected: dict[str, str] = {}          # auto feed url -> platform kind
        self._alternate: set[str] = set()            # feeds switched to their alternate host
        self._backoff: dict[str, _Backoff] = {}
        self._held: dict[str, tuple[float, Outcome]] = {}   # documents an adapter may hold
        self.waits: dict[str, Wait] = {}             # URL -> its Retry-After (see Wait)
        from trayapp.edges import keys
        keys.forget()             # a new config (a reload): read stored keys afresh, once

    # ------------------------------------------------------------ Retry-After
    def waiting(self, url: str) -> Wait | None:
        """The Retry-After still running for ``url``, else None."""
        wait = self.waits.get(url)
        if wait is not None and self.monotonic() < wait.until_mono:
            return wait
        return None

    def ask(self, url: str, now: datetime, request: Callable[[], Outcome]) -> Asked:
        """``request()`` unless ``url`` asked to wait (then its last answer, held); an
        answer that asks to wait (:func:`wait_seconds`) is remembered for ``url``."""
        wait = self.waiting(url)
        if wait is not None:
            return Asked(wait.outcome, held=True, retry_at=wait.until)
        outcome = request()
        seconds = wait_seconds(outcome, now)
        if seconds is None:
            self.waits.pop(url, None)
            return Asked(outcome)
        until = now + timedelta(seconds=seconds)
        self.waits[url] = Wait(self.monotonic() + seconds, until, outcome)
        log.info("%s asked to wait %.0f s (Retry-After); not asking it again before then",
                 url, seconds)
        return Asked(outcome, retry_at=until)

    # ------------------------------------------------------------ feeds
    def _read(self, kind: str, base: str, now: datetime, deadline: float,
              waits: list[datetime] | None = None,
              seen: dict[str, Outcome] | None = None) -> FeedReport:
        adapter = sources.get(kind)
        if adapter is None:
            return failed_feed(kind, SourceProblem.BROKEN,
                               f"status source broken: no reader for {kind!r}", base)
        outcomes: dict[str, Outcome] = {}
        for _ in range(MAX_DOCUMENT_ROUNDS):
            result = read_feed(adapter, base, outcomes, now)
            if not isinstance(result, NeedDocuments):
                if seen is not None:
                    seen.update(outcomes)
                return result
            outcomes.update(self._documents(result, now, deadline, waits))
        return failed_feed(kind, SourceProblem.BROKEN,
                           "status source broken: too many documents needed", base)

    def _documents(self, need: NeedDocuments, wall: datetime, deadline: float,
                   waits: list[datetime] | None = None) -> dict[str, Outcome]:
        """Fetch what an adapter asked for; a document it may ``hold`` is reused meanwhile
        (timed on the monotonic clock, so a wall-clock jump neither keeps nor drops it),
        and one that asked to wait (Retry-After) is not fetched before then."""
        now = self.monotonic()
        got = {u: kept[1] for u in need.urls
               if (kept := self._held.get(u)) and 0 <= now - kept[0] < need.hold}
        todo = [u for u in need.urls if u not in got]
        fetched = run_all([partial(self.ask, u, wall,
                                   partial(self.client.fetch, u, deadline=deadline))
                           for u in todo], len(todo))
        for url, asked in zip(todo, fetched, strict=True):
            outcome = got[url] = asked.outcome
            if asked.retry_at is not None and waits is not None:
                waits.append(asked.retry_at)
            if need.hold and isinstance(outcome, Fetched) and 200 <= outcome.status < 300 \
                    and not looks_like_html(outcome.body):      # a portal or challenge page
                self._held[url] = (now, outcome)
        return got

    def _feed(self, feed: FeedConfig, now: datetime, deadline: float) -> FeedReport:
        held = self._backoff.get(feed.url)
        if held is not None and self.monotonic() < held.until:
            return held.report
        base = feed.alternate if feed.url in self._alternate and feed.alternate else feed.url
        kind = self._detected.get(feed.url, feed.kind) if feed.kind == "auto" else feed.kind
        waits: list[datetime] = []
        seen: dict[str, Outcome] = {}              # the documents read, for _history
        report = self._feed_read(kind, base, now, deadline, waits, seen)
        if feed.kind == "auto" and kind != "auto" and report.problem is SourceProblem.BROKEN:
            log.warning("feed %s no longer looks like %s; detecting its platform again",
                        feed.url, kind)
            self._detected.pop(feed.url, None)
            kind = "auto"
            report = self._feed_read(kind, base, now, deadline, waits, seen)
        if report.problem is SourceProblem.BLOCKED and feed.alternate and base != feed.alternate:
            log.warning("status page %s blocked us; switching to %s", feed.url, feed.alternate)
            self._alternate.add(feed.url)
            base = feed.alternate
            report = self._feed_read(kind, base, now, deadline, waits, seen)
        if feed.kind == "auto" and report.problem is None and report.platform != "auto":
            if self._detected.get(feed.url) != report.platform:
                log.info("feed %s detected as %s", feed.url, report.platform)
            self._detected[feed.url] = report.platform
        if report.problem is SourceProblem.BLOCKED:
            strikes = held.strikes + 1 if held else 1
            pause = min(timedelta(seconds=self.config.interval * 2 ** strikes), MAX_BACKOFF)
            report = replace(report, summary=f"{report.summary} until {now + pause:%H:%M} UTC")
            self._backoff[feed.url] = _Backoff(strikes, self.monotonic() + pause.total_seconds(),
                                               report)
        else:
            self._backoff.pop(feed.url, None)
        if report.problem is None:
            self._history(feed.url, report, base, now, deadline, seen)
        return report

    # ------------------------------------------------------------ incident history
    def pages(self) -> dict[str, PageHistory]:
        """The pages' incident histories: loaded from ``past_path`` on first use."""
        if self._pages is None:
            from trayapp.edges import pastcache
            self._pages = pastcache.load(self.past_path) if self.past_path else {}
        return self._pages

    def _history(self, feed_url: str, report: FeedReport, base: str, now: datetime,
                 deadline: float, seen: Mapping[str, Outcome]) -> None:
        """Read the page's incident history when due: at most once an hour (on the
        wall clock, which a restart keeps: :mod:`trayapp.edges.pastcache`), and once
        more when the feed shows an incident the last read did not know. A conditional
        GET through :meth:`ask` (ETag / Last-Modified; a Retry-After is obeyed). Google's
        history is the feed's own document: it is parsed, not fetched again."""
        adapter = sources.get(report.platform)
        url = history_url(report.platform, sources.document_base(adapter, base)) \
            if adapter is not None else None
        if url is None:
            return
        self._history_of[feed_url] = url
        pages = self.pages()
        page = pages.get(url)
        open_ids = frozenset(i.id for i in report.incidents)
        if page is not None and timedelta(0) <= now - page.read_at < HISTORY_EVERY \
                and open_ids <= page.open_ids:
            return
        if url in seen:                             # the feed's own document (Google)
            outcome: Outcome | None = seen[url]
        else:
            outcome = self.ask(url, now, partial(self.client.fetch, url,
                                                 deadline=deadline)).outcome
        ok = isinstance(outcome, Fetched) and 200 <= outcome.status < 300
        incidents = parse_history(report.platform, outcome.body) \
            if isinstance(outcome, Fetched) and ok else None
        if incidents is None and page is not None:
            incidents = page.incidents               # keep the last good read
        pages[url] = PageHistory(now, open_ids, incidents)
        self._pages_dirty = True

    def past(self, svc: ServiceConfig) -> PastIncidents | None:
        """What is known of ``svc``'s past incidents (page and this machine), or None."""
        url = self._history_of.get(svc.feed.url) if svc.feed is not None else None
        page = self.pages().get(url) if url else None
        machine = self.machine.get(svc.id, ())
        if (page is None or not page.incidents) and not machine:
            return None
        return PastIncidents(page.incidents or () if page else (), machine,
                             page.read_at if page else None)

    def save_pages(self) -> None:
        if self._pages_dirty and self.past_path is not None and self._pages is not None:
            from trayapp.edges import pastcache
            services = {s.id: pastcache.ServicePage(url, s.components)
                        for s in self.config.services
                        if s.feed is not None and (url := self._history_of.get(s.feed.url))}
            pastcache.save(self.past_path, self._pages, services)
        self._pages_dirty = False

    def _feed_read(self, kind: str, base: str, now: datetime, deadline: float,
                   waits: list[datetime], seen: dict[str, Outcome] | None = None
                   ) -> FeedReport:
        """:meth:`_read`, with the latest Retry-After of its documents on the report."""
        report = self._read(kind, base, now, deadline, waits, seen)
        return replace(report, retry_at=max(waits)) if waits else report

    # ------------------------------------------------------------ probes
    def _probe(self, sid: str, probe: ProbeConfig, retry: bool, local: bool, now: datetime,
               deadline: float) -> tuple[Asked, bool]:
        """The probe's outcome (retried once if ``retry`` and it failed, unless the
        answer asked to wait), and whether the user's key went with it. Classified by
        the caller, with the whole cycle."""
        headers = probe_headers(probe, self.environ, sid)
        keyed = is_keyed(probe, headers)
        if (unusable := key_unusable(probe, headers, self.environ)) is not None:
            return Asked(FetchFailed(probe.url, FailKind.KEY_UNUSABLE, unusable)), keyed
        fetch = partial(self.client.fetch, probe.url, headers, conditional=False,
                        deadline=deadline)
        asked = self.ask(probe.url, now, fetch)
        if retry and not asked.held and asked.retry_at is None and classify_probe(
                asked.outcome, probe.slow_ms, NetContext(keyed=keyed, local=local)
        ).level.is_problem:
            time.sleep(PROBE_RETRY_DELAY)
            asked = self.ask(probe.url, now, fetch)
        return asked, keyed

    def _budget(self) -> Budget:
        if self.budget is None:
            from trayapp.edges.paths import state_dir
            self.budget = Budget(state_dir() / "model-probes")
        return self.budget

    def _models(self, svc: ServiceConfig, probe: ProbeConfig, now: datetime, retry: bool,
                urgent: bool, deadline: float, online: Callable[[], bool],
                local: bool = False) -> _ModelRun:
        """One minimal request per model, if the key is set, ``model_interval`` has
        passed (the poll interval while ``urgent``; always in ``status``) and today's
        budget allows. Not while offline (``online`` waits for this cycle's
        connectivity check): a probe that cannot tell anything must not spend it."""
        headers = probe_headers(probe, self.environ, svc.id)
        if not is_keyed(probe, headers) or key_unusable(probe, headers, self.environ):
            return _ModelRun([], None)     # never without the user's key (the probe says why)
        budget = self._budget()
        if not online():
            return _ModelRun([], budget.spent(svc.id, now, probe.max_model_probes_per_day))
        # In trouble: as often as the poll interval (not the faster troubled polls).
        gap = 0.0 if retry else float(self.config.interval if urgent else probe.model_interval)
        # A model whose URL asked to wait (Retry-After) is not sent, nor counted.
        held = [(m, w) for m in probe.models if (w := self.waiting(request(probe, m)[0]))]
        free = [m for m in probe.models if m not in dict(held)]
        grant = budget.take(svc.id, now, probe.max_model_probes_per_day, len(free), gap)
        todo = free[:grant.granted]

        def send(model: str) -> Asked:
            url, body = request(probe, model)
            return self.ask(url, now, partial(self.client.send, url, body, headers,
                                              deadline=deadline))

        outcomes = [(m, Asked(w.outcome, held=True, retry_at=w.until)) for m, w in held]
        outcomes += list(zip(todo, run_all([partial(send, m) for m in todo], len(todo)),
                             strict=True))
        use = grant.use
        ctx = NetContext(keyed=True, local=local)
        failing = [i for i, (m, a) in enumerate(outcomes)
                   if not a.held and a.retry_at is None
                   and classify_model(m, a.outcome, probe.slow_ms, ctx).level.is_problem]
        if retry and failing:
            time.sleep(PROBE_RETRY_DELAY)
            again = budget.take(svc.id, now, probe.max_model_probes_per_day, len(failing), 0)
            use = again.use
            for i in failing[:again.granted]:
                outcomes[i] = (outcomes[i][0], send(outcomes[i][0]))
        return _ModelRun(outcomes, use)

    # ------------------------------------------------------------ cycle
    def _connectivity(self, deadline: float) -> Outcome | None:
        url = self.config.connectivity_url
        return self.client.fetch(url, conditional=False, deadline=deadline) \
            if url else None

    def _read_keys(self, services: Sequence[ServiceConfig]) -> None:
        """The stored API keys, read before the cycle's clock starts: a keyring may take
        a while (a locked one asks the user to unlock it), and its wait must not eat the
        requests' deadline. Cached per config, so only the first cycle waits."""
        for s in services:
            if s.probe is not None:
                probe_headers(s.probe, self.environ, s.id)

    def poll(self, now: datetime, *, only: tuple[ServiceConfig, ...] | None = None,
             retry_probes: bool = False, urgent: frozenset[str] = frozenset()) -> PollResult:
        """``urgent``: services in trouble, whose models are probed every cycle."""
        services = self.config.services if only is None else only
        self._read_keys(services)
        self.pages()                  # loaded here, once, before the feeds' threads use it
        # On the HTTP client's clock (time.monotonic), not the back-off's.
        deadline = time.monotonic() + cycle_budget(self.config, retry_probes)
        feeds = {s.feed for s in services if s.feed is not None}
        feed_reports: dict[FeedConfig, FeedReport] = {}
        probe_outcomes: dict[str, tuple[Asked, bool]] = {}
        local = {s.id: on_this_machine(s) for s in services}
        model_runs: dict[str, _ModelRun] = {}
        conn_outcome: list[Outcome | None] = [None]

        checked = threading.Event()

        def check() -> None:
            try:
                conn_outcome[0] = self._connectivity(deadline)
            finally:
                checked.set()

        def online() -> bool:
            checked.wait(max(0.0, deadline - time.monotonic()))
            return checked.is_set() and \
                classify_connectivity(conn_outcome[0]) is Connectivity.ONLINE

        def read(f: FeedConfig) -> None:
            feed_reports[f] = self._feed(f, now, deadline)

        def probe(sid: str, p: ProbeConfig) -> None:
            probe_outcomes[sid] = self._probe(sid, p, retry_probes, local[sid], now, deadline)

        def models(s: ServiceConfig, p: ProbeConfig) -> None:
            model_runs[s.id] = self._models(s, p, now, retry_probes, s.id in urgent, deadline,
                                            online, local[s.id])

        jobs: list[Callable[[], None]] = [check]
        jobs += [partial(read, f) for f in feeds]
        jobs += [partial(probe, s.id, p) for s in services if (p := s.probe)]
        jobs += [partial(models, s, p) for s in services if (p := s.probe) and p.models]
        run_all(jobs, self.client.max_connections)
        connectivity = classify_connectivity(conn_outcome[0])
        answers = [o for o in (conn_outcome[0],
                               *(a.outcome for a, _ in probe_outcomes.values() if not a.held),
                               *(a.outcome for r in model_runs.values() for _, a in r.outcomes
                                 if not a.held))
                   if isinstance(o, Fetched)]
        resolved = bool(answers) or any(r.problem is None for r in feed_reports.values())
        skew = clock_skew((o.header("date") for o in answers if o.header("date")), now)
        observations = {}
        for s in services:
            result: ProbeResult | None = None
            if s.probe is not None and s.id in probe_outcomes:
                asked, keyed = probe_outcomes[s.id]
                result = replace(classify_probe(asked.outcome, s.probe.slow_ms,
                                                NetContext(keyed, resolved, skew, local[s.id])),
                                 retry_at=asked.retry_at, held=asked.held)
            run = model_runs.get(s.id)
            found: tuple[ModelResult, ...] | None = None
            if run is not None and run.outcomes and s.probe is not None:
                ctx = NetContext(True, resolved, skew, local[s.id])
                found = tuple(replace(classify_model(m, a.outcome, s.probe.slow_ms, ctx),
                                      retry_at=a.retry_at, held=a.held)
                              for m, a in run.outcomes)
            observations[s.id] = Observation(
                feed=feed_reports.get(s.feed) if s.feed else None, probe=result,
                models=found, budget=run.budget if run else None, past=self.past(s))
        self.save_pages()
        return PollResult(connectivity, observations)
