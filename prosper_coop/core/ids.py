"""Record identifiers: human-friendly, and never able to name a path outside the study."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
# Recruitment: research participants (one letter, so never a person's ID), and sites,
# targets and surveys written like work packages (SITE2, RT3, SV1), with no hyphen.
PARTICIPANT_ID = re.compile(r"^P-\d{3,5}$")
SITE_ID = re.compile(r"^SITE\d{1,3}$")
TARGET_ID = re.compile(r"^RT\d{1,3}$")
SURVEY_ID = re.compile(r"^SV\d{1,3}$")
# An identity record (the real person behind an ID) is a team member's or a participant's.
IDENTITY_ID = re.compile(rf"^(?:{PERSON_ID.pattern[1:-1]}|{PARTICIPANT_ID.pattern[1:-1]})$")


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


# -- what people type ----------------------------------------------------------------------
# People type IDs as they say them: ``rf 1``, ``wp2``, ``cr-02``, or just ``3`` where the
# kind of record is known. Each kind below has one stored form; what was typed becomes
# that form when it can only mean one ID, and is otherwise left as it was, so that the
# usual check refuses it with its usual message. An ID already in its stored form is
# never changed, so two different IDs are never made one.
_TYPED = re.compile(r"(?:([A-Za-z]{1,4})[ _-]?)?(\d+)", re.ASCII)
_TYPED_PERSON = re.compile(r"([A-Za-z]{2,4})[ _-]?(\d{1,3})", re.ASCII)


@dataclass(frozen=True)
class IdForm:
    """One kind of ID: its stored form, and how it may be typed.

    ``prefix`` comes before the number (``T-``, ``WP``) and the number has at least
    ``width`` digits (``3`` -> ``T-0003``). With ``bare``, a number alone names this
    kind (where an argument can only be one kind, as ``task done 3``).
    """

    what: str
    pattern: re.Pattern[str]
    prefix: str
    width: int
    example: str
    bare: bool = True

    def normal(self, value: str) -> str:
        """``value`` in the stored form if it can only mean one ID of this kind, else as typed."""
        text = value.strip()
        if self.pattern.fullmatch(text):
            return text
        typed = _TYPED.fullmatch(text)
        if typed is None:
            return value
        letters, digits = (typed.group(1) or "").upper(), typed.group(2)
        if letters != self.prefix.rstrip("-") and not (self.bare and not letters):
            return value
        # The digits as typed first, so that an ID in another case stays that ID.
        for number in (digits, digits.zfill(self.width)):
            if self.pattern.fullmatch(candidate := f"{self.prefix}{number}"):
                return candidate
        return value

    def check(self, value: str) -> str:
        """The stored form of ``value``, or an error showing the form (a usage error)."""
        found = self.normal(value)
        if not self.pattern.fullmatch(found):
            short = f" (or just {number_of(self.example)})" if self.bare else ""
            raise InvalidInputError(
                f"{self.what} {value!r} does not look right", f"Use the form {self.example}{short}."
            )
        return found


TASK = IdForm("task ID", TASK_ID, "T-", 4, "T-0042")
WORK_PACKAGE = IdForm("work package", WP_ID, "WP", 1, "WP3")
MILESTONE = IdForm("milestone", MILESTONE_ID, "M", 1, "M2")
RUN = IdForm("checklist run ID", RUN_ID, "C-", 4, "C-0003")
SESSION = IdForm("session ID", SESSION_ID, "S-", 4, "S-0002")
CHECKIN = IdForm("check-in ID", CHECKIN_ID, "CI-", 4, "CI-0001")
REFLECTION = IdForm("reflection ID", REFLECTION_ID, "RF-", 4, "RF-0001")
INCIDENT = IdForm("incident ID", INCIDENT_ID, "I-", 4, "I-0001")
ALERT = IdForm("alert ID", ALERT_ID, "A-", 4, "A-0001")
THEME = IdForm("theme ID", THEME_ID, "TH", 1, "TH1")
RECOMMENDATION = IdForm("recommendation ID", REC_ID, "R-", 3, "R-001")
INVOLVEMENT = IdForm("involvement entry", ENTRY_ID, "INV-", 5, "INV-00001")
RENDER = IdForm("render ID", RENDER_ID, "OUT-", 5, "OUT-00001")
PARTICIPANT = IdForm("participant ID", PARTICIPANT_ID, "P-", 4, "P-0001")
SITE = IdForm("site ID", SITE_ID, "SITE", 1, "SITE1")
TARGET = IdForm("target ID", TARGET_ID, "RT", 1, "RT1")
SURVEY = IdForm("survey ID", SURVEY_ID, "SV", 1, "SV1")
ID_FORMS: tuple[IdForm, ...] = (
    TASK, WORK_PACKAGE, MILESTONE, RUN, SESSION, CHECKIN, REFLECTION, INCIDENT, ALERT,
    THEME, RECOMMENDATION, INVOLVEMENT, RENDER, PARTICIPANT, SITE, TARGET, SURVEY,
)  # fmt: skip


def person_id(value: str) -> str:
    """A person's ID as stored (``cr-2``, ``Cr02`` -> ``CR-02``), else ``value`` as typed.

    A number alone is left as it is: it could be anyone's (CR-02 or AC-02).
    """
    text = value.strip()
    if PERSON_ID.fullmatch(text):
        return text
    typed = _TYPED_PERSON.fullmatch(text)
    if typed is None:
        return value
    return f"{typed.group(1).upper()}-{typed.group(2).zfill(2)}"


def work_package(value: str) -> str:
    """A work package as stored (``wp2``, ``WP 2``, ``2`` -> ``WP2``), else as typed."""
    return WORK_PACKAGE.normal(value)
