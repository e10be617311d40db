"""Data-collection sessions: planned, started only once safeguarding is in place, closed
with a debrief offered to every facilitator.

Adding a session also starts the safeguarding checklists meant for its type (in
the same commit), so the team sees at once what must be in place before the day.
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
    ChecklistRun,
    Debrief,
    DebriefChoice,
    Session,
    SessionStatus,
    SessionType,
)

if TYPE_CHECKING:
    from prosper_coop.core.study import Change, Study

PRE_SESSION = "safeguarding-pre-session"


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
) -> Added:
    """Plan a session and start its safeguarding checklists: one commit."""
    from prosper_coop.core.records import get
    from prosper_coop.people.team import load_person

    kind = parse_type(session_type)
    chosen = parse_facilitators(facilitators)
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


def start(study: Study, session_id: str) -> tuple[Session, Readiness]:
    """Start a session, refused until its safeguarding checklists are complete: one commit."""
    with study.change("session", "start", session_id) as change:
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
        session.status = SessionStatus.STARTED
        session.started = study.now()
        session.started_by = change.author
        change.save(session)
    return session, ready


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
    with study.change("session", "close", session_id) as change:
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
        session.debriefs = [
            Debrief(facilitator=p, offered_at=now, offered_by=actor, choice=choices[p])
            for p in session.facilitators
        ]
        session.status = SessionStatus.CLOSED
        session.closed = now
        session.closed_by = actor
        change.save(session)
        later = [p for p in session.facilitators if choices[p] == DebriefChoice.LATER]
        if later:
            _add_debrief_tasks(study, change, session, later, actor)
    return session


def _add_debrief_tasks(
    study: Study, change: Change, session: Session, later: list[str], actor: str
) -> None:
    """Follow-up tasks so that a debrief someone chose to have later is not forgotten.

    Owned by the wellbeing lead (else the coordinator, else whoever closes the
    session), due in two days, in the session's work package.
    """
    from prosper_coop.core.records import get
    from prosper_coop.tasks import followup

    people = list(study.load_all(get("person")))
    owner = (
        followup.first_holder(people, "wellbeing-lead")
        or followup.first_holder(people, "coordinator")
        or actor
    )
    wp = followup.choose_wp(study, session_wp=session.wp, person=later[0])
    if wp is None:
        return  # a study with no work packages: the debrief choice is still recorded
    due = study.today() + dt.timedelta(days=2)
    followup.add_follow_ups(
        study,
        change,
        wp,
        [
            followup.FollowUp(
                title=f"Offer {person} the debrief they chose to have later (session {session.id})",
                owner=owner,
                due=due,
                tags=("debrief", "support"),
            )
            for person in later
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
