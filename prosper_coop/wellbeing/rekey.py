"""Re-encrypting sensitive records to their current readers (``keys rekey``), and the
records still waiting for a reader (``keys waiting``).

Needed when the holders of a role change (a lead joins or leaves, someone's key
is replaced) or the reader rules change. A rekey is planned first
(:func:`plan_rekey`): who becomes a reader and who stops, for how many records
of each type, so the command line can ask before anything is written
(:func:`apply_rekey`, one commit). Who read a record until now is told from the
history (:mod:`prosper_coop.wellbeing.reader_history`); nothing is kept in git
about who reads which record.

A rekey can only re-encrypt what the acting person's key can read, and it cannot
change old git history: copies there stay readable by whoever was a reader when
they were written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prosper_coop.core.errors import InvalidInputError
from prosper_coop.core.study import Study
from prosper_coop.crypto.sealed import Keyring

if TYPE_CHECKING:
    from prosper_coop.core.models import Person
    from prosper_coop.crypto.policy import ReaderPolicy
    from prosper_coop.crypto.sealed import Readers
    from prosper_coop.wellbeing.reader_history import ReaderHistory

REKEY_TYPES = ("checkin", "reflection", "plan", "incident", "identity", "alert")
MINE_HINT = "To share your own records with their current readers: prosper-coop keys rekey --mine"


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
# One and many of each type, for counts ("1 check-in", "4 alerts").
COUNT_WORDS = {
    "checkin": ("check-in", "check-ins"),
    "reflection": ("reflection", "reflections"),
    "plan": ("wellbeing plan", "wellbeing plans"),
    "incident": ("incident record", "incident records"),
    "identity": ("identity record", "identity records"),
    "alert": ("alert", "alerts"),
}


def counted(counts: dict[str, int]) -> str:
    """``{"checkin": 4, "alert": 1}`` in words: ``4 check-ins and 1 alert``."""
    parts = [
        f"{counts[name]} {COUNT_WORDS[name][0 if counts[name] == 1 else 1]}"
        for name in REKEY_TYPES
        if counts.get(name)
    ]
    if len(parts) <= 1:
        return parts[0] if parts else "no records"
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _group(type_name: str) -> str:
    """The type a record is counted under (an alert's resolution counts as an alert)."""
    return "alert" if type_name == "resolution" else type_name


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
    from prosper_coop.core.errors import NotPermittedError
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
        try:
            acting.require("records.rekey", readers=list(dict.fromkeys(readers)), what=what)
        except NotPermittedError as refused:
            hint = " ".join(part for part in (refused.hint, MINE_HINT + ".") if part)
            raise NotPermittedError(refused.message, hint) from None
    return led


# -- planning -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ReaderChange:
    """A reader a rekey adds or takes away, and of how many records of each type."""

    person: str
    alias: str
    counts: dict[str, int]
    new_key: bool = False  # a reader before, with a key that is no longer theirs

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "person": self.person,
            "records": dict(self.counts),
            "new_key": self.new_key,
        }


@dataclass(frozen=True)
class Rewrite:
    """One record file a rekey writes again (or removes)."""

    rel: str
    type_name: str
    record: Any
    readers: Readers | None  # None for an incident: the distress module seals those
    delete: bool = False


@dataclass
class RekeyPlan:
    """What a rekey would do: the files it writes, the readers it adds and takes away."""

    head: str | None
    type_name: str | None
    mine: bool
    rewrites: list[Rewrite] = field(default_factory=list)
    new: list[ReaderChange] = field(default_factory=list)
    removed: list[ReaderChange] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    plain_alerts: list[str] = field(default_factory=list)

    @property
    def writes(self) -> bool:
        """Whether carrying it out would change any file."""
        return bool(self.rewrites or self.plain_alerts)

    def counts(self) -> dict[str, int]:
        """How many records of each type it writes again."""
        found = Counter(_group(r.type_name) for r in self.rewrites if not r.delete)
        if self.plain_alerts:
            found["alert"] += len(self.plain_alerts)
        return dict(found)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "records": self.counts(),
            "new_readers": [change.as_dict() for change in self.new],
            "removed_readers": [change.as_dict() for change in self.removed],
            "not_rekeyed": list(self.unreadable),
            "plain_alerts": list(self.plain_alerts),
        }


