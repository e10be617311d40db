"""Record identifiers: human-friendly, and never able to name a path outside the study."""

from __future__ import annotations

import re

from prosper_coop.core.errors import InvalidInputError

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")

# The ID form of each record type, here (not beside the models) so that commands
# can check IDs and find files without importing pydantic. Person IDs have 2-3
# digits so that no record ID (4+ digits) can be read as a person.
PERSON_ID = re.compile(r"^[A-Z]{2,4}-\d{2,3}$")
WP_ID = re.compile(r"^WP\d{1,3}$")
MILESTONE_ID = re.compile(r"^M\d{1,3}$")
TASK_ID = re.compile(r"^T-\d{4,}$")
RUN_ID = re.compile(r"^C-\d{4,}$")
SESSION_ID = re.compile(r"^S-\d{4,}$")
CHECKIN_ID = re.compile(r"^CI-\d{4,}$")
REFLECTION_ID = re.compile(r"^RF-\d{4,}$")
INCIDENT_ID = re.compile(r"^I-\d{4,}$")
ALERT_ID = re.compile(r"^A-\d{4,}$")
# An alert's resolution has a random ID, so that its name says nothing about which alert.
RESOLUTION_ID = re.compile(r"^AR-[0-9a-f]{16}$")
THEME_ID = re.compile(r"^TH\d{1,3}$")
REC_ID = re.compile(r"^R-\d{3,}$")
ENTRY_ID = re.compile(r"^INV-\d{5,}$")
RENDER_ID = re.compile(r"^OUT-\d{5,}$")


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
