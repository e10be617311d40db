"""One checklist engine for onboarding, offboarding, consent and safeguarding.

Definitions are versioned YAML files in the study's ``protocols/checklists/``
folder (the team may edit them; each edit of wording needs a new ``version``). A
run (:class:`~prosper_coop.people.models.ChecklistRun`) binds a definition's
version to a subject and records every tick: who, when, and the evidence.

When a definition gets a new version, runs on the older version are flagged as
needing review (for consent forms: re-consent). A run remembers a fingerprint of
the wording it was started on, so a definition whose wording changed without a
new version is caught by ``doctor`` (old consent must never look like consent to
new text).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from prosper_coop.core import ids, yamlio
from prosper_coop.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    ValidationError,
)
from prosper_coop.core.fsutil import read_regular_file
from prosper_coop.core.models import PERSON_ID, Person, PersonStatus, Role
from prosper_coop.people.models import (
    PARTICIPANT_ID,
    RUN_ID,
    SESSION_ID,
    SLUG,
    ChecklistRun,
    Session,
    SessionType,
    Slug,
    Tick,
    WithdrawalScope,
)
from prosper_coop.trust import permissions

if TYPE_CHECKING:
    from prosper_coop.core.study import Study

DEFINITIONS_DIR = "protocols/checklists"
ItemText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


# -- definitions ------------------------------------------------------------------------
class ChecklistKind(StrEnum):
    """What a checklist is for."""

    ONBOARDING = "onboarding"
    OFFBOARDING = "offboarding"
    CONSENT = "consent"
    SAFEGUARDING = "safeguarding"


class SubjectKind(StrEnum):
    """What a run of a checklist is about."""

    PERSON = "person"
    SESSION = "session"
    PARTICIPANT = "participant"


class EvidenceKind(StrEnum):
    """The evidence a tick takes: none, a note, a date, or a document reference."""

    NONE = "none"
    NOTE = "note"
    DATE = "date"
    DOCUMENT = "document"


class AppliesTo(BaseModel):
    """Who or what a checklist is for: a subject kind, narrowed by roles or session types."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    subject: SubjectKind
    roles: list[Role] = Field(default_factory=list)
    session_types: list[SessionType] = Field(default_factory=list)


class ItemDefinition(BaseModel):
    """One item of a checklist.

    ``answer: true`` items record a free yes/no choice (the optional items of a
    consent form) and so are never required. ``only_if`` says when an optional
    item applies (e.g. a DBS check only where the role needs one).
    """

    model_config = ConfigDict(defer_build=True, extra="forbid")

    id: Slug
    text: ItemText
    required: bool = True
    answer: bool = False
    evidence: EvidenceKind = EvidenceKind.NONE
    help: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    only_if: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""

    @model_validator(mode="after")
    def _answers_are_optional(self) -> ItemDefinition:
        if self.answer and self.required:
            raise ValueError(
                "an item with 'answer: true' records a free yes/no choice, so it must have "
                "'required: false'"
            )
        return self