def _sealed_folders() -> list[str]:
    """The folders every kind of encrypted record (and alert resolution) is kept in."""
    from prosper_coop.core.records import get

    return sorted(get(name).folder for name in (*REKEY_TYPES, "resolution"))


def _check_type(type_name: str | None) -> None:
    if type_name is not None and type_name not in REKEY_TYPES:
        raise InvalidInputError(
            f"{type_name!r} is not a kind of encrypted record",
            f"Choose one of: {', '.join(REKEY_TYPES)} (or leave it out for all).",
        )


def _session_facilitators(study: Study, session: str | None) -> set[str]:
    from prosper_coop.core.records import get

    sessions = get("session")
    if session is None or sessions.pattern.fullmatch(session) is None:
        return set()
    if not study.exists(sessions, session):
        return set()
    return set(study.load(sessions, session).facilitators)


def _incident_readers_then(
    study: Study, history: ReaderHistory, commit: str | None, incident: Any, rules: ReaderPolicy
) -> dict[str, str]:
    """Who read an incident written in ``commit``: the safeguarding lead(s), or while none
    had a key, its fallback readers (the rule of :func:`.distress.incident_readers`)."""
    leads = history.readers_at(commit, "incident", None)
    if leads:
        return leads
    holders = history.holders_at(commit)
    tokens = rules.fallback.get("incident", ())
    roles = {role for token in tokens for role in rules.groups.get(token, (token,))}
    facilitators = (
        _session_facilitators(study, incident.session) if "facilitator" in tokens else set()
    )
    chosen = {
        person: holder.key
        for person, holder in holders.items()
        if holder.key
        and holder.active
        and person != incident.person
        and (person in facilitators or holder.roles & roles)
    }
    recorder = holders.get(incident.recorded_by)
    if not chosen and recorder is not None and recorder.key:
        chosen = {incident.recorded_by: recorder.key}
    return chosen


