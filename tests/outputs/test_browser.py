"""The web pages in a real browser: no sideways scrolling at 400% zoom, even with WCAG
text spacing, and a screenshot that shows the page.

400% zoom of a 1280 px window is a viewport 320 CSS px wide (WCAG 1.4.10 Reflow).
Chromium's headless window is never narrower than 500 px for the page itself, so
each page is measured in an iframe 320 px wide (its own viewport, so the page's
media queries apply), and the WCAG 1.4.12 text spacing (line height 1.5, paragraph
spacing 2em, letters 0.12em, words 0.16em) is then put on it and measured again.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from prosper_coop.core.study import Study
from prosper_coop.outputs import render as rendering

TODAY = dt.date(2026, 11, 26)
PAGES = ("easy-read", "lay-summary", "recommendations")
VIEWPORT = 320
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The WCAG 1.4.12 text spacing bookmarklet's rules.
TEXT_SPACING = (
    "* { line-height: 1.5 !important; letter-spacing: 0.12em !important; "
    "word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }"
)
# Measures a page in its iframe: how wide it is against the room it has, which
# elements reach past the edge, and the letter spacing in force (to show the text
# spacing really applied); then again with the text spacing.
MEASURE = """
var results = {};
function measure(doc) {
  var room = doc.documentElement.clientWidth, past = [];
  doc.querySelectorAll("body *").forEach(function (element) {
    var box = element.getBoundingClientRect();
    if (box.right > room + 0.5) past.push(element.tagName + ": " + element.textContent.slice(0, 40));
  });
  var paragraph = doc.querySelector("main p");
  return {room: room, width: doc.documentElement.scrollWidth, past: past,
          letters: paragraph ? doc.defaultView.getComputedStyle(paragraph).letterSpacing : ""};
}
function framed(frame) {
  var doc = frame.contentDocument, plain = measure(doc);
  var style = doc.createElement("style");
  style.textContent = SPACING;
  doc.head.appendChild(style);
  results[frame.dataset.name] = {plain: plain, spaced: measure(doc)};
  document.getElementById("results").textContent = JSON.stringify(results);
}
"""

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Chromium: apt-get install chromium (.ci/run installs it)"
)


def _chromium(profile: Path, *args: str) -> str:
    done = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--window-size={VIEWPORT},800",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _measure(pages: dict[str, str], tmp_path: Path) -> dict[str, dict[str, dict[str, object]]]:
    """Each page measured at 320 CSS px, plain and with text spacing, in one browser run."""
    frames = "".join(
        f'<iframe data-name="{name}" onload="framed(this)" '
        f'style="display:block;border:0;width:{VIEWPORT}px;height:800px" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe>'
        for name, page in pages.items()
    )
    script = MEASURE.replace("SPACING", json.dumps(TEXT_SPACING))
    wrapper = tmp_path / "measure.html"
    wrapper.write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><script>{script}</script></head>'
        f'<body><pre id="results"></pre>{frames}</body></html>',
        encoding="utf-8",
    )
    dom = _chromium(tmp_path / "profile", "--dump-dom", wrapper.as_uri())
    found = re.search(r'<pre id="results">(.*?)</pre>', dom, re.DOTALL)
    assert found, dom[:2000]
    results: dict[str, dict[str, dict[str, object]]] = json.loads(html.unescape(found.group(1)))
    return results


def _png_pixels(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Width, height and the (red, green, blue) pixels of an 8-bit RGB or RGBA PNG."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert depth == 8 and colour in (2, 6)
    channels = 3 if colour == 2 else 4
    chunks, position = [], 8
    while position < len(data):
        (size,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        if kind == b"IDAT":
            chunks.append(data[position + 8 : position + 8 + size])
        position += 12 + size
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                near = min(
                    (abs(guess - left), 0, left),
                    (abs(guess - up), 1, up),
                    (abs(guess - corner), 2, corner),
                )[2]
                line[x] = (line[x] + near) & 0xFF
        rows.append(bytes(line))
        previous = line
    pixels = [(row[x], row[x + 1], row[x + 2]) for row in rows for x in range(0, stride, channels)]
    return width, height, pixels


@pytest.fixture
def pages(example_study: Study, tmp_path: Path) -> dict[str, str]:
    """The PROSPER example's web pages, as rendered (nothing committed)."""
    found = {}
    for name in PAGES:
        page = rendering.render_output(example_study, name, ["html"], TODAY).files["html"]
        (tmp_path / f"{name}.html").write_bytes(page)
        found[name] = page.decode("utf-8")
    return found


@needs_chromium
def test_pages_reflow_at_400_percent_zoom_with_wcag_text_spacing(pages, tmp_path) -> None:
    # A control: the lay summary without its wrapping rules (as the page was before),
    # to show the measurement sees the DOI link run off the edge.
    control = pages["lay-summary"].replace("overflow-wrap: anywhere;", "")
    assert control != pages["lay-summary"]
    results = _measure({**pages, "control": control}, tmp_path)

    for name in PAGES:
        for spacing in ("plain", "spaced"):
            measured = results[name][spacing]
            assert 290 <= measured["room"] <= VIEWPORT, (name, measured)  # less a scroll bar
            assert measured["width"] <= measured["room"], (name, spacing, measured)
            assert measured["past"] == [], (name, spacing, measured)
        assert results[name]["plain"]["letters"] == "normal"
        assert results[name]["spaced"]["letters"] != "normal"  # the text spacing applied
    broken = results["control"]["spaced"]
    assert broken["width"] > broken["room"]
    assert any("doi.org" in element for element in broken["past"]), broken


@needs_chromium
def test_screenshots_at_320_px_show_the_pages(pages, tmp_path) -> None:
    for name in ("easy-read", "lay-summary"):
        shot = tmp_path / f"{name}.png"
        _chromium(
            tmp_path / "profile", f"--screenshot={shot}", (tmp_path / f"{name}.html").as_uri()
        )
        width, height, pixels = _png_pixels(shot.read_bytes())
        assert (width, height) == (VIEWPORT, 800)
        dark = sum(1 for pixel in pixels if max(pixel) < 100)
        assert dark > width * height // 100, name  # text and pictures, not a blank page
        blue = sum(1 for pixel in pixels if pixel == (0xCF, 0xE3, 0xF5))
        if name == "easy-read":  # the pictures' light blue fill is on screen
            assert blue > 100
        else:
            assert blue == 0
