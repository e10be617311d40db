"""``prosper-coop calendar``: the study's dates as an iCalendar file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from prosper_coop.cli.common import WORK_PACKAGE, open_study, output


def register(app: typer.Typer) -> None:
    """Add ``calendar`` to the root app."""
    app.command()(calendar)


def calendar(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write the calendar to this file (default: print it, to redirect into one).",
            show_default=False,
        ),
    ] = None,
    mine: Annotated[
        bool,
        typer.Option(
            "--mine",
            help="Only your own: sessions you facilitate, tasks you own, milestones of "
            "work packages you lead.",
        ),
    ] = False,
    wp: Annotated[
        str | None,
        typer.Option("--wp", help="Only this work package (e.g. WP3).", parser=WORK_PACKAGE),
    ] = None,
) -> None:
    """Write the study's sessions, milestones and due tasks as a calendar file (.ics).

    Import the file into your calendar. Importing a newer one updates the events it
    added before, rather than adding them twice. Events name sessions by their kind
    and ID only, never their notes or who takes part.

    Example: prosper-coop calendar --mine --out my-study.ics
    """
    import datetime as dt

    from prosper_coop.calendar.feed import Choice, events, to_ics
    from prosper_coop.core.fsutil import atomic_write

    study = open_study()
    person = study.actor() if mine else None
    found = events(study, Choice(person=person, wp=wp))
    data = to_ics(study, found, now=dt.datetime.now(dt.UTC))
    if out is None:
        sys.stdout.buffer.write(data)
        return
    atomic_write(out, data)
    output().info(f"Wrote {len(found)} events to {out}. Import it into your calendar.")
