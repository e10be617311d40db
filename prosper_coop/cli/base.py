"""What every command shares, without Typer: the study folder, output and error reports.

:mod:`prosper_coop.cli.common` re-exports these for the Typer commands, and the
quick path (:mod:`prosper_coop.cli.quick`) uses them directly, so a command
answered either way opens the same study, prints the same way and reports a
failure with the same words and exit code. Only the standard library and light
prosper-coop modules are imported here; the rest waits until it is needed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prosper_coop.core.errors import ExitCode, UserError

if TYPE_CHECKING:
    from prosper_coop.cli.terminal import Output
    from prosper_coop.core.study import Study

# The folder of the study (set by the root --study option or PROSPER_COOP_STUDY).
_STATE: dict[str, Path | None] = {"study": None}

STOPPED = "Stopped. Nothing more was changed."
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


def open_study() -> Study:
    """The study the command works on."""
    from prosper_coop.core.study import Study

    return Study.open(_STATE["study"])


def output(as_json: bool = False, quiet: bool = False) -> Output:
    """An output object for this command."""
    from prosper_coop.cli.terminal import Output

    return Output(json_mode=as_json, quiet=quiet)


def optional_date(value: str | None, what: str) -> Any:
    """Parse a date option (``2026-03-01``, ``today``, ``+7``), or None when not given."""
    from prosper_coop.core import clock

    return None if value is None else clock.parse_date(value, what)


def report_with_warnings(out: Output, result: Any, message: str) -> None:
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
    if os.environ.get("PROSPER_COOP_DEBUG"):
        return None
    if isinstance(exc, UserError):
        output().error(exc)
        return int(exc.exit_code)
    output().error(
        UserError(f"something unexpected went wrong ({type(exc).__name__})", UNEXPECTED_HINT)
    )
    return int(ExitCode.ERROR)


def run_command(body: Callable[..., None], /, **params: Any) -> int:
    """Run a command's body with its parameters; return its exit code (failures reported)."""
    try:
        body(**params)
    except (Exception, KeyboardInterrupt) as exc:
        code = report_failure(exc)
        if code is None:
            raise
        return code
    return int(ExitCode.OK)
