"""The registry of record types: where each lives, its model and its ID form.

Later features add their record types here; everything else (loading, saving,
doctor, schema, the index) works from this table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel

from prosper_coop import findings, involvement, models, people_models
from prosper_coop.errors import NotFoundError
from prosper_coop.outputs import render as renders
from prosper_coop.wellbeing import models as wellbeing_models


@dataclass(frozen=True)
class RecordType:
    """How one kind of record is stored."""

    name: str
    folder: str
    model: type[BaseModel]
    pattern: re.Pattern[str]
    example: str
    prefix: str = ""
    width: int = 4
    sharded: bool = False
    sensitive: bool = False

    @property
    def suffix(self) -> str:
        """File suffix: sensitive records are age-encrypted ``.age`` files, others YAML."""
        return ".age" if self.sensitive else ".yaml"

    def format_id(self, number: int) -> str:
        """Turn a sequence number into this type's ID (``42`` -> ``T-0042``)."""
        return f"{self.prefix}{number:0{self.width}d}"


RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType("person", "people", models.Person, models.PERSON_ID, "CR-01", prefix="", width=2),
    RecordType(
        "workpackage", "workpackages", models.WorkPackage, models.WP_ID, "WP3", prefix="WP", width=1
    ),
    RecordType(
        "task", "tasks", models.Task, models.TASK_ID, "T-0042", prefix="T-", width=4, sharded=True
    ),
    RecordType(
        "checklist",
        "checklists",
        people_models.ChecklistRun,
        people_models.RUN_ID,
        "C-0001",
        prefix="C-",
        width=4,
    ),
    RecordType(
        "session",
        "sessions",
        people_models.Session,
        people_models.SESSION_ID,
        "S-0001",
        prefix="S-",
        width=4,
    ),
    # Wellbeing. Sensitive types are age-encrypted .age files (see guard.py), kept
    # per person where they belong to one (checkins/CR-01/CI-0001.age).
    RecordType(
        "checkin",
        "checkins",
        wellbeing_models.CheckIn,
        wellbeing_models.CHECKIN_ID,
        "CI-0001",
        prefix="CI-",
        sensitive=True,
    ),
    RecordType(
        "reflection",
        "reflections",
        wellbeing_models.Reflection,
        wellbeing_models.REFLECTION_ID,
        "RF-0001",
        prefix="RF-",
        sensitive=True,
    ),
    RecordType(
        "incident",
        "incidents",
        wellbeing_models.Incident,
        wellbeing_models.INCIDENT_ID,
        "I-0001",
        prefix="I-",
        sensitive=True,
    ),
    RecordType(
        "plan",
        "plans",
        wellbeing_models.WellbeingPlan,
        models.PERSON_ID,
        "CR-01",
        width=2,
        sensitive=True,
    ),
    RecordType(
        "identity",
        "identities",
        wellbeing_models.Identity,
        models.PERSON_ID,
        "CR-01",
        width=2,
        sensitive=True,
    ),
    RecordType(
        "alert",
        "alerts",
        wellbeing_models.Alert,
        wellbeing_models.ALERT_ID,
        "A-0001",
        prefix="A-",
    ),
    RecordType("theme", "themes", findings.Theme, findings.THEME_ID, "TH3", prefix="TH", width=1),
    RecordType(
        "recommendation",
        "recommendations",
        findings.Recommendation,
        findings.REC_ID,
        "R-001",
        prefix="R-",
        width=3,
    ),
    RecordType(
        "involvement",
        "involvement",
        involvement.InvolvementEntry,
        involvement.ENTRY_ID,
        "INV-00001",
        prefix="INV-",
        width=5,
        sharded=True,
    ),
    RecordType(
        "render", "renders", renders.Render, renders.RENDER_ID, "OUT-00001", prefix="OUT-", width=5
    ),
)


@cache
def by_name() -> dict[str, RecordType]:
    """Record types keyed by name."""
    return {rtype.name: rtype for rtype in RECORD_TYPES}


@cache
def by_folder() -> dict[str, RecordType]:
    """Record types keyed by their top-level folder."""
    return {rtype.folder: rtype for rtype in RECORD_TYPES}


def get(name: str) -> RecordType:
    """Look up a record type by name (or folder), with a helpful error."""
    found = by_name().get(name) or by_folder().get(name)
    if found is None:
        names = ", ".join(sorted(by_name()))
        raise NotFoundError(f"there is no record type {name!r}", f"Record types: {names}.")
    return found


def type_of_id(record_id: str) -> RecordType | None:
    """Guess the record type from an ID's shape (``T-0042`` is a task)."""
    for rtype in RECORD_TYPES:
        if rtype.pattern.fullmatch(record_id):
            return rtype
    return None
