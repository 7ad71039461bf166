"""`status --cached` and `pick --cached`: the saved snapshot, no network, no config."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.cli_helpers import isolated_env, trayapp, write_config
from tests.loopback import LoopbackServer, fixture, free_port

OK = fixture("statuspage/anthropic-summary-3.json")
DOWN = fixture("statuspage/github-summary-1.json")
FEED = "/api/v2/summary.json"


def serve(server: LoopbackServer, body: bytes = OK) -> None:
    server.set("/generate_204", b"", status=204)
    server.set(FEED, body)
    server.set("/v1/models", b"{}", status=401)


def cache_file(tmp: Path) -> Path:
    return tmp / "state" / "trayapp" / "snapshot.json"


def dead_config(tmp: Path) -> Path:
    """Every URL on a port where nothing listens."""
    port = free_port()
    path = tmp / "dead.toml"
    path.write_text(f'connectivity_url = "http://127.0.0.1:{port}/generate_204"\n'
                    "[[services]]\nid = \"claude\"\n"
                    f'feed = {{ kind = "statuspage", url = "http://127.0.0.1:{port}" }}\n'
                    f'probe = {{ url = "http://127.0.0.1:{port}/v1/models" }}\n')
    return path


def age_snapshot(tmp: Path, minutes: float) -> None:
    path = cache_file(tmp)
    data = json.loads(path.read_text())
    data["checked_at"] = (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()
    path.write_text(json.dumps(data))


def test_live_status_saves_exactly_its_json_and_cached_reads_it_without_network(
        server: LoopbackServer, tmp_path: Path) -> None:
    serve(server, DOWN)
    env = isolated_env(tmp_path)
    live = trayapp("status", "--json", "--config", str(write_config(tmp_path, server)), env=env)
    assert live.returncode == 2, live.stderr
    # One JSON object: the head (the prompt's first line) and, a small page being within
    # the budget, exactly what `status --json` printed.
    saved_text = cache_file(tmp_path).read_text()
    assert saved_text.startswith('{"head": ') and saved_text.count("\n") == 1
    saved = json.loads(saved_text)
    assert saved.pop("head")["services"][0]["level"] == "major_outage"
    assert saved == json.loads(live.stdout)
    hits = sum(server.hits.values())

    # The configured URLs now point at a dead port: the cached commands never go there.
    env["TRAYAPP_CONFIG"] = str(dead_config(tmp_path))
    cached = trayapp("status", "--cached", "--json", env=env)
    assert cached.returncode == 2 and cached.stderr == ""
    data = json.loads(cached.stdout)
    assert data.pop("cached") is True
    assert 0 <= data.pop("age_seconds") < 60
    assert data == json.loads(live.stdout)

    text = trayapp("status", "--cached", env=env)
    assert text.returncode == 2
    assert text.stdout.count("\n") == 1 and "Claude: major outage" in text.stdout
    assert " s ago)" in text.stdout

    picked = trayapp("pick", "claude", "--cached", "--json", env=env)
    assert picked.returncode == 1            # it has no fallback: known down, none up
    answer = json.loads(picked.stdout)
    assert (answer["pick"], answer["level"], answer["cached"]) == (None, "major_outage", True)
    assert sum(server.hits.values()) == hits


def test_pick_live_and_cached_give_the_same_answer(server: LoopbackServer,
                                                   tmp_path: Path) -> None:
    serve(server, DOWN)
    server.set("/other" + FEED, OK)
    cfg = write_config(tmp_path, server, service_extra='fallbacks = ["backup"]', more=(
        '[[services]]\nid = "backup"\nrole = "fallback"\n'
        f'feed = {{ kind = "statuspage", url = "{server.base}/other" }}'))
    env = isolated_env(tmp_path)
    assert trayapp("status", "--config", str(cfg), env=env).returncode == 2
    live = trayapp("pick", "claude", "--config", str(cfg), env=env)
    cached = trayapp("pick", "claude", "--cached", env=env)
    assert (live.returncode, live.stdout) == (cached.returncode, cached.stdout) == (0, "backup\n")


def test_old_snapshot_is_no_recent_snapshot_unless_allowed(server: LoopbackServer,
                                                           tmp_path: Path) -> None:
    serve(server)
    env = isolated_env(tmp_path)
    cfg = write_config(tmp_path, server)
    assert trayapp("status", "--config", str(cfg), env=env).returncode == 0
    age_snapshot(tmp_path, 10)
    hits = sum(server.hits.values())

    old = trayapp("status", "--cached", env=env)
    assert (old.returncode, old.stdout) == (3, "")
    assert "no recent snapshot" in old.stderr and "10 min ago" in old.stderr
    as_json = trayapp("pick", "claude", "--cached", "--json", env=env)
    assert as_json.returncode == 3
    assert json.loads(as_json.stdout)["error"] == "no recent snapshot"
    assert trayapp("status", "--cached", "--max-age", "1h", env=env).returncode == 0
    assert trayapp("pick", "claude", "--cached", "--max-age=20m", env=env).stdout == "claude\n"
    assert sum(server.hits.values()) == hits          # none of that touched the network

    polled = trayapp("status", "--cached", "--or-poll", "--json", "--config", str(cfg), env=env)
    assert polled.returncode == 0 and "cached" not in json.loads(polled.stdout)
    assert sum(server.hits.values()) > hits           # --or-poll did poll
    fresh = json.loads(cache_file(tmp_path).read_text())
    assert datetime.fromisoformat(fresh["checked_at"]) > datetime.now(UTC) - timedelta(minutes=1)


def test_missing_snapshot(tmp_path: Path) -> None:
    env = isolated_env(tmp_path, TRAYAPP_CONFIG=str(dead_config(tmp_path)))
    done = trayapp("status", "--cached", env=env, timeout=20)
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr.count("\n") == 1 and "no snapshot saved yet" in done.stderr
    picked = trayapp("pick", "claude", "--cached", env=env, timeout=20)
    assert (picked.returncode, picked.stdout) == (3, "")


def test_cached_bad_input_is_one_line(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    bad = trayapp("status", "--cached", "--max-age", "soon", env=env)
    assert bad.returncode == 64 and "not a duration" in bad.stderr
    assert "Traceback" not in bad.stderr
    cache_file(tmp_path).parent.mkdir(parents=True)
    cache_file(tmp_path).write_text("{not json")
    broken = trayapp("status", "--cached", env=env)
    assert broken.returncode == 3 and "Traceback" not in broken.stderr
    both = trayapp("status", "--cached", "--service", "claude", env=env)
    assert both.returncode == 64 and "--service" in both.stderr


HEAVY_FOR_A_PROMPT = {"httpx", "httpcore", "argparse", "logging", "platformdirs", "dataclasses",
                      "typing", "tomllib", "trayapp.config.schema", "trayapp.runtime.engine",
                      "trayapp.edges.http", "trayapp.edges.paths", "trayapp.core.render",
                      "trayapp.domain.model", "trayapp.domain.levels", "trayapp.edges.logsetup",
                      "trayapp.edges.configfile", "sqlite3", "trayapp.core.history",
                      "trayapp.edges.history_store"}


def test_the_cached_path_imports_almost_nothing(server: LoopbackServer, tmp_path: Path) -> None:
    """A prompt runs this on every Enter: no HTTP, no config, no argparse, no logging."""
    serve(server)
    env = isolated_env(tmp_path)
    assert trayapp("status", "--config", str(write_config(tmp_path, server)),
                   env=env).returncode == 0
    for args in (["status", "--cached", "--json"], ["pick", "claude", "--cached"], ["status",
                                                                                   "--cached"]):
        code = ("import sys\nfrom trayapp.cli.main import main\n"
                f"rc = main({args!r})\n"
                "print('MODULES', sorted(sys.modules))\nraise SystemExit(rc)")
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        loaded = set(eval(done.stdout.split("MODULES ", 1)[1]))
        assert loaded & HEAVY_FOR_A_PROMPT == set(), args
        assert "trayapp.cli.quick" in loaded and "trayapp.edges.snapcache" in loaded


def test_fast_state_dir_matches_platformdirs(tmp_path: Path) -> None:
    code = ("import os\nfrom trayapp.edges import snapcache, paths\n"
            "print(snapcache.guess_state_dir() == str(paths.state_dir()))")
    for extra in ({"XDG_STATE_HOME": str(tmp_path / "xdg")}, {}):
        env = isolated_env(tmp_path, **extra)
        if not extra:
            env.pop("XDG_STATE_HOME")
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, timeout=60)
        assert done.stdout.strip() == "True", (extra, done.stderr)
