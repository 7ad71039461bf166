"""Text out (issue 24, item 3 and the invisible-characters leftover): every text that
leaves trayapp goes through one cleaning, whose invisible set is Unicode's
Default_Ignorable_Code_Point property (not a list of categories, which missed
U+034F, the Hangul fillers and the variation selectors), and a CSV cell never
starts a spreadsheet formula (``=1+2``, ``-1+cmd|' /C calc'!A0`` passed, and
the same behind a leading TAB, CR, space or NBSP).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import time
import unicodedata
from pathlib import Path

import pytest

from tests.faults.kit import (
    assert_no_crash,
    feed_entry_path,
    feed_service,
    loopback_config,
    run_cli,
    run_status,
    watch,
)
from tests.loopback import LoopbackServer, Route, fixture, wait_until
from trayapp.core import textclean
from trayapp.domain.invisible import DEFAULT_IGNORABLE, is_ignorable
from trayapp.domain.text import html_to_text, one_line, paragraph

# Characters the Unicode data names Default_Ignorable_Code_Point (DerivedCoreProperties),
# with their categories: the ones a category test missed are Mn and Lo.
NAMED = {
    "\u034f": "COMBINING GRAPHEME JOINER", "\u115f": "HANGUL CHOSEONG FILLER",
    "\u1160": "HANGUL JUNGSEONG FILLER", "\u3164": "HANGUL FILLER",
    "\uffa0": "HALFWIDTH HANGUL FILLER", "\u180b": "MONGOLIAN FREE VARIATION SELECTOR ONE",
    "\u180f": "MONGOLIAN FREE VARIATION SELECTOR FOUR", "\ufe00": "VARIATION SELECTOR-1",
    "\ufe0f": "VARIATION SELECTOR-16", "\U000e0001": "LANGUAGE TAG",
    "\U000e0041": "TAG LATIN CAPITAL LETTER A", "\U000e0100": "VARIATION SELECTOR-17",
    "\u200b": "ZERO WIDTH SPACE", "\u2060": "WORD JOINER", "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u206f": "NOMINAL DIGIT SHAPES", "\u00ad": "SOFT HYPHEN",
    "\u17b4": "KHMER VOWEL INHERENT AQ", "\U0001d173": "MUSICAL SYMBOL BEGIN BEAM",
}
RESERVED_IGNORABLE = ["\u2065", "\ufff0", "\U000e0080", "\U000e0fff"]  # unassigned, yet DI
NOT_IGNORABLE = ["a", "Z", "é", "東", " ", "\u00a0", "😀", "\u2764", "\ufff9", "\ufffb",
                 "\u0600", "\u06dd", "\U000110bd", "\u0300", "\u1100", "\U00013430", "0"]
# Cf characters the definition takes out: U+FFF9..FFFB, U+13430..1343F and the
# Prepended_Concatenation_Mark ones (PropList.txt, Unicode 14).
PCM = {0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F, 0x0890, 0x0891,
       0x08E2, 0x110BD, 0x110CD}


def test_the_table_holds_the_characters_the_unicode_data_names() -> None:
    for ch, name in NAMED.items():
        assert unicodedata.name(ch) == name
        assert is_ignorable(ch), name
    for ch in RESERVED_IGNORABLE:
        assert is_ignorable(ch), hex(ord(ch))
    for ch in NOT_IGNORABLE:
        assert not is_ignorable(ch), hex(ord(ch))
    assert tuple(chr(c) for c in DEFAULT_IGNORABLE[-1]) == ("\U000e0000", "\U000e0fff")


def test_the_table_follows_its_definition_where_unicodedata_can_tell() -> None:
    """Cf - U+FFF9..FFFB - U+13430..1343F - Prepended_Concatenation_Mark, and every
    variation selector, are in it; the ranges are sorted and disjoint."""
    for c in range(0x110000):
        ch = chr(c)
        if unicodedata.category(ch) == "Cf" and not 0xFFF9 <= c <= 0xFFFB \
                and not 0x13430 <= c <= 0x1343F and c not in PCM:
            assert is_ignorable(ch), hex(c)
        if "VARIATION SELECTOR" in unicodedata.name(ch, ""):
            assert is_ignorable(ch), hex(c)
    ends = [c for pair in DEFAULT_IGNORABLE for c in pair]
    assert ends == sorted(ends) and all(hi + 1 < lo for (_, hi), (lo, _) in
                                        itertools.pairwise(DEFAULT_IGNORABLE))


def test_every_cleaner_removes_every_ignorable_character() -> None:
    chars = [chr(c) for lo, hi in DEFAULT_IGNORABLE for c in range(lo, hi + 1)]
    assert len(chars) > 4000
    text = "a" + "b".join(chars) + "c"
    expected = "a" + "b" * (len(chars) - 1) + "c"
    limit = 10 * len(text)
    assert one_line(text, limit) == expected
    assert paragraph(text, limit) == expected
    assert html_to_text(f"<p>{text}</p>", limit) == expected
    assert textclean.line(f"<b>{text}</b>", limit) == expected
    assert textclean.block(text, limit) == expected
    assert one_line("Zürich 東京 ✓ café 😀 한국") == "Zürich 東京 ✓ café 😀 한국"


LEFTOVER = "\u034f\u115f\u1160\u3164\uffa0\u180b\ufe0f\U000e0041\u00ad\u2065"


def test_no_ignorable_character_reaches_status_or_watch_json(
        server: LoopbackServer, env: dict[str, str], tmp_path: Path) -> None:
    dirty = "".join(f"{c}x" for c in LEFTOVER)
    doc = json.loads(fixture("statuspage/anthropic-summary-3.json"))
    doc["incidents"] = [{
        "id": "inv1", "name": f"Hidden{dirty}name", "status": "investigating",
        "impact": "major", "shortlink": "https://stspg.io/x",
        "created_at": "2026-03-01T11:00:00Z", "updated_at": "2026-03-01T11:05:00Z",
        "components": [], "incident_updates": [
            {"id": "u", "status": "investigating", "body": f"body{dirty}",
             "created_at": "2026-03-01T11:00:00Z", "display_at": "2026-03-01T11:00:00Z"}]}]
    doc["status"]["description"] = f"desc{dirty}"
    clean = fixture("statuspage/anthropic-summary-3.json")
    server.script(feed_entry_path("/feed"), lambda n: Route(
        body=clean if n == 1 else json.dumps(doc).encode(),
        headers={"Content-Type": "application/json"}))
    config = loopback_config(tmp_path / "c.toml", server, [feed_service(server.url("/feed"))])
    with watch(env, config) as w:
        assert wait_until(lambda: any(e.get("incident") for e in w.events), 30), w.stderr
    runs = [run_status(env, config), run_cli(env, "status", "--config", str(config))]
    for run in runs:
        assert_no_crash(run)
    out = "\n".join([*w.out, *w.err, *(r.stdout + r.stderr for r in runs)])
    found = sorted({f"U+{ord(c):04X}" for c in out if is_ignorable(c)})
    assert not found, found
    assert "Hiddenxxxxxxxxxxname" in runs[0].stdout          # the visible text is all kept


# ------------------------------------------------------------------ CSV cells

FORMULAS = ["=1+2", "-1+cmd|' /C calc'!A0", "+1+1", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
            " =1+1", "\u00a0=1+1", "\u200b=1+1", "\u3164-2+3", "\uff1d1+1", "-5"]


def _history(path: Path, now: int) -> None:
    from trayapp.core.history.record import Change, CycleRecord, IncidentSeen, ServiceCycle
    from trayapp.edges.history_store import HistoryWriter

    writer = HistoryWriter(path, 90)
    for n, text in enumerate(FORMULAS):
        at = now - 3600 + 60 * n
        incident = IncidentSeen(f"i{n}", text, "major_outage", text, at - 60, at)
        level = "major_outage" if n % 2 == 0 else "operational"
        svc = ServiceCycle("svc", "Svc", level, level, None, incidents=(incident,))
        change = Change("svc", at, "operational" if n % 2 == 0 else "major_outage", level,
                        "page", text)
        assert writer.record(CycleRecord(at, False, (svc,), (change,), 180))
    writer.close()


def test_no_csv_cell_starts_a_formula(env: dict[str, str]) -> None:
    now = int(time.time())
    _history(Path(env["XDG_STATE_HOME"]) / "trayapp" / "history.sqlite3", now)
    run = run_cli(env, "history", "--csv", "--since", "24h")
    assert_no_crash(run)
    rows = list(csv.reader(io.StringIO(run.stdout)))
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) > len(FORMULAS), run.stdout
    for cell in cells:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r", "\uff1d"), (cell, run.stdout)
        assert not any(is_ignorable(c) or unicodedata.category(c) == "Cc" for c in cell), cell
    escaped = {cell for cell in cells if cell.startswith("'")}
    for expect in ("'=1+2", "'-1+cmd|' /C calc'!A0", "'+1+1", "'@SUM(A1:A9)", "'=1+1",
                   "'-2+3", "'\uff1d1+1", "'-5"):
        assert expect in escaped, (expect, escaped)


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_cell_escapes_whatever_follows_the_sign(text: str) -> None:
    from trayapp.cli.history_text import csv_cell
    cell = csv_cell(text)
    assert cell.startswith("'") and cell[1:] == one_line(text)
    assert csv_cell("Elevated errors") == "Elevated errors"
