"""Pydantic models for the shared (plain YAML) records of a study.

Each record is one YAML file. Models forbid unknown fields so a typo in a
hand-edited file is caught, and field order here is the order keys are written.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from prosper_coop.core import ids

TASK_ID = ids.TASK_ID
WP_ID = ids.WP_ID
PERSON_ID = ids.PERSON_ID
MILESTONE_ID = ids.MILESTONE_ID

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
# One line of text (no line breaks or control characters), or empty.
OneLine = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")
]
# An IRAS ID (the number the Integrated Research Application System gives a study).
IRAS_ID = r"^([0-9]{4,10})?$"
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
PersonRef = Annotated[str, StringConstraints(pattern=PERSON_ID.pattern)]
TaskRef = Annotated[str, StringConstraints(pattern=TASK_ID.pattern)]
WpRef = Annotated[str, StringConstraints(pattern=WP_ID.pattern)]

# How dates and times are written in a file: YAML reads an unquoted 2026-03-01 as a
# date; quoted, it is text in the same form. A number is never a date (pydantic alone
# reads 86400, or "86400", as seconds since 1970), and a time carries its offset from
# UTC, as the tool writes it, so that times written on different computers compare.
DATE_TEXT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATETIME_TEXT = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$"
)
_DATE_FORM = re.compile(DATE_TEXT)
_DATETIME_FORM = re.compile(DATETIME_TEXT)


def _date_from_text(value: Any) -> Any:
    """Read text written YYYY-MM-DD as a date and refuse other text; dates pass through.

    Text is read here, not by pydantic: its strict mode takes only date objects after
    this step, and its lax mode would read digits as a time stamp.
    """
    if not isinstance(value, str):
        return value
    if not _DATE_FORM.fullmatch(value):
        raise PydanticCustomError("date_text", "a date is written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise PydanticCustomError(
            "date_text", "not a real date ({reason})", {"reason": str(exc)}
        ) from None


def _datetime_from_text(value: Any) -> Any:
    """Read text written YYYY-MM-DDTHH:MM:SS+00:00 as a time and refuse other text."""
    if not isinstance(value, str):
        return value
    if not _DATETIME_FORM.fullmatch(value):
        raise PydanticCustomError(
            "datetime_text", "a date and time is written YYYY-MM-DDTHH:MM:SS+00:00"
        )
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise PydanticCustomError(
            "datetime_text", "not a real date and time ({reason})", {"reason": str(exc)}
        ) from None


Date = Annotated[
    dt.date,
    BeforeValidator(_date_from_text),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_TEXT}),
]
DateTime = Annotated[
    dt.datetime,
    BeforeValidator(_datetime_from_text),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": DATETIME_TEXT}),
]


class Conflict(BaseModel):
    """A field changed to different values on two machines, kept until resolved.

    ``sync`` records it; ``status`` and ``doctor`` show it; ``resolve`` clears it.
    """

    model_config = ConfigDict(defer_build=True, extra="forbid")

    field: str
    mine: Any = None
    theirs: Any = None
    mine_by: str = ""
    theirs_by: str = ""
    at: DateTime


class Record(BaseModel):
    """Base of every record: unknown fields are errors, values are re-checked on change.

    ``conflicts`` is written last in the file (see ``study.to_yaml``).
    """

    model_config = ConfigDict(defer_build=True, extra="forbid", validate_assignment=True)

    id: str
    conflicts: list[Conflict] = Field(default_factory=list)


class Role(StrEnum):
    """Roles a person may hold in a study (a person may hold several)."""

    COORDINATOR = "coordinator"
    CO_RESEARCHER = "co-researcher"
    CO_APPLICANT = "co-applicant"
    ACADEMIC = "academic"
    SAFEGUARDING_LEAD = "safeguarding-lead"
    WELLBEING_LEAD = "wellbeing-lead"
    PPI_LEAD = "ppi-lead"


class PersonStatus(StrEnum):
    """Where a person is in the study."""

    ACTIVE = "active"
    LEFT = "left"


class CreditStyle(StrEnum):
    """How a person wants to be credited in outputs (their choice, changeable)."""

    NAME = "name"
    INITIALS = "initials"
    PSEUDONYM = "pseudonym"
    GROUP = "group"
    NONE = "none"


class CreditAs(StrEnum):
    """Whether the credit is as an author or in the acknowledgements."""

    AUTHOR = "author"
    ACKNOWLEDGEMENT = "acknowledgement"


class Credit(BaseModel):
    """A person's credit preference. ``display`` is the exact text they chose to show."""

    model_config = ConfigDict(defer_build=True, extra="forbid", validate_assignment=True)

    style: CreditStyle = CreditStyle.GROUP
    display: Annotated[str, StringConstraints(max_length=120)] = ""
    credit_as: CreditAs = CreditAs.ACKNOWLEDGEMENT
    updated: Date | None = None


class KeyConfirmation(BaseModel):
    """A coordinator's confirmation of someone's new keys (a new computer, a lost key)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    by: PersonRef
    on: Date
    fingerprint: Annotated[str, StringConstraints(pattern=r"^SHA256:[A-Za-z0-9+/]{43}$")]


class Person(Record):
    """A member of the study team under a pseudonymous ID. No real names here."""

    id: Annotated[str, StringConstraints(pattern=PERSON_ID.pattern)]
    alias: Text
    roles: list[Role] = Field(min_length=1)
    status: PersonStatus = PersonStatus.ACTIVE
    joined: Date | None = None
    left: Date | None = None
    credit: Credit | None = None
    age_recipient: Annotated[str, StringConstraints(pattern=r"^age1[0-9a-z]{58}$")] | None = None
    # The public half of the key this person signs commits with (made by ``join``).
    signing_key: (
        Annotated[str, StringConstraints(pattern=r"^ssh-ed25519 [A-Za-z0-9+/]{68}$")] | None
    ) = None
    # Set when a coordinator confirmed keys made again (``keys confirm``).
    key_confirmed: KeyConfirmation | None = None
    notes: LongText = ""

    @field_validator("roles")
    @classmethod
    def _no_duplicate_roles(cls, roles: list[Role]) -> list[Role]:
        if len(set(roles)) != len(roles):
            raise ValueError("a role is listed twice")
        return roles


class Note(BaseModel):
    """A dated note on a record (append-only)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    at: DateTime
    by: PersonRef
    text: LongText


