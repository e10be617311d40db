"""``prosper-coop involve ...``: the involvement log of public contributors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from prosper_coop.cli.common import PERSON, AsJson, PersonId, Quiet, open_study, output
from prosper_coop.cli.groups import group_app

if TYPE_CHECKING:
    import datetime as dt

app = group_app("involve")

FromDate = Annotated[
    str | None, typer.Option("--from", help="From this date (YYYY-MM-DD), inclusive.")
]
ToDate = Annotated[
    str | None, typer.Option("--to", help="Up to this date (YYYY-MM-DD), inclusive.")
]


def _dates(start: str | None, end: str | None) -> tuple[dt.date | None, dt.date | None]:
    from prosper_coop.core import clock

    return (
        clock.parse_date(start, "--from") if start else None,
        clock.parse_date(end, "--to") if end else None,
    )


@app.command("log")
def log(
    person: PersonId,
    date: Annotated[str, typer.Option("--date", "-d", help="The day (YYYY-MM-DD or today).")],
    hours: Annotated[str, typer.Option("--hours", help="Hours given, e.g. 2.5.")],
    activity: Annotated[str, typer.Option("--activity", "-a", help="What they did.")],
    expenses: Annotated[
        str, typer.Option("--expenses", help="Expenses to pay back, e.g. 12.40.")
    ] = "0",
    impact: Annotated[
        str, typer.Option("--impact", help="What changed because of it (for GRIPP2).")
    ] = "",
    quiet: Quiet = False,
) -> None:
    """Log time a public contributor gave to the study.

    Example: prosper-coop involve log CR-02 --date 2026-11-20 --hours 3 --activity Workshop
    """
    from prosper_coop.core import clock
    from prosper_coop.outputs import involvement

    entry = involvement.log_time(
        open_study(),
        person,
        date=clock.parse_date(date, "--date"),
        hours=hours,
        activity=activity,
        expenses=expenses,
        impact=impact,
    )
    out = output(quiet=quiet)
    out.line(entry.id)
    out.success(f"Logged {entry.hours:g} hours for {entry.person} on {entry.date} ({entry.id}).")


@app.command("list")
def list_(
    person: Annotated[
        str | None, typer.Option("--person", help="Only this person.", parser=PERSON)
    ] = None,
    start: FromDate = None,
    end: ToDate = None,
    as_json: AsJson = False,
) -> None:
    """List log entries, oldest first.

    Example: prosper-coop involve list --person CR-02 --from 2026-01-01
    """
    from prosper_coop.core import ids
    from prosper_coop.outputs import involvement

    if person is not None:
        ids.check_pattern(person, ids.PERSON_ID, "person ID", "CR-01")
    since, until = _dates(start, end)
    entries = involvement.list_entries(open_study(), person=person, start=since, end=until)
    out = output(as_json)
    if as_json:
        out.json([e.model_dump(mode="json", exclude={"conflicts"}) for e in entries])
        return
    out.table(
        ["ID", "Date", "Person", "Hours", "Activity", "Expenses"],
        [
            (e.id, e.date, e.person, f"{e.hours:g}", e.activity, f"{e.expenses:.2f}")
            for e in entries
        ],
        empty="No involvement logged for this choice.",
    )


@app.command("report")
def report(
    start: FromDate = None,
    end: ToDate = None,
    as_json: AsJson = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV for a spreadsheet.")] = False,
) -> None:
    """Hours, payments and expenses per person, at the rates in study.yaml.

    Example: prosper-coop involve report --from 2026-04-01 --to 2027-03-31 --csv
    """
    from prosper_coop.core.errors import InvalidInputError
    from prosper_coop.outputs import involvement

    if as_json and as_csv:
        raise InvalidInputError("choose --json or --csv, not both")
    since, until = _dates(start, end)
    result = involvement.build_report(open_study(), start=since, end=until)
    out = output(as_json)
    if as_json:
        out.json(result.as_dict())
        return
    if as_csv:
        out.data(involvement.report_csv(result).rstrip("\n"))
        return
    cur = result.currency
    rows = [
        (
            p["person"],
            p["entries"],
            f"{p['hours']:g}",
            f"{p['payment']:.2f}",
            f"{p['expenses']:.2f}",
            f"{p['total']:.2f}",
        )
        for p in [person.as_dict() for person in result.people]
    ]
    totals = result.totals
    if rows:
        rows.append(
            (
                "Total",
                totals["entries"],
                f"{totals['hours']:g}",
                f"{totals['payment']:.2f}",
                f"{totals['expenses']:.2f}",
                f"{totals['total']:.2f}",
            )
        )
    out.table(
        ["Person", "Entries", "Hours", f"Payment ({cur})", f"Expenses ({cur})", f"Total ({cur})"],
        rows,
        title="Involvement",
        empty="No involvement logged in this period.",
    )
    for rate in result.rates_used:
        out.info(f"Rate {rate['hourly']:.2f} {cur} an hour from {rate['as_of']}: {rate['source']}")
    if totals["hours_without_rate"]:
        out.warn(
            f"{totals['hours_without_rate']:g} hours fall before the first rate in study.yaml "
            "(involvement.rates) and are not priced."
        )
    if rows:
        out.info("Payments can affect state benefits: check with each person before paying.")
