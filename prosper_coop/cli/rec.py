"""``prosper-coop rec ...``: recommendations for commissioners, providers, policy, practice."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from prosper_coop.cli.common import AsJson, Quiet, id_list_parser, id_parser, open_study, output
from prosper_coop.cli.groups import group_app
from prosper_coop.core import ids

app = group_app("rec")

THEME = id_parser(ids.THEME.normal, "theme")  # th1, 1 -> TH1
WORK_PACKAGES = id_list_parser(ids.WORK_PACKAGE.normal, "wps")  # wp2,3 -> WP2,WP3
RecId = Annotated[
    str,
    typer.Argument(
        help="A recommendation ID, e.g. R-001 (or just 1).",
        parser=id_parser(ids.RECOMMENDATION.normal, "rec"),
    ),
]
AUDIENCE_HELP = "Who it is for: commissioners, providers, policy or practice."


def _row(rec: Any) -> dict[str, Any]:
    data: dict[str, Any] = rec.model_dump(mode="json", exclude={"conflicts"})
    return data


@app.command("add")
def add(
    text: Annotated[str, typer.Argument(help="The recommendation, in plain words.")],
    audience: Annotated[str, typer.Option("--audience", "-a", help=AUDIENCE_HELP)],
    theme: Annotated[
        str, typer.Option("--theme", "-t", help="The theme it rests on, e.g. TH1.", parser=THEME)
    ],
    priority: Annotated[
        str, typer.Option("--priority", "-p", help="high, medium or low.")
    ] = "medium",
    evidence: Annotated[
        str,
        typer.Option("--evidence", "-e", help="Work packages, e.g. WP2,WP3.", parser=WORK_PACKAGES),
    ] = "",
    quiet: Quiet = False,
) -> None:
    """Add a recommendation.

    Example: prosper-coop rec add "Fund services for three years." -a commissioners -t TH1
    """
    from prosper_coop.outputs import findings

    rec = findings.add_recommendation(
        open_study(), text, audience=audience, theme=theme, priority=priority, evidence=evidence
    )
    out = output(quiet=quiet)
    out.line(rec.id)
    out.success(f"Added {rec.id} for {rec.audience} (theme {rec.theme}).")


@app.command("edit")
def edit(
    rec_id: RecId,
    text: Annotated[str | None, typer.Option("--text", help="New wording.")] = None,
    audience: Annotated[str | None, typer.Option("--audience", "-a", help=AUDIENCE_HELP)] = None,
    theme: Annotated[
        str | None, typer.Option("--theme", "-t", help="Another theme.", parser=THEME)
    ] = None,
    priority: Annotated[
        str | None, typer.Option("--priority", "-p", help="high, medium or low.")
    ] = None,
    evidence: Annotated[
        str | None,
        typer.Option("--evidence", "-e", help="Work packages, e.g. WP2,WP3.", parser=WORK_PACKAGES),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Change a recommendation's wording, audience, theme, priority or evidence.

    Example: prosper-coop rec edit R-003 --priority high
    """
    from prosper_coop.outputs import findings

    rec = findings.edit_recommendation(
        open_study(),
        rec_id,
        text=text,
        audience=audience,
        theme=theme,
        priority=priority,
        evidence=evidence,
    )
    output(quiet=quiet).success(f"Changed {rec.id}.")


@app.command("list")
def list_(
    audience: Annotated[str | None, typer.Option("--audience", "-a", help=AUDIENCE_HELP)] = None,
    theme: Annotated[
        str | None, typer.Option("--theme", "-t", help="Only this theme.", parser=THEME)
    ] = None,
    as_json: AsJson = False,
) -> None:
    """List recommendations, optionally for one audience or theme.

    Example: prosper-coop rec list --audience commissioners
    """
    from prosper_coop.outputs import findings

    if theme is not None:
        ids.THEME.check(theme)  # a filter that could match nothing is refused, not empty
    recs = findings.list_recommendations(open_study(), audience=audience, theme=theme)
    out = output(as_json)
    if as_json:
        out.json([_row(rec) for rec in recs])
        return
    out.table(
        ["ID", "Audience", "Theme", "Priority", "Recommendation"],
        [(r.id, r.audience, r.theme, r.priority, r.text) for r in recs],
        empty="No recommendations match.",
    )


@app.command("show")
def show(rec_id: RecId, as_json: AsJson = False) -> None:
    """Show one recommendation.

    Example: prosper-coop rec show R-001
    """
    from prosper_coop.outputs import findings

    study = open_study()
    rec = findings.load_recommendation(study, rec_id)
    out = output(as_json)
    if as_json:
        out.json(_row(rec))
        return
    out.line(f"{rec.id}: {rec.text}")
    out.line(f"  For: {rec.audience}   Priority: {rec.priority}   Theme: {rec.theme}")
    if rec.evidence:
        out.line(f"  Evidence: {', '.join(rec.evidence)}")
