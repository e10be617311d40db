"""The registry of record types: where each lives, its model and its ID form.

Later features add their record types here; everything else (loading, saving,
doctor, schema, the index) works from this table. Models are named, not imported:
a command that touches tasks never pays for building the models of check-ins or
recommendations.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from prosper_coop.core import ids
from prosper_coop.core.errors import NotFoundError

if TYPE_CHECKING:
    from pydantic import BaseModel


@cache
def _import_model(path: str) -> type[BaseModel]:
    module_name, _, class_name = path.partition(":")
    model: type[BaseModel] = getattr(importlib.import_module(module_name), class_name)
    return model


@dataclass(frozen=True)
class RecordType:
    """How one kind of record is stored."""

    name: str
    folder: str
    model_path: str  # "module:Class", imported on first use
    pattern: re.Pattern[str]
    example: str
    prefix: str = ""
    width: int = 4
    sharded: bool = False
    sensitive: bool = False

    @property
    def model(self) -> type[BaseModel]:
        """The pydantic model of this record type (imported on first use)."""
        return _import_model(self.model_path)

    def is_model_of(self, record: object) -> bool:
        """Whether ``record`` is of this type, without importing any other model."""
        cls = type(record)
        return f"{cls.__module__}:{cls.__qualname__}" == self.model_path

    @property
    def suffix(self) -> str:
        """File suffix: sensitive records are age-encrypted ``.age`` files, others YAML."""
        return ".age" if self.sensitive else ".yaml"

    def format_id(self, number: int) -> str:
        """Turn a sequence number into this type's ID (``42`` -> ``T-0042``)."""
        return f"{self.prefix}{number:0{self.width}d}"


_CORE = "prosper_coop.core.models"
_TASKS = "prosper_coop.tasks.models"
_PEOPLE = "prosper_coop.people.models"
_WELLBEING = "prosper_coop.wellbeing.models"
_RECRUITMENT = "prosper_coop.recruitment.models"
_FINDINGS = "prosper_coop.outputs.findings"

RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType("person", "people", f"{_CORE}:Person", ids.PERSON_ID, "CR-01", width=2),
    RecordType("workpackage", "workpackages", f"{_TASKS}:WorkPackage", ids.WP_ID, "WP3", "WP", 1),
    RecordType("task", "tasks", f"{_TASKS}:Task", ids.TASK_ID, "T-0042", "T-", 4, sharded=True),
    RecordType("checklist", "checklists", f"{_PEOPLE}:ChecklistRun", ids.RUN_ID, "C-0001", "C-"),
    RecordType("session", "sessions", f"{_PEOPLE}:Session", ids.SESSION_ID, "S-0001", "S-"),
    # Recruitment: where fieldwork happens, how many to recruit by when, the
    # (pseudonymous) participants recruited, and survey rounds with their dated counts.
    RecordType("site", "sites", f"{_RECRUITMENT}:Site", ids.SITE_ID, "SITE1", "SITE", 1),
    RecordType("target", "targets", f"{_RECRUITMENT}:Target", ids.TARGET_ID, "RT1", "RT", 1),
    RecordType(
        "participant",
        "participants",
        f"{_RECRUITMENT}:Participant",
        ids.PARTICIPANT_ID,
        "P-0001",
        "P-",
    ),
    RecordType("survey", "surveys", f"{_RECRUITMENT}:Survey", ids.SURVEY_ID, "SV1", "SV", 1),
    # Wellbeing. Sensitive types are age-encrypted .age files (see guard.py), kept
    # per person where they belong to one (checkins/CR-01/CI-0001.age).
    RecordType(
        "checkin",
        "checkins",
        f"{_WELLBEING}:CheckIn",
        ids.CHECKIN_ID,
        "CI-0001",
        "CI-",
        sensitive=True,
    ),
    RecordType(
        "reflection",
        "reflections",
        f"{_WELLBEING}:Reflection",
        ids.REFLECTION_ID,
        "RF-0001",
        "RF-",
        sensitive=True,
    ),
    RecordType(
        "incident",
        "incidents",
        f"{_WELLBEING}:Incident",
        ids.INCIDENT_ID,
        "I-0001",
        "I-",
        sensitive=True,
    ),
    RecordType(
        "plan",
        "plans",
        f"{_WELLBEING}:WellbeingPlan",
        ids.PERSON_ID,
        "CR-01",
        width=2,
        sensitive=True,
    ),
    RecordType(
        "identity",
        "identities",
        f"{_WELLBEING}:Identity",
        ids.IDENTITY_ID,  # a team member's (CR-01) or a participant's (P-0001)
        "CR-01",
        width=2,
        sensitive=True,
    ),
    # Every check-in writes one alert file (an alert, or "no alert"), in the person's
    # folder beside it (alerts/CR-01/A-0005.age for CI-0005); a lead's resolution of
    # an alert is a file with a random name (resolutions/AR-<16 hex>.age).
    RecordType(
        "alert",
        "alerts",
        f"{_WELLBEING}:Alert",
        ids.ALERT_ID,
        "A-0001",
        "A-",
        sensitive=True,
    ),
    RecordType(
        "resolution",
        "resolutions",
        f"{_WELLBEING}:AlertResolution",
        ids.RESOLUTION_ID,
        "AR-0123456789abcdef",
        "AR-",
        sensitive=True,
    ),
    RecordType("theme", "themes", f"{_FINDINGS}:Theme", ids.THEME_ID, "TH3", "TH", 1),
    RecordType(
        "recommendation",
        "recommendations",
        f"{_FINDINGS}:Recommendation",
        ids.REC_ID,
        "R-001",
        "R-",
        3,
    ),
    RecordType(
        "involvement",
        "involvement",
        "prosper_coop.outputs.involvement:InvolvementEntry",
        ids.ENTRY_ID,
        "INV-00001",
        "INV-",
        5,
        sharded=True,
    ),
    RecordType(
        "render",
        "renders",
        "prosper_coop.outputs.render:Render",
        ids.RENDER_ID,
        "OUT-00001",
        "OUT-",
        5,
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
