"""The root command and the command groups it mounts.

Building every Typer command costs tens of milliseconds once the tool has ninety
of them, so :func:`build_app` mounts only what a command line needs: for
``prosper-coop task done T-0042`` just the ``task`` group; for the root help each
group appears with its own help text but without its commands. The full app
(``app``, used by tests, docs and shell completion) mounts everything.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from prosper_coop.cli.common import make_app, set_study_dir
from prosper_coop.cli.groups import GROUPS
from prosper_coop.core.version import __version__

# Modules with a ``register(app)`` that adds top-level commands -> those commands
# (tests check this table against what each module really registers).
TOP_LEVEL = {
    "study": ("init", "status", "log", "doctor", "save", "schema"),
    "join": ("join", "whoami"),
    "permissions": ("permissions",),
    "onboard": ("onboard",),
    "support": ("support",),
    "wellbeing": ("checkin",),
    "render": ("render", "readability"),
    "sync": ("sync", "clone", "resolve", "remote"),
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


class _Mount:
    """Stands in for the root app while a module registers its top-level commands.

    With ``wanted`` None, every command is listed (for the root help and "did you
    mean") by its name and help text, without building its options; otherwise only
    the command or group called ``wanted`` is mounted, in full.
    """

    def __init__(self, root_app: typer.Typer, wanted: str | None) -> None:
        self.root_app = root_app
        self.wanted = wanted

    def command(self, name: str | None = None) -> Callable[[Callable[..., None]], None]:
        """Register ``func`` under ``name`` (as a listing, or in full when wanted)."""

        def add(func: Callable[..., None]) -> None:
            called = name or func.__name__.replace("_", "-")
            if self.wanted is None:
                self.root_app.command(called, help=inspect.getdoc(func))(_listed_only)
            elif called == self.wanted:
                self.root_app.command(called)(func)

        return add

    def add_typer(self, group: typer.Typer, *, name: str) -> None:
        """Register a command group (as a listing of its help, or in full when wanted)."""
        if self.wanted is None:
            self.root_app.add_typer(make_app(str(group.info.help), name=name), name=name)
        elif name == self.wanted:
            self.root_app.add_typer(group, name=name)


def _listed_only() -> None:
    """Never run: a command line naming a command mounts it in full."""


def _command_name(info: Any) -> str:
    """The name a registered Typer command is called by (as Typer derives it)."""
    return str(info.name or info.callback.__name__.lower().replace("_", "-"))


def only_what_is_named(group: typer.Typer, argv: Sequence[str]) -> typer.Typer:
    """``group`` with only the command (or sub-group) that ``argv`` names.

    Building every command of a group costs more than running one of them, so a
    command line that names one gets a copy of the group holding just that one; a
    command line that names none of them (help, a typo) gets the whole group.
    """
    wanted = requested_command(argv)
    if wanted is None:
        return group
    commands = [info for info in group.registered_commands if _command_name(info) == wanted]
    groups = [info for info in group.registered_groups if info.name == wanted]
    if not commands and not groups:
        return group
    trimmed = copy.copy(group)
    trimmed.registered_commands = commands
    trimmed.registered_groups = groups
    return trimmed


def build_app(argv: Sequence[str] | None = None) -> typer.Typer:
    """The root app with what ``argv`` needs mounted (everything when ``argv`` is None)."""
    root_app = make_root()
    wanted = None if argv is None else requested_command(argv)
    if argv is None or COMPLETION_ENV in os.environ:
        for name in TOP_LEVEL:
            _module(name).register(root_app)  # type: ignore[attr-defined]
        for name, (module_name, _) in GROUPS.items():
            root_app.add_typer(_module(module_name).app, name=name)  # type: ignore[attr-defined]
        return root_app
    if wanted in GROUPS:
        group = _module(GROUPS[wanted][0]).app  # type: ignore[attr-defined]
        rest = list(argv)[list(argv).index(wanted) + 1 :]
        root_app.add_typer(only_what_is_named(group, rest), name=wanted)
        return root_app
    top_level = next((name for name, names in TOP_LEVEL.items() if wanted in names), None)
    if top_level is not None:
        _module(top_level).register(_Mount(root_app, wanted))  # type: ignore[attr-defined]
        return root_app
    # No command, or one we do not know: list them all (for help and "did you mean").
    for name in TOP_LEVEL:
        _module(name).register(_Mount(root_app, None))  # type: ignore[attr-defined]
    for name, (_, group_help) in GROUPS.items():
        root_app.add_typer(make_app(group_help, name=name), name=name)
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
