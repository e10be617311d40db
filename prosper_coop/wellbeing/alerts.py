"""Alerts for the wellbeing lead: list, open the check-in behind one, resolve.

An alert is shared (who, level, when, status). The check-in behind it, and the
lead's resolution note, are encrypted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from prosper_coop.core.errors import ConflictError, InvalidInputError
from prosper_coop.core.study import Study
from prosper_coop.crypto.sealed import Keyring

# Roles that follow up alerts and so see everyone's; others see only their own.
FOLLOW_UP_ROLES = {"wellbeing-lead", "safeguarding-lead", "coordinator"}


def sees_all_alerts(study: Study, viewer: str) -> bool:
    """Whether ``viewer`` follows up alerts (and so is shown everyone's)."""
    from prosper_coop.core.records import get

    people = get("person")
    if not study.exists(people, viewer):
        return False
    person = study.load(people, viewer)
    return bool(FOLLOW_UP_ROLES & {str(role) for role in person.roles})


def list_alerts(study: Study, *, open_only: bool = False, viewer: str | None = None) -> list[Any]:
    """Alerts, newest first (only open ones with ``open_only``).

    With ``viewer``, a person who does not follow up alerts sees only their own:
    the records are shared, but nobody needs to browse their colleagues' alerts.
    """
    from prosper_coop.core.records import get

    alerts = study.load_all(get("alert"))
    if viewer is not None and not sees_all_alerts(study, viewer):
        alerts = [a for a in alerts if a.person == viewer]
    if open_only:
        alerts = [a for a in alerts if a.status == "open"]
    return sorted(alerts, key=lambda a: a.raised, reverse=True)


def alert_row(alert: Any, today: dt.date) -> dict[str, Any]:
    """Shared data about one alert (no content)."""
    return {
        "id": alert.id,
        "person": alert.person,
        "level": str(alert.level),
        "contact_requested": alert.contact_requested or str(alert.level) == "contact-requested",
        "raised": alert.raised.isoformat(),
        "days_open": (today - alert.raised.date()).days if alert.status == "open" else None,
        "status": str(alert.status),
        "checkin": alert.checkin,
        "resolved_by": alert.resolved_by,
        "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
    }


@dataclass(frozen=True)
class AlertView:
    """An alert with what the acting lead's key can read behind it."""

    alert: Any
    checkin: Any | None
    note: str | None
    problem: str | None


def show_alert(study: Study, keyring: Keyring, alert_id: str) -> AlertView:
    """The alert and, if your key can read them, its check-in and resolution note."""
    from prosper_coop.core.errors import NotFoundError
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.models import CheckIn

    alert = study.load(get("alert"), alert_id)
    checkin = None
    problem = None
    if alert.checkin:
        try:
            path = sealed.find(study, get("checkin"), alert.checkin, alert.person)
        except NotFoundError:
            problem = f"the check-in {alert.checkin} is no longer in the study (it was erased)"
        else:
            checkin = keyring.read(path, CheckIn)
            if checkin is None:
                problem = (
                    f"the check-in {alert.checkin} was not encrypted to your key, so you "
                    "cannot read it. If you are a wellbeing lead, ask someone who can read it "
                    "to run: prosper-coop keys rekey checkin"
                )
    else:
        problem = "there was no check-in text to store with this alert (no key was set up then)"
    note = None
    if alert.note_encrypted:
        plain = keyring.decrypt(alert.note_encrypted.encode("ascii"), f"alerts/{alert.id}.yaml")
        note = plain.decode("utf-8") if plain is not None else None
    return AlertView(alert, checkin, note, problem)


def open_alert(study: Study, alert_id: str) -> Any:
    """The alert ``alert_id``, if it exists and is not resolved yet (else a clear error)."""
    from prosper_coop.core.records import get

    alert = study.load(get("alert"), alert_id)
    if alert.status == "resolved":
        raise ConflictError(
            f"alert {alert_id} is already resolved (by {alert.resolved_by})",
            f"See it with: prosper-coop wellbeing show {alert_id}",
        )
    return alert


def resolve_alert(study: Study, alert_id: str, note: str) -> Any:
    """Mark an alert resolved with a note encrypted to the person and wellbeing lead(s)."""
    from prosper_coop.crypto import sealed

    text = note.strip()
    if not text:
        raise InvalidInputError(
            "the resolution note is empty",
            "Say briefly what was done, e.g. 'Called; agreed to talk again Friday'.",
        )
    with study.change("wellbeing", "resolve alert", alert_id) as change:
        alert = open_alert(study, alert_id)
        readers = sealed.readers_for(study, "alert-note", alert.person)
        sealed_note = sealed.seal(text.encode("utf-8"), readers).decode("ascii")
        alert.status = "resolved"
        alert.resolved_by = change.author
        alert.resolved_at = study.now()
        alert.note_encrypted = sealed_note
        change.save(alert)
    return alert
