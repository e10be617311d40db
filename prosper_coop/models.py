"""Pydantic models for the shared (plain YAML) records of a study.

Each record is one YAML file. Models forbid unknown fields so a typo in a
hand-edited file is caught, and field order here is the order keys are written.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

TASK_ID = re.compile(r"^T-\d{4,}$")
WP_ID = re.compile(r"^WP\d{1,3}$")
PERSON_ID = re.compile(r"^[A-Z]{2,4}-\d{2,3}$")
MILESTONE_ID = re.compile(r"^M\d{1,3}$")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
PersonRef = Annotated[str, StringConstraints(pattern=PERSON_ID.pattern)]
TaskRef = Annotated[str, StringConstraints(pattern=TASK_ID.pattern)]
WpRef = Annotated[str, StringConstraints(pattern=WP_ID.pattern)]


class Conflict(BaseModel):
    """A field changed to different values on two machines, kept until resolved.

    ``sync`` records it; ``status`` and ``doctor`` show it; ``resolve`` clears it.
    """

    model_config = ConfigDict(extra="forbid")

    field: str
    mine: Any = None
    theirs: Any = None
    mine_by: str = ""
    theirs_by: str = ""
    at: dt.datetime


class Record(BaseModel):
    """Base of every record: unknown fields are errors, values are re-checked on change.

    ``conflicts`` is written last in the file (see ``study.to_yaml``).
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

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

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    style: CreditStyle = CreditStyle.GROUP
    display: Annotated[str, StringConstraints(max_length=120)] = ""
    credit_as: CreditAs = CreditAs.ACKNOWLEDGEMENT
    updated: dt.date | None = None


class Person(Record):
    """A member of the study team under a pseudonymous ID. No real names here."""

    id: Annotated[str, StringConstraints(pattern=PERSON_ID.pattern)]
    alias: Text
    roles: list[Role] = Field(min_length=1)
    status: PersonStatus = PersonStatus.ACTIVE
    joined: dt.date | None = None
    left: dt.date | None = None
    credit: Credit | None = None
    age_recipient: Annotated[str, StringConstraints(pattern=r"^age1[0-9a-z]{58}$")] | None = None
    notes: LongText = ""

    @field_validator("roles")
    @classmethod
    def _no_duplicate_roles(cls, roles: list[Role]) -> list[Role]:
        if len(set(roles)) != len(roles):
            raise ValueError("a role is listed twice")
        return roles


class Milestone(BaseModel):
    """A dated milestone inside a work package."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: Annotated[str, StringConstraints(pattern=MILESTONE_ID.pattern)]
    title: Text
    due: dt.date
    done: dt.date | None = None


class WorkPackage(Record):
    """A work package (PROSPER had five, run in sequence)."""

    id: Annotated[str, StringConstraints(pattern=WP_ID.pattern)]
    title: Text
    summary: LongText = ""
    start: dt.date
    end: dt.date
    lead: PersonRef | None = None
    milestones: list[Milestone] = Field(default_factory=list)

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: dt.date, info: object) -> dt.date:
        start = getattr(info, "data", {}).get("start")
        if start is not None and end < start:
            raise ValueError(f"end {end} is before start {start}")
        return end


class TaskStatus(StrEnum):
    """A task's status."""

    TODO = "todo"
    DOING = "doing"
    BLOCKED = "blocked"
    DONE = "done"


class Note(BaseModel):
    """A dated note on a record (append-only)."""

    model_config = ConfigDict(extra="forbid")

    at: dt.datetime
    by: PersonRef
    text: LongText


class Task(Record):
    """A unit of work inside a work package."""

    id: Annotated[str, StringConstraints(pattern=TASK_ID.pattern)]
    wp: WpRef
    title: Text
    status: TaskStatus = TaskStatus.TODO
    owner: PersonRef | None = None
    due: dt.date | None = None
    depends: list[TaskRef] = Field(default_factory=list)
    tags: list[Tag] = Field(default_factory=list)
    blocked_reason: LongText = ""
    created: dt.date
    done_on: dt.date | None = None
    notes: list[Note] = Field(default_factory=list)


class StudySettings(BaseModel):
    """``study.yaml``: the study's own settings, shared by the whole team."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    schema_version: int = 1
    uid: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
    title: Text
    short_title: Annotated[str, StringConstraints(max_length=40)] = ""
    created: dt.date
    funder: str = ""
    award: str = ""
    doi: str = ""
    registration: str = ""
    default_actor: PersonRef | None = None