class WithdrawalTask(BaseModel):
    """A follow-up task that a consent withdrawal creates for the coordinator."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
    scopes: list[WithdrawalScope] = Field(min_length=1)
    due_days: int = Field(default=14, ge=0, le=365)


class ChecklistDefinition(BaseModel):
    """A checklist definition file (``protocols/checklists/<id>.yaml``)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    id: Slug
    version: int = Field(ge=1)
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    kind: ChecklistKind
    applies_to: AppliesTo
    description: Annotated[str, StringConstraints(max_length=4000)] = ""
    source: Annotated[str, StringConstraints(max_length=2000)] = ""
    checked_on: dt.date | None = None
    items: list[ItemDefinition] = Field(min_length=1)
    withdrawal_tasks: list[WithdrawalTask] = Field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """A short hash of the wording that consent or a tick refers to."""
        wording = [[i.id, i.text, i.required, i.answer] for i in self.items]
        blob = json.dumps([self.title, wording], ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    def item(self, item_id: str) -> ItemDefinition:
        """The item ``item_id``, or a NotFoundError listing the items."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise NotFoundError(
            f"checklist {self.id} has no item {item_id!r}",
            "Its items are: " + ", ".join(i.id for i in self.items),
        )

    @property
    def required_ids(self) -> list[str]:
        """IDs of the items a run needs before it is complete."""
        return [i.id for i in self.items if i.required]

    def describe_applies_to(self) -> str:
        """Who or what this checklist is for, in words."""
        target = self.applies_to
        if target.subject == SubjectKind.PERSON:
            return ", ".join(str(r) for r in target.roles) or "anyone in the team"
        if target.subject == SubjectKind.SESSION:
            types = ", ".join(str(t) for t in target.session_types) or "any type"
            return f"sessions ({types})"
        return "research participants"


def definitions_dir(study: Study) -> Path:
    """The study's folder of checklist definitions."""
    return study.root / DEFINITIONS_DIR


def parse_definition(text: str, where: str, expected_id: str | None = None) -> ChecklistDefinition:
    """Parse and check one definition; errors name ``file:line``."""
    from prosper_coop.core.study import parse_model

    definition = parse_model(ChecklistDefinition, text, where)
    seen: dict[str, int] = {}
    for index, item in enumerate(definition.items):
        if item.id in seen:
            raise ValidationError(
                f"items.{index}.id: item id {item.id!r} is used twice "
                f"(first as item {seen[item.id] + 1})",
                "Give every item its own id, then run: prosper-coop doctor",
                file=where,
                line=yamlio.line_of(text, ("items", index, "id")),
            )
        seen[item.id] = index
    if expected_id is not None and definition.id != expected_id:
        raise ValidationError(
            f"id: the definition says {definition.id!r} but the file is named {expected_id}.yaml",
            f"Make them agree: rename the file to {definition.id}.yaml or fix the id line.",
            file=where,
            line=yamlio.line_of(text, ("id",)),
        )
    if definition.withdrawal_tasks and definition.kind != ChecklistKind.CONSENT:
        raise ValidationError(
            "withdrawal_tasks: only consent forms can have withdrawal tasks",
            "Remove withdrawal_tasks, or set kind: consent.",
            file=where,
            line=yamlio.line_of(text, ("withdrawal_tasks",)),
        )
    return definition


def definition_files(study: Study) -> list[Path]:
    """Every definition file in the study (sorted)."""
    folder = definitions_dir(study)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.yaml"))


def load_definitions(study: Study) -> dict[str, ChecklistDefinition]:
    """Every checklist definition in the study, by id (raises on the first bad file)."""
    found: dict[str, ChecklistDefinition] = {}
    for path in definition_files(study):
        where = study.rel(path)
        text = yamlio.decode(read_regular_file(path, where), where)
        found[path.stem] = parse_definition(text, where, path.stem)
    return found


def get_definition(study: Study, definition_id: str) -> ChecklistDefinition:
    """One definition by id (reading only its own file), or a NotFoundError listing them."""
    path = definitions_dir(study) / f"{definition_id}.yaml"
    if SLUG.fullmatch(definition_id) and (path.is_file() or path.is_symlink()):
        where = study.rel(path)
        text = yamlio.decode(read_regular_file(path, where), where)
        return parse_definition(text, where, definition_id)
    names = ", ".join(p.stem for p in definition_files(study)) or "none yet"
    raise NotFoundError(
        f"there is no checklist called {definition_id!r}",
        f"Checklists in {DEFINITIONS_DIR}/: {names}. See them with: prosper-coop checklist list",
    )


# -- subjects ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Subject:
    """What a run is about: a person, a session or a research participant."""

    id: str
    kind: SubjectKind
    person: Person | None = None
    session: Session | None = None

    @property
    def label(self) -> str:
        """The ID with a short description (alias, or session type and date)."""
        if self.person is not None:
            return f"{self.id} ({self.person.alias})"
        if self.session is not None:
            return f"{self.id} ({self.session.type} on {self.session.date})"
        return f"{self.id} (participant)"


def resolve_subject(study: Study, subject_id: str) -> Subject:
    """Look up a person (``CR-01``), a session (``S-0001``) or a participant (``P-0001``)."""
    from prosper_coop.core.records import get

    ids.check_safe(subject_id, "subject")
    if PERSON_ID.fullmatch(subject_id):
        return Subject(subject_id, SubjectKind.PERSON, person=study.load(get("person"), subject_id))
    if SESSION_ID.fullmatch(subject_id):
        return Subject(subject_id, SubjectKind.SESSION, session=load_session(study, subject_id))
    if PARTICIPANT_ID.fullmatch(subject_id):
        return Subject(subject_id, SubjectKind.PARTICIPANT)
    raise InvalidInputError(
        f"{subject_id!r} is not a person, session or participant ID",
        "Use a person ID (CR-01), a session ID (S-0001) or a participant ID (P-0001).",
    )


def load_session(study: Study, session_id: str) -> Session:
    """One session, or a NotFoundError saying how to list them."""
    from prosper_coop.core.records import get

    rtype = get("session")
    ids.check_pattern(session_id, rtype.pattern, "session ID", rtype.example)
    if not study.exists(rtype, session_id):
        raise NotFoundError(
            f"session {session_id} not found", "List sessions with: prosper-coop session list"
        )
    session: Session = study.load(rtype, session_id)
    return session


def applies(definition: ChecklistDefinition, subject: Subject) -> bool:
    """Whether ``definition`` is meant for ``subject``."""
    target = definition.applies_to
    if target.subject != subject.kind:
        return False
    if subject.person is not None and target.roles:
        return any(role in target.roles for role in subject.person.roles)
    if subject.session is not None and target.session_types:
        return subject.session.type in target.session_types
    return True


def check_applies(definition: ChecklistDefinition, subject: Subject) -> None:
    """Raise a clear error when ``definition`` is not meant for ``subject``."""
    if applies(definition, subject):
        return
    raise InvalidInputError(
        f"checklist {definition.id} is for {definition.describe_applies_to()}, "
        f"not for {subject.label}",
        "See which checklist fits with: prosper-coop checklist list",
    )


# -- runs ----------------------------------------------------------------------------------
class RunState(StrEnum):
    """Where a run stands."""

    OPEN = "open"
    COMPLETE = "complete"
    NEEDS_REVIEW = "needs-review"  # complete or open, on an older version of its definition
    SUPERSEDED = "superseded"  # a newer run of the same checklist for the subject replaced it
    WITHDRAWN = "withdrawn"  # consent withdrawn
    UNKNOWN = "unknown-definition"


@dataclass
class RunView:
    """A run with what it means: its state and the required items still missing."""

    run: ChecklistRun
    definition: ChecklistDefinition | None
    state: RunState
    missing: list[str] = field(default_factory=list)

    @property
    def progress(self) -> str:
        """``ticked/total`` of the required items."""
        if self.definition is None:
            return f"{len(self.run.ticks)}/?"
        required = self.definition.required_ids
        done = sum(1 for item in required if self.run.tick_for(item) is not None)
        return f"{done}/{len(required)}"

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            **self.run.model_dump(mode="json", exclude={"conflicts"}),
            "state": str(self.state),
            "current_version": self.definition.version if self.definition else None,
            "title": self.definition.title if self.definition else None,
            "kind": str(self.definition.kind) if self.definition else None,
            "missing": self.missing,
            "progress": self.progress,
        }


