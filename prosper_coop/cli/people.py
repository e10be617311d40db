"""``prosper-coop people ...``: the study team under pseudonymous IDs."""

from __future__ import annotations

from typing import Annotated

import typer

from prosper_coop.cli.common import PERSON, AsJson, PersonId, Quiet, open_study, output
from prosper_coop.cli.groups import group_app

app = group_app("people")

ROLE_HELP = (
    "coordinator, co-researcher, co-applicant, academic, safeguarding-lead, "
    "wellbeing-lead or ppi-lead"
)


@app.command()
def add(
    role: Annotated[
        list[str],
        typer.Option("--role", "-r", help=f"A role ({ROLE_HELP}); repeat for several."),
    ],
    alias: Annotated[
        str,
        typer.Option(
            "--alias", help="A pseudonymous label, e.g. 'Co-researcher F' (never a real name)."
        ),
    ],
    person_id: Annotated[
        str | None,
        typer.Option(
            "--id",
            help="The study ID (default: the next free one for the role, e.g. CR-06).",
            parser=PERSON,
        ),
    ] = None,
    joined: Annotated[
        str | None, typer.Option("--joined", help="Date they joined (YYYY-MM-DD; default today).")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Add a person under a pseudonymous study ID (real names are never asked for here).

    Example: prosper-coop people add --role co-researcher --alias "Co-researcher F"
    """
    from prosper_coop.core import clock
    from prosper_coop.people import team as people

    out = output(quiet=quiet)
    person = people.add_person(
        open_study(),
        roles=role,
        alias=alias,
        person_id=person_id,
        joined=clock.parse_date(joined, "--joined") if joined else None,
    )
    out.line(person.id)
    out.success(f"Added {person.id} ({person.alias}).")
    if "co-researcher" in person.roles:
        out.info(f"Next: start their onboarding with: prosper-coop onboard {person.id}")


@app.command("list")
def list_(
    role: Annotated[
        str | None, typer.Option("--role", "-r", help="Only people with this role.")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="Only people who are active, or who left.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """List the people in the study, with their roles and status.

    Example: prosper-coop people list --role co-researcher
    """
    from prosper_coop.people import team as people

    found = people.list_people(open_study(), role=role, status=status)
    out = output(as_json)
    if as_json:
        out.json([p.model_dump(mode="json", exclude={"conflicts", "age_recipient"}) for p in found])
        return
    out.table(
        ["ID", "Alias", "Roles", "Status", "Joined", "Left", "Credit"],
        [
            [
                p.id,
                p.alias,
                ", ".join(str(r) for r in p.roles),
                str(p.status),
                p.joined,
                p.left or "",
                str(p.credit.style) if p.credit else "not asked",
            ]
            for p in found
        ],
        empty="Nobody matches.",
    )


@app.command()
def show(person_id: PersonId, as_json: AsJson = False) -> None:
    """Show a person: roles, dates, credit preference, checklists and open tasks.

    Example: prosper-coop people show CR-05
    """
    from prosper_coop.cli import people_tables
    from prosper_coop.people import team as people

    found = people.summary(open_study(), person_id)
    out = output(as_json)
    if as_json:
        out.json(found.as_dict())
    else:
        people_tables.person_detail(out, found)


@app.command()
def edit(
    person_id: PersonId,
    alias: Annotated[str | None, typer.Option("--alias", help="A new pseudonymous alias.")] = None,
    add_role: Annotated[
        list[str] | None, typer.Option("--add-role", help="Give them another role (repeatable).")
    ] = None,
    remove_role: Annotated[
        list[str] | None, typer.Option("--remove-role", help="Take a role away (repeatable).")
    ] = None,
    joined: Annotated[
        str | None, typer.Option("--joined", help="Correct the date they joined.")
    ] = None,
    notes: Annotated[
        str | None,
        typer.Option("--notes", help="Shared notes (no names, contact details or health details)."),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Change a person's alias, roles, joining date or notes.

    Example: prosper-coop people edit CR-05 --add-role co-applicant
    """
    from prosper_coop.core import clock
    from prosper_coop.people import team as people

    out = output(quiet=quiet)
    person = people.edit_person(
        open_study(),
        person_id,
        alias=alias,
        add_roles=add_role or [],
        remove_roles=remove_role or [],
        joined=clock.parse_date(joined, "--joined") if joined else None,
        notes=notes,
    )
    out.success(f"Updated {person.id} ({person.alias}).")


@app.command()
def leave(
    person_id: PersonId,
    reassign_to: Annotated[
        str | None,
        typer.Option("--reassign-to", help="Hand their open tasks to this person.", parser=PERSON),
    ] = None,
    close_tasks: Annotated[
        bool, typer.Option("--close-tasks", help="Close their open tasks instead.")
    ] = False,
    date: Annotated[
        str | None, typer.Option("--date", help="The day they left (YYYY-MM-DD; default today).")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Offboard a person: mark them as left, hand over their tasks, start offboarding.

    One commit: the person is marked as left, their open tasks are reassigned (or
    closed), and the offboarding checklist is started.

    Example: prosper-coop people leave CR-03 --reassign-to CR-04
    """
    from prosper_coop.core import clock
    from prosper_coop.people import team as people

    out = output(quiet=quiet)
    result = people.leave(
        open_study(),
        person_id,
        reassign_to=reassign_to,
        close_tasks=close_tasks,
        left=clock.parse_date(date, "--date") if date else None,
    )
    out.success(f"Recorded that {person_id} ({result.person.alias}) left on {result.person.left}.")
    if result.reassigned:
        out.info(f"Reassigned to {result.reassigned_to}: {', '.join(result.reassigned)}")
    if result.closed:
        out.info(f"Closed: {', '.join(result.closed)}")
    if result.offboarding_run:
        out.line(result.offboarding_run)
        out.info(
            "Work through the offboarding checklist with: "
            f"prosper-coop checklist run {result.offboarding_run}"
        )


# identity and erase (sensitive: encrypted to the coordinators)
__import__("prosper_coop.cli.people_sensitive", fromlist=["register"]).register(
    app
)  # identity, erase
