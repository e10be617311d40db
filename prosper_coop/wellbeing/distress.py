"""The distress protocol: a guided, branching walk through ``protocols/distress-*.yaml``.

:func:`walk` asks a :class:`Responder` (interactive prompts, or answers given as
flags) for each step; :func:`record` stores a walked protocol, when the path says
so, as an encrypted incident for the safeguarding lead(s) and a follow-up task
(due the next day, owned by a safeguarding lead), in one commit.

An incident is never lost for want of a key: while no safeguarding lead has one,
it is kept for the study's fallback readers (``wellbeing/recipients.yaml``), a
shared note in ``waiting/incidents/`` says so, ``status`` shows it at the top, and
``keys rekey incident`` shares it with the lead once they have joined. Nothing
others can see (file names, the task, the commit, the number of readers) says
whom an incident is about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from prosper_coop.core import yamlio
from prosper_coop.core.errors import InvalidInputError, KeyProblemError, NotFoundError
from prosper_coop.core.fsutil import read_regular_file
from prosper_coop.core.study import Study, parse_model

if TYPE_CHECKING:
    from prosper_coop.core.models import Person
    from prosper_coop.core.sections import SectionContext
    from prosper_coop.core.study import Change
    from prosper_coop.crypto.policy import ReaderPolicy

AnswerKind = Literal["yes-no", "text", "none"]
MAX_STEPS = 200


def _yes_no_key(value: Any) -> Any:
    # YAML 1.1 reads the words yes and no as booleans, which JSON (as files are checked,
    # see core/validation.py) keeps as the keys "true" and "false".
    if value is True or value == "true":
        return "yes"
    if value is False or value == "false":
        return "no"
    return value


class Step(BaseModel):
    """One step: something to say or do, and optionally a question with branches."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    stage: str
    say: str = ""
    question: str = ""
    answer: AnswerKind = "none"
    next: str | dict[str, str] | None = None
    outcome: str = ""
    record: bool = True
    show_support: bool = False
    follow_up_call: bool = False

    @field_validator("next", mode="before")
    @classmethod
    def _branch_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(_yes_no_key(k)): v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Step:
        if self.answer == "none" and self.question:
            self.answer = "text"
        if self.answer != "none" and not self.question:
            raise ValueError(f"step {self.id}: an answer needs a question")
        if isinstance(self.next, dict) and (
            self.answer != "yes-no" or set(self.next) != {"yes", "no"}
        ):
            raise ValueError(f"step {self.id}: branches need a yes-no question and both yes and no")
        if self.next is None and not self.outcome:
            raise ValueError(f"step {self.id}: a last step needs an outcome")
        return self

    def targets(self) -> list[str]:
        """The steps this one can lead to."""
        if self.next is None:
            return []
        return list(self.next.values()) if isinstance(self.next, dict) else [self.next]


class FollowUp(BaseModel):
    """The follow-up task a recorded run creates."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    due_in_days: int = Field(default=1, ge=0, le=30)
    task_title: str = "Follow-up after a distress protocol"


class DistressProtocol(BaseModel):
    """A distress protocol definition (versioned, with its source)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    id: str
    version: int = Field(ge=1)
    title: str
    applies_to: Literal["participant", "researcher"]
    source: str = Field(min_length=1)
    checked_on: dt.date
    intro: str = ""
    follow_up: FollowUp = Field(default_factory=FollowUp)
    start: str
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _linked(self) -> DistressProtocol:
        known = {step.id for step in self.steps}
        if len(known) != len(self.steps):
            raise ValueError("two steps share an id")
        if self.start not in known:
            raise ValueError(f"start: there is no step {self.start!r}")
        for step in self.steps:
            for target in step.targets():
                if target not in known:
                    raise ValueError(f"step {step.id}: next step {target!r} does not exist")
        return self

    def step(self, step_id: str) -> Step:
        """The step called ``step_id``."""
        return next(s for s in self.steps if s.id == step_id)


def protocol_names(study: Study) -> list[str]:
    """Names of the distress protocols the study has."""
    return sorted(p.stem for p in (study.root / "protocols").glob("distress-*.yaml"))


