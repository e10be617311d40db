"""Easy read: a picture beside each key message, in Markdown, on the web page and in Word.

The pictures come from the study's ``templates/icons/`` (the shipped set, copied by
``init``), chosen per message from ``icons.yaml`` or named by the theme; an SVG from
the study is cleaned before it reaches a page; and the easy-read lines count the
same words in every format.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from prosper_coop.core.defaults import default_path
from prosper_coop.core.errors import NotFoundError, ValidationError
from prosper_coop.core.study import Study
from prosper_coop.outputs import icons, markdown, readability
from prosper_coop.outputs import render as rendering
from prosper_coop.outputs.docx_writer import docx_paragraphs
from tests.helpers import git, state

TODAY = dt.date(2026, 11, 26)
FORMATS = ["md", "html", "docx"]
PICTURE_LINE = re.compile(r"^!\[(?P<alt>[^\]]+)\]\(icons/(?P<name>[a-z0-9-]+)\.svg\) (?P<text>.+)$")
SHIPPED = default_path("templates", "icons")


def _commit(study: Study, message: str = "edit") -> None:
    git(study, "add", "-A")
    git(
        study,
        "-c",
        "user.name=CO-01",
        "-c",
        "user.email=co@x.invalid",
        "commit",
        "-q",
        "--no-verify",
        "-m",
        message,
    )


def _key_messages(study: Study) -> list[str]:
    from prosper_coop.outputs.findings import list_themes

    return [theme.key_messages[0] for theme in list_themes(study)]


class _Pictures(HTMLParser):
    """Each inline <svg> of a page: its attributes, <title> text and the text beside it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.svgs: list[dict[str, str | None]] = []
        self.titles: list[str] = []
        self.beside: list[str] = []
        self.elements: set[str] = set()
        self._in_title = False
        self._in_svg = False
        self._in_lines = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self.svgs.append(dict(attrs))
            self._in_svg = True
        elif self._in_svg:
            self.elements.add(tag)
            self._in_title = tag == "title"
        if tag == "div" and ("class", "lines") in attrs:
            self._in_lines = 1
            self.beside.append("")
        elif tag == "div" and self._in_lines:
            self._in_lines += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._in_svg = False
        if tag == "title":
            self._in_title = False
        if tag == "div" and self._in_lines:
            self._in_lines -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title and self._in_svg:
            self.titles.append(data)
        elif self._in_lines:
            self.beside[-1] += data


def _pictures_in(page: str) -> _Pictures:
    parser = _Pictures()
    parser.feed(page)
    return parser


# -- every key message has its picture ---------------------------------------------------------
def test_every_key_message_has_a_picture_with_alt_text_in_every_format(example_study) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    output = rendering.render_output(example_study, "easy-read", FORMATS, TODAY)
    messages = _key_messages(example_study)
    assert len(messages) == 6

    # Markdown: each key message is a line that starts with its picture.
    lines = output.files["md"].decode().splitlines()
    pictured = {m["text"]: m for line in lines if (m := PICTURE_LINE.match(line))}
    for message in messages:
        assert message in pictured, message
        assert pictured[message]["alt"].strip()
    # ... and so is every paragraph under "What we found".
    start = next(i for i, b in enumerate(output.blocks) if b.text == "What we found")
    end = next(i for i, b in enumerate(output.blocks) if i > start and b.kind == "heading")
    found = output.blocks[start + 1 : end]
    assert len(found) == 7 and all(b.kind == "pictured" and b.alt for b in found)
    count = sum(1 for b in output.blocks if b.kind == "pictured")

    # Web page: every picture is an inline SVG with role=img, an aria-label and a <title>.
    page = _pictures_in(output.files["html"].decode())
    assert len(page.svgs) == count
    for svg, title in zip(page.svgs, page.titles, strict=True):
        assert svg["role"] == "img"
        assert svg["aria-label"] and svg["aria-label"] == title
        assert svg["viewbox"] == "0 0 64 64"
    for message in messages:
        assert any(message in text for text in page.beside), message
    assert '<div class="pictured">' in output.files["html"].decode()

    # Word: one picture per easy-read line, with alt text, beside its text in a table.
    document = Document(io.BytesIO(output.files["docx"]))
    assert len(document.inline_shapes) == count
    for shape in document.inline_shapes:
        assert shape._inline.docPr.get("descr", "").strip()
    rows = [row for table in document.tables for row in table.rows]
    assert len(rows) == count
    for row in rows:
        picture_cell, text_cell = row.cells
        assert picture_cell._tc.findall(".//" + qn("w:drawing"))
        assert text_cell.text.strip()
    for message in messages:
        assert any(message in row.cells[1].text for row in rows), message


