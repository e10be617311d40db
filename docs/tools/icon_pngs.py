"""Make the PNG copy of each easy-read picture (templates/icons/NAME.svg -> NAME.png).

Word documents cannot show SVG, so each picture is shipped as PNG too. The PNGs are
made once, here, and committed; prosper-coop never draws pictures at run time.
Run after adding or changing an SVG (needs Chromium: apt-get install chromium):

    .venv/bin/python docs/tools/icon_pngs.py [NAME ...]
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ICONS = Path(__file__).resolve().parents[2] / "templates" / "icons"
SIZE = 256  # pixels on each side: sharp in Word at the 2.2 cm it is shown


def rasterise(svg: Path, png: Path, chromium: str) -> None:
    """Draw ``svg`` at SIZE x SIZE pixels on a transparent background into ``png``."""
    with tempfile.TemporaryDirectory(prefix="icon-png-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(
            '<!DOCTYPE html><html><body style="margin:0;background:transparent">'
            f'<img src="{html.escape(svg.as_uri())}" width="{SIZE}" height="{SIZE}" '
            'style="display:block"></body></html>',
            encoding="utf-8",
        )
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                f"--user-data-dir={tmp}/profile",
                f"--window-size={SIZE},{SIZE}",
                "--default-background-color=00000000",
                f"--screenshot={png}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
        )


def main(names: list[str]) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("Chromium is needed: apt-get install chromium")
    svgs = [ICONS / f"{name}.svg" for name in names] if names else sorted(ICONS.glob("*.svg"))
    for svg in svgs:
        rasterise(svg, svg.with_suffix(".png"), chromium)
        print(f"{svg.with_suffix('.png').name}: {svg.with_suffix('.png').stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
