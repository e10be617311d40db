"""The task feature's records: work packages (with milestones) and tasks.

Each is one YAML file (``workpackages/WP3.yaml``, ``tasks/00/T-0042.yaml``).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from prosper_coop.core.models import (
    MILESTONE_ID,
    TASK_ID,
    WP_ID,
    Date,
    LongText,
    Note,
    PersonRef,
    Record,
    Tag,
    TaskRef,
    Text,
    WpRef,
)


class Milestone(BaseModel):
    """A dated milestone inside a work package."""

    model_config = ConfigDict(defer_build=True, extra="forbid", validate_assignment=True)

    id: Annotated[str, StringConstraints(pattern=MILESTONE_ID.pattern)]
    title: Text
    due: Date
    done: Date | None = None


class WorkPackage(Record):
    """A work package (PROSPER had five, run in sequence)."""

    id: Annotated[str, StringConstraints(pattern=WP_ID.pattern)]
    title: Text
    summary: LongText = ""
    start: Date
    end: Date
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


class Task(Record):
    """A unit of work inside a work package."""

    id: Annotated[str, StringConstraints(pattern=TASK_ID.pattern)]
    wp: WpRef
    title: Text
    status: TaskStatus = TaskStatus.TODO
    owner: PersonRef | None = None
    due: Date | None = None
    depends: list[TaskRef] = Field(default_factory=list)
    tags: list[Tag] = Field(default_factory=list)
    blocked_reason: LongText = ""
    created: Date
    done_on: Date | None = None
    notes: list[Note] = Field(default_factory=list)