def plan_rekey(
    study: Study, keyring: Keyring, type_name: str | None = None, *, mine: bool = False
) -> RekeyPlan:
    """What ``keys rekey`` would do, without writing anything.

    Every record (of ``type_name``) the acting person's key can read, of the kinds a
    role of theirs reads (or with ``mine``, their own records, of the kinds their
    owner reads), is to be encrypted again to its readers now. Each reader it gains
    and each it loses is named, with counts, from who could read it when it was
    last written.
    """
    from prosper_coop.core.records import get
    from prosper_coop.core.study import SIDECAR_MARK
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.distress import readers_now
    from prosper_coop.wellbeing.erasure import erased_people, plain_alert_files
    from prosper_coop.wellbeing.reader_history import ReaderHistory

    _check_type(type_name)
    keyring.identity()  # fail early and calmly when there is no key
    history = ReaderHistory(study)
    plan = RekeyPlan(history.head, type_name, mine)
    people = sealed.people_of(study)
    rules = sealed.policy(study)
    actor = study.actor()
    led = set() if mine else kinds_led(study, rules, type_name)
    erased = erased_people(study.root)
    chosen = [type_name] if type_name else list(REKEY_TYPES)
    # Alerts come with their resolutions (files of their own, with random names).
    names = [n for kind in chosen for n in ([kind, "resolution"] if kind == "alert" else [kind])]
    names = [
        name
        for name in names
        if (
            mine
            and name != "incident"
            and any(rules.includes_person(k) for k in READER_KINDS.get(name, (name,)))
        )
        or (not mine and not led.isdisjoint(READER_KINDS.get(name, (name,))))
    ]
    written = history.last_written(_sealed_folders())
    keys_now = {p.id: p.age_recipient for p in people if p.age_recipient}
    new: dict[str, Counter[str]] = {}
    removed: dict[str, Counter[str]] = {}
    new_key: set[str] = set()
    for name in names:
        rtype = get(name)
        if name == "alert" and not mine:  # alerts kept in plain text by older versions
            plan.plain_alerts = plain_alert_files(study)
        spare_copies = sorted((study.root / rtype.folder).rglob(f"*{SIDECAR_MARK}*.age"))
        for path in [*study.record_files(rtype), *spare_copies]:
            # A spare copy kept by sync (NAME.conflict-<hash>.age) belongs where NAME does.
            named = path.with_name(
                path.name.split(SIDECAR_MARK, 1)[0].removesuffix(".age") + ".age"
            )
            owner = sealed.owner_of(rtype, named)
            if mine and name != "resolution" and owner != actor:
                continue  # not yours: not even opened
            record: Any = keyring.read(path, rtype.model)
            if record is None:
                if not (mine and name == "resolution"):  # others' resolutions: not yours
                    plan.unreadable.append(path.stem)
                continue
            kind = _kind(name, record)
            if name == "resolution":  # whose it is, only the file itself says
                owner = str(getattr(record, "person", ""))
            if mine and (owner != actor or not rules.includes_person(kind)):
                continue
            if not mine and kind not in led:
                continue
            rel = study.rel(path)
            if name == "resolution" and owner in erased:  # what erasing them could not find
                plan.rewrites.append(Rewrite(rel, name, record, None, delete=True))
                continue
            if name == "incident":  # to the lead, or kept for others until one has a key
                incident = readers_now(study, record, people, rules)
                now_people = incident.people
                then = _incident_readers_then(study, history, written.get(rel), record, rules)
                plan.rewrites.append(Rewrite(rel, name, record, None))
            else:
                readers = sealed.readers_for(study, kind, owner, people, rules)
                now_people = readers.people
                then = history.readers_at(written.get(rel), kind, owner)
                plan.rewrites.append(Rewrite(rel, name, record, readers))
            now = {person: keys_now[person] for person in now_people if person in keys_now}
            for person, key in now.items():
                if then.get(person) != key:
                    new.setdefault(person, Counter())[_group(name)] += 1
                    if person in then:
                        new_key.add(person)
            for person in then:
                if person not in now:
                    removed.setdefault(person, Counter())[_group(name)] += 1
    aliases = {p.id: p.alias for p in people}
    plan.new = [
        ReaderChange(person, aliases.get(person, ""), dict(counts), person in new_key)
        for person, counts in sorted(new.items())
    ]
    plan.removed = [
        ReaderChange(person, aliases.get(person, ""), dict(counts))
        for person, counts in sorted(removed.items())
    ]
    return plan


def apply_rekey(study: Study, keyring: Keyring, plan: RekeyPlan) -> RekeyReport:
    """Carry out ``plan`` in one commit; refused if the study changed since it was made
    (who reads what may then differ from what was shown)."""
    from prosper_coop.core.errors import ConflictError
    from prosper_coop.core.study import to_yaml
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.alerts import seal_plain_alerts
    from prosper_coop.wellbeing.distress import reseal_incident

    report = RekeyReport(unreadable=list(plan.unreadable))
    if not plan.writes:
        return report
    with study.change("keys", "rekey") as change:
        if study.repo.commit_id("HEAD") != plan.head:
            raise ConflictError(
                "the study changed after the re-encryption was planned, so who would read "
                "what may be different now",
                "Nothing was re-encrypted. Run it again to see the readers as they are now.",
            )
        people = sealed.people_of(study)
        rules = sealed.policy(study)
        if plan.plain_alerts:
            report.rekeyed += seal_plain_alerts(study, keyring, change, people, rules)
        for rewrite in plan.rewrites:
            stem = Path(rewrite.rel).stem
            if rewrite.delete:
                change.delete(rewrite.rel)
                owner = getattr(rewrite.record, "person", "")
                report.rekeyed.append(f"{stem} (removed: {owner} was erased)")
                continue
            if rewrite.readers is None:
                reseal_incident(study, change, rewrite.record, rewrite.rel, people, rules)
            else:
                plain = to_yaml(rewrite.record).encode("utf-8")
                change.write_bytes(rewrite.rel, sealed.seal(plain, rewrite.readers))
            report.rekeyed.append(stem)
        change.what = f"rekey {len(report.rekeyed)} record(s)"
    report.commit = change.sha
    return report


