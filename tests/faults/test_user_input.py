"""Issue 24, inputs from the user: an empty `--config` is exit 78 (never the default
file), API keys are printable ASCII of at most 4096 characters (the line end not
counted), and a model-probe budget file of whitespace is damaged: no model probe runs.

Real `trayapp` subprocesses, a real file keyring (keyrings.alt) under a temp HOME, the
fake vendor API on 127.0.0.1 counting every model request.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.fakevendor import FakeVendor
from tests.faults.kit import ROOT, isolated_env, run_cli, write_config

KEY = "sk-ant-FAKE-0123456789abcdef"
FILE_BACKEND = "keyrings.alt.file.PlaintextKeyring"


# ------------------------------------------------------------------ --config ""

@pytest.mark.parametrize("argv", [
    ("status", "--json", "--config", ""),
    ("--config", "", "status"),
    ("status", "--config="),
    ("status", "--cached", "--config", ""),
    ("watch", "--config", " "),
    ("init", "--config", ""),
    ("preferences", "--config", ""),
    ("key", "status", "claude", "--config", ""),
    ("history", "--config", ""),
])
def test_an_empty_config_path_is_exit_78_never_the_default_file(tmp_path: Path,
                                                               argv: tuple[str, ...]) -> None:
    env = isolated_env(tmp_path / "env")
    # The file an unset $CFG would silently have fallen back to: polls nothing real here,
    # but must not be read at all.
    real = write_config(tmp_path / "real.toml", [{"id": "real", "name": "Real",
                                                  "feed": False,
                                                  "probe": {"url": "http://127.0.0.1:9/"}}])
    env["TRAYAPP_CONFIG"] = str(real)
    run = run_cli(env, *argv, timeout=60)
    assert run.rc == 78, (run.rc, run.stdout, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "--config" in lines[0] and "empty" in lines[0], lines
    assert run.stdout == "" and "Traceback" not in run.stderr


# ------------------------------------------------------------------ keys

@pytest.fixture
def keyring_env(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    env = isolated_env(tmp_path / "env", PYTHON_KEYRING_BACKEND=FILE_BACKEND)
    config = write_config(tmp_path / "c.toml", [{
        "id": "claude", "name": "Claude", "feed": False,
        "probe": {"url": "http://127.0.0.1:9/v1/models", "api_key_header": "x-api-key"}}])
    yield env, config


def _key_set(env: dict[str, str], config: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trayapp", "key", "set", "claude",
                           "--config", str(config)], env=env, input=stdin,
                          capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)


def _stored(env: dict[str, str]) -> str:
    files = list(Path(env["XDG_DATA_HOME"]).rglob("*.cfg"))
    return "".join(f.read_text() for f in files)


def _lookup(env: dict[str, str]) -> str:
    """The key the file keyring holds for claude, read back by keyring itself."""
    done = subprocess.run([sys.executable, "-c", "import keyring; "
                           "print(keyring.get_password('trayapp', 'claude'), end='')"],
                          env=env, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


BAD_KEYS = [
    ("sk-ant-FAKE\u202e0123456789", "U+202E at position 12"),        # right-to-left override
    ("sk-ant-FAKE\u200b0123456789", "U+200B at position 12"),        # zero-width space
    ("sk-ant-FAKE-\u0430bc0123456789", "U+0430 at position 13"),     # Cyrillic a
    ("sk-ant-FAKE-é0123456789", "U+00E9 at position 13"),
    ("\u2066sk-ant-FAKE-0123456789", "U+2066 at position 1"),
    ("sk-ant-FAKE-\x1b[31m0123", "U+001B at position 13"),
    ("sk-ant-FAKE-\x7f0123456789", "U+007F at position 13"),
]


@pytest.mark.parametrize(("key", "said"), BAD_KEYS, ids=[s for _, s in BAD_KEYS])
def test_a_key_that_is_not_printable_ascii_is_refused_and_says_why(
        keyring_env: tuple[dict[str, str], Path], key: str, said: str) -> None:
    env, config = keyring_env
    done = _key_set(env, config, key + "\n")
    assert done.returncode == 64, done.stderr
    line = done.stderr.strip()
    assert line == f"trayapp: error: API keys are printable ASCII; this one has {said}", line
    assert key not in done.stderr + done.stdout and "0123" not in done.stderr
    assert "claude" not in _stored(env)                 # nothing stored


@pytest.mark.parametrize(("length", "end", "stored"), [
    (4096, "\n", True), (4096, "\r\n", True), (4096, "", True),
    (4097, "\n", False), (4097, "", False), (10_000, "\n", False),
])
def test_the_4096_character_limit_counts_the_key_not_its_line_end(
        keyring_env: tuple[dict[str, str], Path], length: int, end: str,
        stored: bool) -> None:
    env, config = keyring_env
    key = ("sk-ant-" + "x" * length)[:length]
    done = _key_set(env, config, key + end)
    if stored:
        assert done.returncode == 0, done.stderr
        assert _lookup(env) == key
    else:
        assert done.returncode == 64
        assert done.stderr.strip() == ("trayapp: error: that is not an API key "
                                       "(over 4096 characters)"), done.stderr
        assert "claude" not in _stored(env)


# ------------------------------------------------------------------ budget file

def _budget_run(tmp: Path, content: bytes | None) -> tuple[int, str]:
    """One `status` with a model probe, the budget file holding ``content`` (None: no
    file): (model requests the vendor saw, stderr)."""
    with closing(FakeVendor(key=KEY)) as vendor:
        env = isolated_env(tmp / "env", ANTHROPIC_API_KEY=KEY)
        config = write_config(tmp / "c.toml", [{
            "id": "claude", "name": "Claude", "feed": False,
            "probe": {"url": f"{vendor.base}/v1/models", "api_key_env": "ANTHROPIC_API_KEY",
                      "api_key_header": "x-api-key", "dialect": "anthropic",
                      "models": ["claude-sonnet-4-5"], "max_model_probes_per_day": 50}}])
        if content is not None:
            budget = Path(env["XDG_STATE_HOME"]) / "trayapp" / "model-probes" / "claude.json"
            budget.parent.mkdir(parents=True)
            budget.write_bytes(content)
        run = run_cli(env, "status", "--json", "--config", str(config))
        assert "Traceback" not in run.stderr, run.stderr
        return vendor.model_requests(), run.stderr


@pytest.mark.parametrize("content", [b" ", b"\n", b"\n\n\t  \r\n", b"\x00", b"{}",
                                     b"{\"day\": \"2020-01-01\"}"])
def test_a_damaged_budget_file_lets_no_model_probe_run(tmp_path: Path, content: bytes) -> None:
    sent, stderr = _budget_run(tmp_path, content)
    assert sent == 0, "a model probe ran on a damaged budget file"
    assert stderr.count("no model probe of claude runs until tomorrow") == 1, stderr


def test_no_budget_file_yet_lets_probes_run(tmp_path: Path) -> None:
    """The control: no file (the first run creates it empty) is a fresh day."""
    sent, stderr = _budget_run(tmp_path, None)
    assert sent >= 1, stderr
    assert "damaged" not in stderr
