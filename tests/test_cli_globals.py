"""Global options (``--config``, ``-v``, ``--version``) work before or after the subcommand.

Real subprocess runs against a loopback server: the config named on the command
line must be the one polled, wherever ``--config`` stands.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli_helpers import isolated_env, trayapp, write_config
from tests.loopback import LoopbackServer, fixture, free_port


@pytest.fixture
def config(server: LoopbackServer, tmp_path: Path) -> Path:
    server.set("/generate_204", b"", status=204)
    server.set("/api/v2/summary.json", fixture("statuspage/github-summary-1.json"))
    server.set("/v1/models", b"{}", status=200)
    return write_config(tmp_path, server)


@pytest.mark.parametrize("order", [
    ("--config", "{cfg}", "status", "--json"),
    ("status", "--config", "{cfg}", "--json"),
    ("status", "--json", "--config", "{cfg}"),
    ("-v", "--config", "{cfg}", "status", "--json"),
    ("--config", "{cfg}", "status", "--json", "-v"),
])
def test_config_before_or_after_the_subcommand(config: Path, tmp_path: Path,
                                               order: tuple[str, ...]) -> None:
    # The built-in default (Claude, ChatGPT, ...) would have several services and
    # would try the internet; the file names exactly one, "claude", on 127.0.0.1.
    done = trayapp(*[a.format(cfg=config) for a in order], env=isolated_env(tmp_path))
    assert "Traceback" not in done.stderr, done.stderr
    data = json.loads(done.stdout)
    assert [s["id"] for s in data["services"]] == ["claude"]
    assert data["services"][0]["level"] == "major_outage"
    assert done.returncode == 2


def test_verbose_after_the_subcommand_turns_on_debug_logging(config: Path,
                                                            tmp_path: Path) -> None:
    # A probe to a closed port: http.py logs the failed GET at debug level only.
    dead = f"http://127.0.0.1:{free_port()}/v1/models"
    config.write_text(re.sub(r'probe = \{ url = "[^"]*" \}', f'probe = {{ url = "{dead}" }}',
                             config.read_text()))
    env = isolated_env(tmp_path)
    quiet = trayapp("--config", str(config), "status", env=env)
    loud = trayapp("--config", str(config), "status", "-v", env=env)
    assert "failed" not in quiet.stderr, quiet.stderr
    assert f"GET {dead} failed" in loud.stderr, loud.stderr


@pytest.mark.parametrize("argv", [("--version",), ("status", "--version"),
                                  ("watch", "--version"), ("pick", "--version")])
def test_version_anywhere(tmp_path: Path, argv: tuple[str, ...]) -> None:
    from trayapp import __version__
    done = trayapp(*argv, env=isolated_env(tmp_path))
    assert (done.returncode, done.stdout.strip()) == (0, f"trayapp {__version__}")
