"""Hostile templates and record text (issue 14: leak 1, hostile input 13 and 20).

Templates are read from git only (a link is refused, never followed); they run with
limits, in a process of their own, without the study lock; and record text is text
in every output format, Markdown included.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prosper_coop.core.errors import ConflictError, ExitCode, NotFoundError, ValidationError
from prosper_coop.outputs import findings, markdown, sandbox
from prosper_coop.outputs import render as rendering
from prosper_coop.outputs.sandbox import RenderLimits
from tests.helpers import git, head, state

TODAY = dt.date(2026, 11, 26)
SECRET = "AGE-SECRET-KEY-1INVENTEDFORTHISTESTONLY0000000000000000000000000000"


def _commit(study, message: str = "templates") -> None:
    """Commit everything by hand, as a user could (the hook is not what is tested here)."""
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


def _write_template(study, name: str, text: str) -> None:
    (study.root / "templates" / name).write_text(text, encoding="utf-8")
    _commit(study, f"edit {name}")


def _secret_file(study):
    secret = study.root.parent / "home" / "secret.key"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text(SECRET + "\n")
    return secret


def _everything_in(study) -> str:
    """Every file's text in the study's work tree and history (for leak checks)."""
    texts = [git(study, "log", "-p", "--all")]
    for path in study.root.rglob("*"):
        if ".git" not in path.parts and path.is_file() and not path.is_symlink():
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


# -- leak 1: templates come from the study's own committed files -------------------------------
@pytest.mark.parametrize(
    ("link", "target"),
    [
        ("k.txt", "secret"),  # a private key outside the study
        ("people.txt", "../people/CR-01.yaml"),  # a record inside it
        ("parts", "secret-folder"),  # a folder outside the study
    ],
)
def test_a_linked_template_file_is_refused_never_followed(example_study, link, target) -> None:
    secret = _secret_file(example_study)
    templates = example_study.root / "templates"
    if target == "secret":
        (templates / link).symlink_to(secret)
        include = link
    elif target == "secret-folder":
        (templates / link).symlink_to(secret.parent)
        include = f"{link}/secret.key"
    else:
        (templates / link).symlink_to(target)
        include = link
    _write_template(example_study, "leak.md.j2", f'# Leak\n\n{{% include "{include}" %}}\n')
    before = state(example_study)
    with pytest.raises(ValidationError) as caught:
        rendering.render(example_study, "leak", formats=list(rendering.FORMATS))
    assert caught.value.exit_code == ExitCode.INVALID
    assert f"templates/{link} is a symbolic link" in caught.value.message
    assert caught.value.file == f"templates/{link}"
    assert state(example_study) == before
    assert not (example_study.root / "outputs").exists()
    assert SECRET not in _everything_in(example_study)


def test_include_reaches_only_files_in_templates(example_study) -> None:
    _write_template(example_study, "nosy.md.j2", '# Nosy\n\n{% include "../people/CR-01.yaml" %}\n')
    before = state(example_study)
    with pytest.raises(NotFoundError, match=r"template file templates/\.\./people/CR-01\.yaml"):
        rendering.render(example_study, "nosy", formats=["md"])
    assert state(example_study) == before


def test_a_linked_template_is_not_a_template(example_study) -> None:
    secret = _secret_file(example_study)
    (example_study.root / "templates" / "evil.md.j2").symlink_to(secret)
    _commit(example_study)
    assert "evil" not in rendering.available_templates(example_study)
    with pytest.raises(NotFoundError, match="no template called 'evil'"):
        rendering.render(example_study, "evil", formats=["md"])


def test_a_linked_record_is_refused_by_render(example_study) -> None:
    secret = _secret_file(example_study)
    (example_study.root / "themes" / "TH9.yaml").symlink_to(secret)
    _commit(example_study)
    before = state(example_study)
    with pytest.raises(ValidationError, match=r"themes/TH9\.yaml is a symbolic link"):
        rendering.render(example_study, "lay-summary", formats=["md"])
    assert state(example_study) == before


def test_an_unsaved_new_template_is_named_as_unsaved(example_study) -> None:
    (example_study.root / "templates" / "leaflet.md.j2").write_text("# Leaflet\n")
    with pytest.raises(ConflictError, match=r"templates/leaflet\.md\.j2 is not saved yet"):
        rendering.render(example_study, "leaflet", formats=["md"])


def test_console_script_refuses_a_linked_template(example_study, run_cli) -> None:
    secret = _secret_file(example_study)
    (example_study.root / "templates" / "k.txt").symlink_to(secret)
    _write_template(example_study, "leak.md.j2", '# Leak\n\n{% include "k.txt" %}\n')
    before = state(example_study)
    result = run_cli("render", "leak", cwd=example_study.root)
    assert result.returncode == ExitCode.INVALID, result.stderr
    assert "Error: templates/k.txt is a symbolic link" in result.stderr
    assert "(templates/k.txt)" in result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert state(example_study) == before


# -- hostile input 13: limits, a process of its own, no lock while rendering ----------------
FAST = RenderLimits(seconds=5, kill_after=2, memory_mb=200)
RUNAWAY = [
    (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        FAST,
        "range() loops took more than 100,000 steps in all",
    ),
    ('{{ "word " * 300000000 }}', FAST, "a repetition with * would make 1,500,000,000"),
    ("{{ 10 ** 1000000 }}", FAST, "a number would have over 10,000 binary digits"),
    ('{{ "x".ljust(1000000000) }}', FAST, '"...".ljust() would make 1,000,000,000'),
    ('{{ "x" | center(1000000000) }}', FAST, "the center filter would make 1,000,000,000"),
    ('{{ "%999999999d" % 1 }}', FAST, "a % format width would make 999,999,999"),
    (
        '{% set a = "x" * 100000 %}{% set b = a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a %}{{ b }}',
        FAST,
        "a text of over 1,000,000 characters",
    ),
    (
        '{% set a = "x" * 100000 %}{{ a | replace("x", "yyyyyyyyyyyyyyyy") }}',
        FAST,
        "a text of over 1,000,000 characters",
    ),
    (
        '{% for i in range(100000) %}{{ "x" * 50 }}{% endfor %}',
        FAST,
        "a text of over 1,000,000 characters",
    ),
    (  # the wall clock, read at every range() step
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        RenderLimits(seconds=1, loop_steps=10**12, kill_after=2),
        "longer than the 1 seconds a render may take",
    ),
    (  # no output and no range(): only the process's own limit can stop it
        '{% set s = "x" * 100000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}',
        RenderLimits(seconds=1, kill_after=1),
        "longer than the 1 seconds a render may take",
    ),
    (  # memory the checks do not foresee: the process's memory limit stops it
        '{{ "{:>400000000}".format("x") }}',
        RenderLimits(memory_mb=100),
        "needed more than the 100 MB of memory",
    ),
]


@pytest.fixture(scope="module")
def runaway_study(tmp_path_factory: pytest.TempPathFactory):
    """One example study holding every runaway template (renders that stop write nothing)."""
    from prosper_coop.core.study import Study
    from prosper_coop.workspace import create_study

    with pytest.MonkeyPatch.context() as patch:
        home = tmp_path_factory.mktemp("home")
        patch.setenv("PROSPER_COOP_TODAY", TODAY.isoformat())
        patch.setenv("HOME", str(home))
        patch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig-none"))
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.setenv("PROSPER_COOP_CONFIG_DIR", str(home / "config"))
        created = create_study(
            tmp_path_factory.mktemp("runaway") / "s", title=None, example="prosper"
        )
        study = Study(created.root, actor="CO-01", today=TODAY)
        for number, (source, _, _) in enumerate(RUNAWAY):
            path = study.root / "templates" / f"runaway-{number}.md.j2"
            path.write_text(f"# Runaway\n\n{source}\n", encoding="utf-8")
        _commit(study)
        yield study


@pytest.mark.parametrize("number", range(len(RUNAWAY)))
def test_a_runaway_template_stops_at_a_limit_and_writes_nothing(runaway_study, number) -> None:
    _, limits, message = RUNAWAY[number]
    before = state(runaway_study)
    started = time.monotonic()
    with pytest.raises(ValidationError) as caught:
        rendering.render(runaway_study, f"runaway-{number}", formats=["md", "html"], limits=limits)
    assert time.monotonic() - started < limits.seconds + limits.kill_after + 10
    assert caught.value.exit_code == ExitCode.INVALID
    assert message in caught.value.message
    assert caught.value.file == f"templates/runaway-{number}.md.j2"
    assert caught.value.hint and "Nothing was written" in caught.value.hint
    assert state(runaway_study) == before


def test_console_script_stops_the_issues_templates_quickly(example_study, run_cli) -> None:
    _write_template(
        example_study,
        "loop.md.j2",
        "# Loop\n\n{% for i in range(100000) %}{% for j in range(100000) %}"
        "{% endfor %}{% endfor %}\n",
    )
    _write_template(example_study, "words.md.j2", '# Words\n\n{{ "word " * 300000000 }}\n')
    before = state(example_study)
    for name, limit in (("loop", "100,000 steps"), ("words", "1,500,000,000")):
        started = time.monotonic()
        result = run_cli("render", name, cwd=example_study.root)
        assert time.monotonic() - started < 30
        assert result.returncode == ExitCode.INVALID, result.stderr
        assert "the template went past a limit" in result.stderr and limit in result.stderr
        assert f"(templates/{name}.md.j2" in result.stderr
        assert "Traceback" not in result.stderr
    assert state(example_study) == before


def test_the_study_lock_is_free_while_templates_run(example_study, monkeypatch) -> None:
    original = sandbox.render_templates
    calls = []

    def while_rendering(*args, **kwargs):
        with example_study.lock(timeout=0):  # BusyError if the render held the lock
            calls.append("free")
        return original(*args, **kwargs)

    monkeypatch.setattr(sandbox, "render_templates", while_rendering)
    result = rendering.render(example_study, "lay-summary", formats=["md"])
    assert calls == ["free"]
    assert result.commit is not None


def test_a_commit_made_while_rendering_is_rendered_again(example_study, monkeypatch) -> None:
    original = sandbox.render_templates
    calls = []

    def meanwhile(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:  # another command commits while the templates run
            findings.edit_theme(example_study, "TH1", title="A title saved meanwhile")
        return original(*args, **kwargs)

    monkeypatch.setattr(sandbox, "render_templates", meanwhile)
    result = rendering.render(example_study, "newsletter", formats=["md"])
    assert len(calls) == 2
    parent = git(example_study, "rev-parse", "HEAD^").strip()
    assert result.record.data_commit == parent  # the commit that holds the new title
    text = (example_study.root / "outputs" / "newsletter.md").read_text()
    assert "### A title saved meanwhile" in text
    assert git(example_study, "status", "--porcelain") == ""


def test_a_study_that_keeps_changing_is_refused_clearly(example_study, monkeypatch) -> None:
    original = sandbox.render_templates
    calls = []

    def always(*args, **kwargs):
        calls.append(1)
        findings.edit_theme(example_study, "TH1", title=f"Title number {len(calls)}")
        return original(*args, **kwargs)

    monkeypatch.setattr(sandbox, "render_templates", always)
    before = head(example_study)
    with pytest.raises(ConflictError, match="kept changing while newsletter was being rendered"):
        rendering.render(example_study, "newsletter", formats=["md"])
    assert len(calls) == rendering.RENDER_ATTEMPTS
    subjects = git(example_study, "log", "--format=%s", f"{before}..HEAD").splitlines()
    assert len(subjects) == rendering.RENDER_ATTEMPTS
    assert not [s for s in subjects if s.startswith("render")]
    assert not (example_study.root / "outputs").exists()
    assert git(example_study, "status", "--porcelain") == ""


# -- hostile input 20: record text is text in Markdown too ---------------------------------------
KEY_MESSAGE = "1986. was a year; # not a heading <!-- hidden? -->"
TITLE = "*now* <b>x</b> [link](http://e.x)"
SUMMARY = "- not a bullet\n# not a heading\n\n    not code &amp; not an entity"


def _inline_texts(tokens) -> list[str]:
    """The text of every inline token, as a Markdown reader shows it."""
    texts = []
    for token in tokens:
        if token.type == "inline":
            texts.append("".join(child.content for child in token.children or []))
    return texts


def test_record_text_is_text_in_markdown_html_and_word(example_study) -> None:
    from docx import Document
    from markdown_it import MarkdownIt

    findings.add_key_message(example_study, "TH1", KEY_MESSAGE)
    findings.edit_theme(example_study, "TH1", title=TITLE)
    findings.add_theme(example_study, "TH9", "Plain title", summary=SUMMARY)
    rendering.render(example_study, "newsletter", formats=list(rendering.FORMATS))
    outputs = example_study.root / "outputs"
    text = (outputs / "newsletter.md").read_text()

    tokens = MarkdownIt("commonmark").parse(text)
    kinds = [token.type for token in tokens]
    children = [child for token in tokens for child in token.children or []]
    assert "code_block" not in kinds
    assert not [t for t in tokens if t.type == "ordered_list_open"]  # no list at 1986
    assert not [c for c in children if c.type in ("html_inline", "link_open", "em_open")]
    markers = {f"{markdown.NOT_COUNTED_START}\n", f"{markdown.NOT_COUNTED_END}\n"}
    assert {t.content for t in tokens if t.type == "html_block"} <= markers  # the template's
    headings = _inline_texts(
        [tokens[i + 1] for i, t in enumerate(tokens) if t.type == "heading_open"]
    )
    assert TITLE in headings
    assert not [h for h in headings if "not a heading" in h]
    texts = _inline_texts(tokens)
    assert KEY_MESSAGE in texts
    assert TITLE in texts
    flat_summary = "- not a bullet # not a heading not code &amp; not an entity"
    assert flat_summary in texts

    page = (outputs / "newsletter.html").read_text()
    assert "<h3>*now* &lt;b&gt;x&lt;/b&gt; [link](http://e.x)</h3>" in page
    assert "<li>1986. was a year; # not a heading &lt;!-- hidden? --&gt;</li>" in page
    assert f"<p>{flat_summary.replace('&', '&amp;')}</p>" in page
    document = Document(io.BytesIO((outputs / "newsletter.docx").read_bytes()))
    paragraphs = [p.text for p in document.paragraphs]
    assert TITLE in paragraphs and KEY_MESSAGE in paragraphs and flat_summary in paragraphs
    assert not [h for p in document.paragraphs for h in p.hyperlinks]


def test_wording_stays_the_teams_own_markdown(example_study) -> None:
    path = example_study.root / "templates" / "wording.yaml"
    path.write_text(path.read_text() + "\nthree_things: We found **three** things.\n")
    _write_template(example_study, "own.md.j2", "# Own\n\n{{ wording.three_things }}\n")
    output = rendering.render_output(example_study, "own", ["md", "html"], TODAY)
    assert "We found **three** things." in output.markdown
    assert "We found <strong>three</strong> things." in output.files["html"].decode()


_LINE_ENDS = re.compile(r"\s*[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]\s*")
_PUNCTUATION = st.sampled_from(list("\\`*_[]()<>#~|!&;=+-.:0123456789 \t\n\r\u2028'\"/"))


@given(
    st.lists(
        st.one_of(_PUNCTUATION, st.characters(blacklist_categories=("Cs", "Cc"))), max_size=40
    ).map("".join)
)
@settings(max_examples=400, deadline=None)
def test_escaped_text_reads_back_as_itself(text: str) -> None:
    from markdown_it import MarkdownIt

    expected = _LINE_ENDS.sub(" ", text).strip()
    escaped = markdown.escape(text)
    blocks = markdown.parse(escaped)
    if not expected:
        assert blocks == []
        return
    assert [(b.kind, markdown.plain(b.text)) for b in blocks] == [("paragraph", expected)]
    tokens = MarkdownIt("commonmark").parse(escaped)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert [c.type for c in tokens[1].children or []] == ["text"] * len(tokens[1].children or [])
    assert _inline_texts(tokens) == [expected]
