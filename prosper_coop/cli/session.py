"""``prosper-coop session ...``: data-collection sessions and their safeguarding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from prosper_coop.cli.common import (
    SESSION,
    WORK_PACKAGE,
    AsJson,
    Quiet,
    id_list_parser,
    open_study,
    output,
)
from prosper_coop.cli.groups import group_app
from prosper_coop.core import ids
from prosper_coop.core.errors import InvalidInputError

if TYPE_CHECKING:
    from prosper_coop.core.study import Study
    from prosper_coop.people.models import DebriefChoice, Session

app = group_app("session")

SessionId = Annotated[
    str, typer.Argument(help="A session ID, e.g. S-0002 (or just 2).", parser=SESSION)
]


@app.command()
def add(
    session_type: Annotated[
        str, typer.Option("--type", help="focus-group, interview or workshop.")
    ],
    date: Annotated[str, typer.Option("--date", help="The day of the session (YYYY-MM-DD).")],
    facilitators: Annotated[
        list[str],
        typer.Option(
            "--facilitators",
            help="Facilitator IDs, e.g. CR-02,AC-01.",
            parser=id_list_parser(ids.person_id, "people"),
        ),
    ],
    wp: Annotated[
        str | None, typer.Option("--wp", help="The work package, e.g. WP4.", parser=WORK_PACKAGE)
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="A short title (no participant details).")
    ] = None,
    session_id: Annotated[
        str | None,
        typer.Option("--id", help="The session ID (default: the next free one).", parser=SESSION),
    ] = None,
    mode: Annotated[
        str | None, typer.Option("--mode", help="How it is held: in-person, online or phone.")
    ] = None,
    participants: Annotated[
        list[str] | None,
        typer.Option(
            "--participant",
            help="A participant taking part, e.g. P-0001 (repeatable, or P-0001,P-0002).",
            parser=id_list_parser(ids.PARTICIPANT.normal, "participant"),
        ),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Plan a session and start its safeguarding checklist (one commit).

    Example: prosper-coop session add --type interview --date 2026-12-03
    --facilitators CR-02,AC-04 --wp WP4 --mode online --participant P-0005
    """
    from prosper_coop.core import clock
    from prosper_coop.people import sessions

    out = output(quiet=quiet)
    added = sessions.add(
        open_study(),
        session_type=session_type,
        date=clock.parse_date(date, "--date"),
        facilitators=facilitators,
        wp=wp,
        title=title,
        session_id=session_id,
        participants=participants or [],
        mode=mode,
    )
    out.line(added.session.id)
    out.success(f"Planned {added.session.type} {added.session.id} on {added.session.date}.")
    for run in added.runs:
        out.info(
            f"Safeguarding checklist {run.definition} started as {run.id}: "
            f"prosper-coop checklist run {run.id}"
        )


@app.command("list")
def list_(
    status: Annotated[
        str | None, typer.Option("--status", help="Only planned, started or closed sessions.")
    ] = None,
    wp: Annotated[
        str | None, typer.Option("--wp", help="Only this work package.", parser=WORK_PACKAGE)
    ] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only sessions you facilitate.")] = False,
    as_json: AsJson = False,
) -> None:
    """List sessions with their date, facilitators and safeguarding state.

    Example: prosper-coop session list --status planned
    """
    from prosper_coop.cli import people_tables
    from prosper_coop.people import sessions

    study = open_study()
    if wp is not None:
        ids.WORK_PACKAGE.check(wp)  # a filter that could match nothing is refused, not empty
    found = sessions.list_sessions(study, status=status, wp=wp)
    if mine:
        me = study.actor()
        found = [view for view in found if me in view.session.facilitators]
    out = output(as_json)
    if as_json:
        out.json([v.as_dict() for v in found])
    elif mine and not found:
        match = " that match" if status or wp else ""
        out.info(
            f"You ({me}) are not down to facilitate any sessions{match}. "
            "See every session with: prosper-coop session list"
        )
    else:
        people_tables.sessions_table(out, found)


