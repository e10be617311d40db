"""User-facing errors and the exit codes the command line returns.

Every mistake a user can make is raised as a :class:`UserError` subclass. The
CLI prints ``Error: <message> (<file>:<line>)`` and the hint, then exits with the
error's :class:`ExitCode`. Tracebacks are shown only with ``PROSPER_COOP_DEBUG=1``.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Documented exit codes (README, "Exit codes")."""

    OK = 0
    ERROR = 1
    USAGE = 2
    NOT_FOUND = 3
    INVALID = 4
    CONFLICT = 5
    BUSY = 6
    THRESHOLD = 7
    KEY = 8
    NOT_PERMITTED = 9
    NOT_JOINED = 10
    INTERRUPTED = 130
    READER_GONE = 141  # 128 + SIGPIPE: the program reading the output stopped (``| head``)


class UserError(Exception):
    """A problem the user can fix; carries a hint saying what to do next."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        file: Path | str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.file = file
        self.line = line

    @property
    def location(self) -> str | None:
        """``file:line`` (or just ``file``) where the problem is, if known."""
        if self.file is None:
            return None
        return f"{self.file}:{self.line}" if self.line else str(self.file)

    def __str__(self) -> str:
        where = f" ({self.location})" if self.location else ""
        return f"{self.message}{where}"


class NotAStudyError(UserError):
    """The current directory (or --study) is not a prosper-coop study."""

    exit_code = ExitCode.NOT_FOUND


class NotFoundError(UserError):
    """A record, file or definition that does not exist."""

    exit_code = ExitCode.NOT_FOUND


class InvalidInputError(UserError):
    """Bad input on the command line (a value the user typed)."""

    exit_code = ExitCode.USAGE


class NoActorError(UserError):
    """A change was asked of a study opened without saying who acts."""

    exit_code = ExitCode.USAGE


class ValidationError(UserError):
    """A record or file that does not pass validation."""

    exit_code = ExitCode.INVALID


class ConflictError(UserError):
    """The change clashes with the state of the study (duplicates, unsaved edits)."""

    exit_code = ExitCode.CONFLICT


class BusyError(UserError):
    """Another prosper-coop process is changing the study."""

    exit_code = ExitCode.BUSY


class ThresholdError(UserError):
    """A quality gate (e.g. readability) did not pass."""

    exit_code = ExitCode.THRESHOLD


class KeyProblemError(UserError):
    """A missing, wrong or unusable encryption key."""

    exit_code = ExitCode.KEY


class GitError(UserError):
    """Git refused an operation; the study was left as it was."""

    exit_code = ExitCode.ERROR


class NotPermittedError(UserError):
    """The acting person's roles do not allow this action (the study's permission table)."""

    exit_code = ExitCode.NOT_PERMITTED


class NotJoinedError(UserError):
    """No identity is established for this study on this computer (see ``join``)."""

    exit_code = ExitCode.NOT_JOINED
