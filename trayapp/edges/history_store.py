"""The history file: ``history.sqlite3`` in the state dir. The only module that
touches ``sqlite3`` (imported with this module, which nothing imports eagerly).

Layout (times are Unix seconds, levels small integers, see ``STATES``):

* ``span``: run-length observations per service and source (0 combined, 1 page,
  2 probe): a cycle at the same state extends the last span to ``now``; a cycle
  after more than ``max_gap`` starts a new one, so the time between is a *gap*.
  Offline cycles are spans at ``offline``. That is the heartbeat and the level
  history in one: a year of polls costs a few rows per change.
* ``change``: the level changes (worse/better events) with source and reason.
* ``incident``: as the page lists them, first and last seen, resolved when a
  readable page stops listing them.
* ``probe``: one row per probe answer (latency, level, HTTP code); rows older
  than 48 h become ``probe_hour`` (count, failures, min/median/max latency).

Writing is one ``BEGIN IMMEDIATE`` transaction per cycle; WAL and a busy timeout
let the tray and a ``status`` run write at once. A corrupt or foreign file is
moved aside (``history.sqlite3.corrupt-<time>``) once, with one warning; a file
that cannot be written (read-only dir, full disk) turns history off for this
process with one warning. Nothing here ever raises into the monitoring.

The file is not trusted (anyone who could write the state dir once could have
planted it): every connection runs with ``trusted_schema`` off and values capped
at 1 MB; a file is used only when ``sqlite_master`` holds exactly the tables and
indexes of ``SCHEMA`` (a view, a trigger or a changed table is refused: the
writer moves the file aside, keeping it, and starts fresh; a reader says so in
one line); a read stops after ``READ_SECONDS``; a value trayapp never writes (a
level code out of range, text where a number belongs) reads as ``damaged``, and
a row whose time or key is not one is left out and counted. The file and its
``-wal``/``-shm`` are 0600 (created so, and narrowed when an older version left
them wider), in a 0700 directory.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from trayapp.core.history.record import CycleRecord
from trayapp.core.history.rows import DAMAGED, ChangeRow, Contents, IncidentRow, ProbeStats
from trayapp.core.history.uptime import Span
from trayapp.domain.past import MAX_PAST, PastIncident

log = logging.getLogger("trayapp.history")
FILE_NAME = "history.sqlite3"
APPLICATION_ID = 0x74726179          # "tray"
SCHEMA_VERSION = 1
STATES = ("operational", "maintenance", "degraded", "partial_outage", "major_outage",
          "unknown", "offline")
CODE = {s: i for i, s in enumerate(STATES)}
COMBINED, PAGE, PROBE = 0, 1, 2
SOURCES = {"combined": COMBINED, "page": PAGE, "probe": PROBE}
RAW_PROBE_SECONDS = 48 * 3600
AGGREGATE_EVERY = 3600
PRUNE_EVERY = 86400
BUSY_TIMEOUT_S = 5.0
CACHE_KB = 256
READ_SECONDS = 10.0                  # a year of history reads in well under a second
MAX_VALUE_BYTES = 1 << 20            # we write names of 300 characters at most
EARLIEST, LATEST = 946_684_800, 7_258_118_400     # 2000-01-01 .. 2200-01-01 UTC

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE service(id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
CREATE TABLE span(service INTEGER NOT NULL, source INTEGER NOT NULL, state INTEGER NOT NULL,
                  start INTEGER NOT NULL, end INTEGER NOT NULL);
CREATE INDEX span_last ON span(service, source, end);
CREATE TABLE change(service INTEGER NOT NULL, at INTEGER NOT NULL, old INTEGER NOT NULL,
                    new INTEGER NOT NULL, source TEXT NOT NULL, reason TEXT NOT NULL);
CREATE INDEX change_at ON change(at);
CREATE TABLE incident(service INTEGER NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL,
                      impact INTEGER NOT NULL, status TEXT NOT NULL, opened_at INTEGER,
                      updated_at INTEGER, first_seen_at INTEGER NOT NULL,
                      last_seen_at INTEGER NOT NULL, resolved_at INTEGER,
                      PRIMARY KEY(service, key)) WITHOUT ROWID;
CREATE TABLE probe(service INTEGER NOT NULL, at INTEGER NOT NULL, latency_ms INTEGER,
                   state INTEGER NOT NULL, code INTEGER);
CREATE INDEX probe_at ON probe(at);
CREATE TABLE probe_hour(service INTEGER NOT NULL, hour INTEGER NOT NULL, n INTEGER NOT NULL,
                        bad INTEGER NOT NULL, min_ms INTEGER, median_ms INTEGER,
                        max_ms INTEGER, PRIMARY KEY(service, hour)) WITHOUT ROWID;
"""


