"""What the Preferences window shows and what it writes (pure).

:func:`build` turns a parsed :class:`Config` and the presets into a
:class:`Prefs`; the window edits copies of it with :func:`choose`,
:func:`add_page` and :func:`dataclasses.replace`; :func:`apply` turns the
difference between two of them into a new TOML text from the old one (through
:mod:`trayapp.config.tomledit`, so nothing else in the file moves); :func:`validate`
reads that text with the real parser. No file, clock or network here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from trayapp.config import Config, ConfigError, parse_text, tomledit
from trayapp.sources import platform_name

CHOICES = ("watch", "fallback", "off")
MIN_LEVELS = ("maintenance", "degraded", "partial_outage", "major_outage")


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the services list."""

    sid: str                  # the service id (proposed, for a preset not in the config)
    name: str
    platform: str             # "Atlassian Statuspage", "probe only", ...
    probe: bool               # has an API probe
    local: bool               # on this machine (Ollama, LM Studio)
    choice: str               # watch | fallback | off
    preset: str | None = None
    keyed: bool = False       # its probe sends an API key (one can be stored in the keyring)
    present: bool = True      # in the config file now
    feed_url: str | None = None   # a page added by its URL


@dataclass(frozen=True, slots=True)
class Settings:
    interval: int = 60
    min_level: str = "degraded"
    quiet_hours: str = ""     # "" or "22:00-07:00"
    min_gap: int = 600
    notify_maintenance: bool = False
    stale_after: int = 1800
    history_days: int | None = None   # None: the config has no history (an older parser)


@dataclass(frozen=True, slots=True)
class Prefs:
    rows: tuple[Row, ...]
    settings: Settings
    fallbacks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    components: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def row(self, sid: str) -> Row | None:
        return next((r for r in self.rows if r.sid == sid), None)

    def watched(self) -> list[Row]:
        return [r for r in self.rows if r.choice == "watch"]


def _quiet(config: Config) -> str:
    if config.quiet_hours is None:
        return ""
    a, b = config.quiet_hours
    return f"{a:%H:%M}-{b:%H:%M}"


def _free_id(wanted: str, taken: set[str]) -> str:
    sid = re.sub(r"[^a-z0-9-]+", "-", wanted.lower()).strip("-") or "page"
    n, candidate = 2, sid
    while candidate in taken:
        candidate, n = f"{sid}-{n}", n + 1
    return candidate


def build(config: Config, presets: Mapping[str, Mapping[str, Any]]) -> Prefs:
    """The window's model: the config's services first, then every preset not used."""
    rows: list[Row] = []
    for s in config.services:
        rows.append(Row(sid=s.id, name=s.name, platform=platform_name(
            s.feed.kind if s.feed else None), probe=s.probe is not None, local=s.local,
            choice=s.role, preset=s.preset,
            keyed=bool(s.probe and s.probe.api_key_header)))
    used = {s.preset for s in config.services}
    taken = {r.sid for r in rows}
    for pid, p in presets.items():
        if pid in used:
            continue
        feed, probe = p.get("feed") or {}, p.get("probe") or {}
        sid = _free_id(pid, taken)
        taken.add(sid)
        rows.append(Row(sid=sid, name=str(p.get("name") or pid),
                        platform=platform_name(feed.get("kind")), probe=bool(probe),
                        local=bool(p.get("local", False)), choice="off", preset=pid,
                        keyed=bool(probe.get("api_key_header")), present=False))
    settings = Settings(interval=config.interval, min_level=str(config.min_level),
                        quiet_hours=_quiet(config), min_gap=config.min_gap,
                        notify_maintenance=config.notify_maintenance,
                        stale_after=config.stale_after,
                        history_days=getattr(config, "history_days", None))
    return Prefs(rows=tuple(rows), settings=settings,
                 fallbacks={s.id: s.fallbacks for s in config.services if s.role == "watch"},
                 components={s.id: s.components for s in config.services})


