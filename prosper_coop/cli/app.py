"""The root command and the command groups it mounts.

Building every Typer command costs tens of milliseconds once the tool has ninety
of them, so :func:`build_app` mounts only what a command line needs: for
``prosper-coop task done T-0042`` just the ``task`` group; for the root help each
group appears with its own help text but without its commands. The full app
(``app``, used by tests, docs and shell completion) mounts everything.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from prosper_coop import __version__
from prosper_coop.cli.common import make_app, set_study_dir

# Modules with a ``register(app)`` that adds top-level commands -> those commands
# (tests check this table against what each module really registers).
TOP_LEVEL = {
    "study": ("init", "status", "log", "doctor", "save", "whoami", "schema"),
    "onboard": ("onboard",),
    "support": ("support",),
    "wellbeing": ("checkin",),
    "render": ("render", "readability"),
    "sync": ("sync", "clone", "resolve", "remote"),
}
# Command groups: name -> module whose ``app`` holds the group's commands.
GROUPS = {
    "people": "people",
    "checklist": "checklist",
    "consent": "consent",
    "session": "session",
    "task": "task",
    "wp": "wp",
    "reflect": "reflect",
    "wellbeing": "wellbeing",
    "keys": "keys",
    "distress": "distress",
    "findings": "findings",
    "rec": "rec",
    "involve": "involve",
}
ROOT_OPTIONS_WITH_VALUES = {"--study", "-C"}
COMPLETION_ENV = "_PROSPER_COOP_COMPLETE"


def _module(name: str) -> object:
    return importlib.import_module(f"prosper_coop.cli.{name}")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"prosper-coop {__version__}")
        raise typer.Exit()


def make_root() -> typer.Typer:
    """The root app with its global options, and no commands yet."""
    root_app = make_app(
        "Coordinate a co-produced research study: work, people, consent, safeguarding, "
        "wellbeing and plain-language outputs, in a git-backed study folder.\n\n"
        "Start with: prosper-coop init my-study --example prosper"
    )

    @root_app.callback()
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

    return root_app


def requested_command(argv: Sequence[str]) -> str | None:
    """The first command word on a command line (after the root options), if any."""
    skip = False
    for word in argv:
        if skip:
            skip = False
            continue
        if word in ROOT_OPTIONS_WITH_VALUES:
            skip = True
            continue
        if word.startswith("-"):
            continue
        return word
    return None


def build_app(argv: Sequence[str] | None = None) -> typer.Typer:
    """The root app with what ``argv`` needs mounted (everything when ``argv`` is None)."""
    root_app = make_root()
    wanted = None if argv is None else requested_command(argv)
    full = argv is None or COMPLETION_ENV in os.environ
    known = wanted in GROUPS or any(wanted in names for names in TOP_LEVEL.values())
    for name, commands in TOP_LEVEL.items():
        if full or not known or wanted in commands:
            _module(name).register(root_app)  # type: ignore[attr-defined]
    for name, module_name in GROUPS.items():
        if full or wanted == name:
            root_app.add_typer(_module(module_name).app, name=name)  # type: ignore[attr-defined]
        elif not known:
            # Listed in the root help (and for "did you mean"), without its commands.
            group_help = _module(module_name).app.info.help  # type: ignore[attr-defined]
            root_app.add_typer(make_app(str(group_help), name=name), name=name)
    return root_app


def __getattr__(name: str) -> typer.Typer:
    """``app``: the full app, built on first use (tests, docs, shell completion)."""
    if name == "app":
        full_app = build_app()
        globals()["app"] = full_app
        return full_app
    raise AttributeError(name)


def main() -> None:
    """Console-script entry point: mount only what this command line needs."""
    import sys

    build_app(sys.argv[1:])(prog_name="prosper-coop")
