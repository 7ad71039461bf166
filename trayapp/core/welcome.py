"""The first-run welcome: one sentence saying what trayapp watches (pure).

Shown (by the tray, in the details window's banner) on the first start with no
config file, so the built-in default is never used silently.
"""

from __future__ import annotations

from pathlib import Path

from trayapp.config import Config
from trayapp.core.pick import offer_label


def _names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def welcome_text(config: Config) -> str:
    """"Watching Claude, with ChatGPT and Ollama (local) as fallbacks"."""
    watched = [s for s in config.services if s.role == "watch"]
    order: list[str] = []
    for s in watched:
        order += [f for f in s.fallbacks if f not in order]
    found = [f for fid in order if (f := config.service(fid)) is not None]
    fallbacks = [offer_label(f.name, "", f.local) for f in found]
    text = f"Watching {_names([s.name for s in watched])}"
    if not fallbacks:
        return f"{text}, with no fallback"
    word = "a fallback" if len(fallbacks) == 1 else "fallbacks"
    return f"{text}, with {_names(fallbacks)} as {word}"


def first_run_banner(config: Config, path: Path, explicit: bool) -> str | None:
    """The welcome for the details window when the tray starts on the built-in default
    (no config file yet, none named): what is watched, with a "Change..." button."""
    if explicit or path.exists():
        return None
    return welcome_text(config)
