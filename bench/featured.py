"""The built-in default with every feature of a long-running process on: the
history (on by default), a command hook and a webhook (each with its worker
thread), and a per-model probe with a key. What the memory sections measure,
so their figures are what a user with all of it configured runs."""

from __future__ import annotations

from pathlib import Path

from bench.harness import PY
from bench.payloads import default_config, default_standins
from bench.server import BenchServer

KEY_ENV = "BENCH_MODEL_KEY"      # not *_API_KEY: env_for keeps it
ENV = {KEY_ENV: "bench-key-not-a-secret"}
# an Anthropic Messages answer of one token, as tests/fakevendor.py serves it
MESSAGE = (b'{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",'
           b'"content":[{"type":"text","text":"H"}],"stop_reason":"max_tokens"}')


def featured_standins(server: BenchServer, p: str) -> None:
    default_standins(server, p)
    server.set(f"{p}/claude/v1/models", b'{"data":[],"has_more":false}')    # the key works
    server.set(f"{p}/model/v1/messages", MESSAGE)   # not under /claude/: section 4 counts that
    server.set(f"{p}/hook", b"", status=204)


def featured_config(path: Path, server: BenchServer, p: str, interval: int) -> Path:
    """:func:`bench.payloads.default_config` plus a model probe on Claude (every 15 s,
    the shortest model_interval) and two hooks on every kind of event."""
    default_config(path, server, p, interval)
    b = server.base + p
    text = path.read_text().replace(
        'probe = { url = "' + b + '/claude/v1/models", ',
        'probe = { url = "' + b + '/claude/v1/models", api_key_env = "' + KEY_ENV + '", '
        'api_key_header = "x-api-key", models = ["claude-sonnet-4-5"], dialect = "anthropic", '
        'models_url = "' + b + '/model/v1/messages", model_interval = 15, ', 1)
    assert "models = " in text
    events = '["worse", "better", "incident_new", "incident_resolved", "offline", "online"]'
    text += f"""\
[[hooks]]
name = "bench-command"
command = [{PY!r}, "-c", "import sys; sys.stdin.read()"]
on = {events}
[[hooks]]
name = "bench-webhook"
url = "{b}/hook"
on = {events}
"""
    path.write_text(text)
    return path
