"""Re-encrypting sensitive records to the current readers (``keys rekey``).

Needed when the holders of a role change (a lead joins or leaves) or the reader
rules change. It can only re-encrypt what the acting person's key can read, and
it cannot change old git history: copies there stay readable by whoever was a
reader when they were written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prosper_coop.core.errors import InvalidInputError
from prosper_coop.core.study import Study
from prosper_coop.crypto.sealed import Keyring

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


def rekey(study: Study, keyring: Keyring, type_name: str | None = None) -> RekeyReport:
    """Re-encrypt every record (of ``type_name``) your key can read; one commit."""
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
        # Alerts come with their resolutions (files of their own, with random names).
        names = [
            n for kind in chosen for n in ([kind, "resolution"] if kind == "alert" else [kind])
        ]
        for name in names:
            rtype = get(name)
            if name == "alert":  # alerts kept in plain text by older versions: encrypt them
                report.rekeyed += seal_plain_alerts(study, keyring, change, people, rules)
            spare_copies = sorted((study.root / rtype.folder).rglob(f"*{SIDECAR_MARK}*.age"))
            for path in [*study.record_files(rtype), *spare_copies]:
                record = keyring.read(path, rtype.model)
                if record is None:
                    report.unreadable.append(path.stem)
                    continue
                # A spare copy kept by sync (NAME.conflict-<hash>.age) belongs where NAME does.
                named = path.with_name(
                    path.name.split(SIDECAR_MARK, 1)[0].removesuffix(".age") + ".age"
                )
                owner = sealed.owner_of(rtype, named)
                rel = study.rel(path)
                if name == "resolution":  # whose it is, only the file itself says
                    owner = record.person
                    if owner in erased:  # what erasing them could not find unread
                        change.delete(rel)
                        report.rekeyed.append(f"{path.stem} (removed: {owner} was erased)")
                        continue
                readers = sealed.readers_for(study, _kind(name, record), owner, people, rules)
                change.write_bytes(rel, sealed.seal(to_yaml(record).encode("utf-8"), readers))
                report.rekeyed.append(path.stem)
        change.what = f"rekey {len(report.rekeyed)} record(s)"
    report.commit = change.sha
    return report
