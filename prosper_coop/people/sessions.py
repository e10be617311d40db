"""Data-collection sessions: planned, started only once safeguarding is in place, closed
with a debrief offered to every facilitator.

Adding a session also starts the safeguarding checklists meant for its type (in
the same commit), so the team sees at once what must be in place before the day.
Starting one also needs every facilitator onboarded and with consent on record
(the safeguarding lead or the coordinator may go ahead anyway, giving a reason
that is kept in the session), and warns when it is not the planned day. What each
facilitator chose about a debrief is kept encrypted for them and the wellbeing
lead(s): the session, its follow-up task and the commit look the same whatever
anyone chose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prosper_coop.core import choices, ids
from prosper_coop.core.errors import ConflictError, InvalidInputError, NotFoundError
from prosper_coop.core.models import PersonStatus
from prosper_coop.people import checklists
from prosper_coop.people.checklists import ChecklistDefinition, ChecklistKind, RunState, RunView
from prosper_coop.people.models import (
    PARTICIPANT_ID,
    ChecklistRun,
    Debrief,
    DebriefChoice,
    Session,
    SessionMode,
    SessionStatus,
    SessionType,
    StartedDespite,
)

if TYPE_CHECKING:
    from prosper_coop.core.models import Person
    from prosper_coop.core.study import Change, Study
    from prosper_coop.crypto.sealed import Keyring

PRE_SESSION = "safeguarding-pre-session"
# Who may start a session although a facilitator is not ready (``--override``).
OVERRIDE_ROLES = ("safeguarding-lead", "coordinator")
# A debrief choice is read like a check-in: by the facilitator and the wellbeing lead(s).
DEBRIEF_READERS = "checkin"


def parse_type(value: str) -> SessionType:
    """A session type from its name, or a clear error."""
    return choices.parse_choice(SessionType, value, f"there is no session type {value!r}")


def parse_facilitators(values: Sequence[str]) -> list[str]:
    """Facilitator IDs from ``CR-02,AC-01`` (repeatable), in order, without duplicates."""
    from prosper_coop.people.team import check_person_id

    found = [check_person_id(person_id) for person_id in choices.split_list(values)]
    if not found:
        raise InvalidInputError(
            "a session needs at least one facilitator",
            "Give them with --facilitators CR-02,AC-01",
        )
    return found


def parse_mode(value: str) -> SessionMode:
    """How a session is held (in-person, online or phone), or a clear error."""
    return choices.parse_choice(SessionMode, value, f"there is no session mode {value!r}")


def parse_participants(values: Sequence[str]) -> list[str]:
    """Participant IDs from ``P-0001,P-0002`` (repeatable), in order, without duplicates."""
    found: list[str] = []
    for value in choices.split_list(values):
        participant = ids.check_pattern(value.upper(), PARTICIPANT_ID, "participant ID", "P-0001")
        if participant not in found:
            found.append(participant)
    return found


def safeguarding_definitions(
    definitions: Mapping[str, ChecklistDefinition], session: Session
) -> list[ChecklistDefinition]:
    """The safeguarding checklists that must be complete before ``session`` starts."""
    subject = checklists.Subject(session.id, checklists.SubjectKind.SESSION, session=session)
    return [
        d
        for d in definitions.values()
        if d.kind == ChecklistKind.SAFEGUARDING and checklists.applies(d, subject)
    ]


@dataclass
class Readiness:
    """Whether a session may start: for each safeguarding checklist, what is missing."""

    session: Session
    runs: dict[str, str | None] = field(default_factory=dict)  # definition -> run id
    missing: dict[str, list[str]] = field(default_factory=dict)  # definition -> item ids

    @property
    def ready(self) -> bool:
        """True when every safeguarding checklist is complete."""
        return not self.missing


def readiness(
    session: Session, definitions: Mapping[str, ChecklistDefinition], views: list[RunView]
) -> Readiness:
    """What still stands between ``session`` and its start."""
    result = Readiness(session)
    for definition in safeguarding_definitions(definitions, session):
        mine = [
            v for v in views if v.run.subject == session.id and v.run.definition == definition.id
        ]
        complete = [v for v in mine if v.state == RunState.COMPLETE]
        if complete:
            result.runs[definition.id] = complete[-1].run.id
            continue
        open_runs = [v for v in mine if v.state == RunState.OPEN]
        if open_runs:
            result.runs[definition.id] = open_runs[-1].run.id
            result.missing[definition.id] = open_runs[-1].missing
        else:
            result.runs[definition.id] = None
            result.missing[definition.id] = list(definition.required_ids)
    return result


def load_sessions(study: Study) -> list[Session]:
    """Every session, by date then ID."""
    from prosper_coop.core.records import get

    return sorted(study.load_all(get("session")), key=lambda s: (s.date, s.id))


@dataclass(frozen=True)
class Added:
    """A new session and the safeguarding runs started for it."""

    session: Session
    runs: list[ChecklistRun]


def add(
    study: Study,
    *,
    session_type: str,
    date: dt.date,
    facilitators: Sequence[str],
    wp: str | None = None,
    title: str | None = None,
    session_id: str | None = None,
    participants: Sequence[str] = (),
    mode: str | None = None,
) -> Added:
    """Plan a session and start its safeguarding checklists: one commit.

    ``participants`` are research participants' IDs (``P-0001``, each recorded with
    ``participant add``); ``mode`` is how it is held: in-person, online or phone.
    """
    from prosper_coop.core.records import get
    from prosper_coop.people.team import load_person

    kind = parse_type(session_type)
    chosen = parse_facilitators(facilitators)
    taking_part = parse_participants(participants)
    held = parse_mode(mode) if mode is not None else None
    rtype = get("session")
    if session_id is not None:
        ids.check_pattern(session_id, rtype.pattern, "session ID", rtype.example)
    clean_title = " ".join(title.split()) if title else None
    with study.change("session", f"add {kind} on {date}", []) as change:
        for person_id in chosen:
            person = load_person(study, person_id)
            if person.status == PersonStatus.LEFT:
                raise ConflictError(
                    f"{person_id} has left the study and cannot facilitate",
                    "Choose active facilitators (see: prosper-coop people list --status active).",
                )
        if wp is not None:
            study.load(get("workpackage"), wp)
        for participant in taking_part:
            study.load(get("participant"), participant)  # must have been recorded
        new_id = session_id or study.next_id(rtype)
        if study.exists(rtype, new_id):
            raise ConflictError(
                f"session {new_id} already exists", "Leave out --id to get the next free one."
            )
        session = Session(
            id=new_id,
            type=kind,
            date=date,
            title=clean_title or None,
            wp=wp,
            facilitators=chosen,
            participants=taking_part,
            mode=held,
            created_by=change.author,
        )
        change.save(session)
        change.record_ids.append(new_id)
        actor = change.author or study.actor()
        runs: list[ChecklistRun] = []
        checklist_type = get("checklist")
        number = int(study.next_id(checklist_type).split("-")[1])
        for definition in safeguarding_definitions(checklists.load_definitions(study), session):
            run = checklists.new_run(study, definition, new_id, actor)
            run.id = checklist_type.format_id(number)
            number += 1
            runs.append(run)
            change.save(run)
            change.record_ids.append(run.id)
    return Added(session, runs)


@dataclass(frozen=True)
class FacilitatorGap:
    """Why one facilitator is not ready to run a session, and what would fix it."""

    person: str
    problem: str
    fix: str


@dataclass
class FacilitatorCheck:
    """Whether each facilitator is onboarded and has consent on record."""

    gaps: list[FacilitatorGap] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_facilitators(study: Study, session: Session) -> FacilitatorCheck:
    """Each facilitator: active, onboarding complete, consent on record (where a consent
    form applies to their roles). A consent to an earlier version of a form is a warning.

    Roles are those the study's signed history verifies.
    """
    from prosper_coop.people.team import load_person, onboarding_gaps
    from prosper_coop.trust.state import trusted_people

    people = trusted_people(study)
    definitions = checklists.load_definitions(study)
    views = checklists.view_runs(checklists.load_runs(study), definitions)
    consent_forms = [d for d in definitions.values() if d.kind == ChecklistKind.CONSENT]
    result = FacilitatorCheck()
    for person_id in session.facilitators:
        person = people.get(person_id) or load_person(study, person_id)
        if person.status == PersonStatus.LEFT:
            result.gaps.append(
                FacilitatorGap(
                    person_id,
                    f"{person_id} has left the study",
                    f"Choose another facilitator (edit sessions/{session.id}.yaml, then "
                    "prosper-coop save).",
                )
            )
            continue
        for definition_id, missing in onboarding_gaps(person, definitions, views).items():
            run = next(
                (
                    v.run.id
                    for v in reversed(views)
                    if v.run.subject == person_id
                    and v.run.definition == definition_id
                    and v.state == RunState.OPEN
                ),
                None,
            )
            result.gaps.append(
                FacilitatorGap(
                    person_id,
                    f"{person_id} has not finished onboarding ({definition_id}: "
                    f"{', '.join(missing)})",
                    f"prosper-coop checklist run {run}"
                    if run
                    else f"prosper-coop onboard {person_id}",
                )
            )
        subject = checklists.Subject(person_id, checklists.SubjectKind.PERSON, person=person)
        forms = [d for d in consent_forms if checklists.applies(d, subject)]
        if not forms:
            continue
        form_ids = {d.id for d in forms}
        theirs = [v for v in views if v.run.subject == person_id and v.run.definition in form_ids]
        standing = [v for v in theirs if v.state in (RunState.COMPLETE, RunState.NEEDS_REVIEW)]
        if not standing:
            withdrawn = any(v.run.withdrawal is not None for v in theirs)
            result.gaps.append(
                FacilitatorGap(
                    person_id,
                    f"{person_id} "
                    + ("withdrew their consent" if withdrawn else "has no consent on record")
                    + f" ({forms[0].id})",
                    f"prosper-coop consent record {person_id} --form {forms[0].id}",
                )
            )
        elif all(v.state == RunState.NEEDS_REVIEW for v in standing):
            form = standing[-1].run.definition
            result.warnings.append(
                f"{person_id} consented to an earlier version of {form}; ask them to look at "
                f"the new wording (prosper-coop consent record {person_id} --form {form})."
            )
    return result


def _day_warning(session: Session, today: dt.date) -> list[str]:
    """A warning when a session starts on a day other than the one planned."""
    if session.date == today:
        return []
    days = abs((session.date - today).days)
    when = f"{days} day(s) from now" if session.date > today else f"{days} day(s) ago"
    return [
        f"session {session.id} was planned for {session.date} ({when}), not today. If the "
        "day has changed, make sure the participants and the safeguarding lead know, and "
        "that the safeguarding checklist still holds for today."
    ]


@dataclass(frozen=True)
class Started:
    """A session that has started: its safeguarding readiness, and anything to look at."""

    session: Session
    readiness: Readiness
    warnings: list[str]


def start(study: Study, session_id: str, *, override: str | None = None) -> Started:
    """Start a session: one commit.

    Refused until its safeguarding checklists are complete, and while a facilitator
    has not finished onboarding or has no consent on record. For the latter, the
    safeguarding lead or the coordinator may go ahead anyway with ``override`` (why,
    in a few words: no personal details); who, when, why and what was missing are
    kept in the session. Starting on a day other than the planned one is a warning.
    """
    from prosper_coop.trust.permissions import require

    with study.change("session", "start", session_id) as change:
        actor = require(study, "session.manage", session=session_id)
        session = checklists.load_session(study, session_id)
        if session.status != SessionStatus.PLANNED:
            raise ConflictError(
                f"session {session_id} is already {session.status}",
                f"See it with: prosper-coop session show {session_id}",
            )
        definitions = checklists.load_definitions(study)
        views = checklists.runs_for(study, session_id)
        ready = readiness(session, definitions, views)
        if not ready.ready:
            raise NotReadyError(ready)
        facilitators = check_facilitators(study, session)
        reason = (override or "").strip()
        if facilitators.gaps and not reason:
            raise FacilitatorsNotReadyError(session, facilitators.gaps)
        if facilitators.gaps:
            _check_may_override(study, actor, session_id)
            session.started_despite = StartedDespite(
                by=actor,
                at=study.now(),
                reason=reason,
                gaps=[gap.problem for gap in facilitators.gaps],
            )
            change.what = "start although a facilitator was not ready"
        session.status = SessionStatus.STARTED
        session.started = study.now()
        session.started_by = change.author
        change.save(session)
    return Started(session, ready, facilitators.warnings + _day_warning(session, study.today()))


def _check_may_override(study: Study, actor: str, session_id: str) -> None:
    """Only the safeguarding lead or the coordinator may start a session a facilitator is
    not ready for (roles as the signed history verifies them)."""
    from prosper_coop.core.errors import NotPermittedError
    from prosper_coop.trust.state import trusted_people

    people = [p for p in trusted_people(study).values() if p.status == PersonStatus.ACTIVE]
    mine = next((p for p in people if p.id == actor), None)
    if mine is not None and any(str(r) in OVERRIDE_ROLES for r in mine.roles):
        return
    holders = sorted(p.id for p in people if any(str(r) in OVERRIDE_ROLES for r in p.roles))
    raise NotPermittedError(
        "only the safeguarding lead or the coordinator can start a session when a "
        f"facilitator is not ready (you are {actor})",
        (f"Ask {' or '.join(holders)} to decide, or " if holders else "Or ")
        + f"finish the onboarding and consent first, then run: prosper-coop session start "
        f"{session_id}",
    )


class FacilitatorsNotReadyError(ConflictError):
    """A session with a facilitator who is not onboarded or has no consent on record."""

    def __init__(self, session: Session, gaps: list[FacilitatorGap]) -> None:
        fixes = list(dict.fromkeys(gap.fix for gap in gaps))
        super().__init__(
            f"session {session.id} cannot start yet: " + "; ".join(gap.problem for gap in gaps),
            "To get them ready: "
            + " ; ".join(fixes)
            + ". If the safeguarding lead decides to go ahead anyway, they or the "
            f'coordinator can run: prosper-coop session start {session.id} --override "why"',
        )
        self.gaps = gaps


class NotReadyError(ConflictError):
    """A session whose safeguarding checklist is not complete."""

    def __init__(self, ready: Readiness) -> None:
        parts = []
        hints = []
        for definition_id, items in ready.missing.items():
            run_id = ready.runs.get(definition_id)
            parts.append(f"{definition_id}: " + ", ".join(items))
            if run_id:
                hints.append(f"prosper-coop checklist run {run_id}")
            else:
                hints.append(
                    f"prosper-coop checklist start {definition_id} --for {ready.session.id}"
                )
        super().__init__(
            f"session {ready.session.id} cannot start until its safeguarding checklist is "
            "complete. Still to do: " + "; ".join(parts),
            "Complete it with: " + " ; ".join(hints),
        )
        self.ready = ready


def parse_choice(value: str) -> DebriefChoice:
    """A debrief choice from its name, or a clear error."""
    return choices.parse_choice(DebriefChoice, value, f"there is no debrief choice {value!r}")


def parse_debriefs(values: Sequence[str]) -> dict[str, DebriefChoice]:
    """``CR-02=later`` pairs into a mapping of facilitator to choice."""
    found: dict[str, DebriefChoice] = {}
    for value in values:
        person_id, sep, choice = value.partition("=")
        if not sep:
            raise InvalidInputError(
                f"{value!r} should look like PERSON=CHOICE",
                "For example: --debrief CR-02=later (choices: now, later, declined)",
            )
        found[person_id.strip()] = parse_choice(choice)
    return found


def close(study: Study, session_id: str, choices: Mapping[str, DebriefChoice]) -> Session:
    """Close a started session, recording that a debrief was offered to each facilitator
    and what they chose: one commit.
    """
    from prosper_coop.crypto import sealed
    from prosper_coop.trust.permissions import require

    with study.change("session", "close", session_id) as change:
        require(study, "session.manage", session=session_id)
        session = checklists.load_session(study, session_id)
        if session.status == SessionStatus.PLANNED:
            raise ConflictError(
                f"session {session_id} has not started",
                f"Start it first with: prosper-coop session start {session_id}",
            )
        if session.status == SessionStatus.CLOSED:
            raise ConflictError(
                f"session {session_id} is already closed",
                f"See it with: prosper-coop session show {session_id}",
            )
        unknown = [p for p in choices if p not in session.facilitators]
        if unknown:
            raise NotFoundError(
                f"{unknown[0]} did not facilitate session {session_id}",
                "Facilitators: " + ", ".join(session.facilitators),
            )
        missing = [p for p in session.facilitators if p not in choices]
        if missing:
            raise InvalidInputError(
                "say what each facilitator chose about a debrief; missing: " + ", ".join(missing),
                "For example: --debrief " + " --debrief ".join(f"{p}=later" for p in missing),
            )
        actor = change.author or study.actor()
        now = study.now()
        people = sealed.people_of(study)
        session.debriefs = [
            Debrief(
                facilitator=p,
                offered_at=now,
                offered_by=actor,
                choice_sealed=seal_choice(study, session.id, p, choices[p], actor, people),
            )
            for p in session.facilitators
        ]
        session.status = SessionStatus.CLOSED
        session.closed = now
        session.closed_by = actor
        change.save(session)
        _add_debrief_task(study, change, session, actor, people)
    return session


def seal_choice(
    study: Study,
    session_id: str,
    facilitator: str,
    choice: DebriefChoice,
    closer: str,
    people: Sequence[Person],
) -> str:
    """``facilitator``'s debrief choice, encrypted (armoured, padded) for them and the
    wellbeing lead(s); while none of them has a key, for ``closer``, who asked them.
    """
    import dataclasses

    from prosper_coop.crypto import sealed

    readers = sealed.readers_for(study, DEBRIEF_READERS, facilitator, people)
    if not readers.recipients:
        key = next((p.age_recipient for p in people if p.id == closer and p.age_recipient), None)
        if key:
            readers = dataclasses.replace(readers, people=(closer,), recipients=(key,))
    plain = choice_plaintext(session_id, facilitator, choice)
    return sealed.seal(plain, readers).decode("ascii")


def choice_plaintext(session_id: str, facilitator: str, choice: DebriefChoice) -> bytes:
    """What is encrypted for one debrief choice: the choice, and whose, in which session
    (so that it cannot be moved to another person or session unnoticed)."""
    from prosper_coop.core import yamlio

    data = {"session": session_id, "facilitator": facilitator, "choice": str(choice)}
    return yamlio.dumps(data).encode("utf-8")


def read_choices(session: Session, keyring: Keyring) -> dict[str, DebriefChoice]:
    """The debrief choices of ``session`` that ``keyring``'s key can read, by facilitator
    (and any kept in plain text by older versions)."""
    from prosper_coop.core import yamlio
    from prosper_coop.core.errors import ValidationError

    where = f"sessions/{session.id}.yaml"
    found: dict[str, DebriefChoice] = {}
    for debrief in session.debriefs:
        if debrief.choice is not None:
            found[debrief.facilitator] = debrief.choice
            continue
        plain = keyring.decrypt(debrief.choice_sealed.encode("ascii"), where)
        if plain is None:
            continue
        data = yamlio.loads(yamlio.decode(plain, where), where)
        if (
            not isinstance(data, dict)
            or data.get("session") != session.id
            or data.get("facilitator") != debrief.facilitator
        ):
            raise ValidationError(
                f"the debrief choice kept for {debrief.facilitator} belongs to another "
                "session or person",
                "Restore the session from git (git log -- FILE).",
                file=where,
            )
        found[debrief.facilitator] = parse_choice(str(data.get("choice")))
    return found


def may_read_choices(study: Study, session: Session) -> bool:
    """Whether the acting person could read any of ``session``'s debrief choices: a
    facilitator, who closed it, or a holder of a role that reads them (verified roles)."""
    from prosper_coop.crypto import sealed
    from prosper_coop.trust.state import trusted_people

    actor = study.actor()
    if actor in session.facilitators or actor == session.closed_by:
        return True
    me = trusted_people(study).get(actor)
    roles = sealed.policy(study).roles(DEBRIEF_READERS)
    return me is not None and any(str(r) in roles for r in me.roles)


def _add_debrief_task(
    study: Study, change: Change, session: Session, actor: str, people: Sequence[Person]
) -> None:
    """One follow-up task for every closed session, so that a debrief someone chose to
    have later is not forgotten, while nothing shared says whether anyone did.

    Owned by the wellbeing lead (else the coordinator, else whoever closes the
    session), due in two days, in the session's work package.
    """
    from prosper_coop.tasks import followup

    owner = (
        followup.first_holder(people, "wellbeing-lead")
        or followup.first_holder(people, "coordinator")
        or actor
    )
    wp = followup.choose_wp(study, session_wp=session.wp)
    if wp is None:
        return  # a study with no work packages: the debrief choices are still recorded
    due = study.today() + dt.timedelta(days=2)
    followup.add_follow_ups(
        study,
        change,
        wp,
        [
            followup.FollowUp(
                title=f"Debriefs after session {session.id}: check in with its facilitators "
                "and offer any debrief chosen for later",
                owner=owner,
                due=due,
                tags=("debrief", "support"),
            )
        ],
    )


@dataclass(frozen=True)
class SessionView:
    """A session with its safeguarding readiness."""

    session: Session
    readiness: Readiness

    def as_dict(self) -> dict[str, object]:
        """Plain data for ``--json``."""
        return {
            **self.session.model_dump(mode="json", exclude={"conflicts"}),
            "safeguarding_ready": self.readiness.ready,
            "safeguarding_runs": self.readiness.runs,
            "safeguarding_missing": self.readiness.missing,
        }


def list_sessions(
    study: Study, *, status: str | None = None, wp: str | None = None
) -> list[SessionView]:
    """Every session with its readiness, optionally filtered."""
    wanted = (
        choices.parse_choice(SessionStatus, status, f"there is no session status {status!r}")
        if status is not None
        else None
    )
    sessions = load_sessions(study)
    if wanted is not None:
        sessions = [s for s in sessions if s.status == wanted]
    if wp is not None:
        sessions = [s for s in sessions if s.wp == wp]
    definitions = checklists.load_definitions(study)
    views = checklists.view_runs(checklists.load_runs(study), definitions)
    return [SessionView(s, readiness(s, definitions, views)) for s in sessions]


def show(study: Study, session_id: str) -> SessionView:
    """One session with its readiness."""
    session = checklists.load_session(study, session_id)
    definitions = checklists.load_definitions(study)
    return SessionView(
        session, readiness(session, definitions, checklists.runs_for(study, session_id))
    )
