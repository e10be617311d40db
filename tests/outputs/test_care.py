"""Outputs that care for their readers: content note, support, funder, drafts, citable numbers.

Every public output opens with a content note and ends with where to get support
(from the study's own signposting data), in Markdown, HTML and Word alike; public
outputs carry the funder's acknowledgement; an output with starter text is not
shared unless it is a marked draft; recommendations have one number everywhere.
"""

from __future__ import annotations

import html
import re

import pytest

from prosper_coop.core.errors import ExitCode, ValidationError
from prosper_coop.outputs import findings, markdown
from prosper_coop.outputs import render as rendering
from prosper_coop.outputs.context import funding_context
from prosper_coop.outputs.docx_writer import docx_paragraphs
from prosper_coop.outputs.starter import find_starter, is_starter
from prosper_coop.wellbeing.config import signposting
from tests.helpers import git, head, state

PUBLIC = ["easy-read", "lay-summary", "newsletter", "recommendations"]
NIHR_ACKNOWLEDGEMENT = (
    "This study is funded by the NIHR Health and Social Care Delivery Research programme "
    "(18/02/27)."
)
NIHR_DISCLAIMER = (
    "The views expressed are those of the author(s) and not necessarily those of the NIHR "
    "or the Department of Health and Social Care."
)
# Invented services: the outputs must show the study's own list, not the shipped one.
SIGNPOSTING = """\
title: Where you can get support
intro: You can talk to someone whenever you choose.
review_after_days: 180
services:
  - name: Example Listening Line
    contact: 0800 000 0001
    when: For anyone affected by the topics in this study.
    hours: Monday to Friday, 9am to 5pm
    source: https://example.invalid/listening-line
    checked_on: 2026-11-01
  - name: Example Text Service
    contact: Text LISTEN to 00000
    hours: 24/7
    note: Replies may take a few minutes.
    source: https://example.invalid/text
    checked_on: 2026-11-01
"""


def _save(cli, study, message: str) -> None:
    """Save hand edits the way a person does (prosper-coop save)."""
    result = cli("--study", str(study.root), "save", "-m", message)
    assert result.exit_code == 0, result.output


def _lines(fmt: str, data: bytes) -> list[str]:
    """The text of each heading, paragraph and list item, in order, as a reader sees it."""
    if fmt == "md":
        blocks = markdown.parse(data.decode())
        return [markdown.plain(text) for block in blocks for text in block.texts()]
    if fmt == "html":
        main = data.decode().split("<main>", 1)[1].split("</main>", 1)[0]
        found = re.findall(r"<(p|li|h[1-6])>(.*?)</\1>", main, re.S)
        return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split()) for _, text in found]
    return [text for text in docx_paragraphs(data) if text.strip()]


# -- content note and support ----------------------------------------------------------------
def test_every_public_output_opens_with_the_note_and_ends_with_the_studys_support(
    example_study, cli
) -> None:
    root = example_study.root
    (root / "wellbeing" / "signposting.yaml").write_text(SIGNPOSTING)
    _save(cli, example_study, "our own support list")
    services = signposting(root).services
    assert [s.name for s in services] == ["Example Listening Line", "Example Text Service"]
    for template in PUBLIC:
        output = rendering.render_output(
            example_study, template, list(rendering.FORMATS), example_study.today()
        )
        for fmt, data in output.files.items():
            lines = _lines(fmt, data)
            where = (template, fmt)
            assert lines[0].startswith("Before you read: this is about sexual violence."), where
            assert "You can stop reading at any time" in lines[0], where
            tail = lines[-len(services) :]
            assert lines[-len(services) - 2 : -len(services)] == [
                "Where you can get support",
                "You can talk to someone whenever you choose.",
            ], where
            assert tail[0] == (
                "Example Listening Line: 0800 000 0001 (Monday to Friday, 9am to 5pm). "
                "For anyone affected by the topics in this study."
            ), where
            assert tail[1] == (
                "Example Text Service: Text LISTEN to 00000 (24/7). Replies may take a few minutes."
            ), where
            text = "\n".join(lines)
            assert "Samaritans" not in text, where  # the shipped list is not used
            assert "example.invalid" not in text and "2026-11-01" not in text, where


