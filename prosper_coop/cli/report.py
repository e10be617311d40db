"""``prosper-coop report``: the study report for the steering group and the funder."""

from __future__ import annotations

from typing import Annotated

import typer

from prosper_coop.cli.common import AsJson, Quiet, open_study, output


def register(app: typer.Typer) -> None:
    """Add ``report`` to the root app."""
    app.command("report")(report)


def report(
    formats: Annotated[
        str | None,
        typer.Option("--format", "-f", help="Formats: html,md,docx (default all three)."),
    ] = None,
    out_dir: Annotated[
        str | None,
        typer.Option("--out", help="Folder inside the study (default outputs/report)."),
    ] = None,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """Make the study report (web page, Markdown, Word) and a progress report, and commit them.

    Work packages and milestones rated red, amber or green with the reason, a
    timeline, recruitment against target, survey responses, public involvement,
    and counts of onboarding, consent and safeguarding. Nobody is named except
    as they chose to be credited.

    Example: prosper-coop report --format html,docx
    """
    from prosper_coop.report.build import make_report, parse_formats

    chosen = parse_formats(formats)
    study = open_study()
    out = output(as_json, quiet=quiet)
    result = make_report(study, formats=chosen, out=out_dir)
    if as_json:
        out.json(result.as_dict())
        return
    for name in sorted(result.paths):
        out.line(result.paths[name])
    counts = result.data["rag_counts"]
    made = "Made the study report" if result.commit else "The study report is unchanged"
    out.success(
        f"{made} from the study as saved ({result.data_commit[:8]}): work packages "
        f"{counts['green']} green, {counts['amber']} amber, {counts['red']} red."
    )
    for warning in result.warnings:
        out.warn(warning)