def test_an_easy_read_line_shows_one_sentence_per_line(example_study) -> None:
    output = rendering.render_output(example_study, "easy-read", ["html", "docx"], TODAY)
    intro = next(b for b in output.blocks if b.kind == "pictured")
    assert intro.kind == "pictured" and intro.icon == "team"
    assert intro.items == [
        "This is about our study.",
        "Some people have been raped or sexually hurt.",
        "Charities help them.",
        "We wanted to find out how these charities work.",
        "We also asked how they get money.",
    ]
    page = output.files["html"].decode()
    assert "<p>Charities help them.</p>" in page
    assert "Charities help them." in docx_paragraphs(output.files["docx"])


def test_easy_read_counts_the_same_words_in_every_format(example_study) -> None:
    files = rendering.render_output(example_study, "easy-read", FORMATS, TODAY).files
    md_units = readability.units_from_markdown(files["md"].decode())
    html_units = readability.units_from_html(files["html"].decode())
    docx_units = [p for p in docx_paragraphs(files["docx"], counted_only=True) if p.strip()]
    assert md_units == html_units == docx_units
    assert "Charities help them." in md_units
    assert not any("A group of people" in unit for unit in html_units)  # alt text: not read


def test_word_headings_stay_larger_than_easy_read_text(example_study) -> None:
    from docx import Document

    data = rendering.render_output(example_study, "easy-read", ["docx"], TODAY).files["docx"]
    styles = Document(io.BytesIO(data)).styles
    assert styles["Normal"].font.size.pt == 16
    assert styles["Heading 1"].font.size.pt > styles["Heading 2"].font.size.pt > 16


# -- choosing pictures -------------------------------------------------------------------------
def test_pictures_are_chosen_from_the_words_of_each_message() -> None:
    table = icons.load_icon_table(None)
    assert icons.choose_icon(table, "Waiting lists are long.") == "clock"
    assert icons.choose_icon(table, "Call the helpline if you want to talk.") == "phone"
    assert icons.choose_icon(table, "Small charities lose bids for funding.") == "money"
    assert icons.choose_icon(table, "Partnership working helps.") == "team"
    # Whole words only: "goodwill" is not "go", "ringing" not "ring".
    assert icons.choose_icon(table, "Ringing goodwill.") == table.default
    assert icons.choose_icon(table, "Nothing here matches.") == table.default == "idea"
    assert icons.choose_icon(table, "Waiting lists are long.", own="phone") == "phone"


def test_the_example_themes_get_fitting_pictures(example_study) -> None:
    from prosper_coop.outputs.context import build_context

    themes = build_context(example_study, TODAY)["themes"]
    assert [t["icon"]["name"] for t in themes] == [
        "money",
        "money",
        "team",
        "clock",
        "signpost",
        "idea",
    ]
    assert themes[3]["icon"]["alt"] == "A clock"


def test_a_theme_can_name_its_own_picture(example_study) -> None:
    path = example_study.root / "themes" / "TH4.yaml"
    path.write_text(path.read_text() + "icon: phone\n")
    _commit(example_study, "TH4: its own picture")
    text = rendering.render_output(example_study, "easy-read", ["md"], TODAY).markdown
    assert (
        "![A mobile phone](icons/phone.svg) Waiting lists are long, and staff carry a heavy "
        "emotional load." in text
    )


def test_a_picture_not_in_the_table_is_refused_and_nothing_is_written(example_study) -> None:
    path = example_study.root / "themes" / "TH4.yaml"
    path.write_text(path.read_text() + "icon: unicorn\n")
    _commit(example_study, "TH4: a picture that does not exist")
    before = state(example_study)
    with pytest.raises(NotFoundError, match=r"icons/unicorn\.svg, which is not listed") as caught:
        rendering.render(example_study, "easy-read", formats=FORMATS)
    assert caught.value.file == "templates/icons/icons.yaml"
    assert "phone" in (caught.value.hint or "")
    assert state(example_study) == before
    assert not (example_study.root / "outputs").exists()