def missing_items(run: ChecklistRun, definition: ChecklistDefinition) -> list[str]:
    """Required items of ``definition`` not yet ticked on ``run``."""
    return [item for item in definition.required_ids if run.tick_for(item) is None]


def view_runs(
    runs: Iterable[ChecklistRun], definitions: dict[str, ChecklistDefinition]
) -> list[RunView]:
    """Work out the state of every run.

    A run is superseded once a later run of the same checklist for the same subject
    is complete (or, for a run on an old version that was never finished, once any
    later run exists). A complete run on an old version needs review (re-consent)
    until then.
    """
    runs = list(runs)
    by_key: dict[tuple[str, str], list[ChecklistRun]] = {}
    for run in runs:
        by_key.setdefault((run.definition, run.subject), []).append(run)
    views = []
    for run in runs:
        definition = definitions.get(run.definition)
        if definition is None:
            views.append(RunView(run, None, RunState.UNKNOWN))
            continue
        current = run.version == definition.version
        missing = missing_items(run, definition) if current else []
        later = [
            other
            for other in by_key[(run.definition, run.subject)]
            if other.withdrawal is None and _order(other) > _order(run)
        ]
        if run.withdrawal is not None:
            state = RunState.WITHDRAWN
        elif any(_is_complete(other, definition) for other in later) or (
            later and not _is_complete(run, definition) and not current
        ):
            state = RunState.SUPERSEDED
        elif not current:
            state = RunState.NEEDS_REVIEW
        elif not missing:
            state = RunState.COMPLETE
        else:
            state = RunState.OPEN
        views.append(RunView(run, definition, state, missing))
    return views


