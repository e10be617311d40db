"""``prosper-coop people identity set|show`` and ``people erase``: the sensitive side of people."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from prosper_coop.cli.common import AsJson, PersonId, Quiet, make_app, open_study, output
from prosper_coop.cli.private_input import hidden_option

identity_app = make_app(
    "Real names and contact details behind study IDs, encrypted for the coordinator(s).",
    name="identity",
)


def register(people_app: typer.Typer) -> None:
    """Add ``identity`` and ``erase`` to ``people``."""
    people_app.add_typer(identity_app, name="identity")
    people_app.command("erase")(erase)


# What ``identity set`` asks for (stdin names -> questions); "name" is the real name.
IDENTITY_QUESTIONS = {
    "name": "Real name (Enter to leave it as it is)",
    "email": "E-mail address (Enter to leave it as it is)",
    "phone": "Phone number (Enter to leave it as it is)",
    "other": "Other contact details (Enter to leave them as they are)",
}
IDENTITY_EXAMPLE = (
    "printf 'name: Full Name\\nemail: a@example.org\\n' | prosper-coop people identity set {}"
)


@identity_app.command("set")
def identity_set(
    person: PersonId,
    name: Annotated[str | None, hidden_option("--name")] = None,
    email: Annotated[str | None, hidden_option("--email")] = None,
    phone: Annotated[str | None, hidden_option("--phone")] = None,
    other: Annotated[str | None, hidden_option("--other")] = None,
    quiet: Quiet = False,
) -> None:
    """Store someone's real name and contacts, encrypted so only the coordinator(s) can read them.

    Asks for each detail (Enter leaves it as it is). Without a terminal, reads
    them from stdin as lines such as "name: Full Name" and "email: a@example.org"
    (also phone: and other:). They are never given as options, which others
    using the computer could see.

    Example: prosper-coop people identity set CR-01 < details.txt
    """
    from prosper_coop.cli.private_input import ask_or_read_fields, refuse_options
    from prosper_coop.cli.support import keyring
    from prosper_coop.core.records import get
    from prosper_coop.wellbeing.identity import set_identity

    refuse_options(
        {"--name": name, "--email": email, "--phone": phone, "--other": other},
        "Run it without options to be asked for each detail, or pipe them in: "
        + IDENTITY_EXAMPLE.format(person),
    )
    study = open_study()
    study.load(get("person"), person)  # say so before anything is asked
    example = IDENTITY_EXAMPLE.format(person)
    answers = ask_or_read_fields(IDENTITY_QUESTIONS, "the identity", example)
    given = {("real_name" if key == "name" else key): value for key, value in answers.items()}
    _, readers = set_identity(study, keyring(study), person, given)
    output(quiet=quiet).success(
        f"Saved the identity of {person}, readable by {readers.describe()}."
    )


@identity_app.command("show")
def identity_show(person: PersonId, as_json: AsJson = False) -> None:
    """Show someone's real name and contacts, if your key can read them.

    Example: prosper-coop people identity show CR-01
    """
    from prosper_coop.cli.support import keyring
    from prosper_coop.wellbeing.identity import show_identity

    study = open_study()
    print_identity(show_identity(study, keyring(study), person), as_json)


def print_identity(record: Any, as_json: bool) -> None:
    """An identity record (a person's or a participant's): name and contacts, as read."""
    out = output(as_json)
    if as_json:
        out.json(record)
        return
    out.line(f"{record.id}")
    for label, value in (
        ("Name", record.real_name),
        ("E-mail", record.email),
        ("Phone", record.phone),
        ("Other", record.other),
    ):
        if value:
            out.line(f"  {label}: {value}")
    out.info(f"(last updated {record.updated})")


def erase(
    person: PersonId,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask to confirm.")] = False,
    as_json: AsJson = False,
) -> None:
    """After a withdrawal: remove a person's identity and sensitive records, in one commit.

    Removes their identity, wellbeing plan, check-ins, reflections and alerts.
    Incident records are kept (safeguarding records have their own retention
    rules). Says what stays in git history, and who could still read it.

    Example: prosper-coop people erase CR-05 --yes
    """
    from prosper_coop.wellbeing.erasure import record_path as erasure_record
    from prosper_coop.wellbeing.identity import erase_person

    study = open_study()
    if not yes and not typer.confirm(
        f"Remove the identity and all check-ins, reflections, plan and alerts of {person}?"
    ):
        output().info("Nothing was changed.")
        raise typer.Exit(0)
    report = erase_person(study, person)
    out = output(as_json)
    if as_json:
        out.json(
            {
                "person": report.person,
                "removed": report.removed,
                "alerts_removed": report.alerts_removed,
                "incidents_kept": report.incidents_kept,
                "commit": report.commit,
                "history_commits": report.history_commits,
                "readers_then": report.readers_then,
            }
        )
        return
    if not report.removed:
        out.info(f"There were no sensitive records for {person} to remove.")
    else:
        out.success(f"Removed {len(report.removed)} file(s) for {person} in one commit.")
        for path in report.removed:
            out.line(f"  removed {path}")
    if report.commit:
        out.info(
            f"The erasure is recorded ({erasure_record(person)}, the study ID only): any copy "
            "another computer still holds is removed when it syncs."
        )
    out.line("")
    out.line("What remains:")
    out.line(
        f"  Older, encrypted copies stay in the git history ({report.history_commits} commit(s)) "
        "and in every copy of the study that was synced."
    )
    out.line("  Anyone who was a reader when a record was written can still open those copies:")
    for kind, who in report.readers_then.items():
        out.line(f"    {kind}: {who} (by the current rules), and earlier holders of those roles")
    if report.incidents_kept:
        out.line(
            f"  {report.incidents_kept} incident record(s) in the study were kept: the "
            "safeguarding lead decides what happens to them under the study's retention rules."
        )
    out.line(
        "  To remove the history too, every copy would need rewriting (e.g. git filter-repo); "
        "talk to the study coordinator and your data protection officer."
    )
