"""``prosper-coop report`` on the PROSPER example: every format, one commit, nothing sensitive."""

from __future__ import annotations

import io
import json
import re
import zipfile
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

import pytest

from prosper_coop.core.errors import ExitCode
from tests.helpers import act_as, commit_subjects, git, head

FILES = {
    "study-report.html", "study-report.md", "study-report.docx",
    "progress-report.md", "progress-report.docx",
}  # fmt: skip
PERSON_ID = re.compile(r"\b(?:CO|AC|SG|WB|PPI|CA|CR)-\d{2}\b")
MARKERS = {
    "checkin": "MARKER-REPORT-CHECKIN-5e1f",
    "reflection": "MARKER-REPORT-REFLECTION-77c2",
    "identity": "MARKER-REPORT-IDENTITY-0b3d",
    "incident": "MARKER-REPORT-INCIDENT-a4a4",
    "participant": "MARKER-REPORT-PARTICIPANT-9d9d",
    "credit_none": "MARKER-REPORT-NOCREDIT-3c3c",
}


def _docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(texts)


def _texts(root) -> dict[str, str]:
    folder = root / "outputs" / "report"
    found = {}
    for name in FILES:
        data = (folder / name).read_bytes()
        found[name] = _docx_text(data) if name.endswith(".docx") else data.decode("utf-8")
    return found


def _run(cli, study, *args: str, input: str | None = None):
    result = cli("--study", str(study.root), *args, input=input)
    assert result.exit_code == 0, result.output
    return result