def _is_complete(run: ChecklistRun, definition: ChecklistDefinition) -> bool:
    """Every required item ticked (judged by ``completed`` for runs on older versions)."""
    if run.version == definition.version:
        return not missing_items(run, definition)
    return run.completed is not None


def _order(run: ChecklistRun) -> tuple[int, dt.datetime, int]:
    return (run.version, run.started, ids.number_of(run.id) or 0)


def load_runs(study: Study) -> list[ChecklistRun]:
    """Every checklist run in the study."""
    from prosper_coop.core.records import get

    return list(study.load_all(get("checklist")))


def load_run(study: Study, run_id: str) -> ChecklistRun:
    """One run, or a NotFoundError saying how to list them."""
    from prosper_coop.core.records import get

    rtype = get("checklist")
    ids.check_pattern(run_id, RUN_ID, "checklist run ID", rtype.example)
    if not study.exists(rtype, run_id):
        raise NotFoundError(
            f"checklist run {run_id} not found",
            "List runs with: prosper-coop checklist status",
        )
    run: ChecklistRun = study.load(rtype, run_id)
    return run


def view_run(study: Study, run_id: str) -> RunView:
    """One run with its state."""
    run = load_run(study, run_id)
    related = [r for r in load_runs(study) if r.definition == run.definition]
    views = view_runs(related, load_definitions(study))
    return next(v for v in views if v.run.id == run_id)


def runs_for(study: Study, subject_id: str, definition_id: str | None = None) -> list[RunView]:
    """Every run for one subject (optionally of one definition), oldest first."""
    runs = [r for r in load_runs(study) if r.subject == subject_id]
    if definition_id is not None:
        runs = [r for r in runs if r.definition == definition_id]
    return view_runs(runs, load_definitions(study))


def new_run(
    study: Study, definition: ChecklistDefinition, subject_id: str, actor: str
) -> ChecklistRun:
    """A fresh (unsaved) run of ``definition`` for ``subject_id``."""
    from prosper_coop.core.records import get

    return ChecklistRun(
        id=study.next_id(get("checklist")),
        definition=definition.id,
        version=definition.version,
        fingerprint=definition.fingerprint,
        subject=subject_id,
        started=study.now(),
        started_by=actor,
    )


def current_run_for(
    study: Study, definition: ChecklistDefinition, subject_id: str
) -> RunView | None:
    """The open or complete run of the current version of ``definition`` for the subject."""
    for view in reversed(runs_for(study, subject_id, definition.id)):
        if view.state in (RunState.OPEN, RunState.COMPLETE):
            return view
    return None


@dataclass(frozen=True)
class Started:
    """The result of starting a checklist: the run, and whether it already existed."""

    run: ChecklistRun
    definition: ChecklistDefinition
    created: bool


def start(study: Study, definition_id: str, subject_id: str) -> Started:
    """Start a run of ``definition_id`` for a person, session or participant (one commit)."""
    definition = get_definition(study, definition_id)
    subject = resolve_subject(study, subject_id)
    check_applies(definition, subject)
    if (
        subject.person is not None
        and subject.person.status == PersonStatus.LEFT
        and (definition.kind != ChecklistKind.OFFBOARDING)
    ):
        raise ConflictError(
            f"{subject.label} has left the study",
            "Only the offboarding checklist can be started for someone who has left.",
        )
    with study.change("checklist", f"start {definition.id} for {subject_id}", []) as change:
        require_to_tick(study, definition, subject_id, what=f"start {definition.kind} checklists")
        existing = current_run_for(study, definition, subject_id)  # under the lock
        if existing is not None and existing.state == RunState.OPEN:
            raise ConflictError(
                f"checklist {definition.id} is already open for {subject.label} "
                f"as {existing.run.id}",
                f"Carry on with: prosper-coop checklist run {existing.run.id}",
            )
        if existing is not None:
            raise ConflictError(
                f"checklist {definition.id} is already complete for {subject.label} "
                f"as {existing.run.id}",
                f"See it with: prosper-coop checklist show {existing.run.id}",
            )
        run = new_run(study, definition, subject_id, change.author or study.actor())
        change.record_ids.append(run.id)
        change.save(run)
    return Started(run, definition, created=True)


