"""``trayapp mcp``, driven by the official MCP SDK's own client over stdio, as an agent
would: initialize, list the tools, call each; the answers are the same decision as
``trayapp status --json`` and ``trayapp pick --json`` on the same loopback feeds."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import isolated_env, trayapp
from tests.loopback import LoopbackServer, fixture

pytest.importorskip("mcp", reason="the mcp extra is not installed")

DOWN = fixture("statuspage/github-summary-1.json")          # a major outage
UP = fixture("statuspage/anthropic-summary-3.json")          # all operational


def config(tmp: Path, server: LoopbackServer) -> Path:
    path = tmp / "config.toml"
    path.write_text(f"""\
connectivity_url = "{server.url('/generate_204')}"
timeout = 2
connect_timeout = 1
[[services]]
id = "claude"
name = "Claude"
fallbacks = ["openai"]
feed = {{ kind = "statuspage", url = "{server.base}/claude" }}
[[services]]
id = "openai"
name = "ChatGPT"
role = "fallback"
feed = {{ kind = "statuspage", url = "{server.base}/openai" }}
""")
    return path


@pytest.fixture
def feeds(server: LoopbackServer) -> LoopbackServer:
    server.set("/generate_204", b"", status=204)
    server.set("/claude/api/v2/summary.json", DOWN)
    server.set("/openai/api/v2/summary.json", UP)
    return server


def ask(cfg: Path, env: dict[str, str], calls: list[tuple[str, dict[str, Any]]]
        ) -> tuple[list[str], list[dict[str, Any]]]:
    """The tools listed and each call's structured answer, from one MCP session."""
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    params = StdioServerParameters(command=sys.executable,
                                   args=["-m", "trayapp", "mcp", "--config", str(cfg)], env=env)

    async def session() -> tuple[list[str], list[dict[str, Any]]]:
        async with Client(params) as client:
            tools = [t.name for t in (await client.list_tools()).tools]
            answers = []
            for name, arguments in calls:
                result = await client.call_tool(name, arguments)
                assert not result.is_error, result
                answers.append(result.structured_content)
            return tools, answers

    return asyncio.run(asyncio.wait_for(session(), 90))


def test_an_agent_asks_status_pick_and_history(feeds: LoopbackServer, tmp_path: Path) -> None:
    cfg, env = config(tmp_path, feeds), isolated_env(tmp_path)
    tools, (status, one, pick, nobody, history) = ask(cfg, env, [
        ("status", {}), ("status", {"service": "openai"}), ("pick", {"service": "claude"}),
        ("pick", {"service": "gemini"}), ("history", {}),
    ])
    assert sorted(tools) == ["history", "pick", "report", "status"]
    live = json.loads(trayapp("status", "--json", "--config", str(cfg), env=env).stdout)
    levels = {s["id"]: s["level"] for s in live["services"]}
    assert {s["id"]: s["level"] for s in status["services"]} == levels == {
        "claude": "major_outage", "openai": "operational"}
    claude = next(s for s in status["services"] if s["id"] == "claude")
    assert claude["fallbacks_up"] == [{"id": "openai", "name": "ChatGPT",
                                       "level": "operational"}]
    assert [s["id"] for s in one["services"]] == ["openai"]
    cli_pick = json.loads(trayapp("pick", "claude", "--json", "--config", str(cfg),
                                  env=env).stdout)
    assert pick["pick"] == cli_pick["pick"] == "openai"
    assert pick["reason"] == cli_pick["reason"]
    assert "no service with id 'gemini'" in nobody["error"]
    assert {s["id"] for s in history["services"]} >= {"claude"}     # status kept it


def test_a_fresh_saved_snapshot_is_answered_without_polling(feeds: LoopbackServer,
                                                            tmp_path: Path) -> None:
    cfg, env = config(tmp_path, feeds), isolated_env(tmp_path)
    trayapp("status", "--json", "--config", str(cfg), env=env)        # saves the snapshot
    asked = feeds.hits["/claude/api/v2/summary.json"]
    _, (status,) = ask(cfg, env, [("status", {"service": "claude"})])
    assert status["cached"] is True and status["services"][0]["level"] == "major_outage"
    assert feeds.hits["/claude/api/v2/summary.json"] == asked          # no new request


def test_an_agent_reports_what_it_met_and_the_status_turns(feeds: LoopbackServer,
                                                         tmp_path: Path) -> None:
    cfg, env = config(tmp_path, feeds), isolated_env(tmp_path)
    trayapp("status", "--json", "--config", str(cfg), env=env)        # a snapshot to check ids
    bad = {"service": "openai", "outcome": "overloaded", "model": "gpt-5"}
    _, (first, second, nobody, wrong) = ask(cfg, env, [
        ("report", bad), ("report", bad), ("report", {"service": "nope", "outcome": "ok"}),
        ("report", {"service": "openai", "outcome": "melted"}),
    ])
    assert first == second == {"recorded": True}
    assert nobody["recorded"] is False and "no service 'nope'" in nobody["error"]
    assert "outcome must be one of" in wrong["error"]
    live = json.loads(trayapp("status", "--json", "--config", str(cfg), env=env).stdout)
    openai = next(s for s in live["services"] if s["id"] == "openai")
    assert openai["level"] == "degraded" and "your tools" in openai["summary"]


def test_without_the_mcp_package_one_line_says_how_to_get_it(feeds: LoopbackServer,
                                                             tmp_path: Path) -> None:
    code = ("import sys; sys.modules['mcp'] = None\n"
            "from trayapp.cli.main import main\n"
            f"sys.exit(main(['mcp', '--config', {str(config(tmp_path, feeds))!r}]))")
    done = subprocess.run([sys.executable, "-c", code], env=isolated_env(tmp_path),
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "trayapp: the MCP server needs the mcp package: pip install 'ai-status-tray[mcp]' "
        "(or: pipx inject ai-status-tray mcp)"]
