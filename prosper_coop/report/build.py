"""Making the study report: gather, chart, run the templates, commit every file at once.

``prosper-coop report`` reads the study as saved (its records must have no
unsaved edits), gathers what the report shows (:mod:`.gather`), draws the charts
(:mod:`.charts`) and runs the study's report templates in the same sandboxed
process as every other output (:mod:`prosper_coop.outputs.sandbox`):

- ``templates/report/study-report.html.j2``: the single-file web page (no
  JavaScript, charts as inline SVG, each with its text summary and data table);
- ``templates/report/study-report.md.j2``: the same report in Markdown, whose
  tables and text also make the Word document (:mod:`.word`);
- ``templates/report/progress-report.md.j2``: an NIHR-style progress report in
  Markdown and Word, whose "changes", "risks" and other sections are the
  coordinator's own words from ``templates/wording.yaml`` (clearly marked as
  not written yet while they still hold the starter text).

A study that does not have a report template yet (made before reports existed)
uses the shipped one. Like ``render``, the report is committed: all of its files
in one commit, in ``outputs/report/`` unless ``--out`` names another folder in
the study. It holds counts and dates only, so anyone in the team may make it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from prosper_coop.core.errors import ConflictError, InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from prosper_coop.core.study import Study
    from prosper_coop.outputs.sandbox import RenderLimits, TemplateFiles

FORMATS = ("html", "md", "docx")
DEFAULT_OUT = "outputs/report"
TEMPLATES_DIR = "templates"
# In a folder of their own, so ``render`` does not offer them as outputs of its own.
REPORT_DIR = "report"
REPORT_MD = f"{REPORT_DIR}/study-report.md.j2"
REPORT_HTML = f"{REPORT_DIR}/study-report.html.j2"
PROGRESS_MD = f"{REPORT_DIR}/progress-report.md.j2"
TEMPLATE_NAMES = (REPORT_MD, REPORT_HTML, PROGRESS_MD)
REPORT_NAME = "study-report"
PROGRESS_NAME = "progress-report"
LANGUAGE = "en-GB"
STARTER_TEXT = "Say here"
# The coordinator's own sections of the progress report (entries of wording.yaml).
COORDINATOR_TEXT = (
    "progress_summary",
    "progress_milestones",
    "progress_recruitment",
    "progress_ppi",
    "progress_changes",
    "progress_risks",
)
FILE_MODES = ("100644", "100755")
MAX_TEMPLATE_BYTES = 1_000_000
# Reports made while HEAD keeps moving (other commands committing) before giving up.
ATTEMPTS = 3


def report_limits() -> RenderLimits:
    """The sandbox limits for a report: more text than a plain-language output (charts)."""
    from prosper_coop.outputs.sandbox import RenderLimits

    return RenderLimits(seconds=20.0, output_chars=4_000_000)


@dataclass
class BuiltReport:
    """The bytes of every file, before anything is written, and what they say."""

    files: dict[str, bytes]  # file name (e.g. study-report.html) -> bytes
    data: dict[str, Any]
    shipped_templates: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ReportResult:
    """A committed report: where its files went, the commit, and the data commit."""

    paths: dict[str, str]  # file name -> path in the study
    sizes: dict[str, int]
    sha256: dict[str, str]
    commit: str | None
    data_commit: str
    data: dict[str, Any]
    shipped_templates: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` (what the report says in counts, not the charts)."""
        data = self.data
        return {
            "files": [
                {"path": self.paths[name], "bytes": self.sizes[name], "sha256": self.sha256[name]}
                for name in sorted(self.paths)
            ],
            "commit": self.commit,
            "data_commit": self.data_commit,
            "made_on": data["made_on"],
            "work_packages": {
                wp["id"]: {"rag": wp["status"]["rag"], "why": wp["status"]["why"]}
                for wp in data["work_packages"]
            },
            "targets_behind": data["targets_behind"],
            "shipped_templates": self.shipped_templates,
            "warnings": self.warnings,
        }


def parse_formats(value: str | None) -> list[str]:
    """``"html,md"`` -> ``["html", "md"]`` (all three when empty)."""
    from prosper_coop.core.choices import split_list

    if not value:
        return list(FORMATS)
    chosen: list[str] = []
    for part in split_list([value]):
        name = part.lower().lstrip(".")
        fmt = {"markdown": "md", "word": "docx", "htm": "html"}.get(name, name)
        if fmt not in FORMATS:
            raise InvalidInputError(
                f"format {part!r} is not one of the report's formats",
                "Choose from: html, md, docx (for example --format html,docx).",
            )
        if fmt not in chosen:
            chosen.append(fmt)
    if not chosen:
        raise InvalidInputError("no format given", "Choose from: html, md, docx.")
    return chosen


