"""The co-researcher guide passes the project's own readability check, with pictures.

Its prose is measured with ``prosper_coop.outputs.readability`` (the same
analysis as ``prosper-coop readability``) and the shipped glossary, against the
project's limits for easy-read texts (``default_readability()["easy-read"]``),
with a Flesch-Kincaid grade of 8 or less as well. Code blocks are left out: they
are what to type, not what to read. So are the pictures, whose alt text is
checked on its own.
"""

from __future__ import annotations

import re
from pathlib import Path

from prosper_coop.outputs.readability import (
    analyse,
    find_jargon,
    load_glossary,
    units_from_markdown,
)

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guides" / "co-researcher.md"
MORE = ROOT / "docs" / "guides" / "co-researcher-more.md"
MAX_GRADE = 8.0
ALLOWED_ABBREVIATIONS = {"ID"}  # "study ID": the words the tool itself uses
FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
PICTURE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\)")


def prose_units(markdown: str) -> list[str]:
    """The text units the guide's reader reads: no code blocks, no pictures."""
    return units_from_markdown(PICTURE.sub("", FENCE.sub("", markdown)))


def test_prose_leaves_out_code_blocks_and_pictures_only() -> None:
    units = prose_units(
        "# Title\n\n![A heart](x.svg)\n\nSay this.\n\n```sh\nprosper-coop support\n```\n\n"
        "- One thing.\n"
    )
    assert units == ["Title", "Say this.", "One thing."]


def test_the_co_researcher_guide_is_easy_to_read() -> None:
    from prosper_coop.core.models import default_readability

    limits = default_readability()["easy-read"].model_copy(update={"max_grade": MAX_GRADE})
    glossary = load_glossary(ROOT / "templates" / "glossary.yaml")
    units = prose_units(GUIDE.read_text(encoding="utf-8"))
    report = analyse(
        units,
        source=str(GUIDE.relative_to(ROOT)),
        output_type="easy-read",
        thresholds=limits,
        glossary=glossary,
        allowed_abbreviations=ALLOWED_ABBREVIATIONS,
    )
    assert report.words > 600, "the guide's prose was not found"
    longest = "; ".join(f"({s.words}) {s.text}" for s in report.longest)
    assert report.failures == [], f"{report.failures}\nLongest sentences: {longest}"
    assert report.reading_ease >= 70 and report.grade <= MAX_GRADE
    jargon = [j.term for j in report.jargon if j.kind in ("jargon", "people")]
    assert jargon == []


def test_the_guide_is_short() -> None:
    words = sum(len(unit.split()) for unit in prose_units(GUIDE.read_text(encoding="utf-8")))
    assert words <= 1200, f"{words} words: move detail to {MORE.name}"


def test_every_picture_has_alt_text_and_is_shipped_under_a_free_licence() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    pictures = PICTURE.findall(text)
    sections = re.findall(r"^## ", text, re.MULTILINE)
    assert len(pictures) >= len(sections) - 1, "a picture beside each main section"
    for alt, src in pictures:
        picture = (GUIDE.parent / src).resolve()
        assert picture.is_file(), src
        assert alt.strip(), f"{src} has no alt text"
        licence = picture.parent / "LICENSE.md"
        assert "CC0" in licence.read_text(encoding="utf-8"), licence


def test_the_home_screen_shown_is_the_one_a_co_researcher_gets() -> None:
    """Each menu line in the guide's example is one the home screen really offers."""
    from prosper_coop.cli import home

    block = GUIDE.read_text(encoding="utf-8").split("```text\n", 1)[1].split("```", 1)[0]
    menu = [line.strip() for line in block.splitlines() if re.match(r"\s+\w\. ", line)]
    visitor = home.Visitor(
        ROOT, ROOT, "CR-02", "whoami", in_study=True, joined=True, roles=("co-researcher",)
    )
    offered = [action.label for action in home.actions_for(visitor)]
    expected = [f"{n}. {label}" for n, label in enumerate(offered, 1)]
    expected += [choice.line() for choice in home.fixed_choices()]
    assert menu == expected
    assert "What would you like to do?" in block and home.HOW_TO_CHOOSE in block


def test_the_longer_guide_uses_no_jargon() -> None:
    glossary = load_glossary(ROOT / "templates" / "glossary.yaml")
    text = "\n".join(prose_units(MORE.read_text(encoding="utf-8")))
    found = [j.term for j in find_jargon(text, glossary) if j.kind in ("jargon", "people")]
    assert found == []
