"""Pydantic models for wellbeing records.

Every record here is sensitive: its YAML only ever exists inside an age-encrypted
``.age`` file. That includes ``Alert`` (whether a check-in raised an alert, and why)
and ``AlertResolution`` (a lead's follow-up of one): who asked for help is health data.
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
RESOLUTION_ID = ids.RESOLUTION_ID

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
    """The real person behind a study ID (sensitive): readable by the coordinators.

    A team member's (``CR-01``) or a research participant's (``P-0001``): contacts of
    participants are kept here, never in their shared record.
    """

    id: Annotated[str, StringConstraints(pattern=ids.IDENTITY_ID.pattern)]
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
    """The alert file of one check-in (sensitive): an alert for the wellbeing lead, or none.

    Every check-in writes one (``alerts/CR-01/A-0005.age`` for ``CI-0005``), so git
    shows the same files whether or not an alert was raised; only the person and
    the wellbeing leads can read which. ``level`` is empty when there was no alert.
    Whether an alert is resolved is kept apart, in :class:`AlertResolution`, so this
    file never changes after the check-in.
    """

    id: Annotated[str, StringConstraints(pattern=ALERT_ID.pattern)]
    person: PersonRef
    checkin: Annotated[str, StringConstraints(pattern=CHECKIN_ID.pattern)] | None = None
    raised: DateTime
    # Why an alert was raised; empty: this check-in raised none.
    level: AlertLevel | None = None
    # The person asked to be contacted (also when the level is "high").
    contact_requested: bool = False

    @property
    def is_alert(self) -> bool:
        """Whether this check-in raised an alert."""
        return self.level is not None


class AlertResolution(Record):
    """A wellbeing lead's resolution of an alert (sensitive): who, when, and what was done.

    Its file has a random name (``resolutions/AR-<16 hex>.age``): which alert it
    resolves, and whose, is only inside.
    """

    id: Annotated[str, StringConstraints(pattern=RESOLUTION_ID.pattern)]
    alert: Annotated[str, StringConstraints(pattern=ALERT_ID.pattern)]
    person: PersonRef
    checkin: Annotated[str, StringConstraints(pattern=CHECKIN_ID.pattern)] | None = None
    resolved_by: PersonRef
    resolved_at: DateTime
    note: LongText = ""


__all__ = [
    "Alert",
    "AlertLevel",
    "AlertResolution",
    "AlertStatus",
    "CheckIn",
    "Identity",
    "Incident",
    "IncidentStep",
    "Reflection",
    "Text",
    "WellbeingPlan",
]