def rekey(
    study: Study, keyring: Keyring, type_name: str | None = None, *, mine: bool = False
) -> RekeyReport:
    """Re-encrypt every record (of ``type_name``) your key can read, of the kinds a role
    of yours reads (others are left as they are), without asking; one commit.
    """
    return apply_rekey(study, keyring, plan_rekey(study, keyring, type_name, mine=mine))


# -- records waiting for a reader ---------------------------------------------------------
@dataclass(frozen=True)
class Waiting:
    """Records someone should read by the study's rules, written before they could.

    ``records`` counts them by type; ``maybe`` counts reflections that are theirs to
    read only if their writers shared them (which cannot be told without opening
    them). ``leads`` could read some of them then, still can, and may share them
    (``keys rekey``); ``writers`` are the people who alone can share some of their
    own (``keys rekey --mine``), with how many; ``stuck`` nobody can share any more
    (every key that read them has been replaced).
    """

    person: str
    alias: str
    since: str | None
    records: dict[str, int]
    maybe: dict[str, int]
    leads: tuple[str, ...]
    lead_records: int
    writers: dict[str, int]
    stuck: int

    @property
    def total(self) -> int:
        """How many records certainly wait for them."""
        return sum(self.records.values())

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "person": self.person,
            "since": self.since,
            "records": dict(self.records),
            "maybe": dict(self.maybe),
            "can_share": list(self.leads),
            "lead_can_share": self.lead_records,
            "only_writer_can_share": dict(self.writers),
            "nobody_can_share": self.stuck,
        }


@dataclass
class _Tally:
    records: Counter[str] = field(default_factory=Counter)
    maybe: Counter[str] = field(default_factory=Counter)
    leads: set[str] = field(default_factory=set)
    lead_records: int = 0
    writers: Counter[str] = field(default_factory=Counter)
    stuck: int = 0


def _sealed_files(names: list[str], at_head: dict[str, str | None]) -> list[tuple[str, str]]:
    """(record type, path) of each record file committed at HEAD, spare copies left out."""
    from prosper_coop.core.records import get
    from prosper_coop.core.study import SIDECAR_MARK

    found: list[tuple[str, str]] = []
    for name in names:
        folder = get(name).folder + "/"
        for rel in sorted(at_head):
            if rel.startswith(folder) and rel.endswith(".age") and SIDECAR_MARK not in rel:
                found.append((name, rel))
    return found