def choose(prefs: Prefs, sid: str, choice: str) -> Prefs:
    """``sid`` set to Watch, Fallback or Off, its fallback links kept consistent.

    A new fallback is appended to every watched service's fallbacks; a new
    watched service falls back on every fallback (in list order); a service no
    longer a fallback leaves the others' lists."""
    if choice not in CHOICES:
        raise ValueError(choice)
    row = prefs.row(sid)
    if row is None or row.choice == choice:
        return prefs
    rows = tuple(replace(r, choice=choice) if r.sid == sid else r for r in prefs.rows)
    fallbacks = {k: tuple(f for f in v if f != sid) for k, v in prefs.fallbacks.items()}
    fallbacks.pop(sid, None)
    if choice == "fallback":
        fallbacks = {k: (*v, sid) for k, v in fallbacks.items()}
    if choice == "watch":
        fallbacks[sid] = prefs.fallbacks.get(sid) or tuple(
            r.sid for r in rows if r.choice == "fallback")
    return replace(prefs, rows=rows, fallbacks=fallbacks)


def add_page(prefs: Prefs, *, name: str, url: str, platform: str,
             components: tuple[str, ...], choice: str = "watch") -> Prefs:
    """A status page found by its URL, as a new row (``kind = "auto"`` when written)."""
    sid = _free_id(name, {r.sid for r in prefs.rows})
    row = Row(sid=sid, name=name.strip() or sid, platform=platform_name(platform),
              probe=False, local=False, choice="off", present=False, feed_url=url)
    added = replace(prefs, rows=(*prefs.rows, row),
                    components={**prefs.components, sid: components})
    return choose(added, sid, choice)


def _new_table(row: Row, after: Prefs) -> dict[str, Any]:
    values: dict[str, Any] = {"id": row.sid}
    if row.feed_url:
        values["name"] = row.name
        values["feed"] = {"kind": "auto", "url": row.feed_url}
        values["probe"] = False
    else:
        values["preset"] = row.preset
    values["role"] = row.choice
    if after.components.get(row.sid):
        values["components"] = tomledit.string_list(after.components[row.sid])
    return values


_SETTINGS = ("interval", "min_level", "quiet_hours", "min_gap", "notify_maintenance",
             "stale_after", "history_days")


def apply(text: str, before: Prefs, after: Prefs) -> str:
    """``text`` (the config file, or the built-in default) with what changed from
    ``before`` to ``after`` written in; everything else is kept byte for byte."""
    doc = tomledit.parse(text)
    for key in _SETTINGS:
        old, new = getattr(before.settings, key), getattr(after.settings, key)
        if old != new:
            tomledit.set_top(doc, key, None if key == "quiet_hours" and not new else new)
    old_rows = {r.sid: r for r in before.rows}
    for row in after.rows:
        was = old_rows.get(row.sid)
        present = was is not None and was.present and was.choice != "off"
        if row.choice == "off":
            if present:
                tomledit.remove_service(doc, row.sid)
        elif not present:
            tomledit.add_service(doc, _new_table(row, after))
        elif was is not None and was.choice != row.choice:
            tomledit.set_service_key(doc, row.sid, "role", row.choice)
    live = {r.sid for r in after.rows if r.choice != "off"}
    for row in after.rows:
        if row.sid not in live:
            continue
        old_fb = before.fallbacks.get(row.sid, ()) if row.sid in old_rows else ()
        new_fb = after.fallbacks.get(row.sid, ()) if row.choice == "watch" else ()
        new_fb = tuple(f for f in new_fb if f in live)
        if old_fb != new_fb and tomledit.find_service(doc, row.sid) is not None:
            tomledit.set_service_key(doc, row.sid, "fallbacks",
                                     tomledit.string_list(new_fb) if new_fb else None)
        old_c = before.components.get(row.sid, ())
        new_c = after.components.get(row.sid, ())
        if old_c != new_c and (was := old_rows.get(row.sid)) is not None and was.present:
            tomledit.set_service_key(doc, row.sid, "components",
                                     tomledit.string_list(new_c))
    return tomledit.dumps(doc)


