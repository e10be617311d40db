"""Pydantic models for wellbeing records.

``CheckIn``, ``Reflection``, ``WellbeingPlan``, ``Identity`` and ``Incident`` are
sensitive: their YAML only ever exists inside an age-encrypted ``.age`` file.
``Alert`` is shared (plain YAML): who, level, when and status, never content.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from prosper_coop.core import ids
from prosper_coop.core.models import (
    PERSON_ID,
    Date,
    DateTime,
    LongText,
    PersonRef,
    Record,
    Tag,
    TaskRef,
    Text,
    WpRef,
)

CHECKIN_ID = ids.CHECKIN_ID
REFLECTION_ID = ids.REFLECTION_ID
INCIDENT_ID = ids.INCIDENT_ID
ALERT_ID = ids.ALERT_ID

AGE_ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----"

SafeRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class CheckIn(Record):
    """A wellbeing check-in (sensitive): a 0-10 distress rating, a contact wish, a note."""

    id: Annotated[str, StringConstraints(pattern=CHECKIN_ID.pattern)]
    person: PersonRef
    at: DateTime
    distress: int = Field(ge=0, le=10)
    contact: bool = False
    note: LongText = ""
    form_version: int = 1


class Reflection(Record):
    """A reflection (sensitive): private by default, or shared with the analysis team."""

    id: Annotated[str, StringConstraints(pattern=REFLECTION_ID.pattern)]
    person: PersonRef
    at: DateTime
    shared: bool = False
    wp: WpRef | None = None
    session: SafeRef | None = None
    tags: list[Tag] = Field(default_factory=list)
    text: Annotated[str, StringConstraints(min_length=1, max_length=100_000)]

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("a reflection cannot be empty")
        return text


class WellbeingPlan(Record):
    """A person's own wellbeing plan (sensitive): readable by them and the wellbeing lead."""

    id: Annotated[str, StringConstraints(pattern=PERSON_ID.pattern)]
    what_helps: LongText = ""
    early_signs: LongText = ""
    who_to_contact: LongText = ""
    in_a_crisis: LongText = ""
    other: LongText = ""
    updated: Date


class Identity(Record):
    """The real person behind a study ID (sensitive): readable by the coordinators."""

    id: Annotated[str, StringConstraints(pattern=PERSON_ID.pattern)]
    real_name: ShortText = ""
    email: ShortText = ""
    phone: ShortText = ""
    other: LongText = ""
    updated: Date


class IncidentStep(BaseModel):
    """One step of a distress-protocol run as it happened."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    step: str
    stage: str
    prompt: str
    answer: LongText = ""


class Incident(Record):
    """A distress or safeguarding incident (sensitive): readable by the safeguarding lead(s)."""

    id: Annotated[str, StringConstraints(pattern=INCIDENT_ID.pattern)]
    protocol: str
    protocol_version: int
    at: DateTime
    recorded_by: PersonRef
    person: PersonRef | None = None
    participant: ShortText = ""
    session: SafeRef | None = None
    outcome: str
    steps: list[IncidentStep] = Field(default_factory=list)
    follow_up_call: bool | None = None
    follow_up_task: TaskRef | None = None
    note: LongText = ""


class AlertLevel(StrEnum):
    """Why an alert was raised (never the rating itself or any words)."""

    HIGH = "high"
    CONTACT = "contact-requested"


class AlertStatus(StrEnum):
    """Where an alert is."""

    OPEN = "open"
    RESOLVED = "resolved"


class Alert(Record):
    """A shared alert flag: who, level, when and status. Never content.

    The lead's resolution note is stored here only as age-encrypted (armoured) text.
    """

    id: Annotated[str, StringConstraints(pattern=ALERT_ID.pattern)]
    person: PersonRef
    level: AlertLevel
    # The person asked to be contacted (also when the level is "high").
    contact_requested: bool = False
    raised: DateTime
    status: AlertStatus = AlertStatus.OPEN
    checkin: Annotated[str, StringConstraints(pattern=CHECKIN_ID.pattern)] | None = None
    resolved_by: PersonRef | None = None
    resolved_at: DateTime | None = None
    note_encrypted: str = ""

    @field_validator("note_encrypted")
    @classmethod
    def _note_is_ciphertext(cls, value: str) -> str:
        if value and not value.lstrip().startswith(AGE_ARMOR_BEGIN):
            raise ValueError(
                "the resolution note must be encrypted (age armour); "
                "add notes with: prosper-coop wellbeing resolve"
            )
        return value


__all__ = [
    "Alert",
    "AlertLevel",
    "AlertStatus",
    "CheckIn",
    "Identity",
    "Incident",
    "IncidentStep",
    "Reflection",
    "Text",
    "WellbeingPlan",
]
