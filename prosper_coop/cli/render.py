"""``prosper-coop render`` and ``readability``: plain-language outputs and their checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from prosper_coop.cli.common import AsJson, Quiet, id_parser, open_study, output
from prosper_coop.core.ids import RENDER

if TYPE_CHECKING:
    from prosper_coop.cli.terminal import Terminal


def register(app: typer.Typer) -> None:
    """Add ``render`` and ``readability`` to the root app."""
    app.command("render")(render)
    app.command("readability")(readability)


Strict = Annotated[
    bool,
    typer.Option("--strict", help="Exit with code 7 if a readability limit is not met."),
]
StrictRender = Annotated[
    bool,
    typer.Option(
        "--strict", help="Write nothing and exit with code 7 if a readability limit is not met."
    ),
]


def render(
    template: Annotated[
        str | None, typer.Argument(help="A template: lay-summary, recommendations, ...")
    ] = None,
    formats: Annotated[
        str | None, typer.Option("--format", "-f", help="Formats: md,html,docx (default all).")
    ] = None,
    out_dir: Annotated[
        str | None, typer.Option("--out", help="Folder inside the study (default outputs).")
    ] = None,
    again: Annotated[
        str | None,
        typer.Option(
            "--again",
            help="Reproduce an earlier render, e.g. OUT-00001 (or just 1).",
            parser=id_parser(RENDER.normal, "render"),
        ),
    ] = None,
    list_all: Annotated[
        bool, typer.Option("--list", help="List the templates and past renders.")
    ] = False,
    strict: StrictRender = False,
    draft: Annotated[
        bool,
        typer.Option(
            "--draft",
            help="Render even if starter text is left; mark the output DRAFT at the top.",
        ),
    ] = False,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """Render a template to Markdown, HTML and Word, check readability, and commit it.

    An output that still has starter text (words beginning "Say here") is not
    written (exit code 7) unless --draft is given.

    Example: prosper-coop render lay-summary --format md,html,docx
    """
    from prosper_coop.core.errors import InvalidInputError
    from prosper_coop.outputs import render as rendering

    study = open_study()
    out = output(as_json, quiet=quiet)
    if list_all:
        templates = rendering.available_templates(study)
        renders = rendering.list_renders(study)
        if as_json:
            out.json(
                {
                    "templates": templates,
                    "renders": [r.model_dump(mode="json", exclude={"conflicts"}) for r in renders],
                }
            )
            return
        out.line("Templates: " + (", ".join(templates) or "none"))
        out.table(
            ["Render", "Template", "Formats", "On", "By", "Readable", "Again of"],
            [
                (
                    r.id,
                    r.template,
                    ",".join(r.formats),
                    r.rendered_on,
                    r.rendered_by,
                    "yes" if r.readability.get("passed") else "no",
                    r.again_of or "",
                )
                for r in renders
            ],
            empty="Nothing rendered yet.",
        )
        return
    if again:
        if template or formats or out_dir or draft:
            raise InvalidInputError(
                "--again reproduces a render exactly; give no template, --format, --out or --draft",
                f"Run: prosper-coop render --again {again}",
            )
        result = rendering.render_again(study, again, strict=strict)
    else:
        if not template:
            raise InvalidInputError(
                "which template?",
                "Give one, e.g.: prosper-coop render lay-summary (see them with: render --list)",
            )
        result = rendering.render(
            study,
            template,
            formats=rendering.parse_formats(formats),
            out=out_dir,
            strict=strict,
            draft=draft,
        )
    if as_json:
        out.json(
            {
                "render": result.record.model_dump(mode="json", exclude={"conflicts"}),
                "commit": result.commit,
                "identical": result.identical,
                "warnings": result.warnings,
                "starter": [
                    {"section": p.section, "file": p.file, "line": p.line, "wording": p.name}
                    for p in result.starter
                ],
                "readability": result.report.as_dict(),
            }
        )
    else:
        for rendered in result.record.files:
            out.line(rendered.path)
        draft_note = ", a draft (marked DRAFT)" if result.record.draft else ""
        out.success(f"Rendered {result.record.template} as {result.record.id}{draft_note}.")
        if result.identical is not None:
            if result.identical:
                out.info(f"The files are identical to {result.record.again_of}.")
            else:
                out.warn(f"The files differ from {result.record.again_of}.")
        for place in result.starter:
            out.warn(f"to finish: {place.describe()} still has starter text")
        for warning in result.warnings:
            out.warn(f"accessibility: {warning}")
        if not quiet:
            _report(out, result.report, brief=True)


def readability(
    target: Annotated[
        str, typer.Argument(help="A file (.md, .txt, .html, .docx) or a template name.")
    ],
    output_type: Annotated[
        str | None,
        typer.Option("--type", "-t", help="Whose limits to use, e.g. lay-summary."),
    ] = None,
    strict: Strict = False,
    as_json: AsJson = False,
) -> None:
    """Check how easy a text is to read: Flesch, grade, ARI, words, jargon, abbreviations.

    Example: prosper-coop readability outputs/lay-summary.md --strict
    """
    from prosper_coop.core.errors import ExitCode
    from prosper_coop.outputs import render as rendering

    report = rendering.readability_target(open_study(), target, output_type)
    out = output(as_json)
    if as_json:
        out.json(report.as_dict())
    else:
        _report(out, report, brief=False)
    if strict and not report.passed:
        raise typer.Exit(int(ExitCode.THRESHOLD))


def _report(out: Terminal, report: Any, *, brief: bool) -> None:
    """A readability report for a person (stdout for the full report, stderr when brief)."""
    write = out.info if brief else out.line
    write(
        f"Readability of {report.source} (limits for {report.output_type}): "
        f"Flesch Reading Ease {report.reading_ease}, Flesch-Kincaid grade {report.grade}, "
        f"ARI {report.ari}; {report.words} words in {report.sentences} sentences."
    )
    if not brief:
        for sentence in report.longest:
            write(f"  Longest: ({sentence.words} words) {sentence.text}")
        if report.abbreviations:
            write(
                "  Abbreviations: "
                + ", ".join(f"{name} ({count})" for name, count in report.abbreviations.items())
            )
        for term in report.jargon:
            write(f'  {term.term} ({term.count}): try "{term.plain}"')
    elif report.jargon:
        write(
            f"  {len(report.jargon)} hard word(s) with plainer alternatives: "
            + ", ".join(term.term for term in report.jargon[:6])
            + f" (see: prosper-coop readability {report.output_type})"
        )
    if report.passed:
        out.success("  All readability limits are met.")
    for failure in report.failures:
        out.warn(f"  not met: {failure}")
