"""Rendering outputs: the shipped templates, credit choices, formats, errors and --again."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import zipfile

import pytest

from prosper_coop.core.errors import (
    ConflictError,
    ExitCode,
    InvalidInputError,
    NotFoundError,
    ThresholdError,
    ValidationError,
)
from prosper_coop.core.models import Credit, CreditAs, CreditStyle, Person, Role
from prosper_coop.outputs import markdown
from prosper_coop.outputs import render as rendering
from prosper_coop.outputs.credit import team_credits
from tests.helpers import git, head

TODAY = dt.date(2026, 11, 26)
SHIPPED = ["easy-read", "gripp2", "lay-summary", "newsletter", "recommendations"]


@pytest.fixture(scope="module")
def prosper(tmp_path_factory: pytest.TempPathFactory):
    """One PROSPER example study shared by the tests that only read it."""
    from prosper_coop.workspace import create_study

    with pytest.MonkeyPatch.context() as patch:
        home = tmp_path_factory.mktemp("home")
        patch.setenv("PROSPER_COOP_TODAY", TODAY.isoformat())
        patch.setenv("HOME", str(home))
        patch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig-none"))
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.setenv("PROSPER_COOP_CONFIG_DIR", str(home / "config"))
        study = create_study(
            tmp_path_factory.mktemp("shared") / "prosper", title=None, example="prosper"
        )
    head = git(study, "rev-parse", "HEAD")
    yield study
    assert git(study, "rev-parse", "HEAD") == head, "a read-only test changed the shared study"


def _docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs)


def _unchanged(study, head: str) -> None:
    assert git(study, "rev-parse", "HEAD").strip() == head
    assert git(study, "status", "--porcelain") == ""


def _write_template(study, name: str, text: str) -> None:
    (study.root / "templates" / name).write_text(text)
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
        f"edit {name}",
    )


# -- the shipped templates -------------------------------------------------------------------
def test_the_study_has_the_shipped_templates(prosper) -> None:
    available = rendering.available_templates(prosper)
    assert set(SHIPPED) <= set(available)  # the study report adds its own (issue 13)
    assert not [name for name in available if name.startswith("_")]  # shared parts are not


@pytest.mark.parametrize("template", SHIPPED)
def test_shipped_templates_pass_their_own_thresholds_for_prosper(prosper, template) -> None:
    output = rendering.render_output(prosper, template, ["md"], TODAY)
    report = rendering.readability_of(prosper, output)
    assert report.passed, report.failures
    assert output.warnings == []
    limits = rendering.thresholds_for(prosper, template)
    if limits.max_words:
        assert report.words <= limits.max_words


def test_lay_summary_has_the_nihr_shape(prosper) -> None:
    output = rendering.render_output(prosper, "lay-summary", ["md"], TODAY)
    headings = [b.text for b in output.blocks if b.kind == "heading" and b.level == 2]
    assert headings[:4] == [
        "What was the question?",
        "What did we do?",
        "What did we find?",
        "What does this mean?",
    ]
    assert "**Precarious funding landscape.**" in output.markdown
    assert (
        "This study is funded by the NIHR Health and Social Care Delivery Research programme "
        "(18/02/27)." in output.markdown
    )


def test_recommendations_are_grouped_by_audience_with_their_themes(prosper) -> None:
    text = rendering.render_output(prosper, "recommendations", ["md"], TODAY).markdown
    order = [text.index(h) for h in ("## For commissioners", "## For services", "## For policy")]
    assert order == sorted(order)
    assert 'theme "Precarious funding landscape", with evidence from work packages 2 and 3' in text


def test_gripp2_has_the_five_items_from_the_log(prosper) -> None:
    text = rendering.render_output(prosper, "gripp2", ["md"], TODAY).markdown
    for item in ("## 1. Aim", "## 2. Methods", "## 3. Results", "## 4. Discussion", "## 5. Refl"):
        assert item in text
    assert "6 public contributors gave 66 hours" in text
    assert "- Co-researcher training: 30 hours" in text
    assert "Interviews moved to evenings" in text


# -- credit --------------------------------------------------------------------------------
def _person(pid: str, credit: Credit | None, role: Role = Role.CO_RESEARCHER) -> Person:
    return Person(id=pid, alias=f"Alias {pid}", roles=[role], credit=credit)


def test_credit_follows_each_choice() -> None:
    people = [
        _person(
            "CR-01", Credit(style=CreditStyle.PSEUDONYM, display="Rowan", credit_as=CreditAs.AUTHOR)
        ),
        _person("CR-02", Credit(style=CreditStyle.INITIALS, display="J. K.")),
        _person("CR-03", Credit(style=CreditStyle.NONE, display="Hidden Name")),
        _person("CR-04", Credit(style=CreditStyle.GROUP, credit_as=CreditAs.AUTHOR)),
        _person("CR-05", None),
        _person("CR-06", Credit(style=CreditStyle.NAME, display="")),  # no text: group
        _person("AC-01", None, Role.ACADEMIC),
    ]
    credits = team_credits(people, "PROSPER")
    context = credits.as_context()
    assert context["authors"] == ["Rowan"]
    assert context["acknowledged"] == ["J. K."]
    assert context["author_names"] == ["Rowan", "the PROSPER co-researcher group"]
    assert context["thanked_names"] == ["J. K.", "the PROSPER research team"]
    assert [g["members"] for g in context["groups"]] == [3, 1]
    assert credits.not_shown == 1
    assert credits.fell_back_to_group == ["CR-06"]
    assert "Hidden" not in repr(context) and "Alias" not in repr(context)


def test_a_person_who_chose_none_appears_in_no_format(example_study) -> None:
    from prosper_coop.core.records import get

    with example_study.change("people", "credit", "CR-03") as ch:
        person = example_study.load(get("person"), "CR-03")
        person.credit = Credit(style=CreditStyle.NONE, display="Jade Invented")
        ch.save(person)
    alias = example_study.load(get("person"), "CR-03").alias
    for template in SHIPPED:
        output = rendering.render_output(example_study, template, list(rendering.FORMATS), TODAY)
        texts = {
            "md": output.files["md"].decode(),
            "html": output.files["html"].decode(),
            "docx": _docx_text(output.files["docx"]),
        }
        for fmt, text in texts.items():
            for secret in (alias, "Jade Invented", "CR-03"):
                assert secret not in text, (template, fmt, secret)
        assert "Rowan" in texts["docx"] or template == "gripp2" or "Rowan" in texts["md"]


# -- formats -------------------------------------------------------------------------------
def test_docx_is_a_real_word_document(prosper) -> None:
    from docx import Document

    output = rendering.render_output(prosper, "lay-summary", ["docx"], TODAY)
    data = output.files["docx"]
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    document = Document(io.BytesIO(data))
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert styles[0][1].startswith("Before you read:")  # the content note comes first
    assert styles[1] == ("Heading 1", "PROSPER: a summary in plain words")
    assert ("Heading 2", "What did we find?") in styles
    bullets = [text for style, text in styles if style == "List Bullet"]
    assert len(bullets) == 6 + 10  # the findings, then the support services
    assert bullets[-1].startswith("Mind Infoline: 0300 123 3393")
    first_bullet = next(p for p in document.paragraphs if p.style.name == "List Bullet")
    assert first_bullet.runs[0].bold is True
    assert first_bullet.runs[0].text == "Precarious funding landscape."
    assert document.core_properties.title == "PROSPER: a summary in plain words"
    assert document.core_properties.language == "en-GB"
    links = [h.url for p in document.paragraphs for h in p.hyperlinks]
    assert links == ["https://doi.org/10.3310/WWKT3077"]


def test_easy_read_docx_uses_large_text(prosper) -> None:
    from docx import Document

    data = rendering.render_output(prosper, "easy-read", ["docx"], TODAY).files["docx"]
    assert Document(io.BytesIO(data)).styles["Normal"].font.size.pt == 16


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("template", SHIPPED)
def test_html_is_one_accessible_page(prosper, template) -> None:
    page = rendering.render_output(prosper, template, ["html"], TODAY).files["html"].decode()
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in page
    assert "<title>" in page and '<meta name="viewport"' in page
    assert not re.search(r"<(link|script|img)\b", page)  # self-contained
    levels = [int(level) for level in re.findall(r"<h([1-6])>", page)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))
    size = re.search(r"body \{[^}]*font-size: ([\d.]+)rem", page, re.S)
    assert size and float(size.group(1)) * 16 >= 18
    text = re.search(r"body \{[^}]*?\bcolor: (#[0-9a-f]{6})", page, re.S).group(1)
    background = re.search(r"background: (#[0-9a-f]{6})", page).group(1)
    link = re.search(r"a \{ color: (#[0-9a-f]{6})", page).group(1)
    assert _contrast(text, background) >= 7
    assert _contrast(link, background) >= 4.5


def test_html_escapes_record_text(example_study) -> None:
    from prosper_coop.outputs import findings

    findings.add_key_message(example_study, "TH1", "Money <script>alert(1)</script> matters.")
    findings.edit_theme(example_study, "TH1", summary="[click](javascript:alert(1)) now")
    page = rendering.render_output(example_study, "newsletter", ["html"], TODAY).files["html"]
    text = page.decode()
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert "javascript:" not in text.split("<main>")[1].split('href="')[-1][:20]
    assert 'href="javascript' not in text


def test_markdown_parser_blocks() -> None:
    blocks = markdown.parse("# T\n\npara\nline two\n\n- a\n- b\n  more\n\n1. x\n2. y\n")
    assert [(b.kind, b.texts()) for b in blocks] == [
        ("heading", ["T"]),
        ("paragraph", ["para line two"]),
        ("bullets", ["a", "b more"]),
        ("numbers", ["x", "y"]),
    ]


# -- committing and reproducing ----------------------------------------------------------------
def test_render_is_one_commit_of_every_format_and_a_record(example_study) -> None:
    before = head(example_study)
    result = rendering.render(example_study, "lay-summary", formats=list(rendering.FORMATS))
    record = result.record
    assert record.id == "OUT-00001"
    assert record.data_commit == before
    assert set(record.template_files) == {
        "templates/lay-summary.md.j2",
        "templates/_content_note.md.j2",
        "templates/_acknowledgement.md.j2",
        "templates/_support.md.j2",
        "templates/page.html.j2",
    }
    blob = git(example_study, "rev-parse", f"{before}:templates/lay-summary.md.j2").strip()
    assert record.template_files["templates/lay-summary.md.j2"] == blob
    assert record.readability["passed"] is True
    changed = git(example_study, "show", "--name-only", "--format=%an|%s", "HEAD").split()
    assert changed[0] == "CO-01|render:"
    assert sorted(changed[-4:]) == [
        "outputs/lay-summary.docx",
        "outputs/lay-summary.html",
        "outputs/lay-summary.md",
        "renders/OUT-00001.yaml",
    ]
    assert git(example_study, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert git(example_study, "status", "--porcelain") == ""


def test_render_again_reproduces_the_same_bytes(example_study, monkeypatch) -> None:
    from prosper_coop.outputs import findings

    first = rendering.render(example_study, "recommendations", formats=["md", "docx"])
    md_before = (example_study.root / "outputs" / "recommendations.md").read_bytes()
    # The data moves on, and a later day comes...
    findings.add_recommendation(
        example_study, "A newer idea.", audience="practice", theme="TH3", priority="low"
    )
    rendering.render(example_study, "recommendations", formats=["md", "docx"])
    assert (example_study.root / "outputs" / "recommendations.md").read_bytes() != md_before
    monkeypatch.setenv("PROSPER_COOP_TODAY", "2027-01-05")
    again = rendering.render_again(example_study, first.record.id)
    assert again.identical is True
    assert again.record.again_of == first.record.id
    assert again.record.data_commit == first.record.data_commit
    assert again.record.rendered_on == first.record.rendered_on
    assert (example_study.root / "outputs" / "recommendations.md").read_bytes() == md_before
    assert git(example_study, "status", "--porcelain") == ""


def test_unsaved_template_edits_are_refused(example_study) -> None:
    before = head(example_study)
    path = example_study.root / "templates" / "lay-summary.md.j2"
    path.write_text(path.read_text() + "\nMore.\n")
    with pytest.raises(ConflictError, match=r"lay-summary\.md\.j2 has changes"):
        rendering.render(example_study, "lay-summary", formats=["md"])
    assert head(example_study) == before
    assert not (example_study.root / "outputs").exists()


def test_strict_render_that_fails_its_limits_writes_nothing(example_study) -> None:
    _write_template(
        example_study,
        "lay-summary.md.j2",
        "# Summary\n\nThe NIHR-funded multidisciplinary investigation characterised "
        "organisational heterogeneity comprehensively.\n",
    )
    before = head(example_study)
    with pytest.raises(ThresholdError) as caught:
        rendering.render(example_study, "lay-summary", formats=["md"], strict=True)
    assert caught.value.exit_code == ExitCode.THRESHOLD
    _unchanged(example_study, before)
    result = rendering.render(example_study, "lay-summary", formats=["md"])
    assert result.record.readability["passed"] is False


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("# T\n\n{% for t in themes %}\n{{ t.title }\n{% endfor %}\n", 4, "syntax error"),
        ("# T\n\nHello.\n\n{{ no_such_thing.title }}\n", 5, "does not exist"),
        ("# T\n\n\n{{ ''.__class__.__mro__ }}\n", 4, "may not do"),
        ("# T\n{{ study.title.__class__ }}\n", 2, "may not do"),
        ("# T\n\n{{ themes.append(1) }}\n", 3, "may not do"),
        ("# T\n\n{% include 'nope.md.j2' %}\n", None, "not found"),
    ],
)
def test_bad_templates_give_located_errors_and_write_nothing(
    example_study, source, line, message
) -> None:
    _write_template(example_study, "broken.md.j2", source)
    before = head(example_study)
    with pytest.raises((ValidationError, NotFoundError)) as caught:
        rendering.render(example_study, "broken", formats=list(rendering.FORMATS))
    assert message in caught.value.message
    if line is not None:
        assert caught.value.file == "templates/broken.md.j2"
        assert caught.value.line == line
    _unchanged(example_study, before)


def test_errors_in_included_templates_name_the_included_file(example_study) -> None:
    _write_template(example_study, "part.md.j2", "ok\n{{ missing_name }}\n")
    _write_template(example_study, "outer.md.j2", "# T\n\n{% include 'part.md.j2' %}\n")
    with pytest.raises(ValidationError) as caught:
        rendering.render_output(example_study, "outer", ["md"], TODAY)
    assert (caught.value.file, caught.value.line) == ("templates/part.md.j2", 2)


def test_starter_wording_is_refused_unless_a_draft(empty_study) -> None:
    from prosper_coop.outputs import findings

    findings.add_theme(empty_study, "TH1", "Being believed", summary="People want to be heard.")
    before = head(empty_study)
    with pytest.raises(ThresholdError, match="not finished yet") as caught:
        rendering.render(empty_study, "lay-summary", formats=["md"])
    assert caught.value.file == "templates/wording.yaml"
    _unchanged(empty_study, before)
    result = rendering.render(empty_study, "lay-summary", formats=["md"], draft=True)
    assert result.record.draft is True
    assert [p.name for p in result.starter] == ["question", "what_we_did", "what_it_means"]


def test_empty_findings_cannot_be_rendered(empty_study) -> None:
    before = head(empty_study)
    with pytest.raises(NotFoundError, match="no findings yet"):
        rendering.render(empty_study, "lay-summary", formats=["md"])
    _unchanged(empty_study, before)


def test_unknown_template_format_and_out_folder(example_study) -> None:
    with pytest.raises(NotFoundError, match="no template called 'leaflet'"):
        rendering.render(example_study, "leaflet", formats=["md"])
    with pytest.raises(InvalidInputError, match="pdf"):
        rendering.parse_formats("md,pdf")
    assert rendering.parse_formats("word, MD") == ["docx", "md"]
    for bad in ("/tmp/x", "../x", "people", "templates/x", ".git"):
        with pytest.raises(InvalidInputError):
            rendering.render(example_study, "lay-summary", formats=["md"], out=bad)
    result = rendering.render(example_study, "easy-read", formats=["md"], out="outputs/drafts")
    assert result.record.files[0].path == "outputs/drafts/easy-read.md"


def test_a_study_may_give_a_template_its_own_page(example_study) -> None:
    _write_template(
        example_study,
        "easy-read.html.j2",
        '<!DOCTYPE html><html lang="{{ lang }}"><body class="big">{{ body }}</body></html>\n',
    )
    result = rendering.render(example_study, "easy-read", formats=["html"])
    assert "templates/easy-read.html.j2" in result.record.template_files
    page = (example_study.root / "outputs" / "easy-read.html").read_text()
    assert '<body class="big"><div data-not-counted>\n<p><strong>Before you read:' in page
    assert "<h1>Our study in easy words</h1>" in page


@pytest.mark.parametrize("template", ["lay-summary", "gripp2"])
def test_every_format_counts_the_same_words(prosper, template) -> None:
    from prosper_coop.outputs import readability
    from prosper_coop.outputs.docx_writer import docx_paragraphs

    files = rendering.render_output(prosper, template, list(rendering.FORMATS), TODAY).files
    md_units = readability.units_from_markdown(files["md"].decode())
    html_units = readability.units_from_html(files["html"].decode())
    docx_units = [p for p in docx_paragraphs(files["docx"], counted_only=True) if p.strip()]
    assert md_units == html_units == docx_units
    everything = docx_paragraphs(files["docx"])
    assert any(text.startswith("Written by") for text in everything)  # shown, not counted


def test_each_numbered_list_in_word_starts_again_at_one(example_study) -> None:
    from docx import Document

    _write_template(
        example_study, "steps.md.j2", "# Steps\n\n## First\n\n1. a\n2. b\n\n## Then\n\n1. c\n2. d\n"
    )
    data = rendering.render_output(example_study, "steps", ["docx"], TODAY).files["docx"]
    document = Document(io.BytesIO(data))
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered] == ["a", "b", "c", "d"]
    lists = {p._p.pPr.numPr.numId.val for p in numbered}
    assert len(lists) == 2  # one numbering per list, each restarting at 1
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/numbering.xml").decode()
    assert xml.count('<w:startOverride w:val="1"/>') == 2
