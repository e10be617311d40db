"""``prosper-coop recruit ...``: recruitment targets and how each stands against its plan."""

from __future__ import annotations

from typing import Annotated

import typer

from prosper_coop.cli.common import AsJson, Quiet, open_study, output
from prosper_coop.cli.groups import group_app

app = group_app("recruit")


@app.command()
def target(
    wp: Annotated[str, typer.Option("--wp", help="The work package, e.g. WP3.")],
    group: Annotated[
        str, typer.Option("--group", help='The participant group, e.g. "survivors (focus groups)".')
    ],
    count: Annotated[int, typer.Option("--count", help="How many to recruit, e.g. 16.")],
    by: Annotated[str, typer.Option("--by", help="The due date (YYYY-MM-DD).")],
    site: Annotated[
        str | None, typer.Option("--site", help="Only at this site, e.g. SITE1.")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--start", help="When recruiting starts (default: the work package's start)."),
    ] = None,
    curve: Annotated[
        str,
        typer.Option(
            "--curve",
            help="The planned curve: even (a straight line), or totals by date, e.g. "
            '"2027-01-31:4,2027-03-31:10".',
        ),
    ] = "even",
    quiet: Quiet = False,
) -> None:
    """Set a recruitment target (RT1, RT2, ...) with its planned curve: one commit.

    Example: prosper-coop recruit target --wp WP3 --group "survivors (focus groups)"
    --count 16 --by 2027-06-30 --curve "2027-01-31:4,2027-03-31:10"
    """
    from prosper_coop.core import clock
    from prosper_coop.recruitment.targets import add_target

    added = add_target(
        open_study(),
        wp=wp,
        group=group,
        count=count,
        due=clock.parse_date(by, "--by"),
        start=clock.parse_date(start, "--start") if start is not None else None,
        site=site,
        curve=curve,
    )
    out = output(quiet=quiet)
    out.line(added.id)
    where = f" at {added.site}" if added.site else ""
    out.success(
        f"Set target {added.id}: {added.count} {added.group} for {added.wp}{where}, "
        f"from {added.start} to {added.due}."
    )
    out.info("See how it stands with: prosper-coop recruit status")


@app.command()
def status(
    wp: Annotated[str | None, typer.Option("--wp", help="Only this work package.")] = None,
    as_json: AsJson = False,
) -> None:
    """Show every target against its plan: recruited, time gone, expected by now.

    A target is "behind plan" when it is below its planned curve by more than the
    study's margin (study.yaml, recruitment: behind_by_points, 20 unless changed).

    Example: prosper-coop recruit status --wp WP3
    """
    from prosper_coop.cli import recruitment_tables
    from prosper_coop.recruitment.participants import check_wp_id
    from prosper_coop.recruitment.progress import target_progress

    study = open_study()
    wanted = check_wp_id(wp) if wp is not None else None
    found = [
        item.as_dict()
        for item in target_progress(study, study.today())
        if wanted is None or item.wp == wanted
    ]
    out = output(as_json)
    if as_json:
        out.json(found)
    else:
        recruitment_tables.targets(out, found)
