"""API keys in the OS keyring: a real backend (keyrings.alt's file keyring in a temp
HOME), `trayapp key set|delete|status`, and the probe sending the stored key."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.kit import isolated_env, probe_service, run_cli, write_config
from tests.loopback import LoopbackServer
from trayapp.config import DEFAULT_CONFIG_TOML, ProbeConfig
from trayapp.edges import keys
from trayapp.runtime.poller import probe_headers

FILE_BACKEND = "keyrings.alt.file.PlaintextKeyring"
NO_BACKEND = "keyring.backends.fail.Keyring"
KEY = "sk-ant-FAKE-0123456789abcdef"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def keyring_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """This process and its children on a file keyring under tmp_path."""
    env = isolated_env(tmp_path / "env", PYTHON_KEYRING_BACKEND=FILE_BACKEND)
    for name in ("HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "PYTHON_KEYRING_BACKEND"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    keys.forget()
    yield env
    keys.forget()


def key_cmd(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trayapp", "key", *args], env=env,
                          input=stdin, capture_output=True, text=True, timeout=60, cwd=ROOT,
                          check=False)


def test_store_lookup_delete_through_the_file_backend(keyring_home: dict[str, str]) -> None:
    assert keys.problem() is None
    assert keys.lookup("claude") is None
    keys.store("claude", f"  {KEY}\n")
    assert keys.lookup("claude") == KEY
    files = list(Path(keyring_home["XDG_DATA_HOME"]).rglob("*.cfg"))
    assert files, "the file backend wrote nothing"
    assert keys.delete("claude") is True
    assert keys.lookup("claude") is None
    assert keys.delete("claude") is False


def test_the_looking_up_process_never_loads_keyring(keyring_home: dict[str, str]) -> None:
    keys.store("claude", KEY)
    code = ("import sys; from trayapp.edges import keys; "
            "print(keys.lookup('claude') == sys.argv[1], 'keyring' in sys.modules, "
            "keys.lookup('openai'))")
    done = subprocess.run([sys.executable, "-c", code, KEY], env=keyring_home,
                          capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)
    assert done.stdout.split() == ["True", "False", "None"], done.stderr


def test_only_ids_noted_by_store_are_looked_up(keyring_home: dict[str, str]) -> None:
    import keyring
    keyring.set_password(keys.KEYRING_SERVICE, "claude", KEY)   # another tool stored it
    assert keys.indexed() == set()
    assert keys.lookup("claude") is None                    # unknown to trayapp: not read
    assert keys.has_key("claude") is True                   # `key status` notes it
    assert keys.indexed() == {"claude"}
    keys.forget()
    assert keys.lookup("claude") == KEY
    index = Path(keyring_home["XDG_STATE_HOME"]) / "trayapp" / keys.INDEX_NAME
    assert KEY not in index.read_text()
    keys.delete("claude")
    assert keys.indexed() == set()


def test_lookups_are_cached_until_forget(keyring_home: dict[str, str]) -> None:
    keys.store("claude", KEY)
    assert keys.lookup("claude") == KEY
    done = key_cmd(keyring_home, "set", "claude", stdin="sk-ant-FAKE-other-key-999\n")
    assert done.returncode == 0, done.stderr
    assert keys.lookup("claude") == KEY            # the cache: no keyring read per poll
    keys.forget()
    assert keys.lookup("claude") == "sk-ant-FAKE-other-key-999"


@pytest.mark.parametrize(("environ", "stored", "sent"), [
    ({"ANTHROPIC_API_KEY": "from-env-1234"}, KEY, "from-env-1234"),   # the variable wins
    ({}, KEY, KEY),                                                   # else the keyring
    ({"ANTHROPIC_API_KEY": "  "}, KEY, KEY),                          # a blank variable is unset
    ({}, None, None),                                                 # neither: no header
])
def test_probe_headers_env_wins_then_keyring(keyring_home: dict[str, str],
                                             environ: dict[str, str], stored: str | None,
                                             sent: str | None) -> None:
    if stored:
        keys.store("claude", stored)
    probe = ProbeConfig(url="https://api.anthropic.com/v1/models",
                        api_key_env="ANTHROPIC_API_KEY", api_key_header="x-api-key",
                        headers=(("anthropic-version", "2023-06-01"),))
    headers = probe_headers(probe, environ, "claude")
    assert headers.get("x-api-key") == sent
    assert headers["anthropic-version"] == "2023-06-01"
    assert "x-api-key" not in probe_headers(probe, {}, None)   # no service: no keyring


def test_a_probe_without_an_env_name_still_sends_the_stored_key(
        keyring_home: dict[str, str]) -> None:
    keys.store("mine", KEY)
    probe = ProbeConfig(url="https://x.example/v1/models", api_key_header="Authorization",
                        api_key_prefix="Bearer ")
    assert probe_headers(probe, {}, "mine")["Authorization"] == f"Bearer {KEY}"


def test_without_a_backend_one_line_says_so_and_nothing_is_read(
        keyring_home: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_BACKEND)
    keys.forget()
    assert keys.problem() is not None and "no keyring backend" in (keys.problem() or "")
    assert keys.lookup("claude") is None
    env = {**keyring_home, "PYTHON_KEYRING_BACKEND": NO_BACKEND}
    done = key_cmd(env, "set", "claude", stdin=KEY + "\n")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "no keyring backend" in lines[0] and "ANTHROPIC_API_KEY" in lines[0]
    assert KEY not in done.stdout + done.stderr


def test_the_key_command_sets_reports_and_deletes(keyring_home: dict[str, str]) -> None:
    done = key_cmd(keyring_home, "set", "claude", stdin=KEY + "\n")
    assert done.returncode == 0, done.stderr
    assert "stored in the keyring" in done.stdout
    status = key_cmd(keyring_home, "status", "claude")
    assert status.returncode == 0 and "claude: a key is stored" in status.stdout
    assert "ANTHROPIC_API_KEY is not set" in status.stdout
    wins = key_cmd({**keyring_home, "ANTHROPIC_API_KEY": "x" * 20}, "status", "claude")
    assert "ANTHROPIC_API_KEY is set and wins" in wins.stdout
    gone = key_cmd(keyring_home, "delete", "claude")
    assert gone.returncode == 0 and "deleted" in gone.stdout
    status = key_cmd(keyring_home, "status", "claude")
    assert "claude: no key stored" in status.stdout
    for run in (done, status, wins, gone):
        assert KEY not in run.stdout + run.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("set", "nobody"), "no service with id 'nobody'"),
    (("set", "ollama"), "ollama has no probe that sends an API key"),
])
def test_the_key_command_refuses_a_service_without_a_keyed_probe(
        keyring_home: dict[str, str], args: tuple[str, ...], message: str,
        tmp_path: Path) -> None:
    config = tmp_path / "with-ollama.toml"          # the default, as when Ollama answers
    config.write_text(DEFAULT_CONFIG_TOML)
    done = key_cmd(keyring_home, "--config", str(config), *args, stdin=KEY + "\n")
    assert done.returncode == 64
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_status_probes_with_the_stored_key(keyring_home: dict[str, str], tmp_path: Path,
                                           server: LoopbackServer) -> None:
    server.set("/v1/models", b'{"data": []}')
    config = write_config(tmp_path / "c.toml", [probe_service(
        server.url("/v1/models"), sid="claude", api_key_env="ANTHROPIC_API_KEY",
        api_key_header="x-api-key")])
    assert key_cmd(keyring_home, "set", "claude", "--config", str(config),
                   stdin=KEY + "\n").returncode == 0
    run = run_cli(keyring_home, "status", "--json", "--config", str(config))
    assert run.rc == 0, run.stderr
    assert [r.headers.get("x-api-key") for r in server.requests_to("/v1/models")] == [KEY]
    run = run_cli({**keyring_home, "ANTHROPIC_API_KEY": "sk-env-wins-12345"}, "status",
                  "--config", str(config))
    assert server.requests_to("/v1/models")[-1].headers.get("x-api-key") == "sk-env-wins-12345"
    assert KEY not in run.stdout + run.stderr


def test_a_slow_keyring_does_not_eat_the_first_cycle_deadline(
        keyring_home: dict[str, str], tmp_path: Path, server: LoopbackServer) -> None:
    """A keyring that answers after the cycle's whole deadline (2 x timeout + 1 s):
    the probe still runs, with its key, on the first cycle (it used to start past
    the deadline and fail as a timeout)."""
    server.set("/v1/models", b'{"data": []}')
    config = write_config(tmp_path / "c.toml", [probe_service(
        server.url("/v1/models"), sid="claude", api_key_header="x-api-key")], timeout=1)
    assert key_cmd(keyring_home, "set", "claude", "--config", str(config),
                   stdin=KEY + "\n").returncode == 0
    slow = {**keyring_home, "PYTHON_KEYRING_BACKEND": "tests.slowkeyring.SlowKeyring",
            "TRAYAPP_TEST_KEYRING_DELAY": "4"}
    run = run_cli(slow, "status", "--json", "--config", str(config))
    assert run.rc == 0, (run.stdout, run.stderr)
    assert [r.headers.get("x-api-key") for r in server.requests_to("/v1/models")] == [KEY]
