"""``prosper-coop checkin`` and ``prosper-coop wellbeing ...``: check-ins, plans, alerts."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from prosper_coop.cli.common import PERSON, AsJson, Quiet, ask_until, id_parser, open_study, output
from prosper_coop.cli.groups import group_app
from prosper_coop.cli.private_input import hidden_option
from prosper_coop.core.errors import InvalidInputError, UserError
from prosper_coop.core.ids import ALERT

if TYPE_CHECKING:
    from prosper_coop.core.study import Study
    from prosper_coop.wellbeing.config import CheckinSettings

app = group_app("wellbeing")


def register(root_app: typer.Typer) -> None:
    """Add ``checkin`` to the root app."""
    root_app.command()(checkin)


def checkin(
    distress: Annotated[
        str | None,
        typer.Option(
            "--distress", "-d", help="How much distress you feel, 0 (none) to 10: 3 or three."
        ),
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option("--contact", help="Would you like someone to contact you? yes or no."),
    ] = None,
    from_stdin: Annotated[
        bool,
        typer.Option(
            "--from-stdin",
            help="Read the answers from stdin as lines of distress:, contact: and note: "
            "(for scripts; nothing shows on the command line).",
        ),
    ] = False,
    note: Annotated[str | None, hidden_option("--note")] = None,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """Check in: how you are feeling, and whether you would like someone to contact you.

    Asks the questions when no --distress is given (the last one is for anything
    you would like to add). Only you and the wellbeing lead(s) can read what you
    say, and whether it raised an alert; the rest of the team can see only that
    you checked in.

    Example: prosper-coop checkin --distress 3 --contact no
    """
    from prosper_coop.cli.support import show_support_now

    out = output(as_json, quiet)
    try:
        study, settings, result, rating, wants_contact = _record(
            distress, contact, note, from_stdin
        )
    except _AnswerRefused:
        raise  # its hint already says where support is
    except InvalidInputError as exc:
        # A mistake in how the command was typed: what to do, and where support is.
        raise _refused(exc, _study_root_or_none(), distress, contact) from None
    except (UserError, typer.Abort, EOFError) as exc:
        # Whatever went wrong, the person still gets support, and the truth.
        with contextlib.suppress(UserError, OSError):
            show_support_now(_study_root_or_none())
        out.info("Your check-in was not saved, so nobody has been told about it.")
        if isinstance(exc, UserError):
            raise
        raise UserError(
            "the check-in needs a rating from 0 to 10",
            "Run it again with, for example: prosper-coop checkin --distress 5 --contact no",
        ) from None
    if as_json:
        out.json(
            {
                "checkin": result.checkin,
                "alert": result.alert,
                "readers": list(result.readers.people),
            }
        )
        return
    out.success(f"Saved your check-in ({result.checkin}). {settings.thanks}")
    out.info(f"Who can read it: {result.readers.describe(study.actor())}.")
    if result.readers.owner_without_key:
        out.info(
            "You have not set up a key, so you will not be able to read it back yourself. "
            "You can set one up any time with: prosper-coop keys init"
        )
    if result.alert_unseen:
        out.info(
            "We could not let the wellbeing lead know: they have not set up a key yet, so "
            "they cannot read alerts. If you would like to talk, please contact them "
            "directly; the services above are there for you too."
        )
    elif result.alert:
        out.info(
            "We have let the wellbeing lead know that you would like to be contacted. "
            "It is fine to change your mind when they get in touch."
            if wants_contact
            else "Because your rating was high, we have let the wellbeing lead know, so they "
            "can offer support. It is your choice whether to take it up."
        )
        out.info(
            "Only you and the wellbeing lead(s) can see the alert. The rest of the team "
            "cannot tell whether a check-in raised one."
        )
    elif settings.shows_support(rating, wants_contact):
        out.info(
            "If you would like someone to get in touch, you can check in again at any "
            "time and answer yes."
        )
    if result.alert and not result.alert_unseen and _has_remote(study):
        out.info(
            "The wellbeing lead will see the alert once this study is synced. To send it "
            "now, run: prosper-coop sync. If you need help before then, the services "
            "above are there for you."
        )


CHECKIN_FIELDS = {"distress": "distress", "contact": "contact", "note": "note"}
CHECKIN_EXAMPLE = (
    "printf 'distress: 3\\ncontact: no\\nnote: a long day\\n' | prosper-coop checkin --from-stdin"
)
SUPPORT_LINE = "Support is there any time: prosper-coop support"


class _AnswerRefused(InvalidInputError):
    """A check-in answer that does not fit; its hint says where support is."""


def _record(
    distress: str | None, contact: str | None, note: str | None, from_stdin: bool
) -> tuple[Study, CheckinSettings, Any, int, bool]:
    """Ask or read the answers, show support at once when it applies, then save."""
    from prosper_coop.cli.private_input import read_stdin_fields, refuse_options
    from prosper_coop.cli.support import show_support_now
    from prosper_coop.wellbeing.checkins import record_checkin
    from prosper_coop.wellbeing.config import checkin_settings

    refuse_options(
        {"--note": note},
        "Run prosper-coop checkin to be asked (the last question is for a note), or pipe "
        f"the answers in: {CHECKIN_EXAMPLE}",
    )
    study = open_study(acting=True)
    settings = checkin_settings(study.root)
    text = ""
    if from_stdin:
        answers = read_stdin_fields(CHECKIN_FIELDS, "the check-in", CHECKIN_EXAMPLE)
        distress = answers.get("distress", distress)
        contact = answers.get("contact", contact)
        text = answers.get("note", "")
    try:
        given = _given_answers(distress, contact, from_stdin, settings)
    except InvalidInputError as exc:
        raise _refused(exc, study.root, distress, contact) from None
    if given is None:
        rating, wants_contact, text = _ask(study, settings)
    else:
        rating, wants_contact = given
    if settings.shows_support(rating, wants_contact):
        show_support_now(study.root)  # at once: before git or encryption is touched
    result = record_checkin(study, settings, distress=rating, contact=wants_contact, note=text)
    return study, settings, result, rating, wants_contact


def _given_answers(
    distress: str | None, contact: str | None, from_stdin: bool, settings: CheckinSettings
) -> tuple[int, bool] | None:
    """The rating and the wish for contact given as options or on stdin; None: ask them."""
    import sys

    from prosper_coop.wellbeing.checkins import parse_rating, parse_yes_no

    scale = f"from {settings.scale_min} to {settings.scale_max}"
    if distress is None:
        if from_stdin:
            raise InvalidInputError(
                f"the check-in needs a rating {scale} (a line distress: N on stdin)",
                f"Nothing was saved. For example: {CHECKIN_EXAMPLE}",
            )
        if not sys.stdin.isatty() and contact is not None:
            raise InvalidInputError(
                f"the check-in needs a rating {scale} as well",
                "Nothing was saved. Add it, for example: prosper-coop checkin --distress 5 "
                "--contact yes",
            )
        return None
    wants_contact = parse_yes_no(contact) if contact is not None else False
    return parse_rating(distress, settings), wants_contact


def _refused(
    error: InvalidInputError, root: Path | None, distress: str | None, contact: str | None
) -> _AnswerRefused:
    """``error``, its hint ending with one line on where support is; the services in
    full first when what was typed asks for them (a wish for contact, or a high rating,
    or one above the scale).
    """
    from prosper_coop.cli.support import show_support_now
    from prosper_coop.core.choices import whole_number, yes_or_no
    from prosper_coop.wellbeing.checkins import NOT_SAVED
    from prosper_coop.wellbeing.config import checkin_settings

    rating = whole_number(distress) if distress is not None else None
    try:
        high = checkin_settings(root).signpost_from
    except (UserError, OSError):
        high = 0  # the study's settings cannot be read: any rating shows support in full
    if (contact is not None and yes_or_no(contact)) or (rating is not None and rating >= high):
        show_support_now(root)
        where = "The services above are there for you, whenever you want them."
    else:
        where = SUPPORT_LINE
    # Every check-in refusal says the same first: nothing was saved, nobody was told.
    hint = (error.hint or "").removeprefix(NOT_SAVED).removeprefix("Nothing was saved.").strip()
    return _AnswerRefused(
        error.message, f"{NOT_SAVED} {hint} {where}", file=error.file, line=error.line
    )


def _study_root_or_none() -> Path | None:
    from prosper_coop.cli.support import _study_root

    return _study_root()


def _has_remote(study: Study) -> bool:
    try:
        return bool(study.repo.remote_names())
    except UserError:
        return False


def _ask(study: Study, settings: CheckinSettings) -> tuple[int, bool, str]:
    """Ask the check-in questions, gently asking again after an answer that does not fit."""
    from prosper_coop.wellbeing.checkins import checkin_readers, parse_rating, parse_yes_no

    out = output()
    if settings.intro:
        out.info(settings.intro.strip())
    readers = checkin_readers(study)
    out.info(
        f"Who can read your answers: {readers.describe(readers.owner)}. "
        "Others in the team can see that you checked in and when; never your answers, "
        "nor whether an alert was raised for the wellbeing lead.\n"
    )
    rating = ask_until(settings.distress_question, lambda answer: parse_rating(answer, settings))
    wants = ask_until(
        f"{settings.contact_question} (yes/no)",
        lambda answer: parse_yes_no(answer, "the answer"),
        default="no",
        again="Please answer yes or no.",
    )
    text = ""
    if settings.note_question:
        text = typer.prompt(settings.note_question, default="", show_default=False, err=True)
    return rating, wants, text


WhosePerson = Annotated[
    str | None,
    typer.Option(
        "--person",
        help="Whose alert, when two people's alerts share a number (e.g. CR-05).",
        parser=PERSON,
    ),
]
AlertId = Annotated[
    str,
    typer.Argument(
        help="An alert ID, e.g. A-0001 (or just 1).", parser=id_parser(ALERT.normal, "alert")
    ),
]


@app.command("alerts")
def alerts(
    open_only: Annotated[
        bool, typer.Option("--open", help="Only alerts not yet resolved.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """List wellbeing alerts your key can read: who, why, when and status (never what anyone wrote).

    Alerts are encrypted to the person and the wellbeing lead(s): a lead sees
    everyone's, anyone else only their own.

    Example: prosper-coop wellbeing alerts --open
    """
    from prosper_coop.cli.support import keyring
    from prosper_coop.core import clock
    from prosper_coop.wellbeing.alerts import alert_row, list_alerts, reads_everyones

    out = output(as_json)
    study = open_study()
    viewer = study.actor()
    found = list_alerts(study, keyring(study), open_only=open_only, viewer=viewer)
    rows = [alert_row(a, clock.today()) for a in found]
    if not reads_everyones(study, viewer):
        out.info("These are your own alerts. The wellbeing lead follows up everyone's.")
    if as_json:
        out.json(rows)
        return
    out.table(
        ["Alert", "Person", "Why", "Raised", "Status"],
        [
            [
                r["id"],
                r["person"],
                _why(r),
                r["raised"][:16].replace("T", " "),
                f"open {r['days_open']} d"
                if r["status"] == "open"
                else f"resolved by {r['resolved_by']}",
            ]
            for r in rows
        ],
        empty="No open alerts." if open_only else "No alerts.",
    )


def _why(row: dict[str, Any]) -> str:
    if row["level"] == "contact-requested":
        return "asked to be contacted"
    return "high rating; asked to be contacted" if row["contact_requested"] else "high rating"


@app.command("show")
def show(
    alert_id: AlertId,
    person: WhosePerson = None,
    as_json: AsJson = False,
) -> None:
    """Show an alert and, if your key can read it, the check-in behind it.

    Example: prosper-coop wellbeing show A-0001
    """
    from prosper_coop.cli.support import keyring
    from prosper_coop.core import clock
    from prosper_coop.wellbeing.alerts import alert_row, show_alert

    study = open_study()
    view = show_alert(study, keyring(study), alert_id, person)
    out = output(as_json)
    row = alert_row(view.state, clock.today())
    checkin = view.checkin
    if as_json:
        out.json(
            {
                **row,
                "checkin_record": None
                if checkin is None
                else {
                    "id": checkin.id,
                    "at": checkin.at,
                    "distress": checkin.distress,
                    "contact": checkin.contact,
                    "note": checkin.note,
                },
                "resolution_note": view.note,
                "resolutions": [
                    {"by": r.resolved_by, "at": r.resolved_at, "note": r.note} for r in view.notes
                ],
                "problem": view.problem,
            }
        )
        return
    out.line(f"Alert {row['id']}  {row['person']}  {row['level']}  raised {row['raised']}")
    out.line(
        f"Status: {row['status']}" + (f" (by {row['resolved_by']})" if row["resolved_by"] else "")
    )
    if checkin is not None:
        out.line(f"Check-in {checkin.id} at {checkin.at.isoformat()}")
        out.line(f"  Distress rating: {checkin.distress}")
        out.line(f"  Would like contact: {'yes' if checkin.contact else 'no'}")
        if checkin.note:
            out.line(f"  Note: {checkin.note}")
    for number, resolution in enumerate(view.notes):
        also = "" if number == 0 else f" (also resolved by {resolution.resolved_by})"
        out.line(f"Resolution note{also}: {resolution.note}")
    if view.problem:
        out.info(f"Note: {view.problem}.")


@app.command("resolve")
def resolve(
    alert_id: AlertId,
    person: WhosePerson = None,
    note: Annotated[str | None, hidden_option("--note", "-m")] = None,
    quiet: Quiet = False,
) -> None:
    """Mark an alert resolved (wellbeing leads). The note is encrypted for the person and the leads.

    Asks what was done; without a terminal, reads the note from stdin (for
    example: echo "Called; agreed a catch-up Friday" | prosper-coop wellbeing
    resolve A-0001). The note is never given as an option, which others using
    the computer could see. The rest of the team cannot tell which alert, or
    whose, was resolved.

    Example: prosper-coop wellbeing resolve A-0001
    """
    from prosper_coop.cli.private_input import ask_or_read_text, refuse_options
    from prosper_coop.cli.support import keyring
    from prosper_coop.trust.permissions import require
    from prosper_coop.wellbeing.alerts import open_alert, resolve_alert

    refuse_options(
        {"--note": note},
        f"Run prosper-coop wellbeing resolve {alert_id} to be asked for the note, or pipe "
        f"it in: echo 'what was done' | prosper-coop wellbeing resolve {alert_id}",
    )
    study = open_study()
    require(study, "alerts.resolve")  # before anything is decrypted or asked for
    ring = keyring(study)
    open_alert(study, ring, alert_id, person)  # before the note is asked for
    written = ask_or_read_text("What was done? (encrypted)", "the note")
    resolve_alert(study, ring, alert_id, written, person)
    output(quiet=quiet).success(f"Alert {alert_id} is resolved. The note is encrypted.")


PLAN_EXAMPLE = "printf 'what-helps: A walk, and time with my dog\\n' | prosper-coop wellbeing plan"


@app.command("plan")
def plan(
    what_helps: Annotated[str | None, hidden_option("--what-helps")] = None,
    early_signs: Annotated[str | None, hidden_option("--early-signs")] = None,
    who_to_contact: Annotated[str | None, hidden_option("--who-to-contact")] = None,
    in_a_crisis: Annotated[str | None, hidden_option("--in-a-crisis")] = None,
    other: Annotated[str | None, hidden_option("--other")] = None,
    show_plan: Annotated[
        bool, typer.Option("--show", help="Show the plan; change nothing.")
    ] = False,
    person: Annotated[
        str | None,
        typer.Option("--person", help="Show someone else's plan (wellbeing leads).", parser=PERSON),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Write or show your wellbeing plan: readable by you and the wellbeing lead(s).

    Asks each question in turn (Enter keeps what you wrote before). Without a
    terminal, reads the answers from stdin as lines of what-helps:, early-signs:,
    who-to-contact:, in-a-crisis: and other: (only those given change).

    Example: prosper-coop wellbeing plan
    """
    from prosper_coop.cli.private_input import has_terminal, read_stdin_fields, refuse_options
    from prosper_coop.cli.support import keyring
    from prosper_coop.wellbeing.plans import PLAN_FIELDS, load_plan, plan_readers, save_plan

    refuse_options(
        {
            "--what-helps": what_helps,
            "--early-signs": early_signs,
            "--who-to-contact": who_to_contact,
            "--in-a-crisis": in_a_crisis,
            "--other": other,
        },
        f"Run prosper-coop wellbeing plan to be asked each question, or pipe the answers in: "
        f"{PLAN_EXAMPLE}",
    )
    study = open_study()
    ring = keyring(study)
    out = output(as_json)
    changes: dict[str, str] = {}
    if show_plan or person is not None or as_json:
        current = load_plan(study, ring, person)
        if as_json:
            out.json(current)
        elif current is None:
            out.info("There is no wellbeing plan yet. Write one with: prosper-coop wellbeing plan")
        else:
            for key, question in PLAN_FIELDS.items():
                out.line(question)
                out.line("  " + (getattr(current, key) or "(not written)"))
        return
    if not has_terminal():
        changes = read_stdin_fields(PLAN_FIELDS, "the wellbeing plan", PLAN_EXAMPLE)
        if not changes:
            raise InvalidInputError(
                "there is nothing to save: no answers were piped in",
                f"Nothing was changed. For example: {PLAN_EXAMPLE}",
            )
    else:
        current = load_plan(study, ring)
        out.info(
            "Your wellbeing plan helps the team support you in the way you choose. "
            f"Who can read it: {plan_readers(study).describe(study.actor())}. "
            "Every question is optional."
        )
        for key, question in PLAN_FIELDS.items():
            before = getattr(current, key) if current is not None else ""
            changes[key] = typer.prompt(question, default=before, show_default=bool(before))
    saved, readers = save_plan(study, ring, changes)
    out.success(f"Saved your wellbeing plan. Who can read it: {readers.describe(saved.id)}.")
