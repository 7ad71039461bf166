"""Security: hostile feed text, http(s) only, API keys never leak, no shell, TLS on."""

from __future__ import annotations

import ast
import json
import secrets
import stat
import subprocess
from pathlib import Path

import pytest

from tests.faults.kit import (
    ROOT,
    Watch,
    assert_no_crash,
    feed_entry_path,
    feed_service,
    loopback_config,
    probe_service,
    run_cli,
    trayapp_argv,
    write_config,
)
from tests.hostile import assert_neutralised, statuspage_summary, strings
from tests.loopback import LoopbackServer, Route, fixture, wait_until
from trayapp.config import ConfigError, parse_text
from trayapp.domain.text import safe_url

CLEAN = fixture("statuspage/anthropic-summary-3.json")
ENTRY = feed_entry_path("/feed")


def _hostile_server(server: LoopbackServer) -> None:
    """The first poll sees a clean page, every later poll the hostile one (so events fire)."""
    hostile = statuspage_summary()
    server.script(ENTRY, lambda n: Route(body=CLEAN if n == 1 else hostile,
                                         headers={"Content-Type": "application/json"}))


def test_hostile_feed_text_is_neutralised_in_status(server: LoopbackServer,
                                                    env: dict[str, str], tmp_path: Path) -> None:
    server.set(ENTRY, statuspage_summary())
    config = write_config(tmp_path / "c.toml", [feed_service(server.url("/feed"))])
    text = run_cli(env, "status", "--config", str(config))
    as_json = run_cli(env, "status", "--json", "--config", str(config))
    for run in (text, as_json):
        assert_no_crash(run)
        assert run.rc == 2              # the page really says critical: the outage still shows
        assert_neutralised(run.stderr, newlines=True)
    assert_neutralised(text.stdout, max_len=200, newlines=True)
    assert "HOSTILE-incident" in text.stdout
    assert_neutralised(as_json.stdout, max_len=100_000, newlines=True)
    snap = as_json.json()
    assert "HOSTILE-incident" in snap["services"][0]["summary"]
    for value in strings(snap):
        # Update bodies keep their line breaks; nothing else may hold one.
        assert_neutralised(value, newlines=True)
    assert "\n" not in json.dumps([snap["services"][0]["summary"],
                                   snap["services"][0]["feed"]["incidents"][0]["name"]])


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_hostile_feed_text_is_neutralised_in_watch(as_json: bool, server: LoopbackServer,
                                                   env: dict[str, str], tmp_path: Path) -> None:
    _hostile_server(server)
    config = loopback_config(tmp_path / "c.toml", server, [feed_service(server.url("/feed"))])
    args = ["watch", "--config", str(config), *(["--json"] if as_json else [])]
    with Watch(env, *args) as w:
        # a worse event, a new incident and a maintenance start
        assert wait_until(lambda: sum("HOSTILE" in line for line in w.out) >= 3, 20), w.out
    assert "Traceback" not in w.stderr
    for line in [*w.out, *w.err]:
        assert_neutralised(line, max_len=2000 if as_json else 400)
    if as_json:
        for event in w.events:
            for value in strings(event):
                assert_neutralised(value, max_len=400)


# ---------------------------------------------------------------- URLs

@pytest.mark.parametrize("url", [
    "http://status.example.com", "file:///etc/passwd", "javascript:alert(1)",
    "ftp://status.example.com/summary.json", "data:application/json,{}",
    "http://127.0.0.1.evil.example/", "https://", "status.example.com",
    "https://status.example.com/<script>",
])
@pytest.mark.parametrize("key", ["feed.url", "feed.alternate", "probe.url"])
def test_only_https_urls_or_loopback_http_are_accepted(url: str, key: str) -> None:
    table, field = key.split(".")
    feed_urls = {"url": "https://status.example.com"}
    if table == "feed":
        feed_urls[field] = url
    feed = 'feed = { kind = "statuspage", ' + ", ".join(
        f"{k} = {json.dumps(v)}" for k, v in feed_urls.items()) + " }"
    probe = f"probe = {{ url = {json.dumps(url)} }}" if table == "probe" else "probe = false"
    text = f'connectivity_url = ""\n[[services]]\nid = "svc"\n{feed}\n{probe}\n'
    with pytest.raises(ConfigError) as err:
        parse_text(text, "c.toml")
    assert err.value.key == f"services.svc.{key}" and "\n" not in str(err.value)


@pytest.mark.parametrize("url", ["https://status.example.com", "http://127.0.0.1:8080/x",
                                 "http://localhost/x", "http://[::1]:9/x"])
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    text = f'[[services]]\nid = "svc"\nfeed = {{ kind = "statuspage", url = "{url}" }}\n'
    assert parse_text(text, "c.toml").services[0].feed is not None


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "data:,x",
                                 "vbscript:x", "https://x.example/\"onmouseover=x",
                                 "https://x.example/a b", "\x00https://x.example"])
