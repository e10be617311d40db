"""``prosper-coop join`` and ``whoami``: who you are in a study, on this computer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from prosper_coop.cli.common import PERSON, AsJson, Quiet, ask_until, open_study, output

if TYPE_CHECKING:
    from prosper_coop.core.study import Study


def register(app: typer.Typer) -> None:
    """Add ``join`` and ``whoami`` to the root app."""
    app.command()(join)
    app.command()(whoami)


def join(
    person: Annotated[
        str | None,
        typer.Argument(
            help="Your study ID, as your coordinator gave it (e.g. CR-03).", parser=PERSON
        ),
    ] = None,
    passphrase: Annotated[
        bool,
        typer.Option(
            "--passphrase/--no-passphrase",
            help="Protect your reading key with a passphrase (asked for when records are opened).",
        ),
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Make new keys although you joined before (a new computer, or a lost key).",
        ),
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Join the study from this computer: make your keys and remember who you are.

    One step per person and computer. Your private keys stay on this computer; their
    public halves go into your record in the study, so others can share records with
    you and check that your changes are yours.

    Example: prosper-coop join CR-03
    """
    from prosper_coop.cli.terminal import visible as clean
    from prosper_coop.core.errors import InvalidInputError
    from prosper_coop.people.joining import join as join_study
    from prosper_coop.people.joining import not_joined

    out = output(quiet=quiet)
    study = open_study()
    if person is None:
        waiting = not_joined(study)
        if not waiting:
            raise InvalidInputError(
                "everyone in this study has joined already",
                "If you joined before on another computer, or lost your key, run: "
                "prosper-coop join YOUR-ID --replace. If you are new, ask the coordinator "
                "to add you (prosper-coop people add).",
            )
        import sys

        if not sys.stdin.isatty():
            raise InvalidInputError(
                "say which study ID is yours, e.g. prosper-coop join CR-03",
                f"People who have not joined yet: {', '.join(waiting)}",
            )
        out.line("Which study ID is yours? Your coordinator will have told you.")
        out.line(f"Not joined yet: {', '.join(waiting)}")
        person = ask_until(
            "Your study ID",
            lambda answer: _waiting_id(study, answer, waiting, replace=replace),
            again=f"That is not one of the IDs waiting to join ({', '.join(waiting)}). "
            "Please type it again, or ask your coordinator.",
        )
    secret = None
    if passphrase:
        from prosper_coop.cli.passphrase import new_passphrase

        secret = new_passphrase()
    joined = join_study(study, person, passphrase=secret, replace=replace)
    out.success(f"You have joined as {clean(joined.person)}. This computer will remember you.")
    out.info(f"Your signing key's fingerprint is {joined.fingerprint}.")
    if joined.replaced:
        out.info(
            "Because you joined before, your new key counts once a coordinator confirms "
            f"it. Ask them to run: prosper-coop keys confirm {clean(joined.person)} "
            "(they can check the fingerprint above with you first). Until then, new "
            "records are not shared with your new key."
        )
    out.info(
        "Your private keys are kept only on this computer. Keep a backup of your reading "
        "key somewhere safe: prosper-coop keys export --out FILE"
    )


def _waiting_id(study: Study, answer: str, waiting: list[str], *, replace: bool) -> str:
    """The study ID typed at the prompt (``cr3`` is CR-03), if it may join here now:
    someone who has not joined yet, or, with ``--replace``, anyone in the study."""
    from prosper_coop.core.errors import InvalidInputError
    from prosper_coop.core.ids import person_id
    from prosper_coop.core.records import get

    found = person_id(answer)
    if found in waiting or (replace and study.exists(get("person"), found)):
        return found
    raise InvalidInputError("that is not one of the IDs waiting to join")


def whoami(
    person: Annotated[
        str | None,
        typer.Argument(
            help="Your study ID (e.g. CR-01), if several people joined here.", parser=PERSON
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Show who you are in this study, or switch between people who joined on this computer.

    Example: prosper-coop whoami
    """
    import os

    from prosper_coop.cli.terminal import visible as clean
    from prosper_coop.core import localconfig
    from prosper_coop.core.errors import NotJoinedError
    from prosper_coop.core.records import get

    study = open_study()
    out = output(as_json)
    uid = study.settings.uid
    if person is not None:
        study.load(get("person"), person)  # must exist
        if person not in localconfig.joined_here(uid):
            raise NotJoinedError(
                f"{person} has not joined this study on this computer",
                f"If you are {person}, join with: prosper-coop join {person}",
            )
        localconfig.set_study_setting(uid, "whoami", person)
        out.success(f"You are now {person} in this study.")
    acting = study.actor(must_exist=False)
    source = "PROSPER_COOP_AS" if os.environ.get("PROSPER_COOP_AS") else "whoami"
    here = acting in localconfig.joined_here(uid)
    if as_json:
        out.json({"person": acting, "source": source, "joined_here": here})
    elif person is None:
        out.line(clean(acting))
        if not here:
            out.info(f"{clean(acting)} has not joined on this computer: prosper-coop join")
