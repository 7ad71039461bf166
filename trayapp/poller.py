"""One poll cycle: fetch everything concurrently, interpret, return observations.

A cycle costs about its slowest request, not the sum: the connectivity
check, every feed and every probe run at once on one connection pool. Feeds
shared by several services are fetched once. Nothing here decides levels over
time; that is :mod:`trayapp.monitor`.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from trayapp import sources
from trayapp.config import Config, FeedConfig, ProbeConfig, ServiceConfig
from trayapp.connectivity import classify as classify_connectivity
from trayapp.feeds import read_feed
from trayapp.http import HttpClient
from trayapp.model import (
    Connectivity,
    FeedReport,
    Observation,
    ProbeResult,
    SourceProblem,
    failed_feed,
)
from trayapp.outcome import Outcome
from trayapp.probe import classify as classify_probe
from trayapp.sources import NeedDocuments

log = logging.getLogger(__name__)
MAX_DOCUMENT_ROUNDS = 4
PROBE_RETRY_DELAY = 1.0
MAX_BACKOFF = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class PollResult:
    connectivity: Connectivity
    observations: Mapping[str, Observation]


@dataclass(slots=True)
class _Backoff:
    strikes: int
    until: datetime
    report: FeedReport


def probe_headers(probe: ProbeConfig, environ: Mapping[str, str]) -> dict[str, str]:
    """The probe's headers, with the API key from its environment variable if set."""
    headers = dict(probe.headers)
    if probe.api_key_env and probe.api_key_header:
        key = environ.get(probe.api_key_env, "").strip()
        if key:
            headers[probe.api_key_header] = probe.api_key_prefix + key
    return headers


class Poller:
    def __init__(self, config: Config, client: HttpClient,
                 environ: Mapping[str, str] | None = None) -> None:
        self.config = config
        self.client = client
        self.environ = os.environ if environ is None else environ
        self._detected: dict[str, str] = {}          # auto feed url -> platform kind
        self._alternate: set[str] = set()            # feeds switched to their alternate host
        self._backoff: dict[str, _Backoff] = {}

    # ------------------------------------------------------------ feeds
    async def _read(self, kind: str, base: str, now: datetime) -> FeedReport:
        adapter = sources.get(kind)
        if adapter is None:
            return failed_feed(kind, SourceProblem.BROKEN,
                               f"status source broken: no reader for {kind!r}", base)
        outcomes: dict[str, Outcome] = {}
        for _ in range(MAX_DOCUMENT_ROUNDS):
            result = read_feed(adapter, base, outcomes, now)
            if not isinstance(result, NeedDocuments):
                return result
            fetched = await asyncio.gather(*(self.client.fetch(u) for u in result.urls))
            outcomes.update(zip(result.urls, fetched, strict=True))
        return failed_feed(kind, SourceProblem.BROKEN,
                           "status source broken: too many documents needed", base)

    async def _feed(self, feed: FeedConfig, now: datetime) -> FeedReport:
        held = self._backoff.get(feed.url)
        if held is not None and now < held.until:
            return held.report
        base = feed.alternate if feed.url in self._alternate and feed.alternate else feed.url
        kind = self._detected.get(feed.url, feed.kind) if feed.kind == "auto" else feed.kind
        report = await self._read(kind, base, now)
        if feed.kind == "auto" and kind != "auto" and report.problem is SourceProblem.BROKEN:
            log.warning("feed %s no longer looks like %s; detecting its platform again",
                        feed.url, kind)
            self._detected.pop(feed.url, None)
            kind = "auto"
            report = await self._read(kind, base, now)
        if report.problem is SourceProblem.BLOCKED and feed.alternate and base != feed.alternate:
            log.warning("status page %s blocked us; switching to %s", feed.url, feed.alternate)
            self._alternate.add(feed.url)
            base = feed.alternate
            report = await self._read(kind, base, now)
        if feed.kind == "auto" and report.problem is None and report.platform != "auto":
            if self._detected.get(feed.url) != report.platform:
                log.info("feed %s detected as %s", feed.url, report.platform)
            self._detected[feed.url] = report.platform
        if report.problem is SourceProblem.BLOCKED:
            strikes = held.strikes + 1 if held else 1
            pause = min(timedelta(seconds=self.config.interval * 2 ** strikes), MAX_BACKOFF)
            until = now + pause
            report = replace(report, summary=f"{report.summary} until {until:%H:%M} UTC")
            self._backoff[feed.url] = _Backoff(strikes, until, report)
        else:
            self._backoff.pop(feed.url, None)
        return report

    # ------------------------------------------------------------ probes
    async def _probe(self, probe: ProbeConfig, retry: bool) -> ProbeResult:
        headers = probe_headers(probe, self.environ)
        result = classify_probe(await self.client.fetch(probe.url, headers, conditional=False),
                                probe.slow_ms)
        if retry and result.level.is_problem:
            await asyncio.sleep(PROBE_RETRY_DELAY)
            result = classify_probe(
                await self.client.fetch(probe.url, headers, conditional=False), probe.slow_ms)
        return result

    # ------------------------------------------------------------ cycle
    async def _connectivity(self) -> Outcome | None:
        url = self.config.connectivity_url
        return await self.client.fetch(url, conditional=False) if url else None

    async def poll(self, now: datetime, *, only: tuple[ServiceConfig, ...] | None = None,
                   retry_probes: bool = False) -> PollResult:
        services = self.config.services if only is None else only
        feeds = {s.feed for s in services if s.feed is not None}
        feed_list = list(feeds)
        probed = [s for s in services if s.probe is not None]
        reports, probes, conn_outcome = await asyncio.gather(
            asyncio.gather(*(self._feed(f, now) for f in feed_list)),
            asyncio.gather(*(self._probe(p, retry_probes) for s in probed
                             if (p := s.probe) is not None)),
            self._connectivity())
        feed_reports = dict(zip(feed_list, reports, strict=True))
        probe_results = {s.id: r for s, r in zip(probed, probes, strict=True)}
        connectivity = classify_connectivity(conn_outcome)
        observations = {
            s.id: Observation(feed=feed_reports.get(s.feed) if s.feed else None,
                              probe=probe_results.get(s.id))
            for s in services}
        return PollResult(connectivity, observations)
