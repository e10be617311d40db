"""Record identifiers: human-friendly, and never able to name a path outside the study."""

from __future__ import annotations

import re

from prosper_coop.errors import InvalidInputError

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def check_safe(value: str, what: str = "ID") -> str:
    """Return ``value`` if it is a safe identifier, else raise a clear error.

    A safe ID is letters, digits, ``-`` and ``_`` only (at most 64), so it can
    never be ``..``, an absolute path, or contain a separator.
    """
    if not SAFE_ID.fullmatch(value):
        raise InvalidInputError(
            f"{what} {value!r} is not allowed",
            "IDs use only letters, digits, '-' and '_' (for example T-0042, CR-01, WP3).",
        )
    return value


def check_pattern(value: str, pattern: re.Pattern[str], what: str, example: str) -> str:
    """Check ``value`` is safe and matches the record type's own ``pattern``."""
    check_safe(value, what)
    if not pattern.fullmatch(value):
        raise InvalidInputError(
            f"{what} {value!r} does not look right",
            f"Use the form {example}.",
        )
    return value


def number_of(value: str) -> int | None:
    """The trailing number of an ID (``T-0042`` -> 42), if it has one."""
    match = re.search(r"(\d+)$", value)
    return int(match.group(1)) if match else None