def test_record_text_cannot_make_a_picture(example_study) -> None:
    path = example_study.root / "themes" / "TH4.yaml"
    text = path.read_text().replace(
        "- Waiting lists are long, and staff carry a heavy emotional load.",
        "- '![x](icons/money.svg) Waiting. Lists.'",
    )
    path.write_text(text)
    _commit(example_study, "TH4: a message that looks like a picture")
    output = rendering.render_output(example_study, "easy-read", ["md", "html"], TODAY)
    line = next(line for line in output.markdown.splitlines() if "Lists." in line)
    assert line.startswith("![A clock](icons/clock.svg) !\\[x\\]\\(icons/money.svg\\)")
    block = next(b for b in output.blocks if b.kind == "pictured" and "Lists." in b.text)
    assert block.icon == "clock"
    assert markdown.plain(block.items[0]) == "![x](icons/money.svg) Waiting."
    page = output.files["html"].decode()
    assert "<p>![x](icons/money.svg) Waiting.</p>" in page


def test_record_text_cannot_end_the_alt_text_or_the_aria_label() -> None:
    blocks = markdown.parse('![A \\] "quoted" <b>](icons/team.svg) Hello. World.\n')
    (block,) = blocks
    assert block.kind == "pictured" and block.alt == 'A ] "quoted" <b>'
    page = markdown.to_html(blocks)
    assert 'aria-label="A ] &quot;quoted&quot; &lt;b&gt;"' in page
    filled = icons.fill_pictures(
        page, {"team": icons.SvgArt("0 0 64 64", '<circle r="1"/>')}, {"team": "x"}
    )
    assert '<title>A ] &quot;quoted&quot; &lt;b&gt;</title><circle r="1"/></svg>' in filled


# -- the files written -------------------------------------------------------------------------
def test_the_markdown_pictures_are_committed_beside_it(example_study) -> None:
    result = rendering.render(example_study, "easy-read", formats=FORMATS, out="outputs/easy")
    root = example_study.root
    text = (root / "outputs/easy/easy-read.md").read_text()
    named = sorted(set(re.findall(r"\]\((icons/[a-z0-9-]+\.svg)\)", text)))
    assert named == [
        "icons/calendar.svg",
        "icons/clock.svg",
        "icons/finding.svg",
        "icons/idea.svg",
        "icons/money.svg",
        "icons/signpost.svg",
        "icons/support.svg",
        "icons/team.svg",
    ]
    committed = set(git(example_study, "ls-files", "outputs/easy").split())
    listed = {f.path: f.format for f in result.record.files}
    for rel in named:
        picture = root / "outputs/easy" / rel  # the Markdown's relative reference works
        assert picture.is_file(), rel
        assert f"outputs/easy/{rel}" in committed
        assert listed[f"outputs/easy/{rel}"] == "md"
        svg = picture.read_text()
        assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"')
        assert 'role="img"' in svg and "<title>" in svg
    assert result.record.formats == FORMATS
    # Which picture files (as saved) the render used, for render --again to check.
    assert "templates/icons/team.svg" in result.record.template_files
    assert "templates/icons/team.png" in result.record.template_files
    assert git(example_study, "status", "--porcelain") == ""

    again = rendering.render_again(example_study, result.record.id)
    assert again.identical is True


def test_a_study_without_the_icons_folder_uses_the_shipped_set(example_study) -> None:
    git(example_study, "rm", "-q", "-r", "templates/icons")
    _commit(example_study, "no pictures of our own")
    output = rendering.render_output(example_study, "easy-read", FORMATS, TODAY)
    assert not [path for path in output.template_files if path.startswith("templates/icons/")]
    pictured = sum(1 for b in output.blocks if b.kind == "pictured")
    assert pictured >= 10
    assert output.files["html"].decode().count('role="img"') == pictured
    assert output.beside_md["icons/team.svg"].startswith(b"<svg")


def test_a_study_may_draw_its_own_picture(example_study) -> None:
    folder = example_study.root / "templates" / "icons"
    (folder / "team.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        '<rect x="1" y="1" width="8" height="8" fill="#abcdef"/></svg>'
    )
    (folder / "team.png").unlink()
    _commit(example_study, "our own team picture, no PNG yet")
    output = rendering.render_output(example_study, "easy-read", ["md", "html"], TODAY)
    assert (
        '<svg viewBox="0 0 10 10" width="64" height="64" role="img" aria-label="A group of '
        'people" focusable="false"><title>A group of people</title>'
        '<rect x="1" y="1" width="8" height="8" fill="#abcdef"/></svg>'
    ) in output.files["html"].decode()
    # Word needs the PNG of that same picture: the shipped one would show a different one.
    with pytest.raises(NotFoundError, match=r"templates/icons/team.png is missing"):
        rendering.render_output(example_study, "easy-read", ["docx"], TODAY)


