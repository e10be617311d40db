"""Light readers for the study's wellbeing settings (``wellbeing/*.yaml``).

Kept free of pydantic, git and pyrage so that a check-in can decide to show
support details, and show them, before anything slow is imported. Each file is
read from the study's own copy; :func:`settings_path` falls back to the shipped
default when there is no study (``prosper-coop support`` works anywhere).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prosper_coop.core import yamlio
from prosper_coop.core.errors import ValidationError

ROLE_NAMES = (
    "coordinator",
    "co-researcher",
    "co-applicant",
    "academic",
    "safeguarding-lead",
    "wellbeing-lead",
    "ppi-lead",
)
READER_KINDS = (
    "checkin",
    "reflection-private",
    "reflection-shared",
    "plan",
    "alert-note",
    "incident",
    "identity",
)


def settings_path(root: Path | None, name: str) -> Path:
    """``wellbeing/<name>`` in the study at ``root``, else the shipped default."""
    if root is not None:
        candidate = root / "wellbeing" / name
        if candidate.is_file():
            return candidate
    from prosper_coop.core.defaults import default_path

    return default_path("wellbeing", name)


def _where(root: Path | None, path: Path) -> str:
    if root is not None and path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    return str(path)


def _mapping(root: Path | None, name: str) -> tuple[dict[str, Any], str]:
    path = settings_path(root, name)
    where = _where(root, path)
    data = yamlio.load_file(path, where)
    if not isinstance(data, dict):
        raise ValidationError(
            "the file should hold a mapping of settings (key: value lines)",
            f"Compare it with the shipped default, or restore it with: git checkout -- {where}",
            file=where,
            line=1,
        )
    return data, where


def _field_error(where: str, name: str, problem: str) -> ValidationError:
    return ValidationError(
        f"{name}: {problem}",
        "Fix the setting shown, then run: prosper-coop doctor",
        file=where,
    )


def _text(data: dict[str, Any], key: str, where: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str | int | float):
        raise _field_error(where, key, "should be text")
    return str(value).strip()


def _date(data: dict[str, Any], key: str, where: str) -> dt.date | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _field_error(where, key, f"{value!r} is not a date (YYYY-MM-DD)") from None


# -- check-in ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckinSettings:
    """``wellbeing/checkin.yaml``: questions, scale and thresholds."""

    version: int
    intro: str
    scale_min: int
    scale_max: int
    low_label: str
    high_label: str
    distress_question: str
    contact_question: str
    note_question: str
    threshold: int
    signpost_from: int
    threshold_source: str
    thanks: str
    where: str

    def needs_alert(self, distress: int, contact: bool) -> bool:
        """Whether this answer raises an alert for the wellbeing lead."""
        return contact or distress >= self.threshold

    def shows_support(self, distress: int, contact: bool) -> bool:
        """Whether support details are shown for this answer."""
        return self.needs_alert(distress, contact) or distress >= self.signpost_from


def checkin_settings(root: Path | None) -> CheckinSettings:
    """Read and check ``wellbeing/checkin.yaml``."""
    data, where = _mapping(root, "checkin.yaml")
    scale = data.get("scale") or {}
    questions = data.get("questions") or {}
    if not isinstance(scale, dict) or not isinstance(questions, dict):
        raise _field_error(where, "scale/questions", "should be mappings")

    def integer(source: dict[str, Any], key: str, default: int | None = None) -> int:
        value = source.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _field_error(where, key, f"should be a whole number, not {value!r}")
        return value

    low, high = integer(scale, "min", 0), integer(scale, "max", 10)
    threshold = integer(data, "threshold")
    signpost_from = integer(data, "signpost_from", threshold)
    if not low < high:
        raise _field_error(where, "scale", "min must be below max")
    for key, value in (("threshold", threshold), ("signpost_from", signpost_from)):
        if not low <= value <= high:
            raise _field_error(where, key, f"{value} is outside the scale {low}-{high}")
    distress_q = _text(questions, "distress", where)
    contact_q = _text(questions, "contact", where)
    if not distress_q or not contact_q:
        raise _field_error(where, "questions", "the distress and contact questions are needed")
    return CheckinSettings(
        version=integer(data, "version", 1),
        intro=_text(data, "intro", where),
        scale_min=low,
        scale_max=high,
        low_label=_text(scale, "low", where),
        high_label=_text(scale, "high", where),
        distress_question=distress_q,
        contact_question=contact_q,
        note_question=_text(questions, "note", where),
        threshold=threshold,
        signpost_from=min(signpost_from, threshold),
        threshold_source=_text(data, "threshold_source", where),
        thanks=_text(data, "thanks", where, "Thank you for checking in."),
        where=where,
    )


# -- signposting ------------------------------------------------------------------------
@dataclass(frozen=True)
class Service:
    """One support service."""

    name: str
    contact: str
    when: str = ""
    hours: str = ""
    note: str = ""
    source: str = ""
    checked_on: dt.date | None = None


@dataclass(frozen=True)
class Signposting:
    """``wellbeing/signposting.yaml``: where to get help."""

    title: str
    intro: str
    review_after_days: int
    services: list[Service] = field(default_factory=list)
    where: str = ""

    def stale(self, today: dt.date) -> list[Service]:
        """Services not checked within ``review_after_days`` (or never)."""
        limit = dt.timedelta(days=self.review_after_days)
        return [s for s in self.services if s.checked_on is None or today - s.checked_on > limit]

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "title": self.title,
            "intro": self.intro,
            "review_after_days": self.review_after_days,
            "services": [
                {
                    "name": s.name,
                    "contact": s.contact,
                    "when": s.when,
                    "hours": s.hours,
                    "note": s.note,
                    "source": s.source,
                    "checked_on": s.checked_on.isoformat() if s.checked_on else None,
                }
                for s in self.services
            ],
        }


def signposting(root: Path | None) -> Signposting:
    """Read ``wellbeing/signposting.yaml`` (the study's copy, else the shipped one)."""
    data, where = _mapping(root, "signposting.yaml")
    raw = data.get("services") or []
    if not isinstance(raw, list):
        raise _field_error(where, "services", "should be a list of services")
    services = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise _field_error(where, f"services.{index}", "should be a mapping")
        name, contact = _text(item, "name", where), _text(item, "contact", where)
        if not name or not contact:
            raise _field_error(where, f"services.{index}", "every service needs a name and contact")
        services.append(
            Service(
                name=name,
                contact=contact,
                when=_text(item, "when", where),
                hours=_text(item, "hours", where),
                note=_text(item, "note", where),
                source=_text(item, "source", where),
                checked_on=_date(item, "checked_on", where),
            )
        )
    review = data.get("review_after_days", 180)
    if isinstance(review, bool) or not isinstance(review, int) or review < 1:
        raise _field_error(where, "review_after_days", "should be a whole number of days")
    return Signposting(
        title=_text(data, "title", where, "If you would like support"),
        intro=_text(data, "intro", where),
        review_after_days=review,
        services=services,
        where=where,
    )


# -- who reads what ---------------------------------------------------------------------
@dataclass(frozen=True)
class ReaderPolicy:
    """``wellbeing/recipients.yaml``: who can read each kind of sensitive record."""

    readers: dict[str, tuple[str, ...]]
    groups: dict[str, tuple[str, ...]]
    required_roles: tuple[str, ...]
    where: str

    def tokens(self, kind: str) -> tuple[str, ...]:
        """The reader names for ``kind`` as written (person, roles, groups)."""
        return self.readers.get(kind, ())

    def roles(self, kind: str) -> tuple[str, ...]:
        """The roles (groups expanded) that read ``kind``; ``person`` left out."""
        found: list[str] = []
        for token in self.tokens(kind):
            for role in self.groups.get(token, (token,)):
                if role != "person" and role not in found:
                    found.append(role)
        return tuple(found)

    def includes_person(self, kind: str) -> bool:
        """Whether the person a record belongs to can read it."""
        return "person" in self.tokens(kind)


def reader_policy(root: Path | None) -> ReaderPolicy:
    """Read and check ``wellbeing/recipients.yaml``."""
    data, where = _mapping(root, "recipients.yaml")
    groups_raw = data.get("groups") or {}
    readers_raw = data.get("readers") or {}
    if not isinstance(groups_raw, dict) or not isinstance(readers_raw, dict):
        raise _field_error(where, "groups/readers", "should be mappings")

    def names(value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _field_error(
                where, key, "should be a list of names, e.g. [person, wellbeing-lead]"
            )
        return tuple(value)

    groups = {str(k): names(v, f"groups.{k}") for k, v in groups_raw.items()}
    for group, roles in groups.items():
        unknown = [r for r in roles if r not in ROLE_NAMES]
        if unknown:
            raise _field_error(where, f"groups.{group}", f"unknown role {unknown[0]!r}")
    readers = {str(k): names(v, f"readers.{k}") for k, v in readers_raw.items()}
    for kind in READER_KINDS:
        if kind not in readers:
            raise _field_error(where, f"readers.{kind}", "missing: say who can read these")
    for kind, tokens in readers.items():
        if kind not in READER_KINDS:
            raise _field_error(
                where, f"readers.{kind}", f"unknown kind; use {', '.join(READER_KINDS)}"
            )
        for token in tokens:
            if token != "person" and token not in ROLE_NAMES and token not in groups:
                raise _field_error(where, f"readers.{kind}", f"unknown role or group {token!r}")
        if not tokens:
            raise _field_error(where, f"readers.{kind}", "nobody could read these records")
    required = names(data.get("required_roles") or [], "required_roles")
    return ReaderPolicy(readers, groups, required, where)
