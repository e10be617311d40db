"""``prosper-coop reflect``: write a reflection; ``reflect list`` and ``reflect show``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from prosper_coop.cli.common import (
    SESSION,
    WORK_PACKAGE,
    AsJson,
    Quiet,
    handle_errors,
    id_parser,
    open_study,
    output,
)
from prosper_coop.cli.groups import group_app
from prosper_coop.cli.private_input import HiddenText
from prosper_coop.core.ids import REFLECTION

if TYPE_CHECKING:
    from prosper_coop.core.study import Study

app = group_app("reflect")
app.info.no_args_is_help = False
app.info.invoke_without_command = True


def _callback(
    ctx: typer.Context,
    text: HiddenText = None,
    share: Annotated[
        bool, typer.Option("--share", help="Let the analysis team read it too (default: only you).")
    ] = False,
    wp: Annotated[
        str | None,
        typer.Option("--wp", help="The work package it is about, e.g. WP4.", parser=WORK_PACKAGE),
    ] = None,
    session: Annotated[
        str | None,
        typer.Option("--session", help="The session it is about, e.g. S-0002.", parser=SESSION),
    ] = None,
    tags: Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable).")] = None,
    quiet: Quiet = False,
) -> None:
    """Write a reflection. Private by default: only you can read it, unless you --share it.

    At a terminal, asks a few gentle questions you can skip (or opens your text
    editor, if you have set $VISUAL or $EDITOR). Without one, reads the text you
    pipe in. The text is never given as an option, which others using the computer
    could see.

    Example: prosper-coop reflect --wp WP4 < reflection.txt
    """
    if ctx.invoked_subcommand is not None:
        return
    handle_errors(_write)(text, share, wp, session, tags or [], quiet)


app.callback()(_callback)


def _write(
    text: str | None, share: bool, wp: str | None, session: str | None, tags: list[str], quiet: bool
) -> None:
    from prosper_coop.cli.private_input import has_terminal, read_stdin, refuse_options
    from prosper_coop.cli.support import editor_chosen
    from prosper_coop.wellbeing.reflections import add_reflection, check_details

    refuse_options(
        {"--text": text},
        "Run prosper-coop reflect to write it in your text editor, or pipe it in: "
        "prosper-coop reflect < reflection.txt",
    )
    out = output(quiet=quiet)
    study = open_study(acting=True)
    check_details(study, wp=wp, session=session, tags=tags)  # before anything is written
    if not has_terminal():
        written: str | None = read_stdin("your reflection")
    elif editor_chosen():
        written = _in_editor(study, share)
    else:
        written = _at_the_prompt(study, share)
    if written is None:  # they chose to leave without saving
        return
    saved = add_reflection(study, written, shared=share, wp=wp, session=session, tags=tags)
    out.success(f"Saved your reflection ({saved.id}).")
    out.info(f"Who can read it: {saved.readers.describe(saved.readers.owner)}.")
    if not share:
        out.info("It is private. Nobody else can read it, and the team cannot see what it says.")


def _who_can_read(study: Study, share: bool) -> str:
    """Who will be able to read the reflection, said before anything is written.

    Refuses first when it could not be saved, so no one writes something that is lost.
    """
    from prosper_coop.core.errors import KeyProblemError
    from prosper_coop.wellbeing.reflections import reflection_readers

    readers = reflection_readers(study, shared=share)
    if not readers.recipients or readers.owner_without_key:
        raise KeyProblemError(
            "you need a key before you can save reflections, so that only the people "
            "you choose can read them",
            "Set one up with: prosper-coop keys init (it takes a moment), then run "
            "prosper-coop reflect again.",
        )
    return readers.describe(study.actor())


def _in_editor(study: Study, share: bool) -> str:
    """The reflection written in the person's text editor (lines starting with # left out)."""
    from prosper_coop.cli.support import write_in_editor

    who = _who_can_read(study, share)
    text = write_in_editor(
        "\n\n# Write your reflection above. Lines starting with # are left out.\n"
        f"# Who will be able to read it: {who}.\n"
    )
    return "\n".join(line for line in text.splitlines() if not line.startswith("#"))


# What is said while writing at the prompt (the questions are in wellbeing/reflection.yaml).
PRIVATE = (
    "It stays private: only you can read it. To share a reflection with the analysis "
    "team, you can run prosper-coop reflect --share instead."
)
SHARED = "You chose --share, so the analysis team will be able to read it too."
HOW_TO = (
    "Every question is optional. You can write more than one line.\n"
    "When you have finished an answer, press Enter on an empty line. "
    "To skip a question, just press Enter.\n"
    "You can stop at any time (press Ctrl+C), and nothing will be saved.\n"
    "If this brings up difficult feelings, see who you can talk to with: prosper-coop support"
)
SAVE_QUESTION = (
    "Would you like to save it? Type yes (or just press Enter) to save it, "
    "or no to leave without saving."
)
SAVE_WORDS = {"": True, "y": True, "yes": True, "save": True, "n": False, "no": False}
SAVE_WORDS |= {"leave": False, "l": False}
LEFT = "You left without saving. Nothing you wrote was kept. You can write a reflection any time."
NOTHING = "You skipped every question, so there is nothing to save. That is okay."
STOPPED = "Stopped. Your reflection was not saved, and nothing you typed was kept."