def load_protocol(study: Study, name: str) -> DistressProtocol:
    """Read ``protocols/<name>.yaml`` from the study."""
    from prosper_coop.core.ids import check_safe

    check_safe(name, "protocol name")
    path = study.root / "protocols" / f"{name}.yaml"
    if not path.is_file() and not path.is_symlink():
        names = ", ".join(protocol_names(study)) or "none"
        raise NotFoundError(
            f"there is no distress protocol called {name!r}",
            f"Protocols in this study: {names}.",
        )
    where = study.rel(path)
    data = read_regular_file(path, where)
    protocol = parse_model(DistressProtocol, yamlio.decode(data, where), where)
    if protocol.id != name:
        from prosper_coop.core.errors import ValidationError

        raise ValidationError(
            f"id: the protocol says {protocol.id!r} but the file is {path.name}",
            "Make them agree.",
            file=where,
        )
    return protocol


# -- walking ------------------------------------------------------------------------------
class Responder(Protocol):
    """Who answers the protocol's questions: a person at a prompt, or flags."""

    def show(self, step: Step) -> None:
        """Show a step (what to say or do; support details when it asks)."""

    def answer(self, step: Step) -> str:
        """The answer to a step's question: ``yes``/``no`` or free text."""


@dataclass
class Walk:
    """The path taken through a protocol."""

    steps: list[Any] = field(default_factory=list)
    outcome: str = ""
    record: bool = True
    follow_up_call: bool | None = None
    support_shown: bool = False


def walk(protocol: DistressProtocol, responder: Responder) -> Walk:
    """Walk the protocol from its start, branching on the answers."""
    from prosper_coop.wellbeing.models import IncidentStep

    result = Walk()
    current: str | None = protocol.start
    for _ in range(MAX_STEPS):
        if current is None:
            break
        step = protocol.step(current)
        responder.show(step)
        result.support_shown |= step.show_support
        answer = ""
        if step.answer != "none":
            answer = responder.answer(step).strip()
            if step.answer == "yes-no":
                from prosper_coop.wellbeing.checkins import parse_yes_no

                answer = "yes" if parse_yes_no(answer, f"the answer to step {step.id!r}") else "no"
            if step.follow_up_call:
                result.follow_up_call = answer == "yes"
        result.steps.append(
            IncidentStep(
                step=step.id, stage=step.stage, prompt=step.question or step.say, answer=answer
            )
        )
        if step.next is None:
            result.outcome = step.outcome
            result.record = step.record
            return result
        current = step.next[answer] if isinstance(step.next, dict) else step.next
    raise InvalidInputError(
        "the protocol does not come to an end (its steps go round in a loop)",
        "Check the next: lines in the protocol file.",
    )


class ScriptedAnswers:
    """Answers given on the command line (``--answer STEP=VALUE``)."""

    def __init__(self, protocol: DistressProtocol, answers: dict[str, str]) -> None:
        known = {s.id for s in protocol.steps if s.answer != "none"}
        unknown = sorted(set(answers) - known)
        if unknown:
            raise InvalidInputError(
                f"the protocol {protocol.id} has no question step {unknown[0]!r}",
                f"Question steps: {', '.join(sorted(known))}.",
            )
        self.answers = answers
        self.shown: list[Step] = []

    def show(self, step: Step) -> None:
        """Remember the step (a script sees it in the result)."""
        self.shown.append(step)

    def answer(self, step: Step) -> str:
        """The answer given for this step (text steps may be left out)."""
        if step.id in self.answers:
            return self.answers[step.id]
        if step.answer == "text":
            return ""
        raise InvalidInputError(
            f"step {step.id!r} needs an answer: {step.question}",
            f"Add --answer {step.id}=yes or --answer {step.id}=no. Nothing was saved.",
        )


def parse_answers(pairs: list[str]) -> dict[str, str]:
    """``["signs=yes", "thoughts=..."]`` as a mapping."""
    answers: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInputError(
                f"--answer {pair!r} should look like STEP=VALUE", "For example: --answer signs=yes"
            )
        answers[key.strip()] = value
    return answers


# -- recording ------------------------------------------------------------------------------
LEAD_ROLE = "safeguarding-lead"
# Shared notes, one per incident kept for others while no safeguarding lead had a key.
WAITING_FOLDER = "waiting/incidents"
# The words a note uses for whom an incident is kept for, besides roles and groups.
FACILITATOR = "facilitator"
RECORDER = "recorder"
# Incidents are padded to this step before they are encrypted.
INCIDENT_PAD_STEP = 4096