def test_the_note_and_support_are_shown_but_not_counted(example_study) -> None:
    from prosper_coop.outputs.readability import units_from_html, units_from_markdown

    files = rendering.render_output(
        example_study, "lay-summary", ["md", "html", "docx"], example_study.today()
    ).files
    counted = units_from_markdown(files["md"].decode())
    assert counted == units_from_html(files["html"].decode())
    assert counted == [p for p in docx_paragraphs(files["docx"], counted_only=True) if p.strip()]
    joined = " ".join(counted)
    for shown_only in ("Before you read", "Samaritans", "NIHR", "If you would like support"):
        assert shown_only in files["md"].decode()
        assert shown_only not in joined


def test_not_counted_parts_nest() -> None:
    text = (
        "# T\n\n<!-- not-counted -->\nA\n\n<!-- not-counted -->\nB\n<!-- /not-counted -->\n\n"
        "C\n<!-- /not-counted -->\n\nD\n"
    )
    assert [(b.text, b.counted) for b in markdown.parse(text)] == [
        ("T", True),
        ("A", False),
        ("B", False),
        ("C", False),
        ("D", True),
    ]


def test_a_linked_signposting_file_is_refused_by_render(example_study, tmp_path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("title: not for sharing\n")
    path = example_study.root / "wellbeing" / "signposting.yaml"
    path.unlink()
    path.symlink_to(secret)
    git(example_study, "add", "-A")
    git(
        example_study,
        "-c",
        "user.name=CO-01",
        "-c",
        "user.email=co@x.invalid",
        "commit",
        "--no-verify",
        "-qm",
        "l",
    )
    before = state(example_study)
    with pytest.raises(ValidationError, match="symbolic link") as caught:
        rendering.render(example_study, "lay-summary", formats=["md"])
    assert caught.value.file == "wellbeing/signposting.yaml"
    assert state(example_study) == before


# -- the funder ------------------------------------------------------------------------------
@pytest.mark.parametrize("template", [*PUBLIC, "gripp2"])
def test_nihr_acknowledgement_with_the_award_in_every_format(example_study, template) -> None:
    output = rendering.render_output(
        example_study, template, list(rendering.FORMATS), example_study.today()
    )
    for fmt, data in output.files.items():
        lines = _lines(fmt, data)
        assert NIHR_ACKNOWLEDGEMENT in lines, (template, fmt)
        assert NIHR_DISCLAIMER in lines, (template, fmt)


def test_a_study_may_word_its_own_acknowledgement(example_study, cli) -> None:
    root = example_study.root
    with (root / "study.yaml").open("a") as file:
        file.write(
            "funder_acknowledgement: This work was supported by the Example Trust (grant EX-1).\n"
            "funder_disclaimer: The Example Trust did not shape what we wrote.\n"
        )
    _save(cli, example_study, "funder wording")
    text = rendering.render_output(example_study, "lay-summary", ["md"], example_study.today())
    lines = _lines("md", text.markdown.encode())
    assert "This work was supported by the Example Trust (grant EX-1)." in lines
    assert "The Example Trust did not shape what we wrote." in lines
    assert NIHR_ACKNOWLEDGEMENT not in lines and NIHR_DISCLAIMER not in lines


@pytest.mark.parametrize(
    ("funder", "nihr", "programme"),
    [
        (
            "NIHR Health and Social Care Delivery Research",
            True,
            "Health and Social Care Delivery Research programme",
        ),
        (
            "National Institute for Health and Care Research (NIHR) Public Health Research "
            "Programme",
            True,
            "Public Health Research Programme",
        ),
        ("the National Institute for Health Research", True, ""),
        ("NIHR", True, ""),
        ("NIHRx Foundation", False, ""),
        ("Example Trust", False, ""),
        ("", False, ""),
    ],
)
def test_who_counts_as_nihr(funder: str, nihr: bool, programme: str) -> None:
    assert funding_context(funder) == {"nihr": nihr, "funder_programme": programme}


def test_doctor_warns_when_an_nihr_study_has_no_award(empty_study, cli) -> None:
    root = empty_study.root
    with (root / "study.yaml").open("a") as file:
        file.write("funder: NIHR Public Health Research\n")
    _save(cli, empty_study, "funder")
    result = cli("--study", str(root), "doctor")
    assert "NIHR-funded but has no award number" in result.output


# -- starter text and drafts -----------------------------------------------------------------
def _with_a_theme(study) -> None:
    findings.add_theme(study, "TH1", "Being believed", summary="People want to be heard.")


def _line_of(path, key: str) -> int:
    lines = path.read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(f"{key}:"))


