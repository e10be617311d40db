"""Rendering the study's templates to Markdown, HTML and Word, one commit per render.

Templates are user-editable files in the study's ``templates/`` folder, so they
are read from git as committed (a symbolic link is refused, never followed) and
run in a sandbox with limits, in a process of their own
(:mod:`prosper_coop.outputs.sandbox`): a template that names a missing variable,
breaks the syntax, reaches for something unsafe or goes past a limit gets an
error naming the template file and line. Record text is escaped in the Markdown
(:func:`prosper_coop.outputs.markdown.escape`), as it is in HTML. Every format
comes from the same rendered Markdown, so they always say the same thing.

A render reads the study as committed at HEAD (the data commit), in a temporary
copy, without the study lock; it takes the lock only to commit, and renders again
if HEAD moved meanwhile. It writes every format or none, in one commit, with a
render record (``renders/OUT-00001.yaml``) saying which template files (git blob
hashes) and which data commit it came from. ``render --again OUT-00001`` renders
the study as it was at that commit again, byte for byte.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from prosper_coop.core import ids
from prosper_coop.core.choices import split_list
from prosper_coop.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    ThresholdError,
    ValidationError,
)
from prosper_coop.core.models import Date, PersonRef, Record
from prosper_coop.outputs.starter import STARTER_TEXT

if TYPE_CHECKING:
    from collections.abc import Iterator

    from prosper_coop.core.study import Change, Study
    from prosper_coop.outputs.markdown import Block
    from prosper_coop.outputs.readability import ReadabilityReport
    from prosper_coop.outputs.sandbox import RenderLimits, TemplateFiles
    from prosper_coop.outputs.starter import StarterPlace

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
# Where to get support, shown at the end of every public output (templates/_support.md.j2).
SIGNPOSTING_FILE = "wellbeing/signposting.yaml"
WORDING_FILE = "templates/wording.yaml"
# What a draft (render --draft) says first, in every format: the tool's words, not the study's.
DRAFT_MARK = (
    "<!-- not-counted -->\n"
    "**DRAFT.** This is not finished yet, so please do not share it.\n"
    "<!-- /not-counted -->\n\n"
)
DRAFT_TITLE_PREFIX = "DRAFT: "
# Git modes of ordinary files; a link (120000) or a submodule (160000) is refused.
FILE_MODES = ("100644", "100755")
# A render reads these as committed; nothing else of the study reaches a template.
STUDY_FILE = "study.yaml"
MAX_FILE_BYTES = 10_000_000
MAX_TEMPLATE_BYTES = 1_000_000
# Renders made while HEAD keeps moving (other commands committing) before giving up.
RENDER_ATTEMPTS = 3


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
    rendered_on: Date
    rendered_by: PersonRef
    again_of: Annotated[str, StringConstraints(pattern=RENDER_ID.pattern)] | None = None
    # Rendered with --draft (true; left out otherwise): marked DRAFT at the top, and may
    # still hold starter text.
    draft: bool | None = None
    readability: dict[str, Any] = Field(default_factory=dict)
    # Set by sync when another computer rendered the same files: the newer render whose
    # files were kept in their place (rendered files are derived, so they never clash).
    replaced_by: Annotated[str, StringConstraints(pattern=RENDER_ID.pattern)] | None = None


@dataclass
class RenderedOutput:
    """The bytes of each format, before anything is written."""

    template: str
    markdown: str
    blocks: list[Block]
    files: dict[str, bytes]
    template_files: dict[str, str]  # path -> git blob id of each template file used
    warnings: list[str] = field(default_factory=list)
    # Starter text still in the output (a render refuses to share it, unless a draft).
    starter: list[StarterPlace] = field(default_factory=list)
    # Files written beside the Markdown (``icons/NAME.svg`` its pictures): path -> bytes.
    beside_md: dict[str, bytes] = field(default_factory=dict)


@dataclass
class RenderResult:
    """A committed render: its record, readability report and whether it reproduced."""

    record: Render
    report: ReadabilityReport
    commit: str | None
    warnings: list[str] = field(default_factory=list)
    identical: bool | None = None  # for --again: same bytes as the original?
    starter: list[StarterPlace] = field(default_factory=list)  # left in a draft


# -- templates --------------------------------------------------------------------------
def available_templates(study: Study, commit: str = "HEAD") -> list[str]:
    """Names of the study's output templates: ``templates/NAME.md.j2`` files committed.

    Read from git, so only saved, ordinary files count (not links). A folder that
    is not a git repository (a copy of a study) is read as files, links left out.
    """
    from prosper_coop.core.errors import GitError

    if (study.root / ".git").exists():
        try:
            entries = study.repo.tree_files(commit, [TEMPLATES_DIR])
        except GitError:
            return []
        names = [
            path.removeprefix(f"{TEMPLATES_DIR}/")
            for mode, _, _, path in entries
            if mode in FILE_MODES and PurePosixPath(path).parent == PurePosixPath(TEMPLATES_DIR)
        ]
    else:
        folder = study.root / TEMPLATES_DIR
        names = [
            path.name for path in folder.glob("*.md.j2") if path.is_file() and not path.is_symlink()
        ]
    return sorted(
        name.removesuffix(".md.j2")
        for name in names
        if name.endswith(".md.j2") and TEMPLATE_NAME.fullmatch(name.removesuffix(".md.j2"))
    )


def check_template(study: Study, name: str) -> str:
    """``name`` if the study has that template, else a clear error listing them."""
    name = name.strip().lower().removesuffix(".md.j2")
    known = available_templates(study)
    if TEMPLATE_NAME.fullmatch(name) and name not in known:
        path = study.root / TEMPLATES_DIR / f"{name}.md.j2"
        if path.is_file() and not path.is_symlink():
            raise ConflictError(
                f"{TEMPLATES_DIR}/{name}.md.j2 is not saved yet",
                "Templates are rendered as saved: save it first "
                f"(prosper-coop save -m 'add the {name} template'), then render.",
            )
    if not TEMPLATE_NAME.fullmatch(name) or name not in known:
        raise NotFoundError(
            f"there is no template called {name!r}",
            f"Templates in this study: {', '.join(known) or 'none'} "
            "(files named templates/NAME.md.j2, saved).",
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


# -- rendering in memory -------------------------------------------------------------------
@dataclass
class _Snapshot:
    """The study as committed at one commit, copied into a temporary folder."""

    study: Study
    templates: TemplateFiles
    blobs: dict[str, str]  # path -> blob id of every file under templates/


def _snapshot(study: Study, commit: str, target: Path) -> _Snapshot:
    """Copy what a render reads, as committed in ``commit``, into ``target``.

    The files come from git's objects, never through the work tree, so a link is
    seen as a link: one anywhere in what a render reads is refused, never followed.
    """
    from prosper_coop.core.errors import GitError
    from prosper_coop.core.records import get
    from prosper_coop.core.study import Study as StudyClass
    from prosper_coop.outputs.sandbox import TemplateFiles

    folders = [
        STUDY_FILE,
        *sorted({get(name).folder for name in DATA_TYPES}),
        TEMPLATES_DIR,
        SIGNPOSTING_FILE,
    ]
    try:
        entries = study.repo.tree_files(commit, folders)
    except GitError:
        raise NotFoundError(
            f"the data commit {commit[:8]} is not in this study's history",
            "It may not have been synced here yet: run prosper-coop sync, then try again.",
        ) from None
    for mode, _, size, path in entries:
        if mode not in FILE_MODES:
            what = "a symbolic link" if mode == "120000" else "not an ordinary file"
            raise ValidationError(
                f"{path} is {what}; a render reads only ordinary files saved in the study",
                f"Replace it with the file itself (git rm {path}, then add the real file and "
                "save), then render again. Nothing was written.",
                file=path,
            )
        if size > MAX_FILE_BYTES:
            raise ValidationError(
                f"{path} is larger than {MAX_FILE_BYTES // 1_000_000} MB, too large for a render",
                "Nothing was written.",
                file=path,
            )
    contents = study.repo.read_blobs([sha for _, sha, _, _ in entries])
    root = target.resolve()
    templates = TemplateFiles()
    blobs: dict[str, str] = {}
    for _, sha, _, path in entries:
        destination = (root / path).resolve()
        if not destination.is_relative_to(root):  # pragma: no cover - git refuses such paths
            raise ValidationError(f"{path!r} would name a file outside the study", file=path)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(contents[sha])
        if path.startswith(f"{TEMPLATES_DIR}/"):
            name = path.removeprefix(f"{TEMPLATES_DIR}/")
            blobs[path] = sha
            if len(contents[sha]) > MAX_TEMPLATE_BYTES:
                templates.refused[name] = "is too large to be a template (over 1 MB)"
                continue
            try:
                templates.texts[name] = contents[sha].decode("utf-8")
            except UnicodeDecodeError:
                templates.refused[name] = "is not UTF-8 text"
    return _Snapshot(StudyClass(root), templates, blobs)


@contextlib.contextmanager
def _rendered_at(
    study: Study,
    commit: str,
    template: str,
    formats: list[str],
    rendered_on: dt.date,
    limits: RenderLimits | None,
    *,
    draft: bool = False,
) -> Iterator[tuple[Study, RenderedOutput]]:
    """Render ``template`` from the study as committed in ``commit``; yield the copy and output.

    The copy (records, settings, wording, glossary, signposting) exists only inside
    the block.
    """
    with tempfile.TemporaryDirectory(prefix="prosper-render-") as tmp:
        snapshot = _snapshot(study, commit, Path(tmp))
        output = _render_snapshot(snapshot, template, formats, rendered_on, limits, draft=draft)
        yield snapshot.study, output


def _render_snapshot(
    snapshot: _Snapshot,
    template: str,
    formats: list[str],
    rendered_on: dt.date,
    limits: RenderLimits | None,
    *,
    draft: bool = False,
) -> RenderedOutput:
    from prosper_coop.outputs import markdown
    from prosper_coop.outputs.context import build_context, check_needs
    from prosper_coop.outputs.docx_writer import write_docx
    from prosper_coop.outputs.icons import prepare_pictures
    from prosper_coop.outputs.sandbox import RenderLimits, render_templates

    study = snapshot.study
    context = build_context(study, rendered_on)
    check_needs(template, context)
    wording = context.pop("wording")
    page = None
    if "html" in formats:
        own_page = f"{template}.html.j2"
        page = own_page if own_page in snapshot.templates.texts else PAGE_TEMPLATE
    rendered = render_templates(
        snapshot.templates,
        f"{template}.md.j2",
        context,
        wording=wording,
        page=page,
        page_fields={
            "title": context["study"]["name"],
            "lang": LANGUAGE,
            "output_type": template,
            "title_prefix": DRAFT_TITLE_PREFIX if draft else "",
        },
        limits=limits or RenderLimits(),
        preface=DRAFT_MARK if draft else "",
    )
    text = rendered.markdown
    blocks = markdown.parse(text)
    title = markdown.title_of(blocks, context["study"]["name"])
    if draft:
        title = DRAFT_TITLE_PREFIX + title
    warnings = _heading_warnings(blocks)
    starter = _starter_in(snapshot, text, wording, template, rendered.used)
    pictures = prepare_pictures(study.root, blocks, png="docx" in formats)
    files: dict[str, bytes] = {}
    if "md" in formats:
        files["md"] = text.encode("utf-8")
    if rendered.html is not None:
        files["html"] = pictures.html(rendered.html).encode("utf-8")
    if "docx" in formats:
        size = _DOCX_FONT.search(text)
        files["docx"] = write_docx(
            blocks,
            title=title,
            rendered_on=rendered_on,
            language=LANGUAGE,
            font_size_pt=int(size.group(1)) if size else 12,
            pictures=pictures.pngs,
        )
    used = {
        f"{TEMPLATES_DIR}/{name}": snapshot.blobs[f"{TEMPLATES_DIR}/{name}"]
        for name in rendered.used
    }
    used.update({path: snapshot.blobs[path] for path in pictures.study_files})
    beside_md = pictures.beside_markdown() if "md" in formats else {}
    return RenderedOutput(
        template, text, blocks, files, used, warnings, beside_md=beside_md, starter=starter
    )


def _starter_in(
    snapshot: _Snapshot, text: str, wording: dict[str, str], template: str, used: list[str]
) -> list[StarterPlace]:
    """Where the rendered ``text`` still holds starter text, and which file to change."""
    from prosper_coop.outputs.starter import find_starter

    wording_path = snapshot.study.root / WORDING_FILE
    return find_starter(
        text,
        wording=wording,
        wording_text=wording_path.read_text(encoding="utf-8", errors="replace")
        if wording_path.is_file()
        else "",
        templates={name: snapshot.templates.texts.get(name, "") for name in used},
        template=f"{template}.md.j2",
    )


def render_output(
    study: Study,
    template: str,
    formats: list[str],
    rendered_on: dt.date,
    *,
    commit: str | None = None,
    limits: RenderLimits | None = None,
) -> RenderedOutput:
    """Render ``template`` for ``study`` as committed (HEAD unless ``commit``), writing nothing."""
    with _rendered_at(study, commit or _head(study), template, formats, rendered_on, limits) as (
        _,
        output,
    ):
        return output


def _head(study: Study) -> str:
    head = study.repo.commit_id("HEAD")
    if head is None:
        raise NotFoundError(
            "the study has no saved state to render yet",
            "Save it first: prosper-coop save -m 'first version'",
        )
    return head


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
        with _rendered_at(study, _head(study), name, ["md"], study.today(), None) as (
            snapshot,
            output,
        ):
            return check_units(
                snapshot,
                _units(output),
                f"{TEMPLATES_DIR}/{name}.md.j2 (rendered now, as saved)",
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
        path
        for path in changed
        if path in (STUDY_FILE, SIGNPOSTING_FILE) or path.split("/", 1)[0] in watched
    )
    if dirty:
        raise ConflictError(
            f"{dirty[0]} has changes that are not saved yet",
            "Save them first (prosper-coop save -m 'what you changed') so the render "
            "can be reproduced later. Nothing was written.",
        )


def render(
    study: Study,
    template: str,
    *,
    formats: list[str],
    out: str | None = None,
    strict: bool = False,
    draft: bool = False,
    limits: RenderLimits | None = None,
) -> RenderResult:
    """Render a template in the chosen formats and commit the files and a render record.

    An output that still holds starter text (``Say here ...``, see
    :mod:`prosper_coop.outputs.starter`) is refused, and nothing is written, unless
    ``draft``: a draft is rendered as it is, marked DRAFT at the top of every format
    and in its render record, and committed.

    The templates run without the study lock (other commands go on meanwhile),
    from the study as committed at HEAD; the lock is taken only to commit. If
    HEAD moved while rendering, the render is made again from the new HEAD (at
    most :data:`RENDER_ATTEMPTS` times), so the recorded data commit is exactly
    the data that was rendered.
    """
    template = check_template(study, template)
    folder = _out_folder(out)
    today = study.today()
    for _attempt in range(RENDER_ATTEMPTS):
        _check_clean(study)
        data_commit = _head(study)
        with _rendered_at(study, data_commit, template, formats, today, limits, draft=draft) as (
            snapshot,
            output,
        ):
            report = readability_of(snapshot, output)
        _check_starter(output, draft)
        _check_strict(output, report, strict)
        what = f"{template} as {', '.join(formats)}" + (" (draft)" if draft else "")
        with study.change("render", what) as ch:
            if study.repo.commit_id("HEAD") != data_commit:
                continue  # another command committed meanwhile: nothing is queued; again
            record = _write(
                ch,
                output,
                report,
                folder=folder,
                data_commit=data_commit,
                rendered_on=today,
                draft=draft,
            )
        return RenderResult(record, report, ch.sha, output.warnings, starter=output.starter)
    raise ConflictError(
        f"the study kept changing while {template} was being rendered",
        "Other commands are saving changes right now. Nothing was written; "
        "render again in a moment.",
    )


def _check_starter(output: RenderedOutput, draft: bool) -> None:
    """Refuse to share an output that still has starter text (a draft may have it)."""
    if draft or not output.starter:
        return
    first, rest = output.starter[0], output.starter[1:]
    more = ""
    if rest:
        sections = ", ".join(dict.fromkeys(f'"{p.section}"' for p in rest if p.section))
        more = (
            f" {len(rest)} more place(s) still have starter text too"
            + (f" ({sections})" if sections else "")
            + "."
        )
    what = f" ({first.name})" if first.name else ""
    raise ThresholdError(
        f"{output.template} is not finished yet: {first.part} still has starter text",
        f"Replace the words beginning {STARTER_TEXT!r} at {first.where}{what} with your own, "
        f"save (prosper-coop save -m 'wording for {output.template}') and render again."
        f"{more} To share it as a draft for now, add --draft. Nothing was written.",
        file=first.file,
        line=first.line,
    )


def _check_strict(output: RenderedOutput, report: ReadabilityReport, strict: bool) -> None:
    if strict and not report.passed:
        raise ThresholdError(
            f"{output.template} does not meet its readability limits: {report.failures[0]}",
            "Nothing was written. See the full report with: "
            f"prosper-coop readability {output.template}",
        )


def _write(
    ch: Change,
    output: RenderedOutput,
    report: ReadabilityReport,
    *,
    folder: str,
    data_commit: str,
    rendered_on: dt.date,
    again_of: str | None = None,
    draft: bool = False,
) -> Render:
    """Queue every format and the render record in ``ch``."""
    from prosper_coop.core.records import get

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
    files += [  # the Markdown's pictures, beside it
        RenderedFile(path=f"{folder}/{rel}", format="md", sha256=hashlib.sha256(data).hexdigest())
        for rel, data in output.beside_md.items()
    ]
    contents = {f"{folder}/{rel}": data for rel, data in output.beside_md.items()}
    contents.update({f.path: output.files[f.format] for f in files if f.path not in contents})
    record = Render(
        id=study.next_id(rtype),
        template=output.template,
        formats=list(dict.fromkeys(f.format for f in files)),
        files=files,
        data_commit=data_commit,
        template_files=dict(output.template_files),
        rendered_on=rendered_on,
        rendered_by=ch.author or "CO-01",
        again_of=again_of,
        draft=draft or None,
        readability=report.summary(),
    )
    ch.record_ids = [record.id]
    # Rendered files are the tool's own: overwrite them even if edited by hand.
    ch.allow_unsaved.update(f.path for f in files)
    for rendered in files:
        ch.write_bytes(rendered.path, contents[rendered.path])
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


def render_again(
    study: Study, render_id: str, *, strict: bool = False, limits: RenderLimits | None = None
) -> RenderResult:
    """Reproduce a past render from its data commit and template files (one commit).

    The study as it was at the data commit (records, settings, glossary and
    templates) is rendered with the original date, without the study lock, and
    the files are committed again with a new render record pointing at the original.
    A draft is made again as a draft; starter text does not stop it, since the
    point is to reproduce what was made.
    """
    original = load_render(study, render_id)
    folder = original.files[0].path.rsplit("/", 1)[0] if original.files else DEFAULT_OUT
    with _rendered_at(
        study,
        original.data_commit,
        original.template,
        list(original.formats),
        original.rendered_on,
        limits,
        draft=bool(original.draft),
    ) as (snapshot, output):
        for rel_path, blob in original.template_files.items():
            if output.template_files.get(rel_path) != blob:
                raise ConflictError(
                    f"{rel_path} at commit {original.data_commit[:8]} is not the version "
                    f"{original.id} was rendered from",
                    "The study's history was rewritten; render it afresh instead.",
                )
        report = readability_of(snapshot, output)
    _check_strict(output, report, strict)
    with study.change("render", f"{original.template} again from {original.id}") as ch:
        record = _write(
            ch,
            output,
            report,
            folder=folder,
            data_commit=original.data_commit,
            rendered_on=original.rendered_on,
            again_of=original.id,
            draft=bool(original.draft),
        )
    result = RenderResult(record, report, ch.sha, output.warnings, starter=output.starter)
    before = {f.path: f.sha256 for f in original.files}
    after = {f.path: f.sha256 for f in result.record.files}
    result.identical = before == after
    return result
