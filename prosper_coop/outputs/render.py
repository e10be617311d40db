"""Rendering the study's templates to Markdown, HTML and Word, one commit per render.

Templates are user-editable files in the study's ``templates/`` folder, so they
run in Jinja2's sandbox with strict undefined: a template that names a missing
variable, breaks the syntax or reaches for something unsafe gets an error naming
the template file and line. Every format comes from the same rendered Markdown,
so they always say the same thing.

A render writes every format or none, in one commit, with a render record
(``renders/OUT-00001.yaml``) saying which template files (git blob hashes) and
which data commit it came from. ``render --again OUT-00001`` rebuilds the study as
it was at that commit and renders it again, byte for byte.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from prosper_coop.core import ids
from prosper_coop.core.choices import split_list
from prosper_coop.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    ThresholdError,
    UserError,
    ValidationError,
)
from prosper_coop.core.models import PersonRef, Record

if TYPE_CHECKING:
    from prosper_coop.core.study import Change, Study
    from prosper_coop.outputs.markdown import Block
    from prosper_coop.outputs.readability import ReadabilityReport

RENDER_ID = ids.RENDER_ID
TEMPLATE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
FORMATS = ("md", "html", "docx")
TEMPLATES_DIR = "templates"
PAGE_TEMPLATE = "page.html.j2"
DEFAULT_OUT = "outputs"
LANGUAGE = "en-GB"
# Record folders whose state a render reads: they must have no unsaved edits.
DATA_TYPES = ("theme", "recommendation", "involvement", "person", "workpackage")
_DOCX_FONT = re.compile(r"<!--\s*docx-font-size:\s*(\d{1,2})\s*-->")
STARTER_TEXT = "Say here"
WORDING_HINT = "templates/wording.yaml"
NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
]


class RenderedFile(BaseModel):
    """One file a render wrote, and a hash of its bytes."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    path: str
    format: Annotated[str, StringConstraints(pattern=r"^(md|html|docx)$")]
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Render(Record):
    """What was rendered, from which template files and data commit, by whom."""

    id: Annotated[str, StringConstraints(pattern=RENDER_ID.pattern)]
    template: Annotated[str, StringConstraints(pattern=TEMPLATE_NAME.pattern)]
    formats: list[Annotated[str, StringConstraints(pattern=r"^(md|html|docx)$")]]
    files: list[RenderedFile] = Field(default_factory=list)
    data_commit: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40,64}$")]
    template_files: dict[str, Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40,64}$")]]
    rendered_on: dt.date
    rendered_by: PersonRef
    again_of: Annotated[str, StringConstraints(pattern=RENDER_ID.pattern)] | None = None
    readability: dict[str, Any] = Field(default_factory=dict)


@dataclass
class RenderedOutput:
    """The bytes of each format, before anything is written."""

    template: str
    markdown: str
    blocks: list[Block]
    files: dict[str, bytes]
    template_files: list[str]
    warnings: list[str] = field(default_factory=list)


@dataclass
class RenderResult:
    """A committed render: its record, readability report and whether it reproduced."""

    record: Render
    report: ReadabilityReport
    commit: str | None
    warnings: list[str] = field(default_factory=list)
    identical: bool | None = None  # for --again: same bytes as the original?


# -- templates --------------------------------------------------------------------------
def available_templates(study: Study) -> list[str]:
    """Names of the study's output templates (``templates/NAME.md.j2``)."""
    folder = study.root / TEMPLATES_DIR
    if not folder.is_dir():
        return []
    return sorted(
        path.name.removesuffix(".md.j2")
        for path in folder.glob("*.md.j2")
        if TEMPLATE_NAME.fullmatch(path.name.removesuffix(".md.j2"))
    )


def check_template(study: Study, name: str) -> str:
    """``name`` if the study has that template, else a clear error listing them."""
    name = name.strip().lower().removesuffix(".md.j2")
    known = available_templates(study)
    if not TEMPLATE_NAME.fullmatch(name) or name not in known:
        raise NotFoundError(
            f"there is no template called {name!r}",
            f"Templates in this study: {', '.join(known) or 'none'} "
            "(files named templates/NAME.md.j2).",
        )
    return name


