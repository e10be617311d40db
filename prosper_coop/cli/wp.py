"""``prosper-coop wp ...``: work packages, their milestones and progress."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from prosper_coop.cli.common import (
    PERSON,
    WORK_PACKAGE,
    AsJson,
    Quiet,
    id_parser,
    make_app,
    open_study,
    optional_date,
    output,
    report_with_warnings,
)
from prosper_coop.cli.groups import group_app
from prosper_coop.core import clock, ids

if TYPE_CHECKING:
    pass

app = group_app("wp")
milestone_app = make_app("Milestones inside a work package.", name="milestone")
app.add_typer(milestone_app, name="milestone")

WpId = Annotated[
    str,
    typer.Argument(help="A work package ID, e.g. WP3.", show_default=False, parser=WORK_PACKAGE),
]
MILESTONE = id_parser(ids.MILESTONE.normal, "milestone")  # m2, 2 -> M2


@app.command()
def add(
    wp_id: WpId,
    title: Annotated[str, typer.Argument(help="The work package's title.", show_default=False)],
    start: Annotated[str, typer.Option("--start", help="Start date (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--end", help="End date (YYYY-MM-DD).")],
    lead: Annotated[
        str | None, typer.Option("--lead", help="Who leads it, e.g. AC-03.", parser=PERSON)
    ] = None,
    summary: Annotated[str, typer.Option("--summary", help="A sentence or two about it.")] = "",
    quiet: Quiet = False,
) -> None:
    """Add a work package with its start and end dates.

    Example: prosper-coop wp add WP6 "Dissemination" --start 2027-06-01 --end 2027-12-31
    """
    from prosper_coop.tasks.workpackages import add_wp

    result = add_wp(
        open_study(),
        wp_id,
        title,
        start=optional_date(start, "--start"),
        end=optional_date(end, "--end"),
        lead=lead,
        summary=summary,
    )
    report_with_warnings(output(quiet=quiet), result, f"Added {wp_id}: {result.wp.title}.")


@app.command("list")
def list_(as_json: AsJson = False) -> None:
    """List work packages with their dates, leads and progress.

    Example: prosper-coop wp list
    """
    from prosper_coop.tasks.workpackages import progress

    rows = progress(open_study(), today=clock.today())
    out = output(as_json)
    if as_json:
        out.json(rows)
        return
    out.table(
        ["WP", "Title", "Start", "End", "Lead", "Done", "Overdue"],
        [
            (
                r["id"],
                r["title"],
                r["start"],
                r["end"],
                r["lead"] or "-",
                f"{r['done']}/{r['tasks']}",
                r["overdue"],
            )
            for r in rows
        ],
        empty="No work packages yet. Add one with: prosper-coop wp add",
    )


@app.command()
def show(wp_id: WpId, as_json: AsJson = False) -> None:
    """Show a work package: dates, lead, summary, milestones and task counts.

    Example: prosper-coop wp show WP3
    """
    from prosper_coop.tasks.workpackages import show_wp

    data = show_wp(open_study(), wp_id, today=clock.today())
    out = output(as_json)
    if as_json:
        out.json(data)
        return
    p = data["progress"]
    out.line(
        "\n".join(
            [
                f"{data['id']}  {data['title']}",
                f"Dates:   {data['start']} to {data['end']}",
                f"Lead:    {data.get('lead') or '-'}",
                f"Tasks:   {p['done']}/{p['tasks']} done ({p['percent']}%), {p['doing']} doing, "
                f"{p['blocked']} blocked, {p['todo']} to do, {p['overdue']} overdue",
            ]
            + ([f"\n{data['summary']}"] if data["summary"] else [])
        )
    )
    out.table(
        ["ID", "Milestone", "Due", "Met"],
        [
            (m["id"], m["title"], m["due"] + (" overdue" if m["late"] else ""), m["done"] or "-")
            for m in data["milestones"]
        ],
        title="Milestones",
        empty="No milestones yet. Add one with: prosper-coop wp milestone add",
    )


@app.command()
def edit(
    wp_id: WpId,
    title: Annotated[str | None, typer.Option("--title", help="A new title.")] = None,
    start: Annotated[str | None, typer.Option("--start", help="New start date.")] = None,
    end: Annotated[str | None, typer.Option("--end", help="New end date.")] = None,
    lead: Annotated[
        str | None, typer.Option("--lead", help="New lead, e.g. AC-03.", parser=PERSON)
    ] = None,
    summary: Annotated[str | None, typer.Option("--summary", help="New summary.")] = None,
    quiet: Quiet = False,
) -> None:
    """Change a work package's title, dates, lead or summary.

    Example: prosper-coop wp edit WP3 --end 2027-04-30
    """
    from prosper_coop.tasks.workpackages import edit_wp

    result = edit_wp(
        open_study(),
        wp_id,
        title=title,
        start=optional_date(start, "--start"),
        end=optional_date(end, "--end"),
        lead=lead,
        summary=summary,
    )
    report_with_warnings(output(quiet=quiet), result, f"Updated {wp_id}.")


@app.command("progress")
def progress_(as_json: AsJson = False) -> None:
    """Show progress bars and task counts for every work package.

    Example: prosper-coop wp progress
    """
    from prosper_coop.cli.tables import progress_bar
    from prosper_coop.tasks.workpackages import progress

    rows = progress(open_study(), today=clock.today())
    out = output(as_json)
    if as_json:
        out.json(rows)
        return
    out.table(
        ["WP", "Progress", "Done", "Doing", "Blocked", "To do", "Overdue", "Milestones"],
        [
            (
                r["id"],
                f"{progress_bar(r['percent'])} {r['percent']:>3}%",
                f"{r['done']}/{r['tasks']}",
                r["doing"],
                r["blocked"],
                r["todo"],
                r["overdue"],
                f"{r['milestones_done']}/{r['milestones']} met",
            )
            for r in rows
        ],
        title="Work package progress",
        empty="No work packages yet. Add one with: prosper-coop wp add",
    )


@milestone_app.command("add")
def milestone_add(
    wp_id: WpId,
    title: Annotated[str, typer.Argument(help="What the milestone is.", show_default=False)],
    due: Annotated[str, typer.Option("--due", help="Due date (YYYY-MM-DD).")],
    milestone_id: Annotated[
        str | None,
        typer.Option("--id", help="Milestone ID (default: the next M number).", parser=MILESTONE),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Add a milestone to a work package.

    Example: prosper-coop wp milestone add WP3 "Case study sites agreed" --due 2026-12-15
    """
    from prosper_coop.tasks.workpackages import add_milestone

    result = add_milestone(
        open_study(), wp_id, title, due=optional_date(due, "--due"), milestone_id=milestone_id
    )
    assert result.milestone is not None
    out = output(quiet=quiet)
    out.line(result.milestone.id)
    report_with_warnings(out, result, f"Added milestone {result.milestone.id} to {wp_id}.")


@milestone_app.command("done")
def milestone_done(
    wp_id: WpId,
    milestone_id: Annotated[
        str, typer.Argument(help="The milestone, e.g. M2.", show_default=False, parser=MILESTONE)
    ],
    on: Annotated[
        str | None, typer.Option("--on", help="The date it was met (default today).")
    ] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Mark it as not met after all.")] = False,
    quiet: Quiet = False,
) -> None:
    """Mark a milestone as met (or, with --undo, as not met).

    Example: prosper-coop wp milestone done WP3 M2
    """
    from prosper_coop.tasks.workpackages import complete_milestone

    day = optional_date(on, "--on") if on else clock.today()
    result = complete_milestone(open_study(), wp_id, milestone_id, on=day, undo=undo)
    message = f"{milestone_id} of {wp_id} is " + ("open again." if undo else f"met ({day}).")
    report_with_warnings(output(quiet=quiet), result, message)