def _median(ordered: list[int]) -> int:
    """Of a sorted non-empty list (``statistics`` would cost the tray ~0.5 MB of imports)."""
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) // 2


def default_path() -> Path:
    from trayapp.edges.paths import state_dir
    return state_dir() / FILE_NAME


class Unusable(Exception):
    """The file is not ours or not a database: move it aside."""


class TooSlow(sqlite3.OperationalError):
    """A read went past its time limit."""


def _private(path: Path) -> None:
    """The file and its -wal/-shm 0600. SQLite creates them 0644 (less the umask) and
    gives -wal/-shm the main file's mode: the main file is made 0600 before SQLite
    opens it (:func:`trayapp.edges.paths.create_private`, in a 0700 directory), and an
    older version's wider -wal/-shm are narrowed (they are ours)."""
    from trayapp.edges.paths import create_private
    os.close(create_private(path))
    for name in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            info = os.stat(name, follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and info.st_mode & 0o077:
                os.chmod(name, 0o600)
        except OSError:
            pass


def _connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    from trayapp.edges.safefile import check_regular
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        check_regular(name)     # a FIFO or device would hang sqlite's open; a symlink is not ours
    if readonly:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                               timeout=BUSY_TIMEOUT_S, isolation_level=None)
    else:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        # Before anything reads the schema: no function with side effects from a view
        # or a trigger planted in the file, no value of more than a megabyte.
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def _time_limit(conn: sqlite3.Connection, seconds: float) -> Iterator[None]:
    """Interrupt any statement still running ``seconds`` from now (raises TooSlow)."""
    deadline = time.monotonic() + seconds
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 100)
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc) and time.monotonic() > deadline:
            raise TooSlow(f"reading it took over {seconds:g} s; is it really trayapp's?") \
                from None
        raise
    finally:
        conn.set_progress_handler(None, 0)


def _normal(sql: str | None) -> str | None:
    return None if sql is None else " ".join(sql.split())