# -- templates, as saved --------------------------------------------------------------------
def _templates(study: Study, commit: str) -> tuple[TemplateFiles, list[str]]:
    """The study's committed ``templates/`` and ``templates/report/`` files, and the
    report templates it lacks.

    Read from git's objects, never through the work tree (a link is refused, not
    followed). A report template the study does not have is taken from the shipped
    defaults, and named in the second list.
    """
    from prosper_coop.core.defaults import default_path
    from prosper_coop.core.errors import ValidationError
    from prosper_coop.outputs.sandbox import TemplateFiles

    entries = study.repo.tree_files(commit, [TEMPLATES_DIR])
    files = TemplateFiles()
    wanted = []
    folders = {PurePosixPath(TEMPLATES_DIR), PurePosixPath(TEMPLATES_DIR, REPORT_DIR)}
    for mode, sha, size, path in entries:
        name = path.removeprefix(f"{TEMPLATES_DIR}/")
        if PurePosixPath(path).parent not in folders:
            continue
        if mode not in FILE_MODES:
            if name in TEMPLATE_NAMES:
                raise ValidationError(
                    f"{path} is not an ordinary file (a link?); a report reads only ordinary "
                    "files saved in the study",
                    f"Replace it with the file itself (git rm {path}, then add the real file "
                    "and save), then make the report again. Nothing was written.",
                    file=path,
                )
            continue
        if size > MAX_TEMPLATE_BYTES:
            files.refused[name] = "is too large to be a template (over 1 MB)"
            continue
        wanted.append((name, sha))
    contents = study.repo.read_blobs([sha for _, sha in wanted])
    for name, sha in wanted:
        try:
            files.texts[name] = contents[sha].decode("utf-8")
        except UnicodeDecodeError:
            files.refused[name] = "is not UTF-8 text"
    shipped = []
    for name in TEMPLATE_NAMES:
        if name not in files.texts and name not in files.refused:
            files.texts[name] = default_path(TEMPLATES_DIR, name).read_text(encoding="utf-8")
            shipped.append(name)
    return files, shipped


def _wording(study: Study) -> dict[str, str]:
    """The study's ``wording.yaml``, over the shipped one (so new entries always exist)."""
    from prosper_coop.core import yamlio
    from prosper_coop.core.defaults import default_path
    from prosper_coop.outputs.context import load_wording

    shipped = yamlio.loads(
        default_path(TEMPLATES_DIR, "wording.yaml").read_text(encoding="utf-8"), "wording.yaml"
    )
    wording = {str(k): " ".join(str(v).split()) for k, v in (shipped or {}).items()}
    wording.update(load_wording(study))
    return wording