def test_report_commits_every_format_in_one_commit(example_study, cli) -> None:
    before = head(example_study)
    result = _run(cli, example_study, "report")
    assert "Made the study report from the study as saved" in result.output
    assert "work packages 3 green, 2 amber, 0 red" in result.output
    assert git(example_study, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert (
        commit_subjects(example_study)[0]
        == f"report: study report as html, md, docx from {before[:8]}"
    )
    changed = git(example_study, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == sorted(f"outputs/report/{name}" for name in FILES)
    assert git(example_study, "status", "--porcelain") == ""
    # Made again from the same data on the same day: the same bytes, so nothing to commit.
    again = _run(cli, example_study, "report")
    assert "The study report is unchanged" in again.output
    assert git(example_study, "rev-list", "--count", f"{before}..HEAD").strip() == "1"


class _Page(HTMLParser):
    """What the accessibility rules look at, gathered from the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def test_the_web_page_is_one_accessible_file_without_scripts(example_study, cli) -> None:
    _run(cli, example_study, "report", "--format", "html")
    html = (example_study.root / "outputs/report/study-report.html").read_text("utf-8")
    page = _Page()
    page.feed(html)
    tags = [tag for tag, _ in page.tags]
    assert page.tags[0] == ("html", {"lang": "en-GB"})
    assert "script" not in tags and "javascript:" not in html.lower()
    assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]  # no handlers
    # Nothing is fetched: no stylesheet, image, font or frame from anywhere.
    assert not [a for _, a in page.tags if a.get("src") or a.get("rel") == "stylesheet"]
    assert page.headings.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(page.headings, page.headings[1:], strict=False))
    svgs = [a for tag, a in page.tags if tag == "svg"]
    assert svgs and all(a.get("role") == "img" and a.get("aria-labelledby") for a in svgs)
    # Every chart has its sentence and its data table.
    assert tags.count("figure") == len(svgs) == tags.count("figcaption") == tags.count("details")
    assert "Amber: at risk" in html and "Green: complete" in html  # words, not colour alone
    assert "milestone M2 due in 30 days while WP3 has 1 blocked task and 2 overdue tasks" in html
    # The joint display: each theme against the work packages that support it.
    assert "Precarious funding landscape" in html
    assert "Fund specialist services for at least three years at a time" in html
    assert len(html.encode()) < 2_000_000


def test_markdown_and_word_say_the_same_with_real_tables(example_study, cli) -> None:
    from docx import Document

    _run(cli, example_study, "report", "--format", "md,docx")
    folder = example_study.root / "outputs" / "report"
    assert not (folder / "study-report.html").exists()
    markdown = (folder / "study-report.md").read_text("utf-8")
    assert markdown.startswith("# PROSPER: study report\n")
    assert ("| WP3 In-depth case studies in four areas of England | 2026-03-31 to 2027-03-26 |"
            in markdown)  # fmt: skip
    document = Document(io.BytesIO((folder / "study-report.docx").read_bytes()))
    assert document.paragraphs[0].style.name == "Heading 1"
    assert document.paragraphs[0].text == "PROSPER: study report"
    work_packages = document.tables[0]
    assert [c.text for c in work_packages.rows[0].cells] == [
        "Work package", "Dates", "Tasks done", "Time gone", "Rating", "Why",
    ]  # fmt: skip
    assert work_packages.rows[3].cells[4].text == "Amber: at risk"
    xml = ET.tostring(work_packages._tbl, encoding="unicode")
    assert "tblHeader" in xml and "tblCaption" in xml  # repeated header row, alternative text
    assert zipfile.ZipFile(folder / "study-report.docx").testzip() is None
    progress = (folder / "progress-report.md").read_text("utf-8")
    for section in ("## 1. Summary of progress", "## 2. Milestones", "## 5. Changes to the study",
                    "## 6. Risks and issues"):  # fmt: skip
        assert section in progress
    assert progress.count("**Coordinator's text: not written yet.**") == 6
    assert "- WP3 is Amber (at risk): milestone M2 due in 30 days" in progress


def test_the_coordinators_own_words_fill_the_progress_report(example_study, cli) -> None:
    wording = example_study.root / "templates" / "wording.yaml"
    wording.write_text(
        wording.read_text("utf-8")
        + "\nprogress_risks: >-\n  Case study sites may not reach their numbers; we are adding"
        " a fifth site.\n",
        "utf-8",
    )
    _run(cli, example_study, "save", "-m", "progress report: risks")
    _run(cli, example_study, "report", "--format", "md")
    progress = (example_study.root / "outputs/report/progress-report.md").read_text("utf-8")
    assert ("**Coordinator's text:**\n\nCase study sites may not reach their numbers; we are "
            "adding a fifth site.") in progress  # fmt: skip
    assert progress.count("not written yet") == 5


def test_nothing_sensitive_and_nobody_uncredited_reaches_any_format(
    example_study, cli, monkeypatch
) -> None:
    from prosper_coop.core.models import Credit, CreditStyle
    from prosper_coop.core.records import get

    act_as(monkeypatch, "CR-01")
    _run(cli, example_study, "checkin", "--distress", "8", "--contact", "yes", "--from-stdin",
         input=f"note: {MARKERS['checkin']}\n")  # fmt: skip
    _run(cli, example_study, "reflect", "--share", input=MARKERS["reflection"])
    act_as(monkeypatch, "SG-01")
    _run(
        cli, example_study, "distress", "run", "--session", "S-0005", "--participant",
        MARKERS["participant"], "--from-stdin", "-a", "signs=yes", "-a", "able=no",
        "-a", "safe=yes", "-a", "continue=no", "-a", "consent-contact=no", "-a", "follow-up=yes",
        input=f"note: {MARKERS['incident']}\n",
    )  # fmt: skip
    act_as(monkeypatch, "CO-01")
    _run(cli, example_study, "people", "identity", "set", "CR-02",
         input=f"name: {MARKERS['identity']}\n")  # fmt: skip
    with example_study.change("people", "credit", "CR-03") as ch:
        person = example_study.load(get("person"), "CR-03")
        person.credit = Credit(style=CreditStyle.NONE, display=MARKERS["credit_none"])
        ch.save(person)
    people = example_study.load_all(get("person"))
    aliases = [p.alias for p in people if p.alias not in ("PPI lead", "Wellbeing lead")]
    _run(cli, example_study, "report")
    texts = _texts(example_study.root)
    for name, text in texts.items():
        assert "MARKER" not in text.upper(), name
        assert PERSON_ID.search(text) is None, (name, PERSON_ID.search(text))
        for alias in aliases:
            assert alias not in text, (name, alias)
    # Credit as each person chose: named where they chose a name.
    for name in ("study-report.html", "study-report.md", "study-report.docx"):
        assert "Rowan" in texts[name] and "Alex Morgan" in texts[name]
    # Counts only: the check-in and the incident are counted, never shown.
    assert "| Wellbeing check-ins made | 5 |" in texts["study-report.md"]
    assert "| Times the distress protocol was recorded | 2 |" in texts["study-report.md"]
    assert "alert" not in texts["progress-report.md"].lower()


def test_report_refuses_unsaved_edits_and_bad_options(example_study, cli) -> None:
    before = head(example_study)
    theme = example_study.root / "themes" / "TH1.yaml"
    theme.write_text(theme.read_text("utf-8").replace("Precarious", "Unsaved"), "utf-8")
    result = cli("--study", str(example_study.root), "report")
    assert result.exit_code == ExitCode.CONFLICT, result.output
    assert "Error: themes/TH1.yaml has changes that are not saved yet" in result.output
    assert "prosper-coop save" in result.output
    git(example_study, "checkout", "--", "themes/TH1.yaml")
    bad = cli("--study", str(example_study.root), "report", "--format", "pdf")
    assert bad.exit_code == ExitCode.USAGE
    assert "Error: format 'pdf' is not one of the report's formats" in bad.output
    outside = cli("--study", str(example_study.root), "report", "--out", "../elsewhere")
    assert outside.exit_code == ExitCode.USAGE
    assert "must be a folder inside the study" in outside.output
    assert head(example_study) == before


def test_report_json_and_another_folder(example_study, cli) -> None:
    result = _run(cli, example_study, "report", "--format", "html", "--out", "outputs/steering",
                  "--json")  # fmt: skip
    data = json.loads(result.stdout)
    assert [f["path"] for f in data["files"]] == ["outputs/steering/study-report.html"]
    assert data["work_packages"]["WP3"]["rag"] == "amber"
    assert data["commit"] == head(example_study)
    assert (example_study.root / "outputs/steering/study-report.html").is_file()


def test_a_study_without_report_templates_uses_the_shipped_ones(example_study, cli) -> None:
    for name in ("study-report.md.j2", "study-report.html.j2", "progress-report.md.j2"):
        (example_study.root / "templates" / "report" / name).unlink()
    _run(cli, example_study, "save", "-m", "as a study made before reports")
    result = _run(cli, example_study, "report", "--format", "md")
    assert "the shipped one was used" in result.output
    assert (example_study.root / "outputs/report/study-report.md").is_file()


def test_a_template_mistake_is_reported_with_its_file_and_line(example_study, cli) -> None:
    template = example_study.root / "templates" / "report" / "study-report.md.j2"
    template.write_text("# Report\n\n{{ no_such_thing.at_all }}\n", "utf-8")
    _run(cli, example_study, "save", "-m", "a broken report template")
    before = head(example_study)
    result = cli("--study", str(example_study.root), "report")
    assert result.exit_code == ExitCode.INVALID, result.output
    assert "templates/report/study-report.md.j2:3" in result.output
    assert head(example_study) == before


@pytest.mark.slow
def test_report_as_a_user_runs_it(example_study, run_cli) -> None:
    done = run_cli("--study", str(example_study.root), "report", "--format", "html")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "outputs/report/study-report.html"


def test_other_commands_do_not_import_the_report_or_its_charts(example_study) -> None:
    from tests.helpers import modules_loaded_by

    loaded = modules_loaded_by(
        "import contextlib, io, sys\nfrom prosper_coop.cli.app import build_app\n"
        f"sys.argv = ['prosper-coop', '--study', {str(example_study.root)!r}, 'status']\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        build_app(sys.argv[1:])(prog_name='prosper-coop')\n"
        "    except SystemExit:\n        pass"
    )
    assert "prosper_coop.status.dashboard" in loaded  # status really ran
    assert not {m for m in loaded if m.startswith(("pygal", "prosper_coop.report"))}


def test_a_target_that_passed_its_date_short_makes_its_work_package_red(
    example_study, cli, monkeypatch
) -> None:
    """Real records made with the real commands: a staff target whose date has passed
    with 2 of its 12 recruited turns WP3 red, and the report says why, in every format."""
    from tests.helpers import act_as

    act_as(monkeypatch, "CO-01")
    root = str(example_study.root)
    made = cli("--study", root, "recruit", "target", "--wp", "WP3", "--group",
               "service staff (interviews)", "--site", "SITE2", "--count", "12",
               "--start", "2026-04-01", "--by", "2026-10-31")  # fmt: skip
    assert made.exit_code == 0, made.output
    for day in ("2026-06-01", "2026-09-01"):
        added = cli("--study", root, "participant", "add", "--group", "service staff",
                    "--site", "SITE2", "--recruited", day)  # fmt: skip
        assert added.exit_code == 0, added.output
    result = _run(cli, example_study, "report", "--json")
    data = json.loads(result.stdout)
    assert data["work_packages"]["WP3"]["rag"] == "red"
    why = data["work_packages"]["WP3"]["why"]
    assert "service staff (interviews)" in why and "passed its date short of its number" in why
    texts = _texts(example_study.root)
    for name in ("study-report.html", "study-report.md", "study-report.docx"):
        text = texts[name].replace("\\(", "(").replace("\\)", ")")  # Markdown escapes
        assert "WP3 service staff (interviews), Area B (Midlands)" in text, name
        assert "2 of 12" in text, name
    assert "Red: off track" in texts["study-report.docx"]


def test_hostile_record_text_stays_text_in_every_format(example_study, cli) -> None:
    from prosper_coop.core.records import get

    hostile = "Funding</td><script>alert(1)</script> | x \x1b]0;title\x07 \u202eevil"
    with example_study.change("findings", "hostile title", "TH1") as ch:
        theme = example_study.load(get("theme"), "TH1")
        theme.title = hostile
        ch.save(theme)
    _run(cli, example_study, "report")
    texts = _texts(example_study.root)
    html = texts["study-report.html"]
    assert "<script>" not in html
    assert (
        "Funding&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt; | x \ufffd]0;title\ufffd" in html
    )
    for text in texts.values():
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    # In Markdown the pipe is escaped, so the joint display keeps its columns.
    row = next(line for line in texts["study-report.md"].splitlines() if line.startswith("| Fund"))
    assert len(re.findall(r"(?<!\\)\|", row)) == 9  # theme, five work packages, sites, recs
    assert "\\|" in row
    assert "Funding</td><script>alert(1)</script> | x" in texts["study-report.docx"]


def test_the_example_charts_its_own_recruitment_and_survey_rounds(example_study, cli) -> None:
    _run(cli, example_study, "report", "--format", "html")
    html = (example_study.root / "outputs/report/study-report.html").read_text("utf-8")
    assert html.count('aria-labelledby="chart-target-') >= 2  # one chart for each target
    assert 'aria-labelledby="chart-surveys-title"' in html
    assert "National survey of providers and commissioners, round 1" in html
    assert "National survey of providers and commissioners, round 2" in html
    assert "so it is behind plan." in html  # WP3 falls behind, as in the study
    assert "recruitment target" in html and "is behind its planned curve" in html


def test_a_large_study_keeps_the_page_under_two_megabytes(
    example_study, cli, fake_recruitment, make_target, make_survey
) -> None:
    import datetime as dt

    start = dt.date(2025, 1, 1)
    daily = [(start + dt.timedelta(days=i), i + 1) for i in range(500)]
    many = [
        make_target(target_id=f"RT-{n:02d}", label=f"WP3 group {n}", site=f"Site {n}",
                    target=600, recruited=500, start=start, actual=daily)
        for n in range(1, 41)
    ]  # fmt: skip
    rounds = [make_survey(survey_id=f"SV-{n:02d}", title=f"Survey {n}", over_time=daily)
              for n in range(1, 9)]  # fmt: skip
    fake_recruitment(many, rounds)
    _run(cli, example_study, "report", "--format", "html")
    html = (example_study.root / "outputs/report/study-report.html").read_bytes()
    assert len(html) < 2_000_000, len(html)
    assert html.count(b'aria-labelledby="chart-target-') == 24  # the rest are in the table
    assert b"WP3 group 40" in html