class ReadabilityThresholds(BaseModel):
    """Readability limits for one output type; a limit left empty is not checked."""

    model_config = ConfigDict(defer_build=True, extra="forbid", validate_assignment=True)

    min_reading_ease: float | None = None
    max_grade: float | None = None
    max_ari: float | None = None
    max_words: Annotated[int, Field(ge=1)] | None = None
    max_sentence_words: Annotated[int, Field(ge=1)] | None = None
    max_abbreviations: Annotated[int, Field(ge=0)] | None = None
    max_jargon: Annotated[int, Field(ge=0)] | None = None


def default_readability() -> dict[str, ReadabilityThresholds]:
    """Thresholds a new study starts with (written into its study.yaml, then editable).

    Lay summary: NIHR Journals Library plain language summaries (at most 300 words,
    no abbreviations) and Flesch Reading Ease of 60 or more ("plain English").
    Easy read: sentences of 15 words or fewer, no abbreviations.
    """
    return {
        "default": ReadabilityThresholds(min_reading_ease=50, max_sentence_words=30),
        "lay-summary": ReadabilityThresholds(
            min_reading_ease=60, max_words=300, max_abbreviations=0
        ),
        "easy-read": ReadabilityThresholds(
            min_reading_ease=70, max_sentence_words=15, max_abbreviations=0
        ),
        "newsletter": ReadabilityThresholds(min_reading_ease=60, max_sentence_words=25),
        "recommendations": ReadabilityThresholds(min_reading_ease=50, max_sentence_words=30),
        "gripp2": ReadabilityThresholds(min_reading_ease=50, max_sentence_words=30),
    }


class PaymentRate(BaseModel):
    """An hourly payment rate for public contributors, applying from ``as_of``."""

    model_config = ConfigDict(defer_build=True, extra="forbid", validate_assignment=True)

    as_of: Date
    hourly: Annotated[float, Field(gt=0, le=10_000)]
    source: Annotated[str, StringConstraints(max_length=500)] = ""
    checked_on: Date | None = None


def default_payment_rates() -> list[PaymentRate]:
    """Rates a new study starts with; the team must check and edit them.

    Where the rates come from: docs/domain.md section 5.
    """
    return [
        PaymentRate(
            as_of=dt.date(2024, 1, 1),
            hourly=25.00,
            source="NIHR payment guidance for researchers and professionals, v1.6 (2024): "
            "25 pounds an hour (check against the current guidance)",
        ),
        PaymentRate(
            as_of=dt.date(2025, 12, 16),
            hourly=27.50,
            source="NIHR rates reported raised by 10% from 16 December 2025 (check)",
        ),
    ]


class InvolvementSettings(BaseModel):
    """How public contributors are paid: the currency and dated hourly rates."""

    model_config = ConfigDict(defer_build=True, extra="forbid", validate_assignment=True)

    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "GBP"
    rates: list[PaymentRate] = Field(default_factory=default_payment_rates)


class RecruitmentSettings(BaseModel):
    """When ``status`` warns that a recruitment target is behind its planned curve.

    A target is behind when the number expected by now on its planned curve, less
    the number recruited, is more than ``behind_by_points`` percentage points of the
    target (20: 4 short of a target of 16 is 25 points, so it warns), or, when
    ``behind_by_count`` is set, more than that many participants instead.
    """

    model_config = ConfigDict(defer_build=True, extra="forbid", validate_assignment=True)

    behind_by_points: Annotated[float, Field(ge=0, le=100)] = 20
    behind_by_count: Annotated[int, Field(ge=0, le=1_000_000)] | None = None


class StudySettings(BaseModel):
    """``study.yaml``: the study's own settings, shared by the whole team."""

    model_config = ConfigDict(defer_build=True, extra="forbid", validate_assignment=True)

    schema_version: int = 1
    uid: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
    title: Text
    short_title: Annotated[str, StringConstraints(max_length=40)] = ""
    created: Date
    # The details consent forms show (filled into the study's forms by ``init``).
    iras_id: Annotated[str, StringConstraints(strip_whitespace=True, pattern=IRAS_ID)] = ""
    ethics_committee: OneLine = ""
    ethics_reference: OneLine = ""
    sponsor: OneLine = ""
    funder: str = ""
    award: str = ""
    # The funder's acknowledgement and disclaimer as public outputs print them; empty
    # means the standard wording (NIHR's for an NIHR-funded study, see
    # templates/_acknowledgement.md.j2).
    funder_acknowledgement: Annotated[str, StringConstraints(max_length=2000)] = ""
    funder_disclaimer: Annotated[str, StringConstraints(max_length=2000)] = ""
    doi: str = ""
    registration: str = ""
    default_actor: PersonRef | None = None
    readability: dict[str, ReadabilityThresholds] = Field(default_factory=default_readability)
    involvement: InvolvementSettings = Field(default_factory=InvolvementSettings)
    recruitment: RecruitmentSettings = Field(default_factory=RecruitmentSettings)