def start_or_resume(study: Study, definition_id: str, subject_id: str) -> Started:
    """The open run of a checklist for a subject, starting one if there is none."""
    definition = get_definition(study, definition_id)
    existing = current_run_for(study, definition, subject_id)
    if existing is not None:
        return Started(existing.run, definition, created=False)
    return start(study, definition_id, subject_id)


@dataclass(frozen=True)
class Evidence:
    """What a person gives when ticking an item."""

    note: str = ""
    date: dt.date | None = None
    document: str = ""
    answer: bool | None = None


def make_tick(
    item: ItemDefinition, evidence: Evidence, actor: str, *, today: dt.date, now: dt.datetime
) -> Tick:
    """Check ``evidence`` against what ``item`` takes, and build the tick made ``now``.

    A date item with no date given is dated ``today``.
    """
    if item.answer and evidence.answer is None:
        raise InvalidInputError(
            f"item {item.id} records a yes/no answer",
            "Give the answer with --answer yes or --answer no.",
        )
    if not item.answer and evidence.answer is not None:
        raise InvalidInputError(
            f"item {item.id} is ticked, not answered yes or no",
            "Leave out --answer for this item.",
        )
    if item.evidence == EvidenceKind.NOTE and not evidence.note.strip():
        raise InvalidInputError(
            f"item {item.id} needs a short note as evidence",
            "Add one with --note 'what was agreed' (no names or personal details).",
        )
    if item.evidence == EvidenceKind.DOCUMENT and not evidence.document.strip():
        raise InvalidInputError(
            f"item {item.id} needs a reference to the document",
            "Add one with --document 'where the signed copy is kept' "
            "(a reference only; no names or personal details).",
        )
    if "\n" in evidence.document:
        raise InvalidInputError("a document reference must be one line")
    date = evidence.date
    if item.evidence == EvidenceKind.DATE and date is None:
        date = today
    try:
        return Tick(
            item=item.id,
            by=actor,
            at=now,
            answer=evidence.answer,
            date=date,
            document=evidence.document.strip(),
            note=evidence.note.strip(),
        )
    except Exception as exc:  # pydantic.ValidationError: too long
        raise InvalidInputError(
            f"the evidence for {item.id} is not usable: {_first_error(exc)}",
            "Keep notes under 2000 characters and document references under 200.",
        ) from None


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(p) for p in first.get('loc', ()))}: {first.get('msg')}"
    return str(exc)


def _writable_run(study: Study, run_id: str) -> tuple[ChecklistRun, ChecklistDefinition]:
    """Load a run (inside a change, so the lock is held) and check it may be ticked."""
    run = load_run(study, run_id)
    definition = get_definition(study, run.definition)
    require_to_tick(study, definition, run.subject)
    check_writable(run, definition)
    return run, definition


# The permission (protocols/permissions.yaml) each kind of checklist is ticked under.
TICK_ACTIONS = {
    ChecklistKind.ONBOARDING: "checklist.tick",
    ChecklistKind.OFFBOARDING: "checklist.tick",
    ChecklistKind.SAFEGUARDING: "safeguarding.tick",
    ChecklistKind.CONSENT: "consent.record",
}


def require_to_tick(
    study: Study, definition: ChecklistDefinition, subject_id: str, *, what: str | None = None
) -> str:
    """The acting person's ID if the permission table lets them tick ``definition`` for
    ``subject_id`` (a safeguarding lead or the session's facilitator for safeguarding,
    whoever records consent for consent forms); else a NotPermittedError (exit 9).
    """
    session = subject_id if SESSION_ID.fullmatch(subject_id) else None
    subject = subject_id if PERSON_ID.fullmatch(subject_id) else None
    return permissions.require(
        study, TICK_ACTIONS[definition.kind], subject=subject, session=session, what=what
    )


