"""``prosper-coop consent ...``: consent forms, withdrawal and credit preferences."""

from __future__ import annotations

from typing import Annotated

import typer

from prosper_coop.cli.common import SUBJECT, WORK_PACKAGE, PersonId, Quiet, open_study, output
from prosper_coop.cli.groups import group_app

app = group_app("consent")

SubjectArg = Annotated[
    str, typer.Argument(help="A person (CR-01) or a participant (P-0014).", parser=SUBJECT)
]


@app.command()
def record(
    subject: SubjectArg,
    form: Annotated[
        str, typer.Option("--form", help="The consent form, e.g. consent-co-researcher.")
    ],
    yes: Annotated[
        list[str] | None,
        typer.Option(
            "--yes", help="An optional item they agreed to (repeatable, or comma-separated)."
        ),
    ] = None,
    no: Annotated[
        list[str] | None,
        typer.Option(
            "--no", help="An optional item they said no to (repeatable, or comma-separated)."
        ),
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="The day consent was given (default today).")
    ] = None,
    note: Annotated[
        str, typer.Option("--note", help="Where the signed form is kept (a reference only).")
    ] = "",
    quiet: Quiet = False,
) -> None:
    """Record consent on the current version of a form, with each optional item's answer.

    Example: prosper-coop consent record CR-05 --form consent-co-researcher
    --yes quotes,reflections --no recording,future-contact
    """
    from prosper_coop.core import clock
    from prosper_coop.people import consent

    out = output(quiet=quiet)
    recorded = consent.record(
        open_study(),
        subject,
        form,
        yes=yes or [],
        no=no or [],
        given=clock.parse_date(date, "--date") if date else None,
        note=note,
    )
    out.line(recorded.run.id)
    out.success(
        f"Recorded consent of {subject} on {form} version {recorded.definition.version} "
        f"({recorded.run.id})."
    )
    if recorded.answers:
        said = ", ".join(f"{k}: {'yes' if v else 'no'}" for k, v in recorded.answers.items())
        out.info(f"Optional items: {said}")


@app.command()
def withdraw(
    subject: SubjectArg,
    scope: Annotated[
        str,
        typer.Option(
            "--scope",
            help="future (no further taking part) or all-not-yet-anonymised "
            "(also remove their data that is not yet anonymised).",
        ),
    ] = "future",
    form: Annotated[
        str | None, typer.Option("--form", help="Which form, if they consented on more than one.")
    ] = None,
    wp: Annotated[
        str | None,
        typer.Option(
            "--wp",
            help="Work package for the follow-up tasks (default: the one they own most tasks "
            "in, else the one running today, else the last).",
            parser=WORK_PACKAGE,
        ),
    ] = None,
    note: Annotated[str, typer.Option("--note", help="A short note (no personal details).")] = "",
    quiet: Quiet = False,
) -> None:
    """Record that someone withdrew consent, and create the follow-up tasks for the coordinator.

    The consent record is kept, with the withdrawal added to it.

    Example: prosper-coop consent withdraw P-0014 --scope all-not-yet-anonymised
    """
    from prosper_coop.people import consent

    out = output(quiet=quiet)
    result = consent.withdraw(open_study(), subject, scope=scope, form_id=form, wp=wp, note=note)
    out.success(f"Recorded the withdrawal of {subject} ({result.scope}) on {result.run.id}.")
    for task in result.tasks:
        out.line(task.id)
        out.info(f"  {task.id} for {task.owner}, due {task.due}: {task.title}")


@app.command()
def credit(
    person: PersonId,
    style: Annotated[
        str,
        typer.Option("--as", help="name, initials, pseudonym, group or none."),
    ],
    display: Annotated[
        str | None,
        typer.Option(
            "--display",
            help="The exact text to show in outputs (their name, initials or pseudonym).",
        ),
    ] = None,
    listed_as: Annotated[
        str | None,
        typer.Option("--listed-as", help="author or acknowledgement (default: as before)."),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Record how a person wants to be credited in outputs; they can change it any time.

    Example: prosper-coop consent credit CR-02 --as pseudonym --display "Jay" --listed-as author
    """
    from prosper_coop.people import consent

    out = output(quiet=quiet)
    updated = consent.set_credit(
        open_study(), person, style=style, display=display, listed_as=listed_as
    )
    chosen = updated.credit
    assert chosen is not None
    shown = f" ({chosen.display})" if chosen.display else ""
    out.success(f"{person} will be credited by {chosen.style}{shown}, as {chosen.credit_as}.")