@dataclass(frozen=True)
class IncidentReaders:
    """Who an incident is encrypted to.

    Normally the safeguarding lead(s) with a key. While none has one, the
    study's ``fallback:`` readers in ``wellbeing/recipients.yaml`` (shipped: the
    facilitators of its session and the coordinator), never the person it is
    about; failing them, the person who recorded it. ``stored_for`` names them by
    role only, as the shared note and ``status`` do, so nobody learns from it whom
    the incident is about.
    """

    sealed: Any  # crypto.sealed.Readers
    people: tuple[str, ...]
    waiting: bool = False
    stored_for: tuple[str, ...] = ()

    def describe(self) -> str:
        """The readers by ID, in plain words: ``CO-01 and FA-01``."""
        names = list(self.people)
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class DistressResult:
    """What a protocol run recorded."""

    walk: Walk
    incident: str | None
    task: str | None
    owner: str | None
    due: dt.date | None
    readers: IncidentReaders | None


def check_subject(study: Study, person: str | None) -> None:
    """The person the run is about must be in the study."""
    from prosper_coop.core.records import get

    if person is not None:
        study.load(get("person"), person)


def check_may_run(study: Study, *, person: str | None = None, session: str | None = None) -> str:
    """The acting person's ID, when the study's permission table lets them record a
    distress protocol run (``distress.run``); else a calm refusal naming who can.
    """
    from prosper_coop.trust.permissions import require

    return require(study, "distress.run", subject=person, session=session)


def _facilitators(study: Study, session: str | None) -> tuple[str, ...]:
    """The facilitators of ``session``; none when it is not on file (never refuse over it)."""
    from prosper_coop.core.records import get

    sessions = get("session")
    if session is None or sessions.pattern.fullmatch(session) is None:
        return ()
    if not study.exists(sessions, session):
        return ()
    return tuple(study.load(sessions, session).facilitators)


def _stand_in() -> str:
    """The public half of a key made and forgotten at once: a reader nobody can be."""
    import pyrage

    return str(pyrage.x25519.Identity.generate().to_public())


def incident_readers(
    study: Study,
    *,
    session: str | None = None,
    person: str | None = None,
    recorder: str | None = None,
    people: Sequence[Person] | None = None,
    rules: ReaderPolicy | None = None,
) -> IncidentReaders:
    """Who an incident about ``person`` in ``session``, recorded by ``recorder``, is kept for.

    People and keys are those the study's signed history verifies. Left out of the
    fallback readers, the person it is about is replaced by a reader nobody can
    be, so the number of readers in the file does not point at them.
    """
    import dataclasses

    from prosper_coop.crypto import sealed

    everyone = list(people) if people is not None else sealed.people_of(study)
    policy = rules or sealed.policy(study)
    leads = sealed.readers_for(study, "incident", None, everyone, policy)
    if leads.recipients:
        return IncidentReaders(leads, leads.people)
    tokens = policy.fallback.get("incident", ())
    facilitators = set(_facilitators(study, session)) if FACILITATOR in tokens else set()
    roles = {role for token in tokens for role in policy.groups.get(token, (token,))}
    keyed = [p for p in everyone if p.age_recipient]
    chosen = [
        p
        for p in keyed
        if str(p.status) == "active"
        and (p.id in facilitators or any(str(r) in roles for r in p.roles))
    ]
    about = [p for p in chosen if p.id == person]
    chosen = [p for p in chosen if p.id != person]
    stored_for = tokens
    if not chosen:
        chosen, about, stored_for = [p for p in keyed if p.id == recorder], [], (RECORDER,)
    if not chosen:
        raise KeyProblemError(
            "the incident cannot be stored safely: nobody who may read it has a key yet",
            "Nothing was saved. Write down what happened for the safeguarding lead, and ask "
            "the study coordinator to join on their computer: prosper-coop join",
        )
    recipients = [p.age_recipient or "" for p in chosen] + [_stand_in() for _ in about]
    kept_for = dataclasses.replace(
        leads,
        people=tuple(p.id for p in chosen),
        recipients=tuple(dict.fromkeys(recipients)),
    )
    return IncidentReaders(kept_for, kept_for.people, waiting=True, stored_for=stored_for)


def incident_reader_roles(study: Study) -> tuple[str, ...]:
    """Every role that may read an incident: the safeguarding lead(s), and the fallback
    roles that keep one while no lead has a key (so they may share it with the lead).
    """
    from prosper_coop.crypto import sealed

    policy = sealed.policy(study)
    found = list(policy.roles("incident"))
    for token in policy.fallback.get("incident", ()):
        for role in policy.groups.get(token, (token,)):
            if role != FACILITATOR and role not in found:
                found.append(role)
    return tuple(found)