def validate(text: str, where: str) -> Config | str:
    """The parsed config, or the one-line message naming the field."""
    try:
        return parse_text(text, where)
    except ConfigError as exc:
        return str(exc)


# ---------------------------------------------------------------- the form's text fields

def parse_list(text: str) -> tuple[str, ...]:
    """``"openai, ollama"`` -> ("openai", "ollama"); blanks and repeats dropped."""
    return tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))


def show_list(values: tuple[str, ...]) -> str:
    return ", ".join(values)


# The Settings tab's fields as the window labels them: an error names the field this way.
LABELS = {"interval": "Check every (seconds)",
          "min_level": "Notify from this level up",
          "quiet_hours": "Quiet hours (like 22:00-07:00)",
          "min_gap": "At most one notification per service every (seconds)",
          "stale_after": "An unreadable page's last level counts for (seconds)",
          "history_days": "Keep history for (days; 0: none)"}
_NUMBERS = ("interval", "min_gap", "stale_after")


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong, in the window's words, and the field to put the focus on."""

    text: str
    field: str | None = None

    def __str__(self) -> str:
        return self.text


def _wrong(key: str, what: str) -> Problem:
    return Problem(f"{LABELS[key]}: {what}", key)


def read_settings(form: Mapping[str, str | bool]) -> Settings | Problem:
    """The Settings tab's fields -> Settings, or a Problem naming the field as labelled.

    Ranges are the parser's, checked when the whole file is validated on Save."""
    values: dict[str, Any] = {}
    for key in _NUMBERS:
        raw = str(form.get(key, "")).strip()
        if not re.fullmatch(r"\d{1,9}", raw):
            return _wrong(key, f"must be a whole number, got {raw!r}")
        values[key] = int(raw)
    level = str(form.get("min_level", "")).strip()
    if level not in MIN_LEVELS:
        return _wrong("min_level", f"must be one of {', '.join(MIN_LEVELS)}")
    quiet = str(form.get("quiet_hours", "")).strip()
    if quiet and not re.fullmatch(r"\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}", quiet):
        return _wrong("quiet_hours", "must look like \"22:00-07:00\" (or be empty)")
    if "history_days" in form:
        raw = str(form["history_days"]).strip()
        if not re.fullmatch(r"\d{1,9}", raw):
            return _wrong("history_days", f"must be a whole number, got {raw!r}")
        values["history_days"] = int(raw)
    return Settings(min_level=level, quiet_hours=quiet,
                    notify_maintenance=bool(form.get("notify_maintenance")), **values)


def name_problem(message: str, where: str) -> Problem:
    """The parser's one line (``"PATH: interval: must be at least 10"``) in the window's
    words: the path dropped, a Settings key replaced by its label (and focused)."""
    rest = message.removeprefix(f"{where}: ")
    key, sep, what = rest.partition(": ")
    if sep and key in LABELS:
        return _wrong(key, what)
    return Problem(rest)


# ---------------------------------------------------------------- unsaved changes

@dataclass(frozen=True, slots=True)
class Edits:
    """Everything Save would write, as the window holds it now: equal to the one taken
    at the last Save (or at opening) means nothing is unsaved."""

    prefs: Prefs
    form: tuple[tuple[str, str | bool], ...]     # the Settings tab's fields, as typed
    keys: tuple[tuple[str, str], ...] = ()       # API keys typed, not yet stored
    autostart: bool = False

    @classmethod
    def of(cls, prefs: Prefs, form: Mapping[str, str | bool], keys: Mapping[str, str],
           autostart: bool) -> Edits:
        return cls(prefs, tuple(sorted((k, v if isinstance(v, bool) else v.strip())
                                       for k, v in form.items())),
                   tuple(sorted(keys.items())), autostart)


TITLE = "trayapp Preferences"


def title(dirty: bool) -> str:
    """The window's title: it says when something is not saved."""
    return f"{TITLE} \N{EN DASH} unsaved changes" if dirty else TITLE
