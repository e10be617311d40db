"""The root command: mounts every command group. Keep imports here light."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prosper_coop import __version__
from prosper_coop.cli import (
    checklist,
    consent,
    distress,
    findings,
    involve,
    keys,
    onboard,
    outputs,
    people,
    rec,
    reflect,
    session,
    study,
    support,
    task,
    wellbeing,
    wp,
)
from prosper_coop.cli import sync as sync_cli
from prosper_coop.cli.common import make_app, set_study_dir

app = make_app(
    "Coordinate a co-produced research study: work, people, consent, safeguarding, "
    "wellbeing and plain-language outputs, in a git-backed study folder.\n\n"
    "Start with: prosper-coop init my-study --example prosper"
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"prosper-coop {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    study_dir: Annotated[
        Path | None,
        typer.Option(
            "--study",
            "-C",
            envvar="PROSPER_COOP_STUDY",
            help="The study folder (default: the one you are in).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[  # noqa: ARG001 - handled by its eager callback
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Coordinate a co-produced research study."""
    set_study_dir(study_dir)


study.register(app)
app.add_typer(people.app, name="people")
onboard.register(app)
app.add_typer(checklist.app, name="checklist")
app.add_typer(consent.app, name="consent")
app.add_typer(session.app, name="session")
app.add_typer(task.app, name="task")
app.add_typer(wp.app, name="wp")
support.register(app)
wellbeing.register(app)
app.add_typer(reflect.app, name="reflect")
app.add_typer(wellbeing.app, name="wellbeing")
app.add_typer(keys.app, name="keys")
app.add_typer(distress.app, name="distress")
app.add_typer(findings.app, name="findings")
app.add_typer(rec.app, name="rec")
app.add_typer(involve.app, name="involve")
outputs.register(app)
sync_cli.register(app)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="prosper-coop")
