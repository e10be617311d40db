"""Check-ins: a 0-10 distress rating, a wish to be contacted, an optional note.

The check-in itself is encrypted to the person and the wellbeing lead(s). When
the rating reaches the threshold in ``wellbeing/checkin.yaml`` or the person asks
to be contacted, an :class:`~prosper_coop.wellbeing.models.Alert` is raised for the
wellbeing lead: who, when and why, never the rating or the words.

An alert is health data too, so only its readers may learn that it exists: every
check-in writes its check-in file and one alert file (``alerts/CR-01/A-0005.age``
beside ``checkins/CR-01/CI-0005.age``) holding either the alert or "no alert",
encrypted and padded to the same size, with the same commit message. In git a
check-in that raised an alert looks exactly like one that did not.
"""

from __future__ import annotations

from dataclasses import dataclass

from prosper_coop.core.errors import InvalidInputError, KeyProblemError
from prosper_coop.core.study import Study
from prosper_coop.crypto.sealed import Readers
from prosper_coop.wellbeing.config import CheckinSettings

NOT_SAVED = "Nothing was saved, so nobody has been told."


def parse_rating(value: str | int, settings: CheckinSettings) -> int:
    """A distress rating typed by a person (``3``, ``three``), checked against the scale."""
    from prosper_coop.core.choices import whole_number

    low, high = settings.scale_min, settings.scale_max
    rating = whole_number(str(value))
    if rating is None:
        raise InvalidInputError(
            f"the rating should be a whole number from {low} to {high}, such as 3 or three",
            f"{NOT_SAVED} For example: --distress 3.",
        )
    if not low <= rating <= high:
        raise InvalidInputError(
            f"the rating should be from {low} to {high}",
            f"{NOT_SAVED} Please choose a number between {low} and {high}.",
        )
    return rating


def parse_yes_no(value: str, what: str = "--contact") -> bool:
    """A yes or no typed by a person (``Yes``, ``y``, ``yeah``, ``no``, ``N``, ``nope``)."""
    from prosper_coop.core.choices import yes_or_no

    answer = yes_or_no(value)
    if answer is None:
        hint = f"{NOT_SAVED} For example: {what} no." if what.startswith("--") else None
        raise InvalidInputError(f"{what} should be yes or no", hint or "Please answer yes or no.")
    return answer


@dataclass(frozen=True)
class CheckinResult:
    """What a check-in stored."""

    checkin: str | None
    alert: str | None
    readers: Readers
    saved: bool
    # Who can learn of the alert (``None`` when no alert was raised).
    alert_readers: Readers | None = None

    @property
    def alert_unseen(self) -> bool:
        """An alert was needed, but no wellbeing lead can read it yet (none has a key)."""
        if self.alert_readers is None:
            return False
        owner = self.alert_readers.owner
        return not any(person != owner for person in self.alert_readers.people)


def checkin_readers(study: Study) -> Readers:
    """Who would be able to read the acting person's check-in."""
    from prosper_coop.crypto.sealed import readers_for

    return readers_for(study, "checkin", study.actor())


def next_number(study: Study) -> int:
    """The number of the next check-in, and of its alert file (``CI-0005``, ``A-0005``).

    Past every check-in and every alert file, so the two stay in step.
    """
    from prosper_coop.core import ids
    from prosper_coop.core.records import get

    highest = 0
    for name in ("checkin", "alert"):
        rtype = get(name)
        for path in study.record_files(rtype):
            number = ids.number_of(path.stem)
            if number is not None and rtype.pattern.fullmatch(path.stem):
                highest = max(highest, number)
    return highest + 1


def record_checkin(
    study: Study, settings: CheckinSettings, *, distress: int, contact: bool, note: str
) -> CheckinResult:
    """Store an encrypted check-in and its encrypted alert file (an alert or none); one commit.

    Both files are written whether or not an alert is raised, encrypted and padded
    alike, under the same commit message (see the module's docstring). If nobody
    who may read check-ins has a key, nothing can be stored safely, not even the
    alert: a :class:`KeyProblemError` says so.
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
        people = sealed.people_of(study)
        rules = sealed.policy(study)
        readers = sealed.readers_for(study, "checkin", actor, people, rules)
        alert_readers = sealed.readers_for(study, "alert", actor, people, rules)
        if not readers.recipients:
            raise KeyProblemError(
                "your check-in could not be stored, because nobody who may read it has a key "
                "yet" + (", so no alert could be raised either" if needs_alert else ""),
                "Nothing you wrote was saved. "
                + (
                    "Please contact the wellbeing lead directly; the services above are "
                    "there for you too. "
                    if needs_alert
                    else ""
                )
                + "You can set up your key with: prosper-coop keys init, and ask the "
                "wellbeing lead to set up theirs.",
            )
        number = next_number(study)
        checkin_id = get("checkin").format_id(number)
        alert_id = get("alert").format_id(number)
        sealed.write(
            change,
            get("checkin"),
            CheckIn(
                id=checkin_id,
                person=actor,
                at=now,
                distress=distress,
                contact=contact,
                note=note.strip(),
                form_version=settings.version,
            ),
            readers,
        )
        level = None
        if needs_alert:
            level = AlertLevel.HIGH if distress >= settings.threshold else AlertLevel.CONTACT
        if alert_readers.recipients:
            # Written for every check-in (else the files would tell), alert or not.
            slot = Alert(
                id=alert_id,
                person=actor,
                checkin=checkin_id,
                raised=now,
                level=level,
                contact_requested=contact and needs_alert,
            )
            sealed.write(change, get("alert"), slot, alert_readers)
        change.record_ids = [checkin_id]
    raised = alert_id if needs_alert and alert_readers.recipients else None
    return CheckinResult(checkin_id, raised, readers, True, alert_readers if needs_alert else None)
