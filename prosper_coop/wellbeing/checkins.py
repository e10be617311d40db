"""Check-ins: a 0-10 distress rating, a wish to be contacted, an optional note.

The check-in itself is encrypted to the person and the wellbeing lead(s). When
the rating reaches the threshold in ``wellbeing/checkin.yaml`` or the person asks
to be contacted, a shared :class:`~prosper_coop.wellbeing.models.Alert` is raised
too: who, when and why, never the rating or the words.
"""

from __future__ import annotations

from dataclasses import dataclass

from prosper_coop.core.errors import InvalidInputError, KeyProblemError
from prosper_coop.core.study import Study
from prosper_coop.crypto.sealed import Readers
from prosper_coop.wellbeing.config import CheckinSettings


def parse_rating(value: str | int, settings: CheckinSettings) -> int:
    """A distress rating typed by a person, checked against the scale."""
    low, high = settings.scale_min, settings.scale_max
    text = str(value).strip()
    if not text.lstrip("-").isdigit():
        raise InvalidInputError(
            f"the rating should be a whole number from {low} to {high}",
            f"For example: --distress 3 (where {low} is {settings.low_label or 'none'}). "
            "Nothing was saved.",
        )
    rating = int(text)
    if not low <= rating <= high:
        raise InvalidInputError(
            f"the rating should be from {low} to {high}",
            f"Please choose a number between {low} and {high}. Nothing was saved.",
        )
    return rating


def parse_yes_no(value: str, what: str = "--contact") -> bool:
    """``yes``/``no`` (and ``y``/``n``, ``true``/``false``) as a bool."""
    text = value.strip().lower()
    if text in {"yes", "y", "true", "1"}:
        return True
    if text in {"no", "n", "false", "0"}:
        return False
    raise InvalidInputError(f"{what} should be yes or no", "For example: --contact no")


@dataclass(frozen=True)
class CheckinResult:
    """What a check-in stored."""

    checkin: str | None
    alert: str | None
    readers: Readers
    saved: bool


def checkin_readers(study: Study) -> Readers:
    """Who would be able to read the acting person's check-in."""
    from prosper_coop.crypto.sealed import readers_for

    return readers_for(study, "checkin", study.actor())


def record_checkin(
    study: Study, settings: CheckinSettings, *, distress: int, contact: bool, note: str
) -> CheckinResult:
    """Store an encrypted check-in and, when needed, raise an alert; one commit.

    If nobody who may read check-ins has a key, the words cannot be stored
    safely; an alert (no content) is still raised when one is needed, and a
    :class:`KeyProblemError` says so.
    """
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.models import Alert, AlertLevel, CheckIn

    if not settings.scale_min <= distress <= settings.scale_max:
        parse_rating(distress, settings)
    now = study.now()
    needs_alert = settings.needs_alert(distress, contact)
    with study.change("wellbeing", "check-in") as change:
        actor = change.author or study.actor()
        readers = sealed.readers_for(study, "checkin", actor)
        checkins = get("checkin")
        checkin_id = study.next_id(checkins) if readers.recipients else None
        alert_id = study.next_id(get("alert")) if needs_alert else None
        if checkin_id is not None:
            record = CheckIn(
                id=checkin_id,
                person=actor,
                at=now,
                distress=distress,
                contact=contact,
                note=note.strip(),
                form_version=settings.version,
            )
            sealed.write(change, checkins, record, readers)
        if alert_id is not None:
            level = AlertLevel.HIGH if distress >= settings.threshold else AlertLevel.CONTACT
            change.save(
                Alert(
                    id=alert_id,
                    person=actor,
                    level=level,
                    contact_requested=contact,
                    raised=now,
                    checkin=checkin_id,
                )
            )
            change.what = "check-in, alert raised"
        change.record_ids = [i for i in (checkin_id, alert_id) if i]
    if checkin_id is None:
        raised = " An alert has been raised so the wellbeing lead knows." if alert_id else ""
        raise KeyProblemError(
            "your check-in could not be stored, because nobody who may read it has a key "
            "yet." + raised,
            "Nothing you wrote was saved. You can set up your key with: prosper-coop keys "
            "init, and ask the wellbeing lead to set up theirs.",
        )
    return CheckinResult(checkin_id, alert_id, readers, True)