def check_writable(run: ChecklistRun, definition: ChecklistDefinition) -> None:
    """Refuse to change a withdrawn run or a run on an old version of its checklist."""
    if run.withdrawal is not None:
        raise ConflictError(
            f"{run.id} records consent that was withdrawn; it is kept as it is",
            f"Record new consent with: prosper-coop consent record {run.subject} "
            f"--form {run.definition}",
        )
    if run.version != definition.version:
        raise ConflictError(
            f"{run.id} is on version {run.version} of {definition.id}, which is now at "
            f"version {definition.version}",
            f"Start a run on the new version: prosper-coop checklist start {definition.id} "
            f"--for {run.subject}",
        )


def _refresh_completed(
    run: ChecklistRun, definition: ChecklistDefinition, now: dt.datetime
) -> None:
    if missing_items(run, definition):
        run.completed = None
    elif run.completed is None:
        run.completed = now


@dataclass(frozen=True)
class TickResult:
    """A tick that was recorded, and the run's state after it."""

    run: ChecklistRun
    tick: Tick
    item: ItemDefinition
    missing: list[str]
    completed_now: bool


def tick(study: Study, run_id: str, item_id: str, evidence: Evidence) -> TickResult:
    """Tick (or answer) one item of a run, with its evidence: one commit."""
    with study.change("checklist", f"tick {item_id}", run_id) as change:
        run, definition = _writable_run(study, run_id)
        item = definition.item(item_id)
        if run.tick_for(item_id) is not None:
            previous = run.tick_for(item_id)
            assert previous is not None
            raise ConflictError(
                f"{item_id} on {run_id} was already ticked by {previous.by} on "
                f"{previous.at.date()}",
                f"To change it, untick it first: prosper-coop checklist untick {run_id} {item_id}",
            )
        actor = change.author or study.actor()
        new_tick = make_tick(item, evidence, actor, today=study.today(), now=study.now())
        was_complete = run.completed is not None
        run.ticks = [*run.ticks, new_tick]
        _refresh_completed(run, definition, new_tick.at)
        change.save(run)
    missing = missing_items(run, definition)
    return TickResult(run, new_tick, item, missing, not was_complete and run.completed is not None)


def untick(study: Study, run_id: str, item_id: str) -> ChecklistRun:
    """Remove the tick from one item of a run (git keeps the history): one commit."""
    with study.change("checklist", f"untick {item_id}", run_id) as change:
        run, definition = _writable_run(study, run_id)
        definition.item(item_id)
        if run.tick_for(item_id) is None:
            raise ConflictError(
                f"{item_id} on {run_id} is not ticked",
                f"See the run with: prosper-coop checklist show {run_id}",
            )
        run.ticks = [t for t in run.ticks if t.item != item_id]
        _refresh_completed(run, definition, study.now())
        change.save(run)
    return run


def open_items(study: Study, run_id: str) -> tuple[RunView, list[ItemDefinition]]:
    """A run and the items it still has to walk through (required or optional, unticked).

    Refused (exit 9) before any question is asked when the acting person may not tick it.
    """
    view = view_run(study, run_id)
    if view.definition is None:
        raise NotFoundError(
            f"the checklist {view.run.definition} of {run_id} is no longer in {DEFINITIONS_DIR}/",
            "Restore the definition file (see: git log -- protocols/checklists).",
        )
    require_to_tick(study, view.definition, view.run.subject)
    check_writable(view.run, view.definition)
    pending = [item for item in view.definition.items if view.run.tick_for(item.id) is None]
    return view, pending


def status(
    study: Study,
    *,
    only_open: bool = False,
    subject: str | None = None,
    kind: str | None = None,
) -> list[RunView]:
    """Every run with its state; ``only_open`` keeps open runs and runs needing review."""
    runs = load_runs(study)
    if subject is not None:
        runs = [r for r in runs if r.subject == subject]
    definitions = load_definitions(study)
    views = view_runs(runs, definitions)
    if kind is not None:
        views = [v for v in views if v.definition is not None and v.definition.kind == kind]
    if only_open:
        views = [v for v in views if v.state in (RunState.OPEN, RunState.NEEDS_REVIEW)]
    return views
