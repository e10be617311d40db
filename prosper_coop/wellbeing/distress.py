"""The distress protocol: a guided, branching walk through ``protocols/distress-*.yaml``.

:func:`walk` asks a :class:`Responder` (interactive prompts, or answers given as
flags) for each step; :func:`run` walks a protocol and, when the path says so,
records an encrypted incident for the safeguarding lead(s) and a follow-up task
(due the next day, owned by a safeguarding lead), in one commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from prosper_coop.core import yamlio
from prosper_coop.core.errors import InvalidInputError, NotFoundError
from prosper_coop.core.fsutil import read_regular_file
from prosper_coop.core.study import Study, parse_model

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
@dataclass(frozen=True)
class DistressResult:
    """What a protocol run recorded."""

    walk: Walk
    incident: str | None
    task: str | None
    owner: str | None
    due: dt.date | None
    readers: Any


def check_subject(study: Study, person: str | None) -> None:
    """The person the run is about must be in the study."""
    from prosper_coop.core.records import get

    if person is not None:
        study.load(get("person"), person)


def incident_readers(study: Study) -> Any:
    """Who can read incident records (the safeguarding lead(s) with a key)."""
    from prosper_coop.crypto.sealed import readers_for

    return readers_for(study, "incident", None)


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
    """Record a walked protocol: an encrypted incident and a follow-up task, one commit."""
    from prosper_coop.core.errors import KeyProblemError
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.tasks import followup
    from prosper_coop.wellbeing.models import Incident

    if not path.record:
        return DistressResult(path, None, None, None, None, None)
    today = study.today()
    incidents = get("incident")
    with study.change("safeguarding", "distress protocol") as change:
        readers = incident_readers(study)
        if not readers.recipients:
            raise KeyProblemError(
                "the incident cannot be stored safely, because no safeguarding lead has a key yet",
                "Nothing was saved. Write down what happened for the safeguarding lead, and "
                "ask them to run: prosper-coop keys init",
            )
        # Prefer a lead who can read the incident the task points to.
        owner = followup.first_holder(
            sealed.people_of(study), "safeguarding-lead", among=readers.people
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
        follow_wp = followup.choose_wp(study, wp=wp, session_wp=session_wp, person=person)
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
            recorded_by=change.author or study.actor(),
            person=person,
            participant=participant.strip(),
            session=session,
            outcome=path.outcome,
            steps=path.steps,
            follow_up_call=path.follow_up_call,
            follow_up_task=task_id,
            note=note.strip(),
        )
        sealed.write(change, incidents, incident, readers)
        change.record_ids = [i for i in (incident_id, task_id) if i]  # incident first
    return DistressResult(path, incident_id, task_id, owner, due if task_id else None, readers)


def show_incident(study: Study, keyring: Any, incident_id: str) -> Any:
    """One incident record, decrypted (a clear error if your key cannot read it)."""
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.models import Incident

    path: Path = sealed.find(study, get("incident"), incident_id)
    return keyring.read_or_explain(path, Incident, f"incident {incident_id}")
