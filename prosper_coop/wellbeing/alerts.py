"""Alerts for the wellbeing lead: list, open the check-in behind one, resolve.

An alert is health data, so only its readers (the person and the wellbeing leads,
``alert`` in ``wellbeing/recipients.yaml``) may learn that it exists. Every
check-in writes one encrypted alert file, an alert or "no alert" (see
:mod:`~prosper_coop.wellbeing.checkins`); a lead's resolution is a new encrypted
file with a random name (``resolutions/AR-<16 hex>.age``) and a commit message
that names nobody. So alerts are found by decrypting what the reader's key opens,
in one pass over the files: nothing shared says who asked for help.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prosper_coop.core.errors import ConflictError, InvalidInputError, NotFoundError
from prosper_coop.core.study import Study
from prosper_coop.crypto.sealed import Keyring

if TYPE_CHECKING:
    from prosper_coop.wellbeing.models import Alert, AlertResolution

# An alert file holding "no alert" has no ``level`` line: such files are passed over
# without building a record (most check-ins raise no alert).
_LEVEL_LINE = b"\nlevel:"


@dataclass
class AlertState:
    """An alert as the reader's key reads it, with its resolution(s), if any."""

    alert: Alert
    path: str
    resolutions: list[AlertResolution] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``open``, or ``resolved`` once a lead has resolved it."""
        return "resolved" if self.resolutions else "open"

    @property
    def first_resolution(self) -> AlertResolution | None:
        """The earliest resolution (two leads may each have resolved it on their computer)."""
        return min(self.resolutions, key=lambda r: r.resolved_at) if self.resolutions else None


def reads_everyones(study: Study, viewer: str) -> bool:
    """Whether ``viewer`` holds a role that reads alerts (and so is shown everyone's).

    Roles count as the verified history grants them (a role someone gave themself
    does not). Either way, only alerts encrypted to the viewer's key can be shown.
    """
    from prosper_coop.crypto import sealed
    from prosper_coop.trust.state import trusted_people

    person = trusted_people(study).get(viewer)
    if person is None or person.status != "active":
        return False
    return bool(set(sealed.policy(study).roles("alert")) & {str(role) for role in person.roles})


def _decrypt(keyring: Keyring, path: Path, where: str) -> bytes | None:
    """A file's plaintext, or ``None`` when it was not encrypted to this key."""
    from prosper_coop.core.fsutil import read_regular_file

    data = read_regular_file(path, where)
    plain = keyring.decrypt(data, where)
    if plain is None:
        return None
    mapping = keyring.relabelling(data)
    if mapping:  # IDs sync renumbered since it was written (rare): read them as new
        from prosper_coop.core import yamlio
        from prosper_coop.crypto.renumbered import relabel_text

        text = relabel_text(yamlio.decode(plain, where), mapping, where)
        return text.encode("utf-8")
    return plain


def _rel(study: Study, path: Path) -> str:
    """``path`` (found under the study root) relative to it, without resolving it again."""
    return path.relative_to(study.root).as_posix()


def _parse(plain: bytes, path: Path, model: Any, where: str) -> Any:
    from prosper_coop.core import yamlio
    from prosper_coop.core.errors import ValidationError
    from prosper_coop.core.study import SIDECAR_MARK, parse_model

    record = parse_model(model, yamlio.decode(plain, where), where)
    if record.id != path.stem.split(SIDECAR_MARK, 1)[0]:
        raise ValidationError(
            "the record inside does not match its file name", "Restore it from git.", file=where
        )
    return record


def _alert_files(study: Study, owner: str | None) -> list[Path]:
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed

    return sealed.files_of(study, get("alert"), owner)


def read_resolutions(study: Study, keyring: Keyring) -> list[AlertResolution]:
    """Every resolution this key can read (one pass, no record built for the rest)."""
    from prosper_coop.core.records import get
    from prosper_coop.wellbeing.erasure import erased_people
    from prosper_coop.wellbeing.models import AlertResolution

    erased = erased_people(study.root)
    found: list[AlertResolution] = []
    for path in study.record_files(get("resolution")):
        where = _rel(study, path)
        plain = _decrypt(keyring, path, where)
        if plain is None:
            continue
        resolution = _parse(plain, path, AlertResolution, where)
        if resolution.person not in erased:
            found.append(resolution)
    return found


def read_alerts(
    study: Study, keyring: Keyring, *, owner: str | None = None, files: Iterable[Path] | None = None
) -> list[AlertState]:
    """The alerts this key can read (``owner``'s only, when given), with their resolutions.

    One pass: every alert file is decrypted once in this process; files holding
    "no alert" are recognised without being parsed. Newest first.
    """
    from prosper_coop.wellbeing.models import Alert

    states: list[AlertState] = []
    for path in _alert_files(study, owner) if files is None else files:
        where = _rel(study, path)
        plain = _decrypt(keyring, path, where)
        if plain is None or _LEVEL_LINE not in plain:
            continue
        alert = _parse(plain, path, Alert, where)
        if alert.is_alert:
            states.append(AlertState(alert, where))
    if states:
        by_alert: dict[tuple[str, str], list[AlertResolution]] = {}
        for resolution in read_resolutions(study, keyring):
            by_alert.setdefault((resolution.person, resolution.alert), []).append(resolution)
        for state in states:
            for resolution in by_alert.get((state.alert.person, state.alert.id), []):
                if resolution.checkin in (None, state.alert.checkin):
                    state.resolutions.append(resolution)
    return sorted(states, key=lambda s: (s.alert.raised, s.alert.id), reverse=True)


def list_alerts(
    study: Study, keyring: Keyring, *, open_only: bool = False, viewer: str | None = None
) -> list[AlertState]:
    """Alerts the viewer's key can read, newest first (only open ones with ``open_only``).

    A person who does not follow up alerts sees only their own (their folder is
    the only one decrypted); a wellbeing lead, every alert encrypted to them.
    """
    viewer = viewer or keyring.person or study.actor()
    owner = None if reads_everyones(study, viewer) else viewer
    keyring.person = keyring.person or viewer
    states = read_alerts(study, keyring, owner=owner)
    if open_only:
        states = [s for s in states if s.status == "open"]
    return states


def alert_row(state: AlertState, today: dt.date) -> dict[str, Any]:
    """What the list shows of one alert (never the check-in's words)."""
    alert = state.alert
    first = state.first_resolution
    return {
        "id": alert.id,
        "person": alert.person,
        "level": str(alert.level),
        "contact_requested": alert.contact_requested or str(alert.level) == "contact-requested",
        "raised": alert.raised.isoformat(),
        "days_open": (today - alert.raised.date()).days if first is None else None,
        "status": state.status,
        "checkin": alert.checkin,
        "resolved_by": first.resolved_by if first else None,
        "resolved_at": first.resolved_at.isoformat() if first else None,
    }


def find_alert(
    study: Study, keyring: Keyring, alert_id: str, person: str | None = None
) -> AlertState:
    """The alert ``alert_id`` as this key reads it, or a calm error.

    Two people's check-ins can share a number (made on two computers before a
    sync); then ``person`` says whose is meant.
    """
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed

    rtype = get("alert")
    files = sealed.find_all(study, rtype, alert_id, person)
    if person is not None:
        files = [p for p in files if sealed.owner_of(rtype, p) == person]
    found = read_alerts(study, keyring, files=files)
    if not found:
        raise NotFoundError(
            f"there is no alert {alert_id} that your key can read",
            "Alerts are encrypted to the person and the wellbeing lead(s). List the ones "
            "you can see with: prosper-coop wellbeing alerts",
        )
    if len(found) > 1:
        whose = ", ".join(s.alert.person for s in found)
        raise ConflictError(
            f"more than one alert is numbered {alert_id} (for {whose})",
            f"Say whose you mean, e.g.: --person {found[0].alert.person}",
        )
    return found[0]


@dataclass(frozen=True)
class AlertView:
    """An alert with what the acting lead's key can read behind it."""

    state: AlertState
    checkin: Any | None
    notes: list[AlertResolution]
    problem: str | None

    @property
    def alert(self) -> Alert:
        """The alert itself."""
        return self.state.alert

    @property
    def note(self) -> str | None:
        """The (first) resolution note, if resolved."""
        first = self.state.first_resolution
        return first.note if first else None


def show_alert(
    study: Study, keyring: Keyring, alert_id: str, person: str | None = None
) -> AlertView:
    """The alert and, if your key can read them, its check-in and resolution note(s)."""
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.models import CheckIn

    state = find_alert(study, keyring, alert_id, person)
    alert = state.alert
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
    notes = sorted(state.resolutions, key=lambda r: r.resolved_at)
    return AlertView(state, checkin, notes, problem)


def open_alert(
    study: Study, keyring: Keyring, alert_id: str, person: str | None = None
) -> AlertState:
    """The alert ``alert_id``, if this key reads it and it is not resolved yet."""
    state = find_alert(study, keyring, alert_id, person)
    first = state.first_resolution
    if first is not None:
        raise ConflictError(
            f"alert {alert_id} is already resolved (by {first.resolved_by})",
            f"See it with: prosper-coop wellbeing show {alert_id}",
        )
    return state


def new_resolution_id() -> str:
    """A random resolution ID (``AR-`` and 16 hex digits): it tells nothing about the alert."""
    import secrets

    return f"AR-{secrets.token_hex(8)}"


def resolve_alert(
    study: Study, keyring: Keyring, alert_id: str, note: str, person: str | None = None
) -> AlertResolution:
    """Resolve an alert: a new encrypted resolution, readable by the person and the leads.

    Only a wellbeing lead may (``alerts.resolve`` in ``protocols/permissions.yaml``).
    The resolution's file has a random name and the commit names no alert and no
    person, so the rest of the team cannot tell whose alert was followed up.
    """
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.trust.permissions import require
    from prosper_coop.wellbeing.models import AlertResolution

    require(study, "alerts.resolve")
    text = note.strip()
    if not text:
        raise InvalidInputError(
            "the resolution note is empty",
            "Say briefly what was done, e.g. 'Called; agreed to talk again Friday'.",
        )
    with study.change("wellbeing", "resolve an alert") as change:
        state = open_alert(study, keyring, alert_id, person)
        alert = state.alert
        rtype = get("resolution")
        resolution_id = new_resolution_id()
        while study.exists(rtype, resolution_id):
            resolution_id = new_resolution_id()
        resolution = AlertResolution(
            id=resolution_id,
            alert=alert.id,
            person=alert.person,
            checkin=alert.checkin,
            resolved_by=change.author or study.actor(),
            resolved_at=study.now(),
            note=text,
        )
        readers = sealed.readers_for(study, "alert", alert.person)
        sealed.write(change, rtype, resolution, readers)
    return resolution


def alert_counts(states: Iterable[AlertState], today: dt.date) -> dict[str, Any]:
    """Open alerts as counts and ages in days (for ``status``)."""
    open_states = [s for s in states if s.status == "open"]
    ages = sorted(((today - s.alert.raised.date()).days for s in open_states), reverse=True)
    return {
        "open_alerts": len(open_states),
        "open_alert_ages_days": ages,
        "oldest_open_days": ages[0] if ages else None,
        "by_level": {
            level: sum(1 for s in open_states if str(s.alert.level) == level)
            for level in ("high", "contact-requested")
        },
    }


# -- alerts kept in plain text by versions before alerts were encrypted ----------------------
def seal_plain_alerts(
    study: Study, keyring: Keyring, change: Any, people: Any, rules: Any
) -> list[str]:
    """Encrypt the alerts an older version kept in plain text, in ``change``; what was done.

    Each becomes the alert file of its check-in (``alerts/CR-04/A-0002.age`` for
    ``CI-0002``), and its resolution, if any, a resolution with a random name; the
    plain file is removed. The lead's old note is carried over when this key can
    read it. Older commits still hold the plain files: see the README on history.
    """
    from prosper_coop.core import ids, yamlio
    from prosper_coop.core.fsutil import read_regular_file
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.checkins import next_number
    from prosper_coop.wellbeing.erasure import plain_alert_files
    from prosper_coop.wellbeing.models import Alert, AlertResolution

    done: list[str] = []
    alerts, resolutions = get("alert"), get("resolution")
    spare = next_number(study)
    for rel in plain_alert_files(study):
        data = yamlio.loads(yamlio.decode(read_regular_file(study.root / rel, rel), rel), rel)
        if not isinstance(data, dict) or not isinstance(data.get("person"), str):
            continue  # doctor reports it; nothing here can say whose it is
        person = data["person"]
        checkin = data.get("checkin")
        number = ids.number_of(str(checkin)) if checkin else None
        target = sealed.rel_path(alerts, alerts.format_id(number or spare), person)
        if number is None or (study.root / target).exists():
            number, spare = spare, spare + 1
            target = sealed.rel_path(alerts, alerts.format_id(number), person)
        alert = _build(
            Alert,
            {
                "id": alerts.format_id(number),
                "person": person,
                "checkin": checkin,
                "raised": data.get("raised"),
                "level": data.get("level"),
                "contact_requested": bool(data.get("contact_requested")),
            },
            rel,
        )
        readers = sealed.readers_for(study, "alert", person, people, rules)
        change.write_bytes(target, sealed.seal(_yaml_of(alert), readers))
        if data.get("status") == "resolved":
            note = "(resolved before alerts were encrypted; no note was kept)"
            if data.get("note_encrypted"):
                plain = keyring.decrypt(str(data["note_encrypted"]).encode("ascii"), rel)
                note = (
                    sealed.unpad(plain).decode("utf-8").strip()
                    if plain is not None
                    else "(resolved before alerts were encrypted; the note was not "
                    "encrypted to the key that encrypted this alert)"
                )
            resolution = _build(
                AlertResolution,
                {
                    "id": new_resolution_id(),
                    "alert": alert.id,
                    "person": person,
                    "checkin": checkin,
                    "resolved_by": data.get("resolved_by") or person,
                    "resolved_at": data.get("resolved_at") or alert.raised,
                    "note": note,
                },
                rel,
            )
            path = sealed.rel_path(resolutions, resolution.id, None)
            change.write_bytes(path, sealed.seal(_yaml_of(resolution), readers))
        change.delete(rel)
        done.append(f"{rel} (encrypted as {target})")
    return done


def _build(model: Any, data: dict[str, Any], where: str) -> Any:
    """A record from an old plain alert's fields, or our ValidationError naming the file."""
    from pydantic import ValidationError as PydanticError

    from prosper_coop.core import yamlio
    from prosper_coop.core.study import validation_error
    from prosper_coop.core.validation import validate_strictly

    try:
        return validate_strictly(model, data, where)
    except PydanticError as exc:
        raise validation_error(exc, where, yamlio.dumps(data)) from None


def _yaml_of(record: Any) -> bytes:
    from prosper_coop.core.study import to_yaml

    return to_yaml(record).encode("utf-8")
