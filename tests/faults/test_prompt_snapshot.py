"""Issue 24, the snapshot the shell prompt reads: a budget whatever a page holds, and
its text cleaned like live output.

* **budget**: a 4 MB feed of emoji and a feed of 10,000 incidents, both within the
  4 MiB body cap, served on 127.0.0.1 and polled through the real engine (a live
  `status`): the saved ``snapshot.json`` stays within its budget (UTF-8, per
  service at most ``SERVICE_CHARS`` characters), says what it left out, and
  `status --cached` / `pick --cached` answer from it as the live run did. Before:
  the emoji page gave an 11.8 MB file (ASCII escapes) that the reader refused
  ("no snapshot saved yet" while the tray ran); 10,000 incidents were all kept.
* **text out**: a snapshot written by someone else (a tampered state dir) with
  escape sequences, controls, bidi and invisible characters in every name, id,
  level and reason: nothing of them reaches the prompt (before: `pick --cached`
  printed ids and the offline reason raw).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.payloads import emoji_page, many_incidents_page
from tests.faults.kit import STATUS_BOUND, feed_entry_path, feed_service, run_cli, write_config
from tests.hostile import assert_neutralised, hostile
from tests.loopback import LoopbackServer
from trayapp.core.snapbudget import MAX_INCIDENTS, SERVICE_CHARS

BODY_CAP = 4 * 1024 * 1024
EMOJI = "\U0001f525\U0001f4a5\U0001f680\U0001f9e8"       # the page's four astral characters


PAGES = {"4 MB of emoji": emoji_page, "10,000 incidents": many_incidents_page}


@pytest.mark.parametrize("name", list(PAGES))
def test_a_page_within_the_body_cap_keeps_the_snapshot_within_its_budget(
        name: str, env: dict[str, str], tmp_path: Path) -> None:
    body = PAGES[name]()
    assert 3_000_000 < len(body) < BODY_CAP
    server = LoopbackServer()
    try:
        server.set(feed_entry_path("/feed"), body)
        config = write_config(tmp_path / "c.toml", [feed_service(server.url("/feed"))])
        live = run_cli(env, "status", "--json", "--config", str(config), timeout=60)
    finally:
        server.close()
    assert live.rc in (1, 2), live.stderr[-2000:]
    assert len(live.service()["feed"]["incidents"]) > MAX_INCIDENTS    # the live run: all

    path = Path(env["XDG_STATE_HOME"]) / "trayapp" / "snapshot.json"
    raw = path.read_bytes()
    assert len(raw) <= 4 * SERVICE_CHARS + 64 * 1024, len(raw)          # one service
    assert b"\\ud83d" not in raw                                          # UTF-8, not escapes
    assert (EMOJI.encode() in raw) == (name == "4 MB of emoji")
    saved = json.loads(raw)
    feed = saved["services"][0]["feed"]
    assert 0 < len(feed["incidents"]) <= MAX_INCIDENTS
    assert feed["omitted"]["incidents"] == len(live.service()["feed"]["incidents"]) \
        - len(feed["incidents"])
    assert raw.split(b"\n", 1)[0].startswith(b'{"head": ') and len(raw.split(b"\n", 1)[0]) < 2048

    cached = run_cli(env, "status", "--cached", timeout=STATUS_BOUND)
    assert cached.rc == live.rc, cached.stderr
    assert cached.stdout.startswith("Svc: ") and cached.stdout.count("\n") == 1, cached.stdout
    picked = run_cli(env, "pick", "svc", "--cached", "--json", timeout=STATUS_BOUND)
    assert json.loads(picked.stdout)["level"] == live.service()["level"], picked.stderr
    whole = run_cli(env, "status", "--cached", "--json", timeout=STATUS_BOUND)
    assert json.loads(whole.stdout)["services"][0]["level"] == live.service()["level"]


def _tampered(tag: str) -> dict[str, object]:
    bad = hostile(tag)
    return {
        "checked_at": datetime.now(UTC).isoformat(), "offline": True, "reason": bad,
        "services": [
            {"id": "claude", "name": bad, "role": "watch", "level": "unknown",
             "probe": {"level": bad, "status_code": 503},
             "fallbacks": [{"id": hostile("FB")[:200], "level": "operational"}]},
            {"id": hostile("FB")[:200], "name": bad, "role": "fallback",
             "level": "operational", "fallbacks": []},
            {"id": bad, "name": None, "role": "watch", "level": bad, "fallbacks": []}],
    }


def _write(path: Path, data: dict[str, object], with_head: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False)
    if with_head:      # the file's own layout, with a head that is just as hostile
        text = '{"head": ' + text + ",\n" + text[1:]
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("with_head", [True, False], ids=["head", "older file"])
def test_tampered_snapshot_text_never_reaches_the_prompt_raw(
        with_head: bool, env: dict[str, str]) -> None:
    _write(Path(env["XDG_STATE_HOME"]) / "trayapp" / "snapshot.json", _tampered("T"),
           with_head)
    runs = {args: run_cli(env, *args, timeout=STATUS_BOUND) for args in (
        ("status", "--cached"), ("pick", "claude", "--cached"),
        ("pick", "nosuch", "--cached"))}
    shown = 0
    for args, run in runs.items():
        assert "Traceback" not in run.stderr, (args, run.stderr[-2000:])
        for text in (run.stdout, run.stderr):
            assert_neutralised(text, newlines=True, max_len=1000)
            shown += text.count("FB") + text.count("T ")
    assert shown, runs             # the text was shown, cleaned, not dropped
    assert os.path.exists(Path(env["XDG_STATE_HOME"]) / "trayapp" / "snapshot.json")