# -- building -----------------------------------------------------------------------------
def _charts(data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    from prosper_coop.report import charts, gather

    gantt = charts.gantt_chart(data["work_packages"], data["key_tasks"], today,
                               data["more_key_tasks"])  # fmt: skip
    targets = {}
    for index, target in enumerate(data["targets"][: gather.MAX_TARGET_CHARTS]):
        targets[target["id"]] = charts.recruitment_chart(target, today, index + 1).as_dict()
    surveys = (
        charts.surveys_chart(data["surveys"]).as_dict()
        if any(s["over_time"] for s in data["surveys"])
        else None
    )
    return {"gantt": gantt.as_dict(), "targets": targets, "surveys": surveys}


def build_report(
    study: Study,
    formats: list[str],
    today: dt.date,
    *,
    data_commit: str,
    limits: RenderLimits | None = None,
) -> BuiltReport:
    """Every file of the report in ``formats``, in memory (nothing is written)."""
    from prosper_coop.outputs import markdown
    from prosper_coop.outputs.sandbox import render_templates
    from prosper_coop.report.gather import gather
    from prosper_coop.report.word import report_docx

    limits = limits or report_limits()
    data = gather(study, today)
    data["charts"] = _charts(data, today)
    wording = _wording(study)
    data["written"] = {
        key: bool(wording.get(key)) and not wording[key].startswith(STARTER_TEXT)
        for key in (*COORDINATOR_TEXT, "involvement_aim", "involvement_methods",
                    "involvement_discussion", "involvement_reflections")
    }  # fmt: skip
    # The team's own Markdown, as HTML for the web page (whose template escapes the rest).
    data["wording_html"] = {
        key: markdown.to_html(markdown.parse(text)) for key, text in wording.items()
    }
    templates, shipped = _templates(study, data_commit)
    name = data["study"]["name"]
    page_fields = {"title": f"{name}: study report", "lang": LANGUAGE, "output_type": "report"}
    files: dict[str, bytes] = {}
    warnings = []
    if shipped:
        warnings.append(
            "this study has no " + ", ".join(f"{TEMPLATES_DIR}/{n}" for n in shipped)
            + " yet, so the shipped one was used (copy it into the study to change it)"
        )  # fmt: skip
    rendered = render_templates(
        templates,
        REPORT_MD,
        data,
        wording=wording,
        page=REPORT_HTML if "html" in formats else None,
        page_fields=page_fields,
        limits=limits,
    )
    if "html" in formats and rendered.html is not None:
        files[f"{REPORT_NAME}.html"] = rendered.html.encode("utf-8")
    if "md" in formats:
        files[f"{REPORT_NAME}.md"] = rendered.markdown.encode("utf-8")
    if "docx" in formats:
        files[f"{REPORT_NAME}.docx"] = report_docx(
            rendered.markdown, default_title=page_fields["title"], made_on=today
        )
    if "md" in formats or "docx" in formats:
        progress = render_templates(
            templates, PROGRESS_MD, data, wording=wording, page=None, page_fields=page_fields,
            limits=limits,
        )  # fmt: skip
        if "md" in formats:
            files[f"{PROGRESS_NAME}.md"] = progress.markdown.encode("utf-8")
        if "docx" in formats:
            files[f"{PROGRESS_NAME}.docx"] = report_docx(
                progress.markdown, default_title=f"{name}: progress report", made_on=today
            )
        unwritten = [key for key in COORDINATOR_TEXT if not data["written"][key]]
        if unwritten:
            warnings.append(
                f"{len(unwritten)} section(s) of the progress report are still for the "
                f"coordinator to write ({', '.join(unwritten)} in templates/wording.yaml)"
            )
    levels = markdown.heading_levels(markdown.parse(rendered.markdown))
    if levels and levels[0] != 1:
        warnings.append("the report's first heading should be a level-1 heading (# Title)")
    return BuiltReport(files, data, shipped, warnings)


# -- committing -----------------------------------------------------------------------------
def _out_folder(out: str | None) -> str:
    """The folder in the study to write to (the same rules as ``render --out``)."""
    from prosper_coop.outputs.render import _out_folder as render_out_folder

    return render_out_folder(out or DEFAULT_OUT)


def watched_paths(study: Study) -> list[str]:
    """What the report reads that has edits not saved yet (it must be made from saved data)."""
    from prosper_coop.core.records import RECORD_TYPES

    watched = {rtype.folder for rtype in RECORD_TYPES} | {TEMPLATES_DIR, "protocols"}
    return sorted(
        path
        for path in study.repo.changed_paths()
        if path == "study.yaml" or path.split("/", 1)[0] in watched
    )


def _head(study: Study) -> str:
    head = study.repo.commit_id("HEAD")
    if head is None:
        raise NotFoundError(
            "the study has no saved state to report on yet",
            "Save it first: prosper-coop save -m 'first version'",
        )
    return head


def make_report(
    study: Study,
    *,
    formats: list[str],
    out: str | None = None,
    limits: RenderLimits | None = None,
) -> ReportResult:
    """Build the report from the study as saved and commit all its files in one commit.

    Built without the study lock (other commands go on meanwhile); the lock is
    taken only to commit. If HEAD moved while building, the report is built again
    from the new HEAD (at most :data:`ATTEMPTS` times), so the data commit it
    names is exactly the data it shows.
    """
    folder = _out_folder(out)
    today = study.today()
    for _attempt in range(ATTEMPTS):
        dirty = watched_paths(study)
        if dirty:
            raise ConflictError(
                f"{dirty[0]} has changes that are not saved yet",
                "Save them first (prosper-coop save -m 'what you changed') so the report "
                "shows the study as saved. Nothing was written.",
            )
        data_commit = _head(study)
        built = build_report(study, formats, today, data_commit=data_commit, limits=limits)
        paths = {name: f"{folder}/{name}" for name in built.files}
        what = f"study report as {', '.join(formats)} from {data_commit[:8]}"
        with study.change("report", what) as ch:
            if study.repo.commit_id("HEAD") != data_commit:
                continue  # another command committed meanwhile: build again
            ch.allow_unsaved.update(paths.values())  # the tool's own files, even if edited
            for name, data in built.files.items():
                ch.write_bytes(paths[name], data)
        return ReportResult(
            paths=paths,
            sizes={name: len(data) for name, data in built.files.items()},
            sha256={name: hashlib.sha256(data).hexdigest() for name, data in built.files.items()},
            commit=ch.sha,
            data_commit=data_commit,
            data=built.data,
            shipped_templates=built.shipped_templates,
            warnings=built.warnings,
        )
    raise ConflictError(
        "the study kept changing while the report was being made",
        "Other commands are saving changes right now. Nothing was written; "
        "make the report again in a moment.",
    )