def parse_formats(value: str | None) -> list[str]:
    """``"md,docx"`` -> ``["md", "docx"]`` (all three when empty)."""
    if not value:
        return list(FORMATS)
    chosen: list[str] = []
    for part in split_list([value]):
        name = part.lower().lstrip(".")
        fmt = {"markdown": "md", "word": "docx"}.get(name, name)
        if fmt not in FORMATS:
            raise InvalidInputError(
                f"format {part!r} is not one of the formats", "Choose from: md, html, docx."
            )
        if fmt not in chosen:
            chosen.append(fmt)
    if not chosen:
        raise InvalidInputError("no format given", "Choose from: md, html, docx.")
    return chosen


def and_list(items: Any) -> str:
    """``["A", "B", "C"]`` -> ``"A, B and C"``."""
    words = [str(item) for item in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def number_word(value: Any) -> str:
    """Numbers up to ten as words (``6`` -> ``six``), larger ones as digits."""
    if isinstance(value, int) and 0 <= value < len(NUMBER_WORDS):
        return NUMBER_WORDS[value]
    return str(value)


def _environment(templates_dir: Path, *, autoescape: bool) -> tuple[Any, list[str]]:
    """A sandboxed, strict Jinja2 environment that records which files it loaded."""
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    used: list[str] = []

    class RecordingLoader(FileSystemLoader):
        def get_source(self, environment: Any, template: str) -> Any:
            source = super().get_source(environment, template)
            if template not in used:
                used.append(template)
            return source

    env = ImmutableSandboxedEnvironment(
        loader=RecordingLoader(str(templates_dir)),
        undefined=StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["and_list"] = and_list
    env.filters["number_word"] = number_word
    return env, used


def _render_file(env: Any, name: str, context: dict[str, Any], templates_dir: Path) -> str:
    """Render one template, turning every template problem into a located error."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError

    try:
        text: str = env.get_template(name).render(context)
    except TemplateNotFound as exc:
        raise NotFoundError(
            f"template file {TEMPLATES_DIR}/{exc.name} not found (needed by {name})",
            f"Check the file name in {TEMPLATES_DIR}/, or restore the shipped templates.",
        ) from None
    except TemplateSyntaxError as exc:
        raise ValidationError(
            f"template syntax error: {exc.message}",
            "Fix the line shown in the template (Jinja2 syntax), then render again. "
            "Nothing was written.",
            file=f"{TEMPLATES_DIR}/{exc.name or name}",
            line=exc.lineno,
        ) from None
    except UserError:
        raise
    except Exception as exc:
        where, line = _template_location(exc, templates_dir, name)
        raise ValidationError(
            _describe(exc),
            "Fix the line shown in the template, then render again. Nothing was written. "
            "The names a template can use are listed in templates/README.md.",
            file=where,
            line=line,
        ) from None
    return text


def _describe(exc: Exception) -> str:
    from jinja2 import UndefinedError
    from jinja2.exceptions import SecurityError

    if isinstance(exc, SecurityError):
        return f"the template tried something templates may not do ({exc})"
    if isinstance(exc, UndefinedError):
        return f"the template uses something that does not exist: {exc}"
    return f"the template failed: {exc} ({type(exc).__name__})"


def _template_location(
    exc: BaseException, templates_dir: Path, name: str
) -> tuple[str, int | None]:
    """The template file and line where ``exc`` was raised (Jinja rewrites tracebacks)."""
    found: tuple[str, int | None] = (f"{TEMPLATES_DIR}/{name}", None)
    tb = exc.__traceback__
    root = str(templates_dir.resolve())
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            path = Path(filename)
            with contextlib.suppress(ValueError):
                found = (
                    f"{TEMPLATES_DIR}/{path.resolve().relative_to(root).as_posix()}",
                    tb.tb_lineno,
                )
        tb = tb.tb_next
    return found


# -- rendering in memory -------------------------------------------------------------------
def _tidy_markdown(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return tidy + "\n"


def render_output(
    study: Study, template: str, formats: list[str], rendered_on: dt.date
) -> RenderedOutput:
    """Render ``template`` for ``study`` in every format asked for, writing nothing."""
    from markupsafe import Markup

    from prosper_coop.outputs import markdown
    from prosper_coop.outputs.context import build_context, check_needs
    from prosper_coop.outputs.docx_writer import write_docx

    templates_dir = study.root / TEMPLATES_DIR
    context = build_context(study, rendered_on)
    check_needs(template, context)
    md_env, used = _environment(templates_dir, autoescape=False)
    text = _tidy_markdown(_render_file(md_env, f"{template}.md.j2", context, templates_dir))
    blocks = markdown.parse(text)
    title = markdown.title_of(blocks, context["study"]["name"])
    warnings = _heading_warnings(blocks)
    if STARTER_TEXT in text:
        warnings.append(
            f"the output still has starter text from {WORDING_HINT} (sentences beginning "
            f"{STARTER_TEXT!r}); replace it with your own words"
        )
    files: dict[str, bytes] = {}
    if "md" in formats:
        files["md"] = text.encode("utf-8")
    if "html" in formats:
        html_env, html_used = _environment(templates_dir, autoescape=True)
        own_page = f"{template}.html.j2"
        page = own_page if (templates_dir / own_page).is_file() else PAGE_TEMPLATE
        page_context = {
            **context,
            "title": title,
            "lang": LANGUAGE,
            "output_type": template,
            "body": Markup(markdown.to_html(blocks)),
        }
        page_html = _render_file(html_env, page, page_context, templates_dir)
        files["html"] = page_html.encode("utf-8")
        used.extend(name for name in html_used if name not in used)
    if "docx" in formats:
        size = _DOCX_FONT.search(text)
        files["docx"] = write_docx(
            blocks,
            title=title,
            rendered_on=rendered_on,
            language=LANGUAGE,
            font_size_pt=int(size.group(1)) if size else 12,
        )
    return RenderedOutput(
        template, text, blocks, files, [f"{TEMPLATES_DIR}/{n}" for n in used], warnings
    )


def _heading_warnings(blocks: list[Block]) -> list[str]:
    from prosper_coop.outputs.markdown import heading_levels

    levels = heading_levels(blocks)
    warnings: list[str] = []
    if levels and levels[0] != 1:
        warnings.append("the first heading should be a level-1 heading (# Title)")
    if levels.count(1) > 1:
        warnings.append("there is more than one level-1 heading; screen readers expect one")
    for before, after in itertools.pairwise(levels):
        if after > before + 1:
            warnings.append(f"a heading jumps from level {before} to level {after}")
            break
    return warnings


def readability_of(study: Study, output: RenderedOutput) -> ReadabilityReport:
    """The readability report for a rendered output, against its type's limits."""
    from prosper_coop.outputs.readability import units_from_markdown

    return check_units(
        study, units_from_markdown(output.markdown), output.template, output.template
    )


def thresholds_for(study: Study, output_type: str) -> Any:
    """The readability limits for an output type (the study's own, else the defaults)."""
    from prosper_coop.core.models import default_readability

    own = study.settings.readability
    defaults = default_readability()
    return (
        own.get(output_type)
        or defaults.get(output_type)
        or own.get("default")
        or defaults["default"]
    )


def check_units(study: Study, units: list[str], source: str, output_type: str) -> ReadabilityReport:
    """Readability of text units for ``output_type``, with the study's glossary."""
    from prosper_coop.outputs.readability import GLOSSARY_FILE, analyse, load_glossary

    glossary = load_glossary(study.root / GLOSSARY_FILE)
    short = study.settings.short_title
    return analyse(
        units,
        source=source,
        output_type=output_type,
        thresholds=thresholds_for(study, output_type),
        glossary=glossary,
        allowed_abbreviations={short} if short else set(),
    )


def readability_target(study: Study, target: str, output_type: str | None) -> ReadabilityReport:
    """Readability of a file (.md, .txt, .html, .docx) or of a template rendered now."""
    from prosper_coop.outputs.readability import units_from_file

    path = Path(target)
    if not path.exists() and TEMPLATE_NAME.fullmatch(target.strip().lower()):
        name = check_template(study, target)
        output = render_output(study, name, ["md"], study.today())
        return check_units(
            study,
            _units(output),
            f"{TEMPLATES_DIR}/{name}.md.j2 (rendered now)",
            output_type or name,
        )
    units = units_from_file(path, target)
    guessed = output_type or _type_from_name(study, path)
    return check_units(study, units, target, guessed)


def _units(output: RenderedOutput) -> list[str]:
    from prosper_coop.outputs.readability import units_from_markdown

    return units_from_markdown(output.markdown)


def _type_from_name(study: Study, path: Path) -> str:
    stem = path.name.split(".", 1)[0]
    known = set(study.settings.readability) | set(available_templates(study))
    return stem if stem in known else "default"


# -- committing -----------------------------------------------------------------------------
def _out_folder(out: str | None) -> str:
    from prosper_coop.core.records import RECORD_TYPES

    folder = (out or DEFAULT_OUT).strip().rstrip("/") or DEFAULT_OUT
    path = Path(folder)
    parts = path.parts
    reserved = {rtype.folder for rtype in RECORD_TYPES} | {
        ".git",
        TEMPLATES_DIR,
        "protocols",
        "wellbeing",
        "renders",
    }
    if (
        path.is_absolute()
        or ".." in parts
        or not parts
        or parts[0] in reserved
        or parts[0].startswith(".")
    ):
        raise InvalidInputError(
            f"--out {out!r} must be a folder inside the study, away from its records",
            f"Use a relative folder such as {DEFAULT_OUT} or {DEFAULT_OUT}/drafts; "
            "copy the files elsewhere afterwards if you need to.",
        )
    for part in parts:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", part):
            raise InvalidInputError(
                f"--out {out!r} has an unusual folder name ({part!r})",
                "Use letters, digits, '-', '_' and '.' only.",
            )
    return path.as_posix()


def _check_clean(study: Study) -> None:
    """Refuse to render from edits that are not saved: the render must be reproducible."""
    from prosper_coop.core.records import get

    watched = {get(name).folder for name in DATA_TYPES} | {TEMPLATES_DIR}
    changed = study.repo.changed_paths()
    dirty = sorted(
        path for path in changed if path == "study.yaml" or path.split("/", 1)[0] in watched
    )
    if dirty:
        raise ConflictError(
            f"{dirty[0]} has changes that are not saved yet",
            "Save them first (prosper-coop save -m 'what you changed') so the render "
            "can be reproduced later. Nothing was written.",
        )


def _blob(study: Study, commit: str, rel_path: str) -> str:
    return study.repo.object_ids(f"{commit}:{rel_path}")[0]


def render(
    study: Study,
    template: str,
    *,
    formats: list[str],
    out: str | None = None,
    strict: bool = False,
) -> RenderResult:
    """Render a template in the chosen formats and commit the files and a render record.

    The study lock is held from reading the data to committing the files, so the
    recorded data commit is exactly the data that was rendered.
    """

    template = check_template(study, template)
    folder = _out_folder(out)
    today = study.today()
    with study.change("render", f"{template} as {', '.join(formats)}") as ch:
        _check_clean(study)
        data_commit = study.repo.object_ids("HEAD")[0]
        output = render_output(study, template, formats, today)
        report = readability_of(study, output)
        record = _write(
            ch,
            output,
            report,
            folder=folder,
            data_commit=data_commit,
            rendered_on=today,
            strict=strict,
        )
    return RenderResult(record, report, ch.sha, output.warnings)


def _write(
    ch: Change,
    output: RenderedOutput,
    report: ReadabilityReport,
    *,
    folder: str,
    data_commit: str,
    rendered_on: dt.date,
    strict: bool,
    again_of: str | None = None,
) -> Render:
    """Queue every format and the render record in ``ch`` (or raise, queuing nothing)."""
    from prosper_coop.core.records import get

    if strict and not report.passed:
        raise ThresholdError(
            f"{output.template} does not meet its readability limits: {report.failures[0]}",
            "Nothing was written. See the full report with: "
            f"prosper-coop readability {output.template}",
        )
    study = ch.study
    rtype = get("render")
    files = [
        RenderedFile(
            path=f"{folder}/{output.template}.{fmt}",
            format=fmt,
            sha256=hashlib.sha256(output.files[fmt]).hexdigest(),
        )
        for fmt in FORMATS
        if fmt in output.files
    ]
    record = Render(
        id=study.next_id(rtype),
        template=output.template,
        formats=[f.format for f in files],
        files=files,
        data_commit=data_commit,
        template_files={path: _blob(study, data_commit, path) for path in output.template_files},
        rendered_on=rendered_on,
        rendered_by=ch.author or "CO-01",
        again_of=again_of,
        readability=report.summary(),
    )
    ch.record_ids = [record.id]
    # Rendered files are the tool's own: overwrite them even if edited by hand.
    ch.allow_unsaved.update(f.path for f in files)
    for rendered in files:
        ch.write_bytes(rendered.path, output.files[rendered.format])
    ch.save(record, rtype)
    return record


def load_render(study: Study, render_id: str) -> Render:
    """One render record, or an error saying how to list them."""
    from prosper_coop.core.records import get

    record: Render = study.load(get("render"), render_id.strip().upper())
    return record


def list_renders(study: Study) -> list[Render]:
    """Every render record, oldest first."""
    from prosper_coop.core.records import get

    return list(study.load_all(get("render")))


def render_again(study: Study, render_id: str, *, strict: bool = False) -> RenderResult:
    """Reproduce a past render from its data commit and template files (one commit).

    The study is rebuilt as it was at the data commit (records, settings, glossary
    and templates) in a temporary folder, rendered with the original date, and the
    files are committed again with a new render record pointing at the original.
    """
    from prosper_coop.core.study import Study as StudyClass

    original = load_render(study, render_id)
    folder = original.files[0].path.rsplit("/", 1)[0] if original.files else DEFAULT_OUT
    with tempfile.TemporaryDirectory(prefix="prosper-render-") as tmp:
        snapshot = StudyClass(_extract(study, original.data_commit, Path(tmp)))
        for rel_path, blob in original.template_files.items():
            if _blob(study, original.data_commit, rel_path) != blob:
                raise ConflictError(
                    f"{rel_path} at commit {original.data_commit[:8]} is not the version "
                    f"{original.id} was rendered from",
                    "The study's history was rewritten; render it afresh instead.",
                )
        output = render_output(
            snapshot, original.template, list(original.formats), original.rendered_on
        )
        report = readability_of(snapshot, output)
    with study.change("render", f"{original.template} again from {original.id}") as ch:
        record = _write(
            ch,
            output,
            report,
            folder=folder,
            data_commit=original.data_commit,
            rendered_on=original.rendered_on,
            strict=strict,
            again_of=original.id,
        )
    result = RenderResult(record, report, ch.sha, output.warnings)
    before = {f.path: f.sha256 for f in original.files}
    after = {f.path: f.sha256 for f in result.record.files}
    result.identical = before == after
    return result


def _extract(study: Study, commit: str, workdir: Path) -> Path:
    """Write the study's files as they were at ``commit`` into a folder; return it."""
    import tarfile

    archive = workdir / "snapshot.tar"
    target = workdir / "study"
    try:
        study.repo.export_tree(commit, archive)
    except UserError:
        raise NotFoundError(
            f"the data commit {commit[:8]} is not in this study's history",
            "It may not have been synced here yet: run prosper-coop sync, then try again.",
        ) from None
    target.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(target, filter="data")
        else:  # pragma: no cover - Python < 3.11.4
            tar.extractall(target)
    return target
