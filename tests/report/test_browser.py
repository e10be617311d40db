"""The study report in a real headless browser: it renders, and axe-core finds nothing serious.

Needs Debian's ``chromium`` and ``chromium-driver`` (``apt-get install chromium
chromium-driver``; ``.ci/run`` installs them) and axe-core from the npm registry
(``npm install --prefix .ci axe-core@4.14.1``, which ``.ci/run`` also does). It
is skipped only where chromium is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("PROSPER_COOP_AXE_JS", ROOT / ".ci/node_modules/axe-core/axe.min.js"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}})
  .then(result => done(JSON.stringify({violations: result.violations, passes: result.passes.length})))
  .catch(error => done(JSON.stringify({error: String(error)})));
"""

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed: apt-get install chromium chromium-driver (as .ci/run does)",
)


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    driver_path = shutil.which("chromedriver")
    assert driver_path, "chromedriver is missing: apt-get install chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,2000"):  # fmt: skip
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_script_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()


def test_the_report_renders_and_passes_an_accessibility_scan(
    example_study, cli, browser, tmp_path
) -> None:
    if not AXE.is_file():  # an outside program, as chromium is: .ci/run installs both
        pytest.skip(
            f"axe-core is missing ({AXE}): npm install --prefix .ci axe-core@4.14.1 "
            "(as .ci/run does)"
        )
    result = cli("--study", str(example_study.root), "report", "--format", "html")
    assert result.exit_code == 0, result.output
    page = example_study.root / "outputs" / "report" / "study-report.html"
    browser.get(page.as_uri())
    assert browser.title == "PROSPER: study report, 26 November 2026"
    charts = browser.execute_script(
        "return Array.from(document.querySelectorAll('svg[role=img]'))"
        ".map(s => s.getBoundingClientRect().width)"
    )
    # The Gantt chart, one chart for each of the example's targets, and the survey rounds.
    assert len(charts) >= 4 and min(charts) > 300

    browser.execute_script(AXE.read_text("utf-8"))
    answer = json.loads(browser.execute_async_script(RUN_AXE, TAGS))
    assert "error" not in answer, answer
    assert answer["passes"] > 20  # the scan really ran its rules
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
        for v in answer["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []

    shot = browser.get_screenshot_as_png()
    assert shot.startswith(b"\x89PNG\r\n\x1a\n") and len(shot) > 10_000
    (tmp_path / "study-report.png").write_bytes(shot)
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []

    # The scan does find a serious problem when there is one (a button with no name).
    browser.execute_script(
        "document.querySelector('main').append(document.createElement('button'))"
    )
    planted = json.loads(browser.execute_async_script(RUN_AXE, TAGS))
    assert [v["id"] for v in planted["violations"] if v["impact"] == "critical"] == ["button-name"]

    # Reflow (WCAG 1.4.10): at 320 CSS pixels wide the page scrolls one way only; wide
    # tables scroll inside their own focusable region, charts shrink to fit.
    browser.set_window_size(320, 900)
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
