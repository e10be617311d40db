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

from prosper_coop.core.defaults import (
    read_settings,
    setting_date,
    setting_error,
    setting_text,
    study_or_default,
)


def settings_path(root: Path | None, name: str) -> Path:
    """``wellbeing/<name>`` in the study at ``root``, else the shipped default."""
    return study_or_default(root, "wellbeing", name)


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
    data, where = read_settings(root, "wellbeing", "checkin.yaml")
    scale = data.get("scale") or {}
    questions = data.get("questions") or {}
    if not isinstance(scale, dict) or not isinstance(questions, dict):
        raise setting_error(where, "scale/questions", "should be mappings")

    def integer(source: dict[str, Any], key: str, default: int | None = None) -> int:
        value = source.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise setting_error(where, key, f"should be a whole number, not {value!r}")
        return value

    low, high = integer(scale, "min", 0), integer(scale, "max", 10)
    threshold = integer(data, "threshold")
    signpost_from = integer(data, "signpost_from", threshold)
    if not low < high:
        raise setting_error(where, "scale", "min must be below max")
    for key, value in (("threshold", threshold), ("signpost_from", signpost_from)):
        if not low <= value <= high:
            raise setting_error(where, key, f"{value} is outside the scale {low}-{high}")
    distress_q = setting_text(questions, "distress", where)
    contact_q = setting_text(questions, "contact", where)
    if not distress_q or not contact_q:
        raise setting_error(where, "questions", "the distress and contact questions are needed")
    return CheckinSettings(
        version=integer(data, "version", 1),
        intro=setting_text(data, "intro", where),
        scale_min=low,
        scale_max=high,
        low_label=setting_text(scale, "low", where),
        high_label=setting_text(scale, "high", where),
        distress_question=distress_q,
        contact_question=contact_q,
        note_question=setting_text(questions, "note", where),
        threshold=threshold,
        signpost_from=min(signpost_from, threshold),
        threshold_source=setting_text(data, "threshold_source", where),
        thanks=setting_text(data, "thanks", where, "Thank you for checking in."),
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
    data, where = read_settings(root, "wellbeing", "signposting.yaml")
    raw = data.get("services") or []
    if not isinstance(raw, list):
        raise setting_error(where, "services", "should be a list of services")
    services = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise setting_error(where, f"services.{index}", "should be a mapping")
        name, contact = setting_text(item, "name", where), setting_text(item, "contact", where)
        if not name or not contact:
            raise setting_error(
                where, f"services.{index}", "every service needs a name and contact"
            )
        services.append(
            Service(
                name=name,
                contact=contact,
                when=setting_text(item, "when", where),
                hours=setting_text(item, "hours", where),
                note=setting_text(item, "note", where),
                source=setting_text(item, "source", where),
                checked_on=setting_date(item, "checked_on", where),
            )
        )
    review = data.get("review_after_days", 180)
    if isinstance(review, bool) or not isinstance(review, int) or review < 1:
        raise setting_error(where, "review_after_days", "should be a whole number of days")
    return Signposting(
        title=setting_text(data, "title", where, "If you would like support"),
        intro=setting_text(data, "intro", where),
        review_after_days=review,
        services=services,
        where=where,
    )


# -- who reads what ---------------------------------------------------------------------
