"""``prosper-coop participant ...``: research participants, their consent and contacts."""

from __future__ import annotations

from typing import Annotated

import typer

from prosper_coop.cli.common import AsJson, Quiet, make_app, open_study, output
from prosper_coop.cli.groups import group_app
from prosper_coop.cli.private_input import hidden_option

app = group_app("participant")
contact_app = make_app(
    "A participant's name and contacts, kept encrypted for the coordinator(s) only.",
    name="contact",
)
app.add_typer(contact_app, name="contact")

ParticipantId = Annotated[str, typer.Argument(help="A participant's ID, e.g. P-0001.")]


@app.command()
def add(
    group: Annotated[
        str, typer.Option("--group", help='Their group, e.g. "survivors (focus groups)".')
    ],
    site: Annotated[str | None, typer.Option("--site", help="Their site, e.g. SITE1.")] = None,
    wp: Annotated[
        str | None,
        typer.Option(
            "--wp", help="The work package (default: the one whose targets count the group)."
        ),
    ] = None,
    recruited: Annotated[
        str | None,
        typer.Option("--recruited", help="The day they were recruited (default: today)."),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Record a participant under a new pseudonymous ID and start their consent form.

    No name or contact is ever kept in the shared record; if the study needs them,
    keep them encrypted with: prosper-coop participant contact set P-0001.

    Example: prosper-coop participant add --group "survivors (focus groups)" --site SITE1
    """
    from prosper_coop.core import clock
    from prosper_coop.recruitment.participants import add_participant

    added = add_participant(
        open_study(),
        group=group,
        site=site,
        wp=wp,
        recruited=clock.parse_date(recruited, "--recruited") if recruited is not None else None,
    )
    out = output(quiet=quiet)
    person = added.participant
    out.line(person.id)
    out.success(f"Recorded participant {person.id} ({person.group}) on {person.recruited}.")
    if added.run is not None:
        out.info(
            f"Their consent form is started as {added.run.id}; once they agree, record it "
            f"with: prosper-coop consent record {person.id} --form {added.run.definition} "
            "--yes ITEMS --no ITEMS"
        )
    for warning in added.warnings:
        out.warn(warning)


@app.command("list")
def list_(
    group: Annotated[str | None, typer.Option("--group", help="Only this group.")] = None,
    site: Annotated[str | None, typer.Option("--site", help="Only this site.")] = None,
    wp: Annotated[str | None, typer.Option("--wp", help="Only this work package.")] = None,
    as_json: AsJson = False,
) -> None:
    """List participants with where their consent stands, and counts by group and site.

    Example: prosper-coop participant list --site SITE2
    """
    from prosper_coop.cli import recruitment_tables
    from prosper_coop.recruitment.participants import list_participants

    listing = list_participants(open_study(), group=group, site=site, wp=wp).as_dict()
    out = output(as_json)
    if as_json:
        out.json(listing)
    else:
        recruitment_tables.participants(out, listing)


# What ``contact set`` asks for (stdin names -> questions); "name" is the real name.
CONTACT_QUESTIONS = {
    "name": "Name (Enter to leave it as it is)",
    "email": "E-mail address (Enter to leave it as it is)",
    "phone": "Phone number (Enter to leave it as it is)",
    "other": "Other contact details (Enter to leave them as they are)",
}
CONTACT_EXAMPLE = (
    "printf 'name: Full Name\\nphone: 0000 000000\\n' | prosper-coop participant contact set {}"
)


@contact_app.command("set")
def contact_set(
    participant: ParticipantId,
    name: Annotated[str | None, hidden_option("--name")] = None,
    email: Annotated[str | None, hidden_option("--email")] = None,
    phone: Annotated[str | None, hidden_option("--phone")] = None,
    other: Annotated[str | None, hidden_option("--other")] = None,
    quiet: Quiet = False,
) -> None:
    """Keep a participant's name and contacts, encrypted so only the coordinator(s) can read
    them.

    Asks for each detail (Enter leaves it as it is). Without a terminal, reads them
    from stdin as lines such as "name: Full Name" and "phone: 0000 000000" (also
    email: and other:). They are never given as options, which others using the
    computer could see.

    Example: prosper-coop participant contact set P-0001 < details.txt
    """
    from prosper_coop.cli.private_input import ask_or_read_fields, refuse_options
    from prosper_coop.cli.support import keyring
    from prosper_coop.recruitment.participants import load_participant, set_contact

    refuse_options(
        {"--name": name, "--email": email, "--phone": phone, "--other": other},
        "Run it without options to be asked for each detail, or pipe them in: "
        + CONTACT_EXAMPLE.format(participant),
    )
    study = open_study()
    found = load_participant(study, participant)  # say so before anything is asked
    answers = ask_or_read_fields(
        CONTACT_QUESTIONS, "the contact details", CONTACT_EXAMPLE.format(found.id)
    )
    given = {("real_name" if key == "name" else key): value for key, value in answers.items()}
    _, readers = set_contact(study, keyring(study), found.id, given)
    output(quiet=quiet).success(
        f"Saved the contact details of {found.id}, readable by {readers.describe()}."
    )


@contact_app.command("show")
def contact_show(participant: ParticipantId, as_json: AsJson = False) -> None:
    """Show a participant's name and contacts, if your key can read them.

    Example: prosper-coop participant contact show P-0001
    """
    from prosper_coop.cli.people_sensitive import print_identity
    from prosper_coop.cli.support import keyring
    from prosper_coop.recruitment.participants import show_contact

    study = open_study()
    print_identity(show_contact(study, keyring(study), participant), as_json)
