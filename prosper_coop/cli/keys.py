"""``prosper-coop keys ...``: your private key, and re-encrypting records for new readers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from prosper_coop.cli.common import PERSON, AsJson, DryRun, Quiet, open_study, output
from prosper_coop.cli.groups import group_app

if TYPE_CHECKING:
    from prosper_coop.cli.terminal import Terminal
    from prosper_coop.wellbeing.rekey import RekeyPlan, Waiting

app = group_app("keys")


def _new_passphrase() -> str:
    from prosper_coop.cli.passphrase import new_passphrase

    return new_passphrase()


@app.command("init")
def init(
    passphrase: Annotated[
        bool,
        typer.Option(
            "--passphrase/--no-passphrase",
            help="Protect the key with a passphrase (asked for when records are opened).",
        ),
    ] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="Make a new key even though you have one.")
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Make only a new reading key: the private half stays here, the public half goes in the study.

    For someone who has joined (prosper-coop join makes both keys, for signing and
    for reading) but has no reading key, or wants a new one (--replace).

    Example: prosper-coop keys init --passphrase
    """
    from prosper_coop.crypto.keys import init_key

    out = output(quiet=quiet)
    study = open_study()
    secret = _new_passphrase() if passphrase else None
    made = init_key(study, passphrase=secret, replace=replace)
    out.success(f"Made a key for {made.person}. Your public key is now in the study.")
    out.info(f"Your private key is kept only on this computer: {made.path}")
    out.info(
        "Keep a backup somewhere safe (prosper-coop keys export --out FILE): if it is lost, "
        "records encrypted to it cannot be opened."
    )
    if made.replaced:
        out.info(
            "Records encrypted to your old key are not readable with the new one until someone "
            "who can read them runs: prosper-coop keys rekey"
        )


