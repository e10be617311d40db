"""Shared command-line pieces: the app factory, the study folder, output, error
handling, parameter aliases and kind input. Only the standard library, Typer and
the small core.errors and core.ids are imported here; the rest waits until a
command needs it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from prosper_coop.core import ids
from prosper_coop.core.errors import ExitCode, UserError

if TYPE_CHECKING:
    from prosper_coop.cli.terminal import Terminal
    from prosper_coop.core.study import Study


F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

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


# -- kind input ----------------------------------------------------------------------
# IDs reach a command in their stored form however they were typed (``cr-2`` is CR-02,
# ``wp2`` is WP2, ``3`` is T-0003 where a task is meant): pass these as ``parser=`` of
# a parameter. Anything else arrives as typed, for the command's own check to refuse.
def id_parser(normal: Callable[[str], str], name: str) -> Callable[[str], str]:
    """A ``parser=`` turning what was typed into one kind of ID (``ids.ALERT.normal``);
    ``name`` is what --help shows for the value (``--person <person>``)."""

    def parse(value: str) -> str:
        return normal(value)

    parse.__name__ = parse.__qualname__ = name
    return parse


def id_list_parser(normal: Callable[[str], str], name: str) -> Callable[[str], str]:
    """A ``parser=`` for IDs typed as a list (``wp2, wp3`` -> ``WP2,WP3``): each in its
    stored form, as :func:`id_parser` makes one."""

    def parse(value: str) -> str:
        return ",".join(normal(part) for part in value.split(","))

    parse.__name__ = parse.__qualname__ = name
    return parse


def typed_id(value: str, forms: Sequence[ids.IdForm] = ids.ID_FORMS) -> str:
    """An ID that may be of any of ``forms`` or a person's, in its stored form, told
    apart by its letters (``s2`` -> S-0002, ``t-42`` -> T-0042, ``cr-2`` -> CR-02);
    else ``value`` as typed. A number alone is left as it is: it could be of any kind."""
    text = value.strip()
    if not text[:1].isalpha() or ids.PERSON_ID.fullmatch(text):
        return value
    for form in forms:  # no two forms share letters, so at most one can fit
        if form.pattern.fullmatch(found := form.normal(text)):
            return found
    return ids.person_id(text)


PERSON = id_parser(ids.person_id, "person")  # cr-2 -> CR-02
WORK_PACKAGE = id_parser(ids.WORK_PACKAGE.normal, "wp")  # wp2, WP 2, 2 -> WP2
SESSION = id_parser(ids.SESSION.normal, "session")  # s2, 2 -> S-0002
RECORD = id_parser(typed_id, "record")  # any record: t42 -> T-0042, cr-2 -> CR-02
# What a checklist or consent is for: a person, a session or a participant (p14 -> P-0014).
SUBJECT = id_parser(functools.partial(typed_id, forms=(ids.SESSION, ids.PARTICIPANT)), "subject")


def ask_until(
    question: str,
    read: Callable[[str], T],
    *,
    default: str | None = None,
    again: str | None = None,
    err: bool = True,
) -> T:
    """Ask ``question`` until ``read`` accepts the answer, and return what it made of it.

    After an answer that does not fit, say calmly why (``again``, or the problem
    ``read`` found) and ask again. Ctrl-D or the end of the input stops, as
    :func:`typer.prompt` does (``typer.Abort``), so this never loops on a closed input.
    """
    while True:
        answer: str = typer.prompt(question, default=default, show_default=bool(default), err=err)
        try:
            return read(answer)
        except UserError as exc:
            said = again or f"{exc.message[:1].upper()}{exc.message[1:]}. Please try again."
            output().info(said)


def ask_yes_no(question: str, *, default: bool = False) -> bool:
    """Ask a yes-or-no question until it is answered with one ("Yes", "y", "yeah", "nope")."""
    from prosper_coop.core.choices import yes_or_no
    from prosper_coop.core.errors import InvalidInputError

    def read(answer: str) -> bool:
        found = yes_or_no(answer)
        if found is None:
            raise InvalidInputError("please answer yes or no")
        return found

    return ask_until(
        f"{question} (yes/no)",
        read,
        default="yes" if default else "no",
        again="Please answer yes or no.",
    )


# -- shared parameters ---------------------------------------------------------------
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the result.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would change; change nothing.")]
PersonId = Annotated[str, typer.Argument(help="A person's study ID, e.g. CR-01.", parser=PERSON)]
RecordIdOpt = Annotated[str | None, typer.Option("--record", help="Only this record, e.g. T-0042.")]