def waiting_path(incident_id: str) -> str:
    """The shared note saying ``incident_id`` still waits for a safeguarding lead."""
    return f"{WAITING_FOLDER}/{incident_id}.yaml"


def _waiting_note(incident_id: str, readers: IncidentReaders, data: bytes) -> str:
    from prosper_coop.crypto.renumbered import fingerprint

    fields = {
        "incident": incident_id,
        "stored_for": list(readers.stored_for),
        "waiting_for": list(readers.sealed.roles) or [LEAD_ROLE],
        "fingerprint": fingerprint(data),
    }
    return (
        "# This incident is kept for others because no safeguarding lead had a key\n"
        "# (fallback: in wellbeing/recipients.yaml). Once the lead has joined, someone\n"
        "# who can read it runs: prosper-coop keys rekey incident (which removes this note).\n"
        + yamlio.dumps(fields)
    )


def write_incident(
    change: Change, incident: Any, readers: IncidentReaders, rel: str | None = None
) -> str:
    """Queue ``incident`` encrypted to ``readers`` (at ``rel``, a spare copy sync kept, or
    where it belongs), with the shared note that it waits for the lead, or without it.
    """
    from prosper_coop.core.records import get
    from prosper_coop.core.study import to_yaml
    from prosper_coop.crypto import sealed

    main = sealed.rel_path(get("incident"), incident.id, None)
    rel = rel or main
    plain = to_yaml(incident).encode("utf-8")
    # Coarser steps than other records: which protocol was followed, and how many steps
    # it took, say something about whom an incident is about. Trailing newlines in YAML
    # mean nothing, as with the padding seal() adds.
    plain += b"\n" * (-len(plain) % INCIDENT_PAD_STEP)
    data = sealed.seal(plain, readers.sealed)
    change.write_bytes(rel, data)
    if rel == main:
        note = waiting_path(incident.id)
        if readers.waiting:
            change.write_text(note, _waiting_note(incident.id, readers, data))
        elif (change.study.root / note).is_file():
            change.delete(note)
    return rel


def reseal_incident(
    study: Study,
    change: Change,
    incident: Any,
    rel: str,
    people: Sequence[Person] | None = None,
    rules: ReaderPolicy | None = None,
) -> IncidentReaders:
    """Encrypt an incident again to whoever should read it now (``keys rekey``): the
    safeguarding lead(s) once one has a key, else its fallback readers again.
    """
    readers = readers_now(study, incident, people, rules)
    write_incident(change, incident, readers, rel)
    return readers


def readers_now(
    study: Study,
    incident: Any,
    people: Sequence[Person] | None = None,
    rules: ReaderPolicy | None = None,
) -> IncidentReaders:
    """Who should read a recorded incident now (its session, person and recorder as kept)."""
    return incident_readers(
        study,
        session=incident.session,
        person=incident.person,
        recorder=incident.recorded_by,
        people=people,
        rules=rules,
    )


@dataclass(frozen=True)
class WaitingIncident:
    """An incident kept for others, by role, until a safeguarding lead can read it."""

    incident: str
    stored_for: tuple[str, ...]
    waiting_for: tuple[str, ...]


def incidents_needing_lead(study: Study) -> list[WaitingIncident]:
    """Incidents stored while no safeguarding lead had a key, not yet shared with one.

    Read from the shared notes in ``waiting/incidents/``, never from the incidents
    (which only their readers can open). A note counts while the incident file
    is the one it was written for: once anyone encrypts it again, it does not.
    """
    folder = study.root / WAITING_FOLDER
    if not folder.is_dir() or folder.is_symlink():
        return []
    from prosper_coop.core.errors import UserError
    from prosper_coop.core.ids import INCIDENT_ID
    from prosper_coop.crypto.renumbered import fingerprint

    found: list[WaitingIncident] = []
    for note in sorted(folder.glob("I-*.yaml")):
        incident_id = note.stem
        incident_file = study.root / "incidents" / f"{incident_id}.age"
        if INCIDENT_ID.fullmatch(incident_id) is None or not incident_file.is_file():
            continue
        try:
            where = study.rel(note)
            data = yamlio.loads(yamlio.decode(read_regular_file(note, where), where), where)
            sealed_bytes = read_regular_file(incident_file, study.rel(incident_file))
        except UserError:
            continue  # a damaged note or a link: doctor reports those, status goes on
        if not isinstance(data, dict) or data.get("fingerprint") != fingerprint(sealed_bytes):
            continue
        found.append(
            WaitingIncident(
                incident_id,
                tuple(str(t) for t in data.get("stored_for") or ()),
                tuple(str(t) for t in data.get("waiting_for") or (LEAD_ROLE,)),
            )
        )
    return found