def test_feed_links_that_are_not_plain_http_are_dropped(url: str) -> None:
    assert safe_url(url) is None


# ---------------------------------------------------------------- API keys

def _leak_config(server: LoopbackServer, tls_server: LoopbackServer, path: Path,
                 **top: object) -> Path:
    server.set("/v1/5xx", b'{"error": "overloaded"}', status=529)
    server.set("/v1/timeout", hang=True)
    server.set("/v1/challenge", fixture("edge-cases/cloudflare-challenge-just-a-moment-1.html"),
               status=403, content_type="text/html")
    server.set(ENTRY, CLEAN)
    keyed = {"api_key_env": "ANTHROPIC_API_KEY", "api_key_header": "x-api-key"}
    services = [probe_service(server.url(f"/v1/{name}"), sid=name, **keyed)
                for name in ("5xx", "timeout", "challenge")]
    services.append(probe_service(tls_server.url("/v1/tls"), sid="tls", **keyed))
    # per-model probes: a keyed POST to <origin>/v1/messages (issue 17)
    server.set("/v1/messages", b'{"type":"error","error":{"type":"overloaded_error"}}',
               status=529)
    services.append(probe_service(server.url("/v1/5xx"), sid="models", dialect="anthropic",
                                  models=["claude-opus-4-1", "claude-sonnet-4-5"], **keyed))
    services.append(feed_service(server.url("/feed"), sid="page"))
    return loopback_config(path, server, services, timeout=1.0, connect_timeout=1.0, **top)


def _files_under(env: dict[str, str]) -> list[Path]:
    roots = {Path(env[k]) for k in ("HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME",
                                    "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR")}
    return [p for root in roots for p in root.rglob("*") if p.is_file()]


def _keyring_files(env: dict[str, str]) -> set[Path]:
    """The keyring's own store (keyrings.alt's file backend): where the key is meant to be."""
    return {p for p in Path(env["XDG_DATA_HOME"]).rglob("*") if p.is_file()}


@pytest.mark.slow
@pytest.mark.parametrize("source", ["env", "keyring"])
def test_the_api_key_reaches_the_server_and_nothing_else(
        source: str, server: LoopbackServer, tls_server: LoopbackServer,
        tmp_path: Path) -> None:
    from tests.faults.kit import isolated_env
    key = "sk-ant-FAKE-" + secrets.token_hex(16)
    if source == "env":
        env = isolated_env(tmp_path / "env", ANTHROPIC_API_KEY=key)
    else:
        pytest.importorskip("keyrings.alt")
        env = isolated_env(tmp_path / "env",
                           PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring")
    config = _leak_config(server, tls_server, tmp_path / "c.toml")
    stored: set[Path] = set()
    if source == "keyring":
        for sid in ("5xx", "timeout", "challenge", "tls", "models"):
            done = subprocess.run([*trayapp_argv("key", "set", sid, "--config", str(config))],
                                  env=env, input=key + "\n", capture_output=True, text=True,
                                  timeout=60, cwd=ROOT, check=False)
            assert done.returncode == 0, done.stderr
            assert key not in done.stdout + done.stderr
        stored = _keyring_files(env)
        assert stored, "the key was not stored in the keyring"
    outputs: list[str] = []
    files: list[Path] = []
    contents: dict[Path, bytes] = {}
    for args in (["status", "-v"], ["status", "--json", "-v"]):
        run = run_cli(env, *args, "--config", str(config))
        assert_no_crash(run)
        outputs += [run.stdout, run.stderr]
    for extra in (["-v"], ["--json", "-v"]):
        start = server.hits["/v1/5xx"]
        with Watch(env, "watch", "--config", str(config), *extra) as w:
            assert wait_until(lambda s=start: server.hits["/v1/5xx"] >= s + 3, 30)
            assert wait_until(lambda: w.out, 10), w.stderr   # an event was printed
        outputs += ["\n".join(w.out), w.stderr]
        files += [p for p in _files_under(env) if p not in files and p not in stored]
        state = [p for p in files if p.name == "watch-state.json"]
        assert state, files
        contents[state[0]] = state[0].read_bytes()
        state[0].unlink()                        # so the next run announces again

    seen = [s.headers.get("x-api-key") for s in server.requests_to("/v1/5xx")]
    assert seen and all(v == key for v in seen), "the key never reached the API"
    posts = [s.headers.get("x-api-key") for s in server.requests_to("/v1/messages")]
    assert posts and all(v == key for v in posts), "no model probe ran with the key"
    assert any("GET" in o and "failed" in o for o in outputs), "no debug logging ran"
    logs = [p for p in files if p.name.startswith("trayapp.log")]
    assert logs and any(p.read_text() for p in logs), files
    for text in outputs:
        assert key not in text and key[12:] not in text
    for path in files:
        data = contents.get(path) or path.read_bytes()
        assert key.encode() not in data and key[12:].encode() not in data, path


def test_a_key_in_a_world_readable_config_gets_a_one_line_warning(
        server: LoopbackServer, env: dict[str, str], tmp_path: Path) -> None:
    secret = "sk-ant-FAKE-" + secrets.token_hex(8)
    server.set("/v1/models", b"{}")
    config = write_config(tmp_path / "c.toml", [probe_service(
        server.url("/v1/models"), headers={"Authorization": f"Bearer {secret}"})])
    config.chmod(0o644)
    loud = run_cli(env, "status", "--config", str(config))
    config.chmod(0o600)
    quiet = run_cli(env, "status", "--config", str(config))
    warning = [line for line in loud.stderr.splitlines() if "readable by other" in line]
    assert len(warning) == 1, loud.stderr
    assert str(config) in warning[0] and "services.svc.probe.headers.Authorization" in warning[0]
    assert secret not in loud.stderr + loud.stdout
    assert "readable by other" not in quiet.stderr
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert server.requests_to("/v1/models")[0].headers["authorization"] == f"Bearer {secret}"


def test_a_readable_config_without_keys_gets_no_warning(env: dict[str, str],
                                                        tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", [probe_service(
        "http://127.0.0.1:9/x", headers={"Accept": "application/json"})])
    config.chmod(0o644)
    run = run_cli(env, "status", "--config", str(config))
    assert "readable by other" not in run.stderr


