"""docs/screenshots/marks-small.png: the icon at 16, 22 and 24 px (each enlarged 6x,
pixels kept), alone, paused and with the probe mark, for operational, degraded and
major outage; drawn by trayapp.icon.render_icon, as the trays are given it.

Run: .venv/bin/python docs/render_marks.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image

from trayapp.domain.levels import Level
from trayapp.icon import render_icon

levels = [Level.OPERATIONAL, Level.DEGRADED, Level.MAJOR_OUTAGE]
marks = [frozenset(), frozenset({"paused"}), frozenset({"disagree"})]
sizes, zoom, pad = (16, 22, 24), 6, 12
cell = 24 * zoom + pad
sheet = Image.new("RGB", (len(sizes) * len(marks) * cell + pad, len(levels) * cell + pad),
                  (240, 240, 240))
for r, lv in enumerate(levels):
    for si, n in enumerate(sizes):
        for mi, m in enumerate(marks):
            icon = render_icon(lv, m, n).resize((n * zoom, n * zoom), Image.Resampling.NEAREST)
            x = pad + (si * len(marks) + mi) * cell + (24 - n) * zoom // 2
            y = pad + r * cell + (24 - n) * zoom // 2
            sheet.paste(icon, (x, y), icon)
sheet.save(Path(__file__).resolve().parent / "screenshots" / "marks-small.png")