@cache
def expected_schema() -> frozenset[tuple[str, str, str, str | None]]:
    """What ``sqlite_master`` holds in a file made from SCHEMA: (type, name, table, sql)."""
    conn = sqlite3.connect(":memory:")
    try:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        return frozenset((t, n, tb, _normal(sql)) for t, n, tb, sql in conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master"))
    finally:
        conn.close()


def _schema_problem(conn: sqlite3.Connection) -> str | None:
    """None when the file holds exactly our tables and indexes, else what differs."""
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master LIMIT 1000")
    found = {(str(t), str(n), str(tb), _normal(sql) if isinstance(sql, str) else None)
             for t, n, tb, sql in rows}
    want = expected_schema()
    if found == want:
        return None
    names = {(t, n) for t, n, _, _ in want}
    odd = sorted(f"{t} {n!r}" if (t, n) not in names else f"a changed {t} {n!r}"
                 for t, n, _, _ in found - want)
    missing = sorted(f"no {t} {n!r}" for t, n, _, _ in want
                     if (t, n) not in {(ft, fn) for ft, fn, _, _ in found})
    what = ", ".join((odd + missing)[:3]) + (", ..." if len(odd) + len(missing) > 3 else "")
    return f"not as trayapp made it: {what}"


def _check(conn: sqlite3.Connection) -> bool:
    """True: ours (ready); False: empty (needs the schema). Raises Unusable."""
    try:
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app == 0 and tables == 0:
            return False
        if app != APPLICATION_ID:
            raise Unusable("not a trayapp history file")
        if conn.execute("PRAGMA user_version").fetchone()[0] > SCHEMA_VERSION:
            raise Unusable("written by a newer trayapp")
        problem = _schema_problem(conn)
        if problem is not None:
            raise Unusable(problem)
        ok = conn.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            raise Unusable("damaged")
        return True
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and (
                _transient(exc) or "interrupted" in str(exc)):   # busy, or the time limit
            raise
        raise Unusable(str(exc)) from None


def _transient(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _create(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def move_aside(path: Path, why: str) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            try:
                os.replace(side, target.with_name(target.name + suffix))
            except OSError:
                pass
    log.warning("history file %s is unusable (%s); moved it to %s and started a fresh one",
                path, why, target.name)
    return target


def open_store(path: Path) -> sqlite3.Connection:
    """A connection ready to write; a corrupt or foreign file is moved aside first.
    Raises sqlite3.Error/OSError when the file cannot be used at all."""
    for attempt in (1, 2):
        _private(path)
        conn = _connect(path)
        try:
            with _time_limit(conn, READ_SECONDS):
                fresh = not _check(conn)
            if fresh:
                _create(conn)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            # A cycle touches a few pages (the last spans, the tails of the indexes): a
            # small page cache keeps a long-running tray's heap small (default: 2 MB).
            conn.execute(f"PRAGMA cache_size = -{CACHE_KB}")
            return conn
        except (Unusable, TooSlow) as exc:
            conn.close()
            if attempt == 2:
                raise sqlite3.DatabaseError(str(exc)) from None
            move_aside(path, str(exc))
        except BaseException:
            conn.close()
            raise
    raise AssertionError("unreachable")   # pragma: no cover


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _service_id(conn: sqlite3.Connection, key: str, name: str,
                cache: dict[str, int]) -> int:
    if key in cache:
        return cache[key]
    row = conn.execute("SELECT id, name FROM service WHERE key = ?", (key,)).fetchone()
    if row is None:
        sid = int(conn.execute("INSERT INTO service(key, name) VALUES (?, ?)",
                               (key, name)).lastrowid or 0)
    else:
        sid = int(row[0])
        if row[1] != name:
            conn.execute("UPDATE service SET name = ? WHERE id = ?", (name, sid))
    cache[key] = sid
    return sid


def _extend(conn: sqlite3.Connection, service: int, source: int, state: str, at: int,
            max_gap: int) -> None:
    code = CODE[state]
    last = conn.execute("SELECT rowid, state, end FROM span WHERE service = ? AND source = ? "
                        "ORDER BY end DESC LIMIT 1", (service, source)).fetchone()
    if last is not None and _int(last[2]) is None:
        last = None                 # a damaged row: start a new span after it
    if last is not None and 0 <= at - last[2] <= max_gap:
        conn.execute("UPDATE span SET end = ? WHERE rowid = ?", (at, last[0]))
        if last[1] == code:
            return
    elif last is not None and at < last[2]:
        return              # another writer already saw later than this poll
    conn.execute("INSERT INTO span(service, source, state, start, end) VALUES (?, ?, ?, ?, ?)",
                 (service, source, code, at, at))


def write(conn: sqlite3.Connection, rec: CycleRecord, cache: dict[str, int]) -> None:
    """One cycle, one transaction."""
    with _transaction(conn):
        for s in rec.services:
            sid = _service_id(conn, s.id, s.name, cache)
            _extend(conn, sid, COMBINED, s.combined, rec.at, rec.max_gap)
            if s.page is not None:
                _extend(conn, sid, PAGE, s.page, rec.at, rec.max_gap)
            if s.probe is not None:
                _extend(conn, sid, PROBE, s.probe, rec.at, rec.max_gap)
            if s.probe_raw is not None:
                conn.execute("INSERT INTO probe(service, at, latency_ms, state, code) "
                             "VALUES (?, ?, ?, ?, ?)",
                             (sid, rec.at, s.latency_ms, CODE[s.probe_raw], s.status_code))
            if s.incidents is not None:
                _incidents(conn, sid, s.incidents, rec.at)
        for c in rec.changes:
            cid = cache.get(c.service)
            if cid is not None:
                conn.execute("INSERT INTO change(service, at, old, new, source, reason) "
                             "VALUES (?, ?, ?, ?, ?, ?)",
                             (cid, c.at, CODE[c.old], CODE[c.new], c.source, c.reason[:300]))


def _incidents(conn: sqlite3.Connection, sid: int, seen: tuple[object, ...], at: int) -> None:
    from trayapp.core.history.record import IncidentSeen
    for i in seen:
        assert isinstance(i, IncidentSeen)
        conn.execute(
            "INSERT INTO incident(service, key, name, impact, status, opened_at, updated_at, "
            "first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(service, key) DO UPDATE SET name = excluded.name, "
            "impact = max(impact, excluded.impact), status = excluded.status, "
            "updated_at = excluded.updated_at, last_seen_at = excluded.last_seen_at, "
            "resolved_at = NULL",
            (sid, i.id[:200], i.name[:300], CODE[i.impact], i.status[:40], i.opened_at,
             i.updated_at, at, at))
    # Every incident the page still lists was just seen at ``at``: the others are over.
    conn.execute("UPDATE incident SET resolved_at = ? WHERE service = ? AND resolved_at IS NULL "
                 "AND last_seen_at < ?", (at, sid, at))


def aggregate(conn: sqlite3.Connection, now: int) -> int:
    """Probe rows older than 48 h -> one row per service and hour. Returns rows folded."""
    cutoff = (now - RAW_PROBE_SECONDS) // 3600 * 3600
    with _transaction(conn):
        rows = conn.execute("SELECT service, at / 3600 * 3600, latency_ms, state FROM probe "
                            "WHERE at < ?", (cutoff,)).fetchall()
        groups: dict[tuple[int, int], list[tuple[int | None, str]]] = {}
        for sid, hour, ms, state in rows:
            groups.setdefault((sid, hour), []).append((_int(ms), _state(state)))
        for (sid, hour), items in groups.items():
            lat = sorted(ms for ms, _ in items if ms is not None)
            bad = sum(1 for _, st in items if st in ("partial_outage", "major_outage",
                                                     "degraded"))
            old = conn.execute("SELECT n, bad, min_ms, median_ms, max_ms FROM probe_hour "
                               "WHERE service = ? AND hour = ?", (sid, hour)).fetchone()
            if old is not None:
                old = (_int(old[0]) or 0, _int(old[1]) or 0, *(_int(x) for x in old[2:]))
            n = len(items)
            lo, med, hi = (lat[0], _median(lat), lat[-1]) if lat else \
                (None, None, None)
            if old is not None:     # a late row for an hour already folded: merge roughly
                n, bad = n + old[0], bad + old[1]
                lo = min(x for x in (lo, old[2]) if x is not None) if lo or old[2] else None
                hi = max(x for x in (hi, old[4]) if x is not None) if hi or old[4] else None
                med = med if med is not None else old[3]
            conn.execute("INSERT OR REPLACE INTO probe_hour VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (sid, hour, n, bad, lo, med, hi))
        conn.execute("DELETE FROM probe WHERE at < ?", (cutoff,))
    return len(rows)


def prune(conn: sqlite3.Connection, now: int, days: int) -> None:
    """Forget what is older than ``days``."""
    cutoff = now - days * 86400
    with _transaction(conn):
        conn.execute("DELETE FROM span WHERE end < ?", (cutoff,))
        conn.execute("UPDATE span SET start = ? WHERE start < ?", (cutoff, cutoff))
        conn.execute("DELETE FROM change WHERE at < ?", (cutoff,))
        conn.execute("DELETE FROM incident WHERE last_seen_at < ?", (cutoff,))
        conn.execute("DELETE FROM probe WHERE at < ?", (cutoff,))
        conn.execute("DELETE FROM probe_hour WHERE hour < ?", (cutoff,))
    conn.execute("PRAGMA incremental_vacuum")


def _meta(conn: sqlite3.Connection, key: str) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    try:
        return int(row[0]) if row else 0
    except ValueError:
        return 0


def _set_meta(conn: sqlite3.Connection, key: str, value: int) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, str(value)))


def maintain(conn: sqlite3.Connection, now: int, days: int) -> None:
    """Aggregate about once an hour and prune about once a day (the stamps are in
    the file, so every writer shares them)."""
    if now - _meta(conn, "aggregated_at") >= AGGREGATE_EVERY:
        aggregate(conn, now)
        with _transaction(conn):
            _set_meta(conn, "aggregated_at", now)
    if now - _meta(conn, "pruned_at") >= PRUNE_EVERY:
        prune(conn, now, days)
        with _transaction(conn):
            _set_meta(conn, "pruned_at", now)


# ------------------------------------------------------------------ reading

def read(path: Path, since: int, service: str | None = None,
         limit: float = READ_SECONDS, spans_since: int | None = None) -> Contents | None:
    """What the file holds from ``since`` on (the spans from ``spans_since`` when
    given); None when there is no history file. Raises sqlite3.Error when it exists
    but cannot be read (not ours, damaged, or slower than ``limit`` seconds: one line
    each)."""
    if not path.exists():
        return None
    conn = _connect(path, readonly=True)
    try:
        with _time_limit(conn, limit):
            conn.execute("BEGIN")
            try:
                ours = _check(conn)
            except Unusable as exc:
                raise sqlite3.DatabaseError(str(exc)) from None
            if not ours:
                return None
            contents = _contents(conn, since, service,
                                 since if spans_since is None else spans_since)
            conn.execute("COMMIT")
            return contents
    finally:
        conn.close()


def _int(value: Any, low: int = 0, high: int = 10**12) -> int | None:
    """A whole number in [low, high] (SQLite hands back whatever the file holds)."""
    return value if type(value) is int and low <= value <= high else None


def _time(value: Any) -> int | None:
    return _int(value, EARLIEST, LATEST)


def _state(code: Any) -> str:
    return STATES[code] if type(code) is int and 0 <= code < len(STATES) else DAMAGED


def _text(value: Any, cap: int) -> str:
    return value[:cap] if isinstance(value, str) else DAMAGED


def _contents(conn: sqlite3.Connection, since: int, service: str | None,
              spans_since: int) -> Contents:
    """Every row checked: a value trayapp never writes reads as ``damaged``; a row
    without a usable time or service is left out and counted."""
    damaged = 0
    known: dict[int, tuple[str, str]] = {}
    for i, k, n in conn.execute("SELECT id, key, name FROM service ORDER BY id"):
        if type(i) is int and isinstance(k, str) and k and len(k) <= 200:
            known[i] = (k, _text(n, 300))
        else:
            damaged += 1
    names = {i: v for i, v in known.items() if service is None or v[0] == service}
    src = {v: k for k, v in SOURCES.items()}
    spans: dict[tuple[str, str], list[Span]] = {}
    for sid, source, state, start, end in conn.execute(
            "SELECT service, source, state, start, end FROM span WHERE end >= ? "
            "ORDER BY start", (spans_since,)):
        if sid not in names:
            damaged += sid not in known
            continue
        a, b = _time(start), _time(end)
        if a is None or b is None or a > b or source not in src:
            damaged += 1
            continue
        spans.setdefault((names[sid][0], src[source]), []).append(
            Span(float(a), float(b), _state(state)))
    changes = []
    for sid, at, old, new, source, reason in conn.execute(
            "SELECT service, at, old, new, source, reason FROM change WHERE at >= ? "
            "ORDER BY at DESC, rowid DESC", (since,)):
        when = _time(at)
        if sid not in names or when is None:
            damaged += sid not in known or (sid in names and when is None)
            continue
        changes.append(ChangeRow(names[sid][0], when, _state(old), _state(new),
                                 _text(source, 40), _text(reason, 300)))
    incidents = []
    for r in conn.execute(
            "SELECT service, key, name, impact, status, opened_at, updated_at, "
            "first_seen_at, last_seen_at, resolved_at FROM incident "
            "WHERE last_seen_at >= ? ORDER BY first_seen_at DESC", (since,)):
        first, last = _time(r[7]), _time(r[8])
        if r[0] not in names or first is None or last is None:
            damaged += r[0] not in known or (r[0] in names and None in (first, last))
            continue
        incidents.append(IncidentRow(names[r[0]][0], _text(r[1], 200), _text(r[2], 300),
                                     _state(r[3]), _text(r[4], 40), _time(r[5]),
                                     _time(r[6]), first, last, _time(r[9])))
    probe, skipped = _probe_stats(conn, since, names)
    return Contents({k: n for k, n in names.values()}, spans, changes, incidents, probe,
                    damaged + skipped)


def _probe_stats(conn: sqlite3.Connection, since: int, names: dict[int, tuple[str, str]]
                 ) -> tuple[dict[str, ProbeStats], int]:
    out: dict[str, ProbeStats] = {}
    skipped = 0
    raw: dict[int, list[tuple[int | None, Any]]] = {}
    for sid, ms, state in conn.execute("SELECT service, latency_ms, state FROM probe "
                                       "WHERE at >= ?", (since,)):
        raw.setdefault(sid, []).append((_int(ms), state))
    hours: dict[int, list[tuple[int, int, int | None, int | None, int | None]]] = {}
    for sid, n, bad, lo, med, hi in conn.execute(
            "SELECT service, n, bad, min_ms, median_ms, max_ms FROM probe_hour "
            "WHERE hour >= ?", (since // 3600 * 3600,)):
        count, failed = _int(n, 0, 10**7), _int(bad, 0, 10**7)
        if count is None or failed is None or failed > count:
            skipped += 1
            continue
        hours.setdefault(sid, []).append((count, failed, _int(lo), _int(med), _int(hi)))
    problem = {CODE[s] for s in ("degraded", "partial_outage", "major_outage")}
    for sid, (key, _name) in names.items():
        items, folded = raw.get(sid, []), hours.get(sid, [])
        lat = [ms for ms, _ in items if ms is not None]
        meds = lat + [m for _, _, _, m, _ in folded if m is not None]
        los = lat + [x for _, _, x, _, _ in folded if x is not None]
        his = lat + [x for _, _, _, _, x in folded if x is not None]
        n = len(items) + sum(f[0] for f in folded)
        if n == 0:
            continue
        out[key] = ProbeStats(
            n, sum(1 for _, st in items if type(st) is int and st in problem)
            + sum(f[1] for f in folded),
            min(los) if los else None, _median(sorted(meds)) if meds else None,
            max(his) if his else None)
    return out, skipped


def resolved_incidents(path: Path, since: int, limit: float = READ_SECONDS
                       ) -> dict[str, tuple[PastIncident, ...]]:
    """Per service key, the incidents this machine saw resolve since ``since``, newest
    first (the page's own opening time when it gave one, else when first seen; the end
    when a readable page stopped listing it), for :mod:`trayapp.core.eta`. Empty when
    there is no history or it cannot be read (never raises)."""
    from datetime import UTC, datetime

    from trayapp.domain.levels import Level
    try:
        if not path.exists():
            return {}
        conn = _connect(path, readonly=True)
        try:
            with _time_limit(conn, limit):
                if not _check(conn):
                    return {}
                rows = conn.execute(
                    "SELECT s.key, i.key, i.impact, i.opened_at, i.first_seen_at, "
                    "i.resolved_at FROM incident i JOIN service s ON s.id = i.service "
                    "WHERE i.resolved_at IS NOT NULL AND i.resolved_at >= ? "
                    "ORDER BY i.first_seen_at DESC", (since,)).fetchall()
        finally:
            conn.close()
    except (sqlite3.Error, OSError, Unusable) as exc:
        log.info("history: incident durations not read (%s)", exc)
        return {}
    out: dict[str, list[PastIncident]] = {}
    for key, iid, impact, opened, first, resolved in rows:
        seen, said = _time(first), _time(opened)      # as the history report does
        start = min(said, seen) if said is not None and seen is not None else seen
        end, state = _time(resolved), _state(impact)
        if not isinstance(key, str) or not isinstance(iid, str) or start is None \
                or end is None or state == DAMAGED:
            continue
        out.setdefault(key, []).append(PastIncident(
            iid[:120], Level(state), datetime.fromtimestamp(start, UTC),
            datetime.fromtimestamp(end, UTC)))
    return {k: tuple(v[:MAX_PAST]) for k, v in out.items()}


# ------------------------------------------------------------------ the writer

class HistoryWriter:
    """Records each cycle; never raises. Opened on the first cycle."""

    def __init__(self, path: Path, days: int) -> None:
        self.path = path
        self.days = days
        self.conn: sqlite3.Connection | None = None
        self.disabled: str | None = None
        self._ids: dict[str, int] = {}

    def record(self, rec: CycleRecord) -> bool:
        if self.disabled is not None:
            return False
        try:
            if self.conn is None:
                self.conn = open_store(self.path)
            write(self.conn, rec, self._ids)
            maintain(self.conn, rec.at, self.days)
            return True
        except (sqlite3.Error, OSError) as exc:
            if isinstance(exc, sqlite3.OperationalError) and _transient(exc):
                log.info("history: skipped one cycle (%s)", exc)
                return False
            self._disable(exc)
            return False

    def _disable(self, exc: BaseException) -> None:
        why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        self.disabled = why
        log.warning("cannot write the history file %s (%s); history is off, monitoring "
                    "goes on", self.path, why)
        self.close()

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except sqlite3.Error:
                pass
            self.conn = None
