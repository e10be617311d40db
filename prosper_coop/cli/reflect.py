"""``prosper-coop reflect``: write a reflection; ``reflect list`` and ``reflect show``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from prosper_coop.cli.common import AsJson, Quiet, handle_errors, open_study, output
from prosper_coop.cli.groups import group_app
from prosper_coop.cli.private_input import HiddenText

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
    wp: Annotated[str | None, typer.Option("--wp", help="The work package it is about.")] = None,
    session: Annotated[
        str | None, typer.Option("--session", help="The session it is about.")
    ] = None,
    tags: Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable).")] = None,
    quiet: Quiet = False,
) -> None:
    """Write a reflection. Private by default: only you can read it, unless you --share it.

    Opens your text editor ($EDITOR), or reads the text you pipe in. The text is
    never given as an option, which others using the computer could see.

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
    from prosper_coop.wellbeing.reflections import add_reflection

    refuse_options(
        {"--text": text},
        "Run prosper-coop reflect to write it in your text editor, or pipe it in: "
        "prosper-coop reflect < reflection.txt",
    )
    out = output(quiet=quiet)
    study = open_study(acting=True)
    written = _in_editor(study, share) if has_terminal() else read_stdin("your reflection")
    saved = add_reflection(study, written, shared=share, wp=wp, session=session, tags=tags)
    out.success(f"Saved your reflection ({saved.id}).")
    out.info(f"Who can read it: {saved.readers.describe(saved.readers.owner)}.")
    if not share:
        out.info("It is private. Nobody else can read it, and the team cannot see what it says.")


def _in_editor(study: Study, share: bool) -> str:
    """The reflection written in the person's text editor (lines starting with # left out)."""
    from prosper_coop.cli.support import write_in_editor
    from prosper_coop.core.errors import KeyProblemError
    from prosper_coop.wellbeing.reflections import reflection_readers

    readers = reflection_readers(study, shared=share)
    if not readers.recipients or readers.owner_without_key:
        # Say so before the editor opens, so no one writes something that is lost.
        raise KeyProblemError(
            "you need a key before you can save reflections, so that only the people "
            "you choose can read them",
            "Set one up with: prosper-coop keys init (it takes a moment), then run "
            "prosper-coop reflect again.",
        )
    who = readers.describe(study.actor())
    text = write_in_editor(
        "\n\n# Write your reflection above. Lines starting with # are left out.\n"
        f"# Who will be able to read it: {who}.\n"
    )
    return "\n".join(line for line in text.splitlines() if not line.startswith("#"))


@app.command("list")
def list_(
    mine: Annotated[bool, typer.Option("--mine", help="Only your own reflections.")] = False,
    as_json: AsJson = False,
) -> None:
    """List the reflections you can read: your own, and those shared with you.

    Example: prosper-coop reflect list --mine
    """
    from prosper_coop.cli.support import keyring
    from prosper_coop.wellbeing.reflections import list_reflections

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
                r.text.strip().splitlines()[0][:50],
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
    reflection_id: Annotated[str, typer.Argument(help="A reflection ID, e.g. RF-0001.")],
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