HOSTILE = """<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 64 64" onload="alert(1)">
  <script>alert(2)</script>
  <style>circle { fill: url(https://evil.invalid/x) }</style>
  <title>sneaky</title>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
  <image href="https://evil.invalid/track.png" width="64" height="64"/>
  <a xlink:href="javascript:alert(3)"><circle cx="1" cy="1" r="1"/></a>
  <use xlink:href="#x"/>
  <g onclick="alert(4)" style="fill: red" transform="rotate(45 32 32)">
    <circle id="x" cx="32" cy="32" r="20" fill="url(#gradient)" stroke="#1a1a1a"/>
    <path d="M0 0L64 64" stroke-width="3"/>
  </g>
</svg>
"""


def test_a_hostile_svg_is_cleaned_before_it_reaches_a_page(example_study) -> None:
    (example_study.root / "templates/icons/team.svg").write_text(HOSTILE)
    _commit(example_study, "a picture with scripts in it")
    output = rendering.render_output(example_study, "easy-read", ["md", "html"], TODAY)
    inline = re.findall(
        r'<svg [^>]*aria-label="A group of people".*?</svg>', output.files["html"].decode()
    )
    assert len(inline) == 2  # the intro and the theme about working together
    for page in (*inline, output.beside_md["icons/team.svg"].decode()):
        for forbidden in (
            "script",
            "alert",
            "onload",
            "onclick",
            "evil",
            "javascript",
            "href",
            "foreignObject",
            "<image",
            "<use",
            "<style",
            "url(",
            "sneaky",
            'id="x"',
        ):
            assert forbidden not in page, forbidden
    team = output.beside_md["icons/team.svg"].decode()
    assert '<g transform="rotate(45 32 32)"><circle cx="32" cy="32" r="20" stroke="#1a1a1a"/>' in (
        team
    )
    assert '<path d="M0 0L64 64" stroke-width="3"/>' in team
    parsed = _pictures_in(output.files["html"].decode())
    assert parsed.elements <= {"title", "g", "path", "circle", "rect", "ellipse", "line"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><title>&b;</title></svg>',
            "DOCTYPE or entity",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><path d="M0 0"',
            "not a readable",
        ),
        ("<html><body>not a picture</body></html>", "is not an SVG picture"),
        ('<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>', "has no viewBox"),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">'
            + "<g>" * 20
            + "</g>" * 20
            + "</svg>",
            "too large or too deeply nested",
        ),
    ],
)
def test_a_broken_or_unsafe_svg_is_refused_naming_the_file(
    example_study, text: str, problem: str
) -> None:
    (example_study.root / "templates/icons/team.svg").write_text(text)
    _commit(example_study, "a broken picture")
    before = state(example_study)
    with pytest.raises(ValidationError, match=problem) as caught:
        rendering.render(example_study, "easy-read", formats=["md", "html"])
    assert caught.value.file == "templates/icons/team.svg"
    assert state(example_study) == before


def test_a_png_that_is_not_a_png_is_refused(example_study) -> None:
    (example_study.root / "templates/icons/team.png").write_bytes(b"GIF89a not a png")
    _commit(example_study, "a broken PNG")
    with pytest.raises(ValidationError, match="is not a PNG picture") as caught:
        rendering.render_output(example_study, "easy-read", ["docx"], TODAY)
    assert caught.value.file == "templates/icons/team.png"


# -- the shipped set ---------------------------------------------------------------------------
def test_the_shipped_icon_set_is_complete_clean_and_licensed() -> None:
    table = icons.load_icon_table(None)
    svgs = sorted(path.stem for path in SHIPPED.glob("*.svg"))
    assert sorted(table.icons) == svgs
    assert len(svgs) >= 10
    for name in svgs:
        svg = SHIPPED / f"{name}.svg"
        raw = svg.read_text()
        art = icons.read_svg(icons.IconFile(name, svg.read_bytes(), False))
        # Cleaning keeps every shape of the shipped drawings (they use nothing else).
        shapes = len(re.findall(r"<(?:g|path|circle|rect|ellipse|line|polyline|polygon)\b", raw))
        assert art.body.count("<") - art.body.count("</") == shapes, name
        assert f"<title>{table.icons[name].alt}</title>" in raw, name
        png = (SHIPPED / f"{name}.png").read_bytes()
        assert png.startswith(icons.PNG_SIGNATURE), name
        assert int.from_bytes(png[16:20], "big") == int.from_bytes(png[20:24], "big") == 256
    licence = (SHIPPED / "LICENSE.md").read_text()
    assert "CC0-1.0" in licence and "creativecommons.org/publicdomain/zero/1.0" in licence
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "CC0-1.0" in readme and "templates/icons" in readme