def _at_the_prompt(study: Study, share: bool) -> str | None:
    """The reflection written by answering the study's gentle questions at the terminal.

    Every question can be skipped; at the end the person chooses to save or to leave
    (None). The answers are kept only in memory, never in a file: what is saved is the
    encrypted record. Ctrl-C or Ctrl-D stops calmly, with nothing saved.
    """
    from prosper_coop.cli.private_input import ask_paragraph, line_editing, say, typed_line
    from prosper_coop.core.errors import ExitCode
    from prosper_coop.wellbeing.reflections import (
        MAX_CHARS,
        compose_reflection,
        reflection_questions,
    )

    who = _who_can_read(study, share)
    asked = reflection_questions(study.root)
    say(f"Writing a reflection. Who will be able to read it: {who}.")
    say(SHARED if share else PRIVATE)
    answers: list[tuple[str, str]] = []
    try:
        with line_editing():
            say("")
            if asked.intro:
                say(asked.intro)
            say(HOW_TO)
            for item in asked.questions:
                say("")
                room = MAX_CHARS - len(compose_reflection([*answers, (item.heading, "x")]))
                answers.append((item.heading, ask_paragraph(item.question, limit=room)))
            text = compose_reflection(answers)
            if not text:
                say(NOTHING)
                return None
            answered = sum(1 for _, answer in answers if answer.strip())
            say(f"You answered {answered} of {len(answers)} questions.")
            say(SAVE_QUESTION)
            while (choice := typed_line().strip().lower()) not in SAVE_WORDS:
                say("Please type yes to save it, or no to leave without saving.")
    except (KeyboardInterrupt, EOFError):
        say("")
        say(STOPPED)
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    if not SAVE_WORDS[choice]:
        say(LEFT)
        return None
    return text


@app.command("list")
def list_(
    mine: Annotated[bool, typer.Option("--mine", help="Only your own reflections.")] = False,
    as_json: AsJson = False,
) -> None:
    """List the reflections you can read: your own, and those shared with you.

    Example: prosper-coop reflect list --mine
    """
    from prosper_coop.cli.support import keyring
    from prosper_coop.wellbeing.reflections import first_line, list_reflections

    study = open_study()
    found = list_reflections(study, keyring(study), mine=mine)
    out = output(as_json)
    if as_json:
        out.json(
            [
                {
                    "id": r.id,
                    "person": r.person,
                    "at": r.at,
                    "shared": r.shared,
                    "wp": r.wp,
                    "session": r.session,
                    "tags": r.tags,
                }
                for r in found.readable
            ]
        )
        return
    out.table(
        ["Reflection", "By", "When", "Who can read", "WP", "First line"],
        [
            [
                r.id,
                r.person,
                r.at.isoformat()[:16].replace("T", " "),
                "analysis team" if r.shared else "only the writer",
                r.wp or "",
                first_line(r.text)[:50],
            ]
            for r in found.readable
        ],
        empty="No reflections you can read yet.",
    )
    if found.unreadable_own:
        out.info(
            f"{found.unreadable_own} of your reflections were written with a different key and "
            "cannot be opened with this one."
        )


@app.command("show")
def show(
    reflection_id: Annotated[
        str,
        typer.Argument(
            help="A reflection ID, e.g. RF-0001 (or just 1).",
            parser=id_parser(REFLECTION.normal, "reflection"),
        ),
    ],
    as_json: AsJson = False,
) -> None:
    """Show one reflection, if your key can read it.

    Example: prosper-coop reflect show RF-0001
    """
    from prosper_coop.cli.support import keyring
    from prosper_coop.wellbeing.reflections import show_reflection

    study = open_study()
    record = show_reflection(study, keyring(study), reflection_id)
    out = output(as_json)
    if as_json:
        out.json(record)
        return
    sharing = "shared with the analysis team" if record.shared else "private"
    tags = f"  tags: {', '.join(record.tags)}" if record.tags else ""
    out.line(f"{record.id} by {record.person}, {record.at.isoformat()[:16]} ({sharing}){tags}")
    if record.wp or record.session:
        out.line(" ".join(x for x in (record.wp, record.session) if x))
    out.line("")
    out.line(record.text.rstrip())