def waiting(study: Study, *, noted_incidents: bool = True) -> list[Waiting]:
    """For each person with a key, the records they should read by the study's rules but
    that were last written before they could (their key, or their role, came later).
    ``noted_incidents=False`` leaves out incidents a shared note already says wait for a
    safeguarding lead (``status`` shows those first, on their own).

    Read-only and cheap: nothing is decrypted. Who could read a record is told from
    when it was last written and how the verified person records stood then
    (:class:`prosper_coop.wellbeing.reader_history.ReaderHistory`).
    """
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.reader_history import ReaderHistory

    names = [*REKEY_TYPES, "resolution"]
    people = sealed.people_of(study)
    keys_now = {p.id: p.age_recipient for p in people if p.age_recipient}
    history = ReaderHistory(study)
    if not keys_now or history.head is None:
        return []
    written = history.last_written(_sealed_folders())
    files = _sealed_files(names, written)
    if not noted_incidents and (study.root / "waiting" / "incidents").is_dir():
        from prosper_coop.wellbeing.distress import incidents_needing_lead

        noted = {f"incidents/{item.incident}.age" for item in incidents_needing_lead(study)}
        files = [(name, rel) for name, rel in files if rel not in noted]
    if not files:
        return []
    rules = sealed.policy(study)
    leads_of = _role_holders(people, rules)
    # Who keeps an incident while no safeguarding lead has a key (besides its facilitators).
    keepers = set(_reader_roles(rules, "incident")) - set(rules.roles("incident"))
    now_cache: dict[tuple[str, str | None], dict[str, str]] = {}

    def now(kind: str, owner: str | None) -> dict[str, str]:
        if (kind, owner) not in now_cache:
            readers = sealed.readers_for(study, kind, owner, people, rules)
            now_cache[(kind, owner)] = {p: keys_now[p] for p in readers.people if p in keys_now}
        return now_cache[(kind, owner)]

    # Files of one type and owner written in the same state of the history wait alike.
    groups: Counter[tuple[str, str | None, str | None]] = Counter()
    eras: dict[tuple[str, str | None, int | None], str | None] = {}
    for name, rel in files:
        owner = None if name == "resolution" else sealed.owner_of(get(name), Path(rel))
        commit = eras.setdefault((name, owner, history.era(written[rel])), written[rel])
        groups[(name, owner, commit)] += 1
    tallies: dict[str, _Tally] = {}
    for (name, owner, commit), count in groups.items():
        kinds = READER_KINDS.get(name, (name,))
        thens = {kind: history.readers_at(commit, kind, owner) for kind in kinds}
        waiting_for = {
            person
            for kind in kinds
            for person, key in now(kind, owner).items()
            if thens[kind].get(person) != key
        }
        kind = kinds[-1]  # a reflection's readers then: as if shared (the most readers)
        can_read = {p for p, key in thens[kind].items() if keys_now.get(p) == key}
        if name == "incident" and not thens[kind]:  # kept for others then
            can_read = {
                p
                for p, holder in history.holders_at(commit).items()
                if holder.active and holder.roles & keepers and keys_now.get(p) == holder.key
            }
        sharers = can_read & leads_of.get(kind, set())
        for person in waiting_for:
            # Certainly theirs to read, or only if shared (a reflection, unread here).
            certainly = all(
                person in now(k, owner) and thens[k].get(person) != now(k, owner)[person]
                for k in kinds
            )
            tally = tallies.setdefault(person, _Tally())
            (tally.records if certainly else tally.maybe)[_group(name)] += count
            if sharers:
                tally.leads |= sharers
                tally.lead_records += count
            elif owner is not None and owner in can_read:
                tally.writers[owner] += count
            else:
                tally.stuck += count
    aliases = {p.id: p.alias for p in people}
    return [
        Waiting(
            person=person,
            alias=aliases.get(person, ""),
            since=history.since(person),
            records=dict(tally.records),
            maybe=dict(tally.maybe),
            leads=tuple(sorted(tally.leads)),
            lead_records=tally.lead_records,
            writers=dict(sorted(tally.writers.items())),
            stuck=tally.stuck,
        )
        for person, tally in sorted(tallies.items())
    ]


def _role_holders(people: list[Person], rules: ReaderPolicy) -> dict[str, set[str]]:
    """For each kind of record, the active people whose roles may re-encrypt it."""
    from prosper_coop.crypto.policy import READER_KINDS as KINDS

    found: dict[str, set[str]] = {}
    for kind in KINDS:
        roles = set(_reader_roles(rules, kind))
        found[kind] = {
            p.id
            for p in people
            if str(p.status) == "active" and roles.intersection(map(str, p.roles))
        }
    return found
