"""Shared command-line pieces: the app factory, error handling and parameter aliases.

The parts that do not need Typer (the study folder, output, error reports) live in
:mod:`prosper_coop.cli.base`, shared with the quick path, and are re-exported here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from prosper_coop.cli.base import (
    _STATE,
    open_study,
    optional_date,
    output,
    report_failure,
    report_with_warnings,
    set_study_dir,
    study_dir,
)

__all__ = [
    "_STATE",
    "App",
    "AsJson",
    "DryRun",
    "PersonId",
    "Quiet",
    "RecordIdOpt",
    "handle_errors",
    "make_app",
    "open_study",
    "optional_date",
    "output",
    "report_with_warnings",
    "set_study_dir",
    "study_dir",
]

F = TypeVar("F", bound=Callable[..., Any])


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
