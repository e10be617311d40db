"""Shared command-line pieces: the app factory, the study folder, output, error
handling and parameter aliases. Only the standard library and Typer are imported
here; the rest waits until a command needs it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from prosper_coop.core.errors import ExitCode, UserError

if TYPE_CHECKING:
    from prosper_coop.cli.terminal import Terminal
    from prosper_coop.core.study import Study


F = TypeVar("F", bound=Callable[..., Any])

# The folder of the study (set by the root --study option or PROSPER_COOP_STUDY).
_STATE: dict[str, Path | None] = {"study": None}

STOPPED = "Stopped. Nothing more was changed."
FILE_HINT = "Check the name and the folder: that they exist, and that you may use them."
UNEXPECTED_HINT = (
    "Your study was left as it was. Run again with PROSPER_COOP_DEBUG=1 "
    "to see details, and report it to the study coordinator."
)


def set_study_dir(path: Path | None) -> None:
    """Remember the --study option for the command that runs next."""
    _STATE["study"] = path


def study_dir() -> Path | None:
    """The --study option of this command, if given."""
    return _STATE["study"]


def open_study(*, acting: bool = False) -> Study:
    """The study the command works on, as the person acting on this computer, today.

    Who acts comes from ``PROSPER_COOP_AS`` or ``whoami`` (:func:`localconfig.local_actor`),
    asked only when a command needs it; never a default. With ``acting``, the person
    must have joined the study on this computer now, before any question is asked
    (a check-in, a reflection), so nobody answers questions only to be refused. A
    change a stopped command left half-done is finished or undone first, and said so.
    """
    from prosper_coop.core import clock, localconfig
    from prosper_coop.core.study import Study

    localconfig.tidy()  # what a killed write left in the config folder (a key, a setting)
    study = Study.open(
        _STATE["study"], actor=localconfig.local_actor, today=clock.today(), notify=_tell
    )
    if acting:
        study.signing_key(study.actor())
    return study


def _tell(message: str) -> None:
    """Say what recovering from a stopped command did (stderr, never hidden)."""
    from prosper_coop.cli.terminal import Terminal

    Terminal().info(message)


def output(as_json: bool = False, quiet: bool = False) -> Terminal:
    """An output object for this command."""
    from prosper_coop.cli.terminal import Terminal

    return Terminal(json_mode=as_json, quiet=quiet)


def optional_date(value: str | None, what: str) -> Any:
    """Parse a date option (``2026-03-01``, ``today``, ``+7``), or None when not given."""
    from prosper_coop.core import clock

    return None if value is None else clock.parse_date(value, what)


def report_with_warnings(out: Terminal, result: Any, message: str) -> None:
    """Say what was done, then each of the result's ``warnings``."""
    out.success(message)
    for warning in result.warnings:
        out.warn(warning)


def report_failure(exc: Exception | KeyboardInterrupt) -> int | None:
    """Report a command's failure the prosper-coop way and return its exit code.

    A user error prints ``Error: ...`` and its hint and gives the error's documented
    code; Ctrl-C says calmly that it stopped (130); anything else is reported as
    unexpected (1). None means "let it propagate": ``PROSPER_COOP_DEBUG`` is set and
    the traceback should be shown.
    """
    if isinstance(exc, KeyboardInterrupt):
        output().info(STOPPED)
        return int(ExitCode.INTERRUPTED)
    if isinstance(exc, BrokenPipeError):
        from prosper_coop.cli.terminal import reader_gone, stop_quietly

        if reader_gone():
            return stop_quietly()
    if os.environ.get("PROSPER_COOP_DEBUG"):
        return None
    if isinstance(exc, UserError):
        output().error(exc)
        return int(exc.exit_code)
    if isinstance(exc, OSError) and exc.filename is not None:
        # A file or folder the system refused (a name too long, no permission, a full
        # disk): say which and why, as the user can act on it.
        output().error(UserError(f"cannot use {exc.filename}: {exc.strerror or exc}", FILE_HINT))
        return int(ExitCode.ERROR)
    output().error(
        UserError(f"something unexpected went wrong ({type(exc).__name__})", UNEXPECTED_HINT)
    )
    return int(ExitCode.ERROR)


def handle_errors(func: F) -> F:
    """Turn user errors into ``Error: ...`` plus a hint and a documented exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            code = report_failure(exc)
            if code is None:
                raise
            raise typer.Exit(code) from None

    return wrapper  # type: ignore[return-value]


class App(typer.Typer):
    """A Typer app whose commands all report errors the prosper-coop way."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        """Register a command (wrapped by :func:`handle_errors`)."""
        register = super().command(*args, **kwargs)

        def decorator(func: F) -> F:
            register(handle_errors(func))
            return func

        return decorator


def make_app(help_text: str, *, name: str | None = None) -> App:
    """The one app factory: help on no args, -h/--help, rich markup, no locals."""
    return App(
        name=name,
        help=help_text,
        no_args_is_help=True,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
        pretty_exceptions_show_locals=False,
        add_completion=name is None,
    )


# -- shared parameters ---------------------------------------------------------------
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the result.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would change; change nothing.")]
PersonId = Annotated[str, typer.Argument(help="A person's study ID, e.g. CR-01.")]
RecordIdOpt = Annotated[str | None, typer.Option("--record", help="Only this record, e.g. T-0042.")]
