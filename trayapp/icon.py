"""The tray icon: one glyph, drawn procedurally, coloured by level.

The glyph is a "signal lamp": a disc with a dark rim and a thin light halo
(so it reads on light and dark panels alike) and a small gleam at its
upper left. Corner marks say what colour alone must not: ``offline``
(bottom right, a round badge with a cross), ``paused`` notifications
(bottom left, a square badge with two bars) and ``disagree`` (top right, a
diamond with an exclamation mark: the API probe disagrees with the status
page).

Everything within ``SOLID_RADIUS`` (a fraction of the size) of the centre is
a solid fill of exactly ``LEVEL_COLOURS[level]``, with no anti-aliasing, so
a screenshot test can read the level from the centre pixel even after a
tray backend downscales the image (pystray resizes with Lanczos).

This is the only module that imports Pillow (a heavy import); the terminal
commands must not import it. ``assets/make_art.py`` and
``packaging/make_icons.py`` draw their files from this same definition.
"""

from __future__ import annotations

import math
from functools import lru_cache

from PIL import Image, ImageDraw

from trayapp.levels import Level

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]

LEVEL_COLOURS: dict[Level, RGB] = {
    Level.OPERATIONAL: (46, 160, 67),
    Level.MAINTENANCE: (47, 120, 230),
    Level.DEGRADED: (236, 196, 20),
    Level.PARTIAL_OUTAGE: (240, 125, 20),
    Level.MAJOR_OUTAGE: (215, 38, 38),
    Level.UNKNOWN: (140, 140, 140),
}

MARKS = frozenset({"offline", "paused", "disagree"})

# Geometry, as fractions of the icon's size (0..1 on both axes).
SOLID_RADIUS = 0.22  # nothing but the level colour is drawn inside this
_HALO = ((0.5, 0.5), 0.49)
_RIM = ((0.5, 0.5), 0.455)
_DISC = ((0.5, 0.5), 0.40)
_GLEAM = ((0.29, 0.29), 0.06)
_MARK_RADIUS = 0.19
_MARK_CENTRES = {
    "offline": (0.81, 0.81),
    "paused": (0.18, 0.82),
    "disagree": (0.8, 0.2),
}

_DARK: RGBA = (28, 28, 30, 255)
_LIGHT: RGBA = (250, 250, 250, 235)
_WHITE: RGBA = (255, 255, 255, 255)
_MARK_BODY: RGBA = (45, 45, 50, 255)

_SUPERSAMPLE_TARGET = 512  # draw at about this many pixels, then box-reduce


def render_icon(
    level: Level,
    marks: frozenset[str] = frozenset(),
    size: int = 64,
    background: RGB | None = None,
) -> Image.Image:
    """The icon for ``level`` with ``marks``, as a ``size``x``size`` RGBA image.

    The corners are transparent; with ``background`` they are that colour
    instead (fully opaque), for tray backends that ignore alpha: pystray's
    xorg backend pastes the image onto black.

    Raises ValueError for an unknown mark or a size below 8.
    """
    unknown = marks - MARKS
    if unknown:
        raise ValueError(f"unknown icon mark(s): {', '.join(sorted(unknown))}")
    if size < 8:
        raise ValueError(f"icon size must be at least 8, not {size}")
    image = _render(level, frozenset(marks), size).copy()
    if background is None:
        return image
    flat = Image.new("RGBA", image.size, (*background, 255))
    flat.alpha_composite(image)
    return flat


@lru_cache(maxsize=64)
def _render(level: Level, marks: frozenset[str], size: int) -> Image.Image:
    colour = LEVEL_COLOURS[level]
    factor = max(1, math.ceil(_SUPERSAMPLE_TARGET / size))
    big = size * factor
    canvas = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)

    def disc(centre: tuple[float, float], radius: float, fill: RGBA) -> None:
        cx, cy = centre[0] * big, centre[1] * big
        r = radius * big
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)

    disc(*_HALO, _LIGHT)
    disc(*_RIM, _DARK)
    disc(*_DISC, (*colour, 255))
    disc(*_GLEAM, _WHITE)
    for mark in sorted(marks):
        _draw_mark(draw, mark, big)

    # A box filter: a solid area stays exactly its colour (no ringing).
    return canvas.reduce(factor) if factor > 1 else canvas


def _draw_mark(draw: ImageDraw.ImageDraw, mark: str, big: int) -> None:
    cx, cy = (v * big for v in _MARK_CENTRES[mark])
    r = _MARK_RADIUS * big
    outline = max(1, round(0.035 * big))
    stroke = max(1, round(0.06 * big))
    body = r - outline
    if mark == "offline":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_LIGHT)
        draw.ellipse((cx - body, cy - body, cx + body, cy + body), fill=_MARK_BODY)
        k = body * 0.5
        draw.line((cx - k, cy - k, cx + k, cy + k), fill=_WHITE, width=stroke)
        draw.line((cx - k, cy + k, cx + k, cy - k), fill=_WHITE, width=stroke)
    elif mark == "paused":
        r, body = r * 0.9, body * 0.9
        draw.rounded_rectangle((cx - r, cy - r, cx + r, cy + r), radius=r * 0.3, fill=_LIGHT)
        draw.rounded_rectangle(
            (cx - body, cy - body, cx + body, cy + body), radius=body * 0.3, fill=_MARK_BODY
        )
        h, w, gap = body * 0.55, body * 0.22, body * 0.2
        draw.rectangle((cx - gap - w, cy - h, cx - gap, cy + h), fill=_WHITE)
        draw.rectangle((cx + gap, cy - h, cx + gap + w, cy + h), fill=_WHITE)
    else:  # disagree
        r, body = r * 1.05, body * 1.05
        draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], fill=_LIGHT)
        draw.polygon(
            [(cx, cy - body), (cx + body, cy), (cx, cy + body), (cx - body, cy)],
            fill=_MARK_BODY,
        )
        w = stroke * 0.5
        draw.rectangle((cx - w, cy - body * 0.5, cx + w, cy + body * 0.12), fill=_WHITE)
        d = stroke * 0.6
        dy = cy + body * 0.36
        draw.ellipse((cx - d, dy - d, cx + d, dy + d), fill=_WHITE)