def test_starter_text_is_refused_with_its_section_and_line(empty_study, cli) -> None:
    _with_a_theme(empty_study)
    root = empty_study.root
    before = state(empty_study)
    result = cli("--study", str(root), "render", "lay-summary")
    assert result.exit_code == ExitCode.THRESHOLD, result.output
    line = _line_of(root / "templates" / "wording.yaml", "question")
    assert (
        'Error: lay-summary is not finished yet: the section "What was the question?" '
        f"still has starter text (templates/wording.yaml:{line})"
    ) in result.stderr
    assert f"at templates/wording.yaml:{line} (question) with your own" in result.stderr
    assert '"What did we do?"' in result.stderr and "--draft" in result.stderr
    assert "Nothing was written." in result.stderr
    assert state(empty_study) == before
    assert not (root / "outputs").exists()


def test_a_draft_is_rendered_marked_and_committed(empty_study, cli) -> None:
    from docx import Document

    _with_a_theme(empty_study)
    root = empty_study.root
    before = head(empty_study)
    result = cli("--study", str(root), "render", "lay-summary", "--draft")
    assert result.exit_code == 0, result.output
    assert "Rendered lay-summary as OUT-00001, a draft (marked DRAFT)." in result.stderr
    assert 'to finish: the section "What was the question?"' in result.stderr
    assert git(empty_study, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert "(draft)" in git(empty_study, "log", "-1", "--format=%s")
    assert git(empty_study, "status", "--porcelain") == ""
    record = (root / "renders" / "OUT-00001.yaml").read_text()
    assert "draft: true" in record
    out = root / "outputs"
    for fmt in ("md", "html", "docx"):
        lines = _lines(fmt, (out / f"lay-summary.{fmt}").read_bytes())
        assert lines[0] == "DRAFT. This is not finished yet, so please do not share it.", fmt
        assert lines[1].startswith("Before you read:"), fmt
        assert any(is_starter(line) for line in lines), fmt
    page = (out / "lay-summary.html").read_text()
    assert "<title>DRAFT: Test study: a summary in plain words</title>" in page
    with (out / "lay-summary.docx").open("rb") as file:
        assert Document(file).core_properties.title.startswith("DRAFT: ")
    again = cli("--study", str(root), "render", "--again", "OUT-00001")
    assert again.exit_code == 0, again.output
    assert "The files are identical to OUT-00001." in again.stderr
    mixed = cli("--study", str(root), "render", "--again", "OUT-00001", "--draft")
    assert mixed.exit_code == ExitCode.USAGE


def test_once_the_starter_text_is_replaced_it_renders(empty_study, cli) -> None:
    _with_a_theme(empty_study)
    root = empty_study.root
    wording = root / "templates" / "wording.yaml"
    text = re.sub(r"Say here[^\n]*", "Our own words for this part.", wording.read_text())
    wording.write_text(text)
    _save(cli, empty_study, "our own words")
    result = cli("--study", str(root), "render", "lay-summary", "--format", "md")
    assert result.exit_code == 0, result.output
    assert "draft" not in (root / "renders" / "OUT-00001.yaml").read_text()
    assert (
        (root / "outputs" / "lay-summary.md")
        .read_text()
        .startswith("<!-- not-counted -->\n**Before")
    )


def test_starter_text_written_in_a_template_names_the_template_line(example_study, cli) -> None:
    root = example_study.root
    (root / "templates" / "leaflet.md.j2").write_text(
        '{% include "_content_note.md.j2" %}\n# A leaflet\n\n## Why\n\n'
        "Say here why the leaflet is needed.\n"
    )
    _save(cli, example_study, "a leaflet")
    before = state(example_study)
    result = cli("--study", str(root), "render", "leaflet")
    assert result.exit_code == ExitCode.THRESHOLD, result.output
    assert 'the section "Why" still has starter text (templates/leaflet.md.j2:6)' in result.stderr
    assert state(example_study) == before


def test_find_starter_names_the_wording_entry_and_its_line() -> None:
    wording_text = "# ours\nintro: >-\n  Our own words.\nnext: >-\n  Say here what comes next.\n"
    wording = {"intro": "Our own words.", "next": "Say here what comes next."}
    text = "# T\n\nOur own words.\n\n## Next\n\nSay here what comes next.\n\nSayings here.\n"
    places = find_starter(
        text, wording=wording, wording_text=wording_text, templates={}, template="t.md.j2"
    )
    assert [(p.section, p.where, p.name) for p in places] == [
        ("Next", "templates/wording.yaml:4", "next")
    ]
    assert not is_starter("Sayings here. They say here that it works.")


# -- recommendation numbers ------------------------------------------------------------------
def _numbered(lines: list[str]) -> dict[str, str]:
    """``R7`` -> the line that starts with it."""
    found: dict[str, str] = {}
    for line in lines:
        match = re.match(r"^(R\d+): (.*)$", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def test_recommendations_have_one_number_in_every_output_and_format(example_study, cli) -> None:
    root = example_study.root
    recs = findings.list_recommendations(example_study)
    expected = {findings.recommendation_number(rec.id): rec.text for rec in recs}
    assert list(expected) == [f"R{n}" for n in range(1, 11)]
    (root / "templates" / "for-policy.md.j2").write_text(
        "# For policy makers\n\n"
        '{% for rec in recommendations if rec.audience == "policy" %}\n'
        "- **{{ rec.number }}:** {{ rec.text }}\n"
        "{% endfor %}\n"
    )
    _save(cli, example_study, "a page for policy makers")
    today = example_study.today()
    full = rendering.render_output(example_study, "recommendations", list(rendering.FORMATS), today)
    policy = rendering.render_output(example_study, "for-policy", list(rendering.FORMATS), today)
    for fmt in rendering.FORMATS:
        everyone = _numbered(_lines(fmt, full.files[fmt]))
        assert {number: line.split(" This comes from")[0] for number, line in everyone.items()} == {
            number: ("Act on this first. " if rec.priority == "high" else "") + text
            for (number, text), rec in zip(expected.items(), recs, strict=True)
        }, fmt
        assert _numbered(_lines(fmt, policy.files[fmt])) == {
            "R7": expected["R7"],
            "R8": expected["R8"],
        }, fmt
    assert "Recommendations: R1 and R7." in full.markdown  # the themes name them the same way
    # A new recommendation takes the next number; the others keep theirs.
    findings.add_recommendation(example_study, "A newer idea.", audience="policy", theme="TH3")
    later = rendering.render_output(example_study, "for-policy", ["md"], today)
    assert _numbered(_lines("md", later.files["md"])) == {
        "R7": expected["R7"],
        "R8": expected["R8"],
        "R11": "A newer idea.",
    }


def test_recommendation_number_comes_from_the_id() -> None:
    assert findings.recommendation_number("R-001") == "R1"
    assert findings.recommendation_number("R-010") == "R10"
    assert findings.recommendation_number("R-1234") == "R1234"
