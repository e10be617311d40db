"""The root command and the command groups it mounts.

Building every Typer command costs tens of milliseconds once the tool has ninety
of them, so :func:`build_app` mounts only what a command line needs: for
``prosper-coop task done T-0042`` just the ``task`` group; for the root help each
group appears with its own help text but without its commands. The full app
(``app``, used by tests, docs and shell completion) mounts everything.

``prosper-coop`` with no command opens the home screen (:mod:`prosper_coop.cli.home`,
from the root callback), with no command mounted; other spellings people type
(``check-in``) are turned into the command's name first (:data:`ALIASES`), so that
help lists every command once.
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
    "calendar": ("calendar",),
    "onboard": ("onboard",),
    "support": ("support",),
    "wellbeing": ("checkin",),
    "render": ("render", "readability"),
    "report": ("report",),
    "sync": ("sync", "clone", "resolve", "remote"),
    "home": ("help",),
}
ROOT_OPTIONS_WITH_VALUES = {"--study", "-C"}
# Other spellings people type -> the command's own name. Turned into the name before
# the command line is read, so help and completion list each command once.
ALIASES = {"check-in": "checkin", "who-am-i": "whoami", "well-being": "wellbeing"}
# Root options that answer by themselves: with one of them, no home screen.
ANSWERING_OPTIONS = {"-h", "--help", "--version", "--install-completion", "--show-completion"}
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
        "Start with: prosper-coop init my-study --example prosper\n\n"
        "Every command, grouped by what it is for: prosper-coop help"
    )
    root_app.info.no_args_is_help = False  # no command: the home screen

    @root_app.callback(invoke_without_command=True)
    def root(
        ctx: typer.Context,
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
        if ctx.invoked_subcommand is None:
            _open_home()

    return root_app


def _open_home() -> None:
    """No command named: the home screen (a short help where nobody is at a terminal)."""
    from prosper_coop.cli.common import handle_errors

    # Loaded by name, as every command module is (the home screen runs commands
    # through build_app, so it imports this module, never the other way round).
    handle_errors(_module("home").home)()  # type: ignore[attr-defined]


def _command_index(argv: Sequence[str]) -> int | None:
    """Where the first command word is on a command line (after the root options)."""
    skip = False
    for index, word in enumerate(argv):
        if skip:
            skip = False
            continue
        if word in ROOT_OPTIONS_WITH_VALUES:
            skip = True
            continue
        if word.startswith("-"):
            continue
        return index
    return None


def requested_command(argv: Sequence[str]) -> str | None:
    """The first command word on a command line (after the root options), if any."""
    index = _command_index(argv)
    return None if index is None else argv[index]


def with_aliases(argv: Sequence[str]) -> list[str]:
    """``argv`` with its command word spelled as named: ``check-in`` becomes ``checkin``."""
    words = list(argv)
    index = _command_index(words)
    if index is not None:
        words[index] = ALIASES.get(words[index], words[index])
    return words


def opens_home(argv: Sequence[str]) -> bool:
    """Whether a command line names no command, so the home screen opens (and no
    command needs mounting).

    Not when a root option answers by itself (``--help``, ``--version``), nor when
    the last option still waits for its value (``-C`` alone: that is a mistake to
    report), nor while the shell asks for completions.
    """
    return (
        requested_command(argv) is None
        and not any(word in ANSWERING_OPTIONS for word in argv)
        and not (argv and argv[-1] in ROOT_OPTIONS_WITH_VALUES)
        and COMPLETION_ENV not in os.environ
    )


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


class _Summaries:
    """Stands in for the root app to collect each command's help, building none."""

    def __init__(self) -> None:
        self.helps: dict[str, str] = {}

    def command(self, name: str | None = None) -> Callable[[Callable[..., None]], None]:
        """Note the help of ``func`` under ``name``."""

        def add(func: Callable[..., None]) -> None:
            self.helps[name or func.__name__.replace("_", "-")] = inspect.getdoc(func) or ""

        return add

    def add_typer(self, group: typer.Typer, *, name: str) -> None:
        """Note the help of a command group."""
        self.helps[name] = str(group.info.help or "")


def command_helps() -> dict[str, str]:
    """Every top-level command and group -> its help text, in mounting order."""
    summaries = _Summaries()
    for name in TOP_LEVEL:
        _module(name).register(summaries)  # type: ignore[attr-defined]
    for name, (_, group_help) in GROUPS.items():
        summaries.helps[name] = group_help
    return summaries.helps


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
    if opens_home(argv):
        return root_app  # the home screen runs no command
    # Help, or a command we do not know: list them all (for help and "did you mean").
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

    argv = with_aliases(sys.argv[1:])
    build_app(argv)(args=argv, prog_name="prosper-coop")
