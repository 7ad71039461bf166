"""Generate the app's icon files from ``trayapp.icon.render_icon``.

    python packaging/make_icons.py [--out build/icons]

writes, into the output folder (``build/`` is git-ignored; icons are
generated, never committed):

- ``png/trayapp-<N>.png`` for N in 16..512,
- ``hicolor/<N>x<N>/apps/trayapp.png``: the freedesktop icon-theme layout,
  ready to copy into ``~/.local/share/icons/hicolor`` or ``/usr/share/icons/hicolor``,
- ``trayapp.ico`` (Windows: every size from 16 to 256 in one file),
- ``trayapp.icns`` (macOS).

Every size is drawn at that size, not scaled from one large image.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from trayapp.domain.levels import Level  # noqa: E402
from trayapp.icon import render_icon  # noqa: E402

PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def build(out: Path) -> list[Path]:
    """Write every icon file into ``out``; return their paths."""
    written: list[Path] = []
    for size in PNG_SIZES:
        image = render_icon(Level.OPERATIONAL, size=size)
        for path in (
            out / "png" / f"trayapp-{size}.png",
            out / "hicolor" / f"{size}x{size}" / "apps" / "trayapp.png",
        ):
            path.parent.mkdir(parents=True, exist_ok=True)
            image.save(path)
            written.append(path)

    ico = out / "trayapp.ico"
    largest, *rest = (render_icon(Level.OPERATIONAL, size=s) for s in reversed(ICO_SIZES))
    largest.save(ico, sizes=[(s, s) for s in ICO_SIZES], append_images=rest)
    written.append(ico)

    icns = out / "trayapp.icns"
    largest, *rest = (render_icon(Level.OPERATIONAL, size=s) for s in reversed(ICNS_SIZES))
    largest.save(icns, append_images=rest)
    written.append(icns)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out", type=Path, default=HERE.parent / "build" / "icons", help="output folder"
    )
    args = parser.parse_args(argv)
    written = build(args.out)
    print(f"wrote {len(written)} icon files into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
