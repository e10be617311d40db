"""What ``doctor`` checks are made of: a :class:`Problem` and the :class:`Loaded` records.

Each feature writes its own checks (``Loaded -> problems``); ``doctor`` lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prosper_coop.core import yamlio

if TYPE_CHECKING:
    from prosper_coop.core.errors import UserError
    from prosper_coop.core.study import Study


@dataclass(frozen=True)
class Problem:
    """One finding of ``doctor``."""

    path: str
    line: int | None
    field: str
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        line = f":{self.line}" if self.line else ""
        if self.field.startswith("("):  # about the whole file, not one field
            return f"{self.path}{line}: {self.message}"
        return f"{self.path}{line}: {self.field}: {self.message}"


@dataclass
class Loaded:
    """What a check can see: every valid record, with its file and text.

    A record whose file is there but invalid is reported once, where it is wrong; it
    still exists for references to it (``invalid``), so a record that names it does
    not get a second, misleading "unknown person" problem of its own.
    """

    study: Study
    records: dict[str, dict[str, tuple[Any, str, str]]] = field(default_factory=dict)
    invalid: dict[str, dict[str, str]] = field(default_factory=dict)

    def of(self, type_name: str) -> dict[str, tuple[Any, str, str]]:
        """Valid records of one type: id -> (record, relative path, text)."""
        return self.records.setdefault(type_name, {})

    def ids(self, type_name: str) -> set[str]:
        """IDs of the records of one type that exist, valid or not (for references)."""
        return set(self.of(type_name)) | set(self.invalid.get(type_name, {}))

    def exists_invalid(self, type_name: str, record_id: str, rel_path: str) -> None:
        """Note a record whose file is there but could not be used (reported elsewhere)."""
        self.invalid.setdefault(type_name, {}).setdefault(record_id, rel_path)

    def problem(
        self, type_name: str, record_id: str, field_name: str, message: str, severity: str = "error"
    ) -> Problem:
        """A problem located at ``field_name`` of a loaded record."""
        _, path, text = self.of(type_name)[record_id]
        return Problem(path, yamlio.line_of(text, (field_name,)), field_name, message, severity)


Check = Callable[[Loaded], Iterable[Problem]]


def problem_from_error(exc: UserError, default_path: str) -> Problem:
    """A problem from a user error, at its file and line (or at ``default_path``)."""
    text = exc.message
    field_name, sep, message = text.partition(": ")
    if not sep or " " in field_name:
        field_name, message = "(file)", text
    return Problem(str(exc.file or default_path), exc.line, field_name, message)
