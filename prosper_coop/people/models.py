"""Record models for checklist runs and sessions (shared, plain YAML).

A checklist run (``C-0001``) is one pass of a checklist definition from
``protocols/checklists/`` for one subject: a person (``CR-01``), a session
(``S-0001``) or a research participant (``P-0001``). Onboarding, offboarding,
consent and safeguarding checklists are all runs; a recorded consent is a run of
a consent form, and its withdrawal is kept on the run. Runs hold who ticked each
item, when, and the evidence; never names, contact details or disclosures.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from prosper_coop.core import ids
from prosper_coop.core.models import (
    PERSON_ID,
    Date,
    DateTime,
    LongText,
    PersonRef,
    Record,
    TaskRef,
    Text,
    WpRef,
)

RUN_ID = ids.RUN_ID
SESSION_ID = ids.SESSION_ID
PARTICIPANT_ID = ids.PARTICIPANT_ID
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
SUBJECT_ID = re.compile(
    f"(?:{PERSON_ID.pattern})|(?:{SESSION_ID.pattern})|(?:{PARTICIPANT_ID.pattern})"
)

Slug = Annotated[str, StringConstraints(pattern=SLUG.pattern)]
SubjectRef = Annotated[str, StringConstraints(pattern=SUBJECT_ID.pattern)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
EvidenceNote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class WithdrawalScope(StrEnum):
    """What a consent withdrawal covers (docs/domain.md section 4)."""

    FUTURE = "future"
    ALL_NOT_YET_ANONYMISED = "all-not-yet-anonymised"


class TickedToo(BaseModel):
    """Who else ticked an item, and when: the same item ticked on two computers before a sync."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    by: PersonRef
    at: DateTime


class Tick(BaseModel):
    """One item of a run marked done (or answered), by whom, when, with what evidence."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    item: Slug
    by: PersonRef
    at: DateTime
    answer: bool | None = None
    date: Date | None = None
    document: ShortText = ""
    note: EvidenceNote = ""
    # Set by sync when the item was ticked the same way on another computer too.
    also_ticked: list[TickedToo] = Field(default_factory=list)


class Withdrawal(BaseModel):
    """A consent withdrawal: kept on the consent run, never deleted."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    at: DateTime
    by: PersonRef
    scope: WithdrawalScope
    note: EvidenceNote = ""
    tasks: list[TaskRef] = Field(default_factory=list)


class ChecklistRun(Record):
    """One pass of a checklist definition for one subject."""

    id: Annotated[str, StringConstraints(pattern=RUN_ID.pattern)]
    definition: Slug
    version: int = Field(ge=1)
    fingerprint: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
    subject: SubjectRef
    started: DateTime
    started_by: PersonRef
    completed: DateTime | None = None
    ticks: list[Tick] = Field(default_factory=list)
    withdrawal: Withdrawal | None = None

    @field_validator("ticks")
    @classmethod
    def _one_tick_per_item(cls, ticks: list[Tick]) -> list[Tick]:
        seen: set[str] = set()
        for tick in ticks:
            if tick.item in seen:
                raise ValueError(f"item {tick.item!r} is ticked twice")
            seen.add(tick.item)
        return ticks

    def tick_for(self, item_id: str) -> Tick | None:
        """The tick for ``item_id``, if it has one."""
        return next((tick for tick in self.ticks if tick.item == item_id), None)


class SessionType(StrEnum):
    """Kinds of data-collection session."""

    FOCUS_GROUP = "focus-group"
    INTERVIEW = "interview"
    WORKSHOP = "workshop"


class SessionMode(StrEnum):
    """How a session is held (PROSPER moved its data collection online during COVID-19)."""

    IN_PERSON = "in-person"
    ONLINE = "online"
    PHONE = "phone"


ParticipantRef = Annotated[str, StringConstraints(pattern=PARTICIPANT_ID.pattern)]


class SessionStatus(StrEnum):
    """Where a session is: planned, started (under way) or closed."""

    PLANNED = "planned"
    STARTED = "started"
    CLOSED = "closed"


class DebriefChoice(StrEnum):
    """What a facilitator chose when offered a debrief (support is offered, not imposed)."""

    NOW = "now"
    LATER = "later"
    DECLINED = "declined"


AGE_ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----"


class Debrief(BaseModel):
    """That a debrief was offered to a facilitator after a session, and their choice.

    Every facilitator is offered one, so that it was offered says nothing about
    anyone. What they chose is wellbeing data: it is kept encrypted
    (``choice_sealed``, age armour) for them and the wellbeing lead(s), padded so
    every choice gives the same size. ``choice`` in plain text is only read from
    sessions closed by older versions.
    """

    model_config = ConfigDict(defer_build=True, extra="forbid")

    facilitator: PersonRef
    offered_at: DateTime
    offered_by: PersonRef
    choice: DebriefChoice | None = None
    choice_sealed: str = ""

    @field_validator("choice_sealed")
    @classmethod
    def _sealed_is_ciphertext(cls, value: str) -> str:
        if value and not value.lstrip().startswith(AGE_ARMOR_BEGIN):
            raise ValueError(
                "a debrief choice must be encrypted (age armour); "
                "record it with: prosper-coop session close"
            )
        return value

    @model_validator(mode="after")
    def _has_a_choice(self) -> Debrief:
        if self.choice is None and not self.choice_sealed:
            raise ValueError("a debrief needs the facilitator's choice (choice_sealed)")
        return self


class StartedDespite(BaseModel):
    """A session started although a facilitator was not ready: who decided, when and why."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    by: PersonRef
    at: DateTime
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    gaps: list[EvidenceNote] = Field(min_length=1)


class Session(Record):
    """A data-collection session (interview, focus group, analysis workshop)."""

    id: Annotated[str, StringConstraints(pattern=SESSION_ID.pattern)]
    type: SessionType
    date: Date
    title: Text | None = None
    wp: WpRef | None = None
    facilitators: list[PersonRef] = Field(min_length=1)
    # The research participants taking part (pseudonymous IDs only) and how it is held.
    participants: list[ParticipantRef] = Field(default_factory=list)
    mode: SessionMode | None = None
    status: SessionStatus = SessionStatus.PLANNED
    created_by: PersonRef | None = None
    started: DateTime | None = None
    started_by: PersonRef | None = None
    # Set when it was started although a facilitator was not onboarded or had no consent.
    started_despite: StartedDespite | None = None
    closed: DateTime | None = None
    closed_by: PersonRef | None = None
    debriefs: list[Debrief] = Field(default_factory=list)
    notes: LongText = ""

    @field_validator("facilitators")
    @classmethod
    def _no_duplicate_facilitators(cls, facilitators: list[str]) -> list[str]:
        if len(set(facilitators)) != len(facilitators):
            raise ValueError("a facilitator is listed twice")
        return facilitators

    @field_validator("participants")
    @classmethod
    def _no_duplicate_participants(cls, participants: list[str]) -> list[str]:
        if len(set(participants)) != len(participants):
            raise ValueError("a participant is listed twice")
        return participants
