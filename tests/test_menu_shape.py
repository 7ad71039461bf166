"""The tray menu keeps one shape while the services and fallbacks shown stay the same.

A level change, incidents coming and going, components failing, maintenance,
going offline, pausing: all must give the same :func:`structure`, so the
GTK backends patch the open menu in place (tests/desktop/test_menu_open.py)
instead of building a new one (which XFCE's panel closes, and which an open
gtk menu never shows). Inputs are generated (seeded), not picked by hand.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from itertools import pairwise

import pytest

from tests.test_tray_builders import T0, claude, fallbacks, incident, service, snapshot
from trayapp.domain.levels import Level
from trayapp.domain.model import Component, Maintenance, ServiceStatus, Snapshot
from trayapp.tray.menu import Item, MenuState, build_menu, structure

NOW = T0 + timedelta(minutes=4)
STATE = MenuState(local_ids=frozenset({"ollama"}), fallback_ids=("openai", "ollama"),
                  autostart=False)
LEVELS = list(Level)


def watched(rng: random.Random, sid: str) -> ServiceStatus:
    """A watched service in a random state: level, 0-7 incidents, 0-11 components
    hurt, 0-4 maintenances (more than the menu has room for, now and then)."""
    level = rng.choice(LEVELS)
    incs = tuple(incident(f"Incident {n}", iid=f"i{n}", url=rng.choice([None, "https://x/i"]))
                 for n in range(rng.randint(0, 7)))
    base = service(sid, level, name=sid.title(), incidents=incs, fallbacks=("openai",),
                   maintenances=tuple(Maintenance(f"m{n}", f"Upgrade {n}", "scheduled",
                                                  rng.random() < .5, starts_at=T0)
                                      for n in range(rng.randint(0, 4))))
    assert base.feed is not None
    hurt = tuple(Component(f"c{n}", f"Part {n}", rng.choice(LEVELS))
                 for n in range(rng.randint(0, 11)))
    return replace(base, feed=replace(base.feed, components=hurt))


def random_snapshot(rng: random.Random) -> tuple[Snapshot, MenuState]:
    snap = snapshot(watched(rng, "claude"), watched(rng, "gemini"),
                    *fallbacks(rng.choice(LEVELS), rng.choice(LEVELS)),
                    offline=rng.random() < .2)
    paused = NOW + timedelta(hours=1) if rng.random() < .3 else None
    return snap, replace(STATE, paused_until=paused, autostart=rng.random() < .5)


def visible(items: tuple[Item, ...]) -> list[Item]:
    return [i for i in items if i.visible]


@pytest.mark.parametrize("seed", range(40))
def test_every_state_of_the_same_services_has_one_shape(seed: int) -> None:
    rng = random.Random(seed)
    first = build_menu(*random_snapshot(rng), NOW)
    for _ in range(10):
        items = build_menu(*random_snapshot(rng), NOW)
        assert structure(items) == structure(first)
        for menu in [items, *(i.children for i in items if i.children)]:
            seen = visible(menu)
            assert all(i.text for i in seen if not i.separator), "a shown item has no label"
            kinds = [i.separator for i in seen]
            assert not kinds[0] and not kinds[-1], "a separator at an end"
            assert (True, True) not in pairwise(kinds), "two separators"


def test_a_level_change_keeps_the_shape_and_changes_the_words() -> None:
    down = build_menu(snapshot(claude(Level.MAJOR_OUTAGE, incident()), *fallbacks()), STATE, NOW)
    up = build_menu(snapshot(claude(Level.DEGRADED), *fallbacks()), STATE, NOW)
    assert structure(down) == structure(up)
    assert down[3].text == "Claude: major outage" and up[3].text == "Claude: degraded"
    assert [i.text for i in visible(down[3].children) if i.text.startswith("Incident")] == [
        "Incident: Elevated errors on Claude Opus"]
    assert not [i for i in visible(up[3].children) if i.text.startswith("Incident")]


def test_another_set_of_services_is_another_shape() -> None:
    one = build_menu(snapshot(claude(), *fallbacks()), STATE, NOW)
    two = build_menu(snapshot(claude(), service("gemini"), *fallbacks()), STATE, NOW)
    fewer = build_menu(snapshot(claude(), *fallbacks()), replace(STATE, fallback_ids=()), NOW)
    assert len({structure(one), structure(two), structure(fewer)}) == 3
