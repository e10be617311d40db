"""``prosper-coop onboard ID``: start or resume a person's onboarding checklist."""

from __future__ import annotations

from typing import Annotated

import typer

from prosper_coop.cli.common import PersonId, open_study, output


def register(app: typer.Typer) -> None:
    """Add the top-level ``onboard`` command to the root app."""
    app.command()(onboard)


def onboard(
    person_id: PersonId,
    start_only: Annotated[
        bool,
        typer.Option("--start-only", help="Start or find the run and print its ID; ask nothing."),
    ] = False,
) -> None:
    """Start (or carry on with) a person's onboarding checklist, one item at a time.

    Example: prosper-coop onboard CR-05
    """
    from prosper_coop.cli.checklist import walk
    from prosper_coop.people import team as people

    out = output()
    study = open_study()
    started = people.start_onboarding(study, person_id)
    if started.created:
        out.success(f"Started {started.definition.title} for {person_id} as {started.run.id}.")
    else:
        out.info(f"Carrying on with {started.run.id} ({started.definition.title}).")
    if start_only:
        out.line(started.run.id)
        return
    walk(out, study, started.run.id)