@app.command("show")
def show(
    person: Annotated[
        str | None, typer.Argument(help="Whose key (default: yours), e.g. WB-01.", parser=PERSON)
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Show a public key, and whether its private key is on this computer.

    Example: prosper-coop keys show
    """
    from prosper_coop.core.records import get
    from prosper_coop.crypto.keys import find

    study = open_study()
    who = person or study.actor()
    record = study.load(get("person"), who)
    local = find(record.age_recipient) if record.age_recipient else None
    from prosper_coop.trust.signing import fingerprint

    signing = fingerprint(record.signing_key) if record.signing_key else None
    data = {
        "person": who,
        "public_key": record.age_recipient,
        "signing_key_fingerprint": signing,
        "private_key_here": local is not None,
        "private_key_path": str(local.path) if local else None,
        "passphrase": local.protected if local else None,
        "demo": local.demo if local else None,
    }
    out = output(as_json)
    if as_json:
        out.json(data)
        return
    if signing:
        out.line(f"{who}  signing key {signing} (check it with them when they join)")
    else:
        out.line(f"{who} has not joined yet (no signing key): prosper-coop join {who}")
    if not record.age_recipient:
        out.line(f"{who} has no reading key yet.")
        out.info("They can make one with: prosper-coop keys init")
        return
    out.line(f"{who}  {record.age_recipient}")
    if local is not None:
        extra = " (protected by a passphrase)" if local.protected else ""
        out.info(f"The private key is on this computer: {local.path}{extra}")
        if local.demo:
            out.warn("this is a demo key made for the example study. Never use it for real data.")
    else:
        out.info("The private key is not on this computer.")


@app.command("list")
def list_(as_json: AsJson = False) -> None:
    """List everyone's roles and whether they have a key yet.

    Example: prosper-coop keys list
    """
    from prosper_coop.crypto.sealed import people_of

    rows: list[dict[str, Any]] = [
        {
            "person": p.id,
            "roles": [str(r) for r in p.roles],
            "status": str(p.status),
            "has_key": bool(p.age_recipient),
        }
        for p in people_of(open_study())
    ]
    out = output(as_json)
    if as_json:
        out.json(rows)
        return
    out.table(
        ["Person", "Roles", "Status", "Key"],
        [
            [r["person"], ", ".join(r["roles"]), r["status"], "yes" if r["has_key"] else "no"]
            for r in rows
        ],
    )


@app.command("export")
def export(
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file (0600) instead.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Export your private key for a backup. Anyone with the file can read your records.

    --out refuses a file inside a study folder: keep the backup outside any study.

    Example: prosper-coop keys export --out /media/usb/prosper-key.txt
    """
    from prosper_coop.cli.support import ask_passphrase
    from prosper_coop.core.records import get
    from prosper_coop.crypto.keys import check_backup_place, export_text, write_backup

    study = open_study()
    record = study.load(get("person"), study.actor())
    out = output(quiet=quiet)
    if not record.age_recipient:
        from prosper_coop.core.errors import KeyProblemError

        raise KeyProblemError(
            f"{record.id} has no key yet", "Make one with: prosper-coop keys init"
        )
    if out_file is not None:
        check_backup_place(out_file)  # before a passphrase is asked for
    text = export_text(record.age_recipient, ask_passphrase)
    out.warn(
        "this is your private key, unprotected. Anyone who has it can read every record "
        "encrypted to you. Keep it offline and safe; never put it in the study folder."
    )
    if out_file is None:
        out.line(text.rstrip("\n"))
        return
    write_backup(text, out_file)
    out.success(f"Wrote your private key to {out_file} (readable only by you).")


@app.command("import")
def import_(
    key_file: Annotated[
        Path, typer.Argument(help="A key backup (from keys export or age-keygen).")
    ],
    passphrase: Annotated[
        bool,
        typer.Option("--passphrase/--no-passphrase", help="Protect it here with a passphrase."),
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Restore your private key from a backup onto this computer.

    Example: prosper-coop keys import /media/usb/prosper-key.txt
    """
    from prosper_coop.cli.support import ask_passphrase
    from prosper_coop.crypto.keys import import_file

    secret = _new_passphrase() if passphrase else None
    found = import_file(key_file, ask=ask_passphrase, passphrase=secret)
    output(quiet=quiet).success(f"Restored the key {found.recipient} on this computer.")


@app.command("rekey")
def rekey(
    record_type: Annotated[
        str | None,
        typer.Argument(
            help="Only this kind: checkin, reflection, plan, incident, identity, alert."
        ),
    ] = None,
    mine: Annotated[
        bool,
        typer.Option(
            "--mine",
            help="Only your own records, to their readers now (e.g. a lead who joined "
            "after you wrote them).",
        ),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    dry_run: DryRun = False,
    as_json: AsJson = False,
) -> None:
    """Re-encrypt records to their current readers (after a lead joins or leaves), one commit.

    First it names every new reader and every reader who stops, with how many
    records of each kind, and asks before it writes (--yes does not ask; without a
    terminal, --yes is needed). Only records your key can read can be re-encrypted.
    Old copies in git history stay readable by whoever could read them then.

    Example: prosper-coop keys rekey checkin
    """
    from prosper_coop.cli.private_input import has_terminal
    from prosper_coop.cli.support import keyring
    from prosper_coop.core.errors import InvalidInputError
    from prosper_coop.wellbeing.rekey import apply_rekey, plan_rekey

    study = open_study(acting=True)  # joined here, or told so before any plan or question
    ring = keyring(study)
    plan = plan_rekey(study, ring, record_type, mine=mine)
    out = output(as_json)
    if not plan.writes:
        if as_json:
            out.json({**plan.as_dict(), "rekeyed": [], "commit": None, "dry_run": dry_run})
        else:
            out.info("There was nothing your key could re-encrypt.")
        _say_unreadable(out, plan.unreadable)
        return
    if not as_json or not yes:
        _show_plan(out, plan, to_stdout=dry_run and not as_json)
    if dry_run:
        if as_json:
            out.json({**plan.as_dict(), "rekeyed": [], "commit": None, "dry_run": True})
        out.info("Nothing was changed (--dry-run).")
        return
    if not yes:
        again = " ".join(["prosper-coop keys rekey", *([record_type] if record_type else [])])
        again += " --mine" if mine else ""
        if not has_terminal():
            raise InvalidInputError(
                "nothing was re-encrypted: there is no terminal to ask you to go ahead",
                f"Check who would read what above, then run: {again} --yes",
            )
        if not typer.confirm("Go ahead?", default=False, err=True):
            out.info("Nothing was changed.")
            return
    report = apply_rekey(study, ring, plan)
    if as_json:
        out.json(
            {
                **plan.as_dict(),
                "rekeyed": report.rekeyed,
                "not_rekeyed": report.unreadable,
                "commit": report.commit,
                "dry_run": False,
            }
        )
        return
    out.success(f"Re-encrypted {len(report.rekeyed)} record(s) to their current readers.")
    _say_unreadable(out, report.unreadable)
    out.info("Old copies in git history stay readable by whoever could read them then.")


def _named(person: str, alias: str) -> str:
    return f"{person} ({alias})" if alias else person


def _show_plan(out: Terminal, plan: RekeyPlan, *, to_stdout: bool) -> None:
    """Who becomes a reader and who stops, before anything is written."""
    from prosper_coop.wellbeing.rekey import counted

    say = out.line if to_stdout else out.info
    say(f"This re-encrypts {counted(plan.counts())} to their current readers, in one commit.")
    if plan.plain_alerts:
        say(
            f"{len(plan.plain_alerts)} of the alerts are kept in plain text by an older "
            "version: they will be encrypted."
        )
    erased = sum(1 for rewrite in plan.rewrites if rewrite.delete)
    if erased:
        say(f"{erased} resolution(s) of alerts of people whose records were erased: removed.")
    if plan.new:
        say("New readers (they can read these once it is done):")
        for change in plan.new:
            extra = " (a new key)" if change.new_key else ""
            say(f"  {_named(change.person, change.alias)}{extra}: {counted(change.counts)}")
    if plan.removed:
        say("No longer readers (they cannot read the new versions):")
        for change in plan.removed:
            say(f"  {_named(change.person, change.alias)}: {counted(change.counts)}")
        say("  Copies in git history stay readable to them: a rekey cannot change those.")
    if not plan.new and not plan.removed:
        say("Nobody new will read them, and nobody stops reading them.")
    _say_unreadable(out, plan.unreadable)


def _say_unreadable(out: Terminal, unreadable: list[str]) -> None:
    if unreadable:
        out.info(
            f"{len(unreadable)} record(s) could not be re-encrypted because your key "
            f"cannot read them: {', '.join(unreadable)}. Someone who can read them "
            "needs to run this too."
        )


@app.command("waiting")
def waiting(as_json: AsJson = False) -> None:
    """List records written before one of their readers could read them, and who can share them.

    A reader's key or role that came later (a lead who joined, a new key confirmed)
    does not reach records written before: someone who can read them shares them
    with: prosper-coop keys rekey. Read-only; nothing is decrypted.

    Example: prosper-coop keys waiting
    """
    from prosper_coop.wellbeing.rekey import waiting as find_waiting

    found = find_waiting(open_study())
    out = output(as_json)
    if as_json:
        out.json([item.as_dict() for item in found])
        return
    if not found:
        out.info("No records are waiting for anyone: every reader can read what is theirs.")
        return
    show_waiting(out, found)


def show_waiting(out: Terminal, found: list[Waiting]) -> None:
    """The records waiting for each reader, and who can share them (also after a join)."""
    from prosper_coop.wellbeing.rekey import counted

    for item in found:
        since = f" (a reader since {item.since})" if item.since else ""
        if item.records:
            out.line(
                f"{_named(item.person, item.alias)}{since} cannot read {counted(item.records)} "
                "yet: they were written before they could."
            )
        if item.maybe:
            out.line(
                f"{_named(item.person, item.alias)}{since} cannot read up to "
                f"{counted(item.maybe)} (those their writers shared)."
            )
        if item.leads:
            out.line(
                f"  {', '.join(item.leads)} can share {item.lead_records} of them with: "
                "prosper-coop keys rekey"
            )
        if item.writers:
            writers = ", ".join(f"{who}: {count}" for who, count in item.writers.items())
            out.line(
                f"  Only their writers can read the others ({writers}); each can share theirs "
                "with: prosper-coop keys rekey --mine"
            )
        if item.stuck:
            out.line(
                f"  {item.stuck} can no longer be shared: every key that read them was replaced."
            )


@app.command("confirm")
def confirm(
    person: Annotated[
        str, typer.Argument(help="Whose new keys to confirm, e.g. CR-03.", parser=PERSON)
    ],
    quiet: Quiet = False,
) -> None:
    """Confirm someone's new keys after they joined again (a new computer, a lost key).

    Check the fingerprint their join showed with them first, in person or by phone.

    Example: prosper-coop keys confirm CR-03
    """
    from prosper_coop.people.joining import confirm_key
    from prosper_coop.wellbeing.rekey import waiting as find_waiting

    out = output(quiet=quiet)
    who = person.strip().upper()
    study = open_study()
    printed = confirm_key(study, who)
    out.success(f"Confirmed {who}'s keys ({printed}). Their changes count from now on.")
    found = [item for item in find_waiting(study) if item.person == who]
    if found and not quiet:
        out.info("Records written before their new key are not shared with it yet:")
        show_waiting(out, found)
    else:
        out.info(
            "Share records waiting for their new key with: prosper-coop keys rekey "
            "(by someone who can read them)"
        )
