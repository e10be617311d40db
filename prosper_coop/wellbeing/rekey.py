"""Re-encrypting sensitive records to the current readers (``keys rekey``).

Needed when the holders of a role change (a lead joins or leaves) or the reader
rules change. It can only re-encrypt what the acting person's key can read, and
it cannot change old git history: copies there stay readable by whoever was a
reader when they were written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prosper_coop.core.errors import InvalidInputError
from prosper_coop.core.study import Study
from prosper_coop.crypto.sealed import Keyring

if TYPE_CHECKING:
    from prosper_coop.crypto.policy import ReaderPolicy

REKEY_TYPES = ("checkin", "reflection", "plan", "incident", "identity", "alert")


@dataclass
class RekeyReport:
    """What was re-encrypted and what could not be."""

    rekeyed: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    commit: str | None = None


def _kind(type_name: str, record: object) -> str:
    if type_name == "reflection":
        return "reflection-shared" if getattr(record, "shared", False) else "reflection-private"
    if type_name == "resolution":
        return "alert"
    return type_name


# The kinds of reader rule (wellbeing/recipients.yaml) each record type is sealed under.
READER_KINDS = {
    "reflection": ("reflection-private", "reflection-shared"),
    "resolution": ("alert",),
}
TYPE_WORDS = {
    "checkin": "check-ins",
    "reflection": "reflections",
    "plan": "wellbeing plans",
    "incident": "incident records",
    "identity": "the identity map",
    "alert": "alerts",
}


def _reader_roles(rules: ReaderPolicy, kind: str) -> tuple[str, ...]:
    """The roles that read ``kind``, with those that hold it while no reader has a key."""
    from prosper_coop.crypto.policy import ROLE_NAMES

    fallback = [
        role
        for token in getattr(rules, "fallback", {}).get(kind, ())
        for role in rules.groups.get(token, (token,))
        if role in ROLE_NAMES
    ]
    return tuple(dict.fromkeys([*rules.roles(kind), *fallback]))


def kinds_led(study: Study, rules: ReaderPolicy, type_name: str | None) -> set[str]:
    """The kinds of record the acting person may re-encrypt: those a role of theirs reads
    (``records.rekey`` in protocols/permissions.yaml). None at all: NotPermittedError.
    """
    from prosper_coop.trust import permissions

    acting = permissions.acting(study)
    names = [type_name] if type_name else list(REKEY_TYPES)
    kinds = [kind for name in names for kind in READER_KINDS.get(name, (name,))]
    led = {
        kind for kind in kinds if acting.allows("records.rekey", readers=_reader_roles(rules, kind))
    }
    if not led:
        readers = [role for kind in kinds for role in _reader_roles(rules, kind)]
        what = f"re-encrypt {TYPE_WORDS[type_name]}" if type_name else "re-encrypt records"
        acting.require("records.rekey", readers=list(dict.fromkeys(readers)), what=what)
    return led


def rekey(study: Study, keyring: Keyring, type_name: str | None = None) -> RekeyReport:
    """Re-encrypt every record (of ``type_name``) your key can read, of the kinds a role
    of yours reads (others are left as they are); one commit.
    """
    from prosper_coop.core.records import get
    from prosper_coop.core.study import SIDECAR_MARK, to_yaml
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.alerts import seal_plain_alerts
    from prosper_coop.wellbeing.erasure import erased_people

    if type_name is not None and type_name not in REKEY_TYPES:
        raise InvalidInputError(
            f"{type_name!r} is not a kind of encrypted record",
            f"Choose one of: {', '.join(REKEY_TYPES)} (or leave it out for all).",
        )
    chosen = [type_name] if type_name else list(REKEY_TYPES)
    report = RekeyReport()
    keyring.identity()  # fail early and calmly when there is no key
    with study.change("keys", "rekey") as change:
        people = sealed.people_of(study)
        rules = sealed.policy(study)
        erased = erased_people(study.root)
        led = kinds_led(study, rules, type_name)
        # Alerts come with their resolutions (files of their own, with random names).
        names = [
            n for kind in chosen for n in ([kind, "resolution"] if kind == "alert" else [kind])
        ]
        for name in names:
            if led.isdisjoint(READER_KINDS.get(name, (name,))):
                continue  # nothing of this type is yours to re-encrypt
            rtype = get(name)
            if name == "alert":  # alerts kept in plain text by older versions: encrypt them
                report.rekeyed += seal_plain_alerts(study, keyring, change, people, rules)
            spare_copies = sorted((study.root / rtype.folder).rglob(f"*{SIDECAR_MARK}*.age"))
            for path in [*study.record_files(rtype), *spare_copies]:
                record = keyring.read(path, rtype.model)
                if record is None:
                    report.unreadable.append(path.stem)
                    continue
                if _kind(name, record) not in led:
                    continue
                # A spare copy kept by sync (NAME.conflict-<hash>.age) belongs where NAME does.
                named = path.with_name(
                    path.name.split(SIDECAR_MARK, 1)[0].removesuffix(".age") + ".age"
                )
                owner = sealed.owner_of(rtype, named)
                rel = study.rel(path)
                if name == "resolution":  # whose it is, only the file itself says
                    owner = str(getattr(record, "person", ""))
                    if owner in erased:  # what erasing them could not find unread
                        change.delete(rel)
                        report.rekeyed.append(f"{path.stem} (removed: {owner} was erased)")
                        continue
                if name == "incident":  # to the lead, or kept for others until one has a key
                    from prosper_coop.wellbeing.distress import reseal_incident

                    reseal_incident(study, change, record, rel, people, rules)
                    report.rekeyed.append(path.stem)
                    continue
                readers = sealed.readers_for(study, _kind(name, record), owner, people, rules)
                change.write_bytes(rel, sealed.seal(to_yaml(record).encode("utf-8"), readers))
                report.rekeyed.append(path.stem)
        change.what = f"rekey {len(report.rekeyed)} record(s)"
    report.commit = change.sha
    return report