def incidents_section(ctx: SectionContext) -> dict[str, Any]:
    """For the top of ``status``: incidents no safeguarding lead can read yet.

    IDs and roles only, and the people holding those roles now (as the signed
    history verifies them): never whom an incident is about.
    """
    waiting = incidents_needing_lead(ctx.study)
    if not waiting:
        return {"incidents": []}
    from prosper_coop.crypto import sealed

    people = [p for p in sealed.people_of(ctx.study) if str(p.status) == "active"]
    roles = {role for item in waiting for role in (*item.stored_for, *item.waiting_for)}
    holders = {
        role: [p.id for p in sorted(people, key=lambda p: p.id) if role in map(str, p.roles)]
        for role in sorted(roles - {FACILITATOR, RECORDER})
    }
    with_key = sorted(p.id for p in people if p.age_recipient)
    return {
        "incidents": [
            {
                "id": item.incident,
                "stored_for": list(item.stored_for),
                "waiting_for": list(item.waiting_for),
            }
            for item in waiting
        ],
        "holders": holders,
        "with_key": [p for p in with_key if any(p in ids for ids in holders.values())],
    }


def record(
    study: Study,
    protocol: DistressProtocol,
    path: Walk,
    *,
    person: str | None = None,
    participant: str = "",
    session: str | None = None,
    note: str = "",
    wp: str | None = None,
) -> DistressResult:
    """Record a walked protocol: an encrypted incident and a follow-up task, one commit.

    Nothing in what others can see names the person in distress: the task's
    title, owner and work package, the commit message and the file names are the
    same whoever it is about.
    """
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.tasks import followup
    from prosper_coop.wellbeing.models import Incident

    if not path.record:
        return DistressResult(path, None, None, None, None, None)
    today = study.today()
    incidents = get("incident")
    with study.change("safeguarding", "distress protocol") as change:
        recorder = check_may_run(study, person=person, session=session)
        people = sealed.people_of(study)
        readers = incident_readers(
            study, session=session, person=person, recorder=recorder, people=people
        )
        # The safeguarding lead follows up (preferring one who can read it); else the
        # coordinator. Never chosen by whom it is about.
        owner = followup.first_holder(people, LEAD_ROLE, among=readers.people) or (
            followup.first_holder(people, "coordinator")
        )
        incident_id = study.next_id(incidents)
        session_wp = None
        sessions = get("session")
        # Never refuse to record a distress event over a session ID that is not on file.
        if (
            session is not None
            and sessions.pattern.fullmatch(session) is not None
            and study.exists(sessions, session)
        ):
            session_wp = study.load(sessions, session).wp
        # Not by the person it is about: the work package would point at them.
        follow_wp = followup.choose_wp(study, wp=wp, session_wp=session_wp)
        task_id = None
        due = today + dt.timedelta(days=protocol.follow_up.due_in_days)
        if follow_wp is not None:
            (task,) = followup.add_follow_ups(
                study,
                change,
                follow_wp,
                [
                    followup.FollowUp(
                        title=f"{protocol.follow_up.task_title} ({incident_id})",
                        owner=owner,
                        due=due,
                        tags=("safeguarding", "follow-up"),
                    )
                ],
            )
            task_id = task.id
        incident = Incident(
            id=incident_id,
            protocol=protocol.id,
            protocol_version=protocol.version,
            at=study.now(),
            recorded_by=recorder,
            person=person,
            participant=participant.strip(),
            session=session,
            outcome=path.outcome,
            steps=path.steps,
            follow_up_call=path.follow_up_call,
            follow_up_task=task_id,
            note=note.strip(),
        )
        write_incident(change, incident, readers)
        change.record_ids = [i for i in (incident_id, task_id) if i]  # incident first
    return DistressResult(path, incident_id, task_id, owner, due if task_id else None, readers)


def show_incident(study: Study, keyring: Any, incident_id: str) -> Any:
    """One incident record, decrypted (a clear error if your key cannot read it)."""
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.models import Incident

    path: Path = sealed.find(study, get("incident"), incident_id)
    return keyring.read_or_explain(path, Incident, f"incident {incident_id}")