@app.command()
def show(session_id: SessionId, as_json: AsJson = False) -> None:
    """Show one session: facilitators, status, safeguarding and debriefs.

    Example: prosper-coop session show S-0002
    """
    from prosper_coop.cli import people_tables
    from prosper_coop.people import sessions

    study = open_study()
    found = sessions.show(study, session_id)
    chosen = _readable_choices(study, found.session)
    out = output(as_json)
    if as_json:
        data = found.as_dict()
        data["debriefs"] = [
            {**debrief.model_dump(mode="json"), "choice": chosen.get(debrief.facilitator)}
            for debrief in found.session.debriefs
        ]
        out.json(data)
        return
    people_tables.sessions_table(out, [found])
    if found.session.mode is not None:
        out.render(f"Held {found.session.mode}.")
    if found.session.participants:
        out.render(f"Participants: {', '.join(found.session.participants)}")
    for debrief in found.session.debriefs:
        choice = chosen.get(debrief.facilitator)
        out.render(
            f"Debrief offered to {debrief.facilitator} on {debrief.offered_at.date()} "
            f"by {debrief.offered_by}: "
            + (str(choice) if choice else "their choice is kept for them and the wellbeing lead")
        )


def _readable_choices(study: Study, session: Session) -> dict[str, DebriefChoice]:
    """The debrief choices the acting person's key opens; none when they hold no key."""
    from prosper_coop.cli.support import keyring
    from prosper_coop.core.errors import KeyProblemError
    from prosper_coop.people import sessions

    if not session.debriefs or not sessions.may_read_choices(study, session):
        return {}
    try:
        return sessions.read_choices(session, keyring(study))
    except KeyProblemError:  # no key here: show that a debrief was offered, not the choice
        return {}


@app.command()
def start(
    session_id: SessionId,
    override: Annotated[
        str | None,
        typer.Option(
            "--override",
            help="Start although a facilitator is not onboarded or has no consent on record "
            "(the safeguarding lead or coordinator only); say why in a few words, with no "
            "personal details. It is kept in the session.",
        ),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Start a session: refused, with what is missing, until its safeguarding checklist is
    done and every facilitator is onboarded with consent on record.

    Warns when the session was planned for another day.

    Example: prosper-coop session start S-0002
    """
    from prosper_coop.people import sessions

    out = output(quiet=quiet)
    started = sessions.start(open_study(), session_id, override=override)
    session = started.session
    out.success(f"Session {session.id} has started. Safeguarding checklist complete.")
    if session.started_despite is not None:
        out.warn(
            "started although a facilitator was not ready ("
            + "; ".join(session.started_despite.gaps)
            + f"), as {session.started_despite.by} decided. This is kept in the session."
        )
    for warning in started.warnings:
        out.warn(warning)
    out.info("If someone becomes distressed, follow the distress protocol in protocols/.")
    out.info(f"Afterwards: prosper-coop session close {session.id}")


def _debrief(value: str) -> str:
    """``cr-2=later`` -> ``CR-02=later``: the facilitator's ID in its stored form."""
    person, sep, choice = value.partition("=")
    return f"{ids.person_id(person)}{sep}{choice}" if sep else value


@app.command()
def close(
    session_id: SessionId,
    debrief: Annotated[
        list[str] | None,
        typer.Option(
            "--debrief",
            help="What a facilitator chose, as PERSON=now|later|declined (repeatable). "
            "You are asked about anyone not given.",
            parser=_debrief,
        ),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Close a session, offering each facilitator a debrief and recording their choice.

    Example: prosper-coop session close S-0002 --debrief CR-02=later --debrief AC-04=declined
    """
    from prosper_coop.people import sessions

    out = output(quiet=quiet)
    study = open_study()
    choices = sessions.parse_debriefs(debrief or [])
    session = sessions.show(study, session_id).session
    for person_id in session.facilitators:
        if person_id in choices:
            continue
        out.info(
            f"Offer {person_id} a debrief: a chance to talk about how the session felt. "
            "It is their choice: now, later, or not at all."
        )
        while True:
            try:
                answer = typer.prompt(
                    f"What did {person_id} choose? (now / later / declined)",
                    default="later",
                    err=True,
                )
            except typer.Abort:  # no one at the keyboard: ask for the flags instead
                raise InvalidInputError(
                    f"say what {person_id} chose about a debrief",
                    f"Add --debrief {person_id}=now|later|declined. Nothing was changed.",
                ) from None
            try:
                choices[person_id] = sessions.parse_choice(answer)
                break
            except InvalidInputError:  # a typo: ask again
                out.info("Please type now, later or declined.")
    closed = sessions.close(study, session_id, choices)
    out.success(f"Closed session {closed.id}; a debrief was offered to each facilitator.")
    for person_id in closed.facilitators:
        out.info(f"  {person_id}: {choices[person_id]}")
    out.info(
        "Their choices are kept encrypted for them and the wellbeing lead; a follow-up task "
        "reminds the lead to check in with the facilitators."
    )
