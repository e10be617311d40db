"""Joining a study from this computer: keys made here, public halves committed, remembered.

One step per person and computer (``prosper-coop join``): a signing key (SSH,
ed25519) so every change they make is signed in their name, and an age key so
records can be encrypted to them. The private halves stay in this computer's
config folder; the public halves go into their person record in one commit,
signed with the new signing key. The study then remembers who they are here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from prosper_coop.core import localconfig
from prosper_coop.core.errors import ConflictError

if TYPE_CHECKING:
    from prosper_coop.core.models import Person
    from prosper_coop.core.study import Study


@dataclass(frozen=True)
class Joined:
    """What joining did."""

    person: str
    signing_key: str
    fingerprint: str
    age_recipient: str | None
    age_key_made: bool
    commit: str | None
    replaced: bool


def give_signing_keys(study_uid: str, people: Iterable[Person], *, comment: str) -> None:
    """Make a signing key here for each of ``people`` and put its public half in their record.

    Used when a study is created: by its coordinator for themself, and for every
    person of an example study (demo keys, all on this computer).
    """
    from prosper_coop.trust.signing import generate

    for person in people:
        person.signing_key = generate(
            localconfig.signing_key_path(study_uid, person.id), f"{person.id} {comment}"
        )


def not_joined(study: Study) -> list[str]:
    """Active people with no signing key in their record yet (who may still join)."""
    from prosper_coop.core.records import get

    return [
        person.id
        for person in study.load_all(get("person"))
        if person.signing_key is None and str(person.status) == "active"
    ]


def join(
    study: Study, person_id: str, *, passphrase: str | None = None, replace: bool = False
) -> Joined:
    """Join ``study`` as ``person_id`` from this computer (see the module's docstring).

    ``replace`` makes new keys for someone who joined before (a new computer, a lost
    key): their new signing key counts once a coordinator confirms it.
    """
    from prosper_coop.core.records import get
    from prosper_coop.core.study import Study
    from prosper_coop.crypto import keys
    from prosper_coop.trust.signing import fingerprint, generate

    people = get("person")
    record = study.load(people, person_id)
    uid = study.settings.uid
    path = localconfig.signing_key_path(uid, person_id)
    if record.signing_key and not replace:
        here = path.is_file()
        raise ConflictError(
            f"{person_id} has already joined this study"
            + (" on this computer" if here else " from another computer"),
            "You can go on as them (prosper-coop whoami " + person_id + "). Nothing was changed."
            if here
            else "If this is you on a new computer, or your key was lost, join again with: "
            f"prosper-coop join {person_id} --replace (a coordinator then confirms the new "
            "key). Nothing was changed.",
        )
    made_paths: list[Path] = []
    old_key = path.read_bytes() if path.is_file() else None
    old_pub = path.with_name(path.name + ".pub")
    old_pub_bytes = old_pub.read_bytes() if old_pub.is_file() else None
    public = generate(path, f"{person_id} in {study.settings.short_title or study.settings.title}")
    made_paths += [path, old_pub]
    age_recipient = record.age_recipient
    age_made = None
    if not age_recipient or keys.find(age_recipient) is None or replace:
        age_made = keys.generate(
            comment=f"{person_id} in {study.settings.short_title or study.settings.title}",
            passphrase=passphrase,
        )
        age_recipient = age_made.recipient
    acting = Study(study.root, actor=person_id, today=study.today())
    try:
        with acting.change("people", "join from this computer", person_id) as change:
            person = acting.load(people, person_id)
            person.signing_key = public
            person.age_recipient = age_recipient
            change.save(person)
    except BaseException:
        # Put this computer back as it was: no half-joined keys left behind.
        if old_key is None:
            for made in made_paths:
                made.unlink(missing_ok=True)
        else:
            path.write_bytes(old_key)
            if old_pub_bytes is not None:
                old_pub.write_bytes(old_pub_bytes)
        if age_made is not None:
            age_made.path.unlink(missing_ok=True)
        raise
    localconfig.set_study_setting(uid, "whoami", person_id)
    return Joined(
        person=person_id,
        signing_key=public,
        fingerprint=fingerprint(public),
        age_recipient=age_recipient,
        age_key_made=age_made is not None,
        commit=change.sha,
        replaced=bool(record.signing_key),
    )


def confirm_key(study: Study, person_id: str) -> str:
    """Confirm ``person_id``'s keys as they stand in their record now; return the fingerprint.

    For someone who joined again (a new computer, a lost key): their new signing key
    counts, and records are shared with their new reading key, once someone allowed
    to edit people (a coordinator, by the permission table) signs this confirmation.
    Check the fingerprint with the person first (in person or by phone).
    """
    from prosper_coop.core.errors import InvalidInputError
    from prosper_coop.core.models import KeyConfirmation
    from prosper_coop.core.records import get
    from prosper_coop.trust.permissions import require
    from prosper_coop.trust.signing import fingerprint

    people = get("person")
    with study.change("people", "confirm new keys", person_id) as change:
        require(study, "people.edit", subject=person_id)
        person = study.load(people, person_id)
        if not person.signing_key:
            raise InvalidInputError(
                f"{person_id} has not joined yet, so there is no key to confirm",
                f"They can join with: prosper-coop join {person_id}",
            )
        printed = fingerprint(person.signing_key)
        person.key_confirmed = KeyConfirmation(
            by=change.author or study.actor(), on=study.today(), fingerprint=printed
        )
        change.save(person)
    return printed