# ---------------------------------------------------------------- no shell, TLS on

FORBIDDEN_CALLS = {("os", "system"), ("os", "popen"), ("subprocess", "getoutput"),
                   ("subprocess", "getstatusoutput"), ("asyncio", "create_subprocess_shell"),
                   ("ssl", "_create_unverified_context")}


def _package_sources() -> list[Path]:
    return sorted((ROOT / "trayapp").rglob("*.py"))


def _target_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _call_name(call: ast.Call) -> str | None:
    return _target_name(call.func)


@pytest.mark.parametrize("path", _package_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_shell_and_no_tls_opt_out_in_the_package(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    # `verify=` may name an SSL context, if the module built it with
    # create_ssl_context(verify=True) (checked below like any other verify=).
    contexts = {_target_name(t) for n in ast.walk(tree) if isinstance(n, ast.Assign)
                and isinstance(n.value, ast.Call) and _call_name(n.value) == "create_ssl_context"
                for t in n.targets}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == "shell":
                    assert isinstance(kw.value, ast.Constant) and kw.value.value is False, \
                        f"{path}:{node.lineno} shell=..."
                if kw.arg == "verify":
                    ok = (isinstance(kw.value, ast.Constant) and kw.value.value is True) or \
                        _target_name(kw.value) in contexts - {None}
                    assert ok, f"{path}:{node.lineno} verify=..."
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                assert (func.value.id, func.attr) not in FORBIDDEN_CALLS, \
                    f"{path}:{node.lineno} {func.value.id}.{func.attr}"
        if isinstance(node, ast.Attribute):
            assert node.attr not in ("CERT_NONE",), f"{path}:{node.lineno} {node.attr}"
            assert not (node.attr == "check_hostname"
                        and isinstance(getattr(node, "ctx", None), ast.Store)), \
                f"{path}:{node.lineno} check_hostname ="


def test_the_ast_check_catches_what_it_looks_for() -> None:
    """The guard above can fail: it flags each pattern in a sample."""
    bad = ["subprocess.run(cmd, shell=True)", "os.system(x)", "os.popen(x)",
           "httpx.AsyncClient(verify=False)", "ssl._create_unverified_context()"]
    for line in bad:
        node = ast.parse(line).body[0]
        assert isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        call = node.value
        kw_bad = any(k.arg in ("shell", "verify") and isinstance(k.value, ast.Constant)
                     and k.value.value is (k.arg == "shell") for k in call.keywords)
        func = call.func
        name_bad = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and \
            (func.value.id, func.attr) in FORBIDDEN_CALLS
        assert kw_bad or name_bad, line


def test_tls_failures_are_never_retried_without_verification(
        tls_server: LoopbackServer, env: dict[str, str], tmp_path: Path) -> None:
    """An untrusted certificate: the request fails as TLS and no request is ever served."""
    tls_server.set("/probe", b"{}")
    config = write_config(tmp_path / "c.toml", [probe_service(tls_server.url("/probe"))])
    run = run_cli(env, "status", "--json", "--config", str(config))
    probe = run.service()["probe"]
    # an unknown issuer reads as interception on this side (issue 17), not an outage
    assert probe["level"] == "unknown" and "TLS" in probe["detail"]
    assert probe["your_side"] == "tls_intercepted"
    assert tls_server.hits["/probe"] == 0
