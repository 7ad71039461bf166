"""Write the icon's master art from its one definition in ``trayapp/icon.py``.

    python assets/make_art.py            # rewrites assets/glyph.png and states.png
    python assets/make_art.py --out DIR  # writes them into DIR instead

``glyph.png`` is the 256 px icon (operational, no marks): the art for stores,
READMEs and desktop menus. ``states.png`` is a contact sheet of every level
(rows) with each mark (columns) on a light and a dark panel, for review.
Both are generated: change the drawing in ``trayapp/icon.py``, then run this.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from PIL import Image  # noqa: E402

from trayapp.domain.levels import Level  # noqa: E402
from trayapp.icon import MARKS, render_icon  # noqa: E402

MASTER_SIZE = 256
CELL = 64
PANELS = ((245, 245, 245, 255), (40, 40, 44, 255))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    render_icon(Level.OPERATIONAL, size=MASTER_SIZE).save(out / "glyph.png", optimize=True)

    columns = [frozenset(), *(frozenset({m}) for m in sorted(MARKS)), frozenset(MARKS)]
    sheet = Image.new("RGBA", (CELL * len(columns) * len(PANELS), CELL * len(Level)))
    for row, level in enumerate(Level):
        for p, panel in enumerate(PANELS):
            for col, marks in enumerate(columns):
                x = (p * len(columns) + col) * CELL
                sheet.paste(panel, (x, row * CELL, x + CELL, (row + 1) * CELL))
                sheet.alpha_composite(render_icon(level, marks, CELL), (x, row * CELL))
    sheet.save(out / "states.png", optimize=True)
    print(f"wrote {out / 'glyph.png'} and {out / 'states.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
