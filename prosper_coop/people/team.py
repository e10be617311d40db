"""People in the study team: adding, editing and offboarding, under pseudonymous IDs.

Shared person records hold only the study ID, alias, roles, status and dates. Real
names and contact details belong in the encrypted identity map, so nothing here
asks for them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prosper_coop.core import choices, ids
from prosper_coop.core.errors import ConflictError, InvalidInputError, NotFoundError
from prosper_coop.core.models import PERSON_ID, Note, Person, PersonStatus, Role
from prosper_coop.tasks.models import Task, TaskStatus
from prosper_coop.trust import permissions

if TYPE_CHECKING:
    from prosper_coop.core.study import Study
    from prosper_coop.people.checklists import ChecklistDefinition, RunView, Started

# The ID prefix for each role; a person with several roles takes the first one given.
ROLE_PREFIX: dict[Role, str] = {
    Role.CO_RESEARCHER: "CR",
    Role.ACADEMIC: "AC",
    Role.COORDINATOR: "CO",
    Role.CO_APPLICANT: "CA",
    Role.SAFEGUARDING_LEAD: "SG",
    Role.WELLBEING_LEAD: "WB",
    Role.PPI_LEAD: "PPI",
}
OFFBOARDING = "offboarding"


def parse_role(value: str) -> Role:
    """A role from its name (case and spaces forgiven), or a clear error."""
    return choices.parse_choice(Role, value, f"there is no role {value!r}")


def parse_roles(values: Iterable[str]) -> list[Role]:
    """Roles from names (comma-separated values allowed), without duplicates, in order."""
    return list(dict.fromkeys(parse_role(part) for part in choices.split_list(values)))


def check_person_id(value: str) -> str:
    """A well-formed person ID (``CR-01``), or a clear error."""
    return ids.check_pattern(value, PERSON_ID, "person ID", "CR-01")


def load_person(study: Study, person_id: str) -> Person:
    """One person, or a NotFoundError saying how to list people."""
    from prosper_coop.core.records import get

    check_person_id(person_id)
    person: Person = study.load(get("person"), person_id)
    return person


def load_people(study: Study) -> list[Person]:
    """Everyone in the study, in ID order."""
    from prosper_coop.core.records import get

    return sorted(study.load_all(get("person")), key=lambda p: p.id)


def next_person_id(study: Study, role: Role) -> str:
    """The next free ID for ``role``'s prefix (``CR-06`` after ``CR-05``)."""
    from prosper_coop.core.records import get

    prefix = ROLE_PREFIX[role]
    pattern = re.compile(rf"^{prefix}-(\d+)$")
    highest = 0
    for path in study.record_files(get("person")):
        match = pattern.fullmatch(path.stem)
        if match:
            highest = max(highest, int(match.group(1)))
    return f"{prefix}-{highest + 1:02d}"


def _check_alias(alias: str) -> str:
    alias = " ".join(alias.split())
    if not alias:
        raise InvalidInputError(
            "the alias is empty",
            "Give a pseudonymous label such as --alias 'Co-researcher F' (never a real name).",
        )
    if len(alias) > 120:
        raise InvalidInputError("the alias is too long (at most 120 characters)")
    return alias


def add_person(
    study: Study,
    *,
    roles: Sequence[str],
    alias: str,
    person_id: str | None = None,
    joined: dt.date | None = None,
) -> Person:
    """Add a person with one or more roles under a pseudonymous ID: one commit."""
    from prosper_coop.core.records import get

    parsed = parse_roles(roles)
    if not parsed:
        raise InvalidInputError(
            "a person needs at least one role",
            "Give one with --role, e.g. --role co-researcher",
        )
    alias = _check_alias(alias)
    if person_id is not None:
        check_person_id(person_id)
    with study.change("people", "add", []) as change:
        permissions.require(study, "people.add")
        chosen = person_id or next_person_id(study, parsed[0])
        if study.exists(get("person"), chosen):
            raise ConflictError(
                f"{chosen} is already in the study",
                "Choose another ID, or leave out --id to get the next free one.",
            )
        person = Person(id=chosen, alias=alias, roles=parsed, joined=joined or study.today())
        change.what = f"add {chosen} as {', '.join(str(r) for r in parsed)}"
        change.record_ids.append(chosen)
        change.save(person)
    return person


def list_people(
    study: Study, *, role: str | None = None, status: str | None = None
) -> list[Person]:
    """People, optionally only those holding ``role`` or with ``status``."""
    wanted_role = parse_role(role) if role else None
    wanted_status = (
        choices.parse_choice(PersonStatus, status, f"there is no status {status!r}")
        if status
        else None
    )
    people = load_people(study)
    if wanted_role is not None:
        people = [p for p in people if wanted_role in p.roles]
    if wanted_status is not None:
        people = [p for p in people if p.status == wanted_status]
    return people


def edit_person(
    study: Study,
    person_id: str,
    *,
    alias: str | None = None,
    add_roles: Sequence[str] = (),
    remove_roles: Sequence[str] = (),
    joined: dt.date | None = None,
    notes: str | None = None,
) -> Person:
    """Change a person's alias, roles, joining date or notes: one commit."""
    adding = parse_roles(add_roles)
    removing = parse_roles(remove_roles)
    if alias is None and not adding and not removing and joined is None and notes is None:
        raise InvalidInputError(
            "nothing to change",
            "Give what to change, e.g. --alias, --add-role, --remove-role, --joined or --notes.",
        )
    if alias is not None:
        alias = _check_alias(alias)
    with study.change("people", "edit", person_id) as change:
        person = load_person(study, person_id)
        if adding or removing:
            permissions.require(study, "people.roles", subject=person_id)
        if alias is not None or joined is not None or notes is not None:
            permissions.require(study, "people.edit", subject=person_id)
        changed: list[str] = []
        roles = list(person.roles)
        for role in adding:
            if role in roles:
                raise ConflictError(f"{person_id} already has the role {role}")
            roles.append(role)
        for role in removing:
            if role not in roles:
                raise NotFoundError(
                    f"{person_id} does not have the role {role}",
                    "Their roles: " + ", ".join(str(r) for r in person.roles),
                )
            roles.remove(role)
        if not roles:
            raise InvalidInputError(
                f"{person_id} would be left with no role",
                "Add another role in the same command with --add-role, "
                "or record that they left with: prosper-coop people leave " + person_id,
            )
        if roles != person.roles:
            person.roles = roles
            changed.append("roles")
        if alias is not None and alias != person.alias:
            person.alias = alias
            changed.append("alias")
        if joined is not None and joined != person.joined:
            person.joined = joined
            changed.append("joined")
        if notes is not None and notes != person.notes:
            person.notes = notes
            changed.append("notes")
        if not changed:
            raise InvalidInputError(
                f"{person_id} already has those values; nothing was changed",
                f"See them with: prosper-coop people show {person_id}",
            )
        change.what = f"edit {', '.join(changed)}"
        change.save(person)
    return person


@dataclass
class LeaveResult:
    """What offboarding did: the person, their tasks and the offboarding run."""

    person: Person
    reassigned: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    reassigned_to: str | None = None
    offboarding_run: str | None = None
    offboarding_created: bool = False


def open_tasks_of(study: Study, person_id: str) -> list[Task]:
    """Tasks owned by ``person_id`` that are not done."""
    from prosper_coop.core.records import get

    return [
        task
        for task in study.load_all(get("task"))
        if task.owner == person_id and task.status != TaskStatus.DONE
    ]


def leave(
    study: Study,
    person_id: str,
    *,
    reassign_to: str | None = None,
    close_tasks: bool = False,
    left: dt.date | None = None,
) -> LeaveResult:
    """Offboard a person: mark them as left, hand over or close their open tasks, and
    start the offboarding checklist, all in one commit.

    A person with open tasks must say what happens to them (``reassign_to`` another
    active person, or ``close_tasks``), so no work silently loses its owner.
    """
    from prosper_coop.people import checklists

    if reassign_to is not None and close_tasks:
        raise InvalidInputError(
            "choose either --reassign-to or --close-tasks, not both",
            "Reassign the open tasks to someone, or close them.",
        )
    if reassign_to == person_id:
        raise InvalidInputError(
            f"the tasks of {person_id} cannot be reassigned to {person_id}",
            "Choose someone who is staying in the study.",
        )
    when = left or study.today()
    with study.change("people", "leave", person_id) as change:
        person = load_person(study, person_id)
        # Leaving ends what someone's roles allow: a change of roles.
        permissions.require(study, "people.roles", subject=person_id)
        if person.status == PersonStatus.LEFT:
            raise ConflictError(
                f"{person_id} already left the study on {person.left}",
                f"See them with: prosper-coop people show {person_id}",
            )
        if person.joined is not None and when < person.joined:
            raise InvalidInputError(
                f"the leaving date {when} is before {person_id} joined ({person.joined})"
            )
        if reassign_to is not None:
            target = load_person(study, reassign_to)
            if target.status == PersonStatus.LEFT:
                raise ConflictError(
                    f"{reassign_to} has left the study, so cannot take over tasks",
                    "Choose someone active (see: prosper-coop people list --status active).",
                )
        tasks = open_tasks_of(study, person_id)
        if tasks and reassign_to is None and not close_tasks:
            listed = ", ".join(task.id for task in tasks[:10])
            more = f" and {len(tasks) - 10} more" if len(tasks) > 10 else ""
            raise ConflictError(
                f"{person_id} has {len(tasks)} open task(s): {listed}{more}",
                "Say what happens to them: --reassign-to PERSON, or --close-tasks. "
                "Nothing was changed.",
            )
        actor = change.author or study.actor()
        result = LeaveResult(person, reassigned_to=reassign_to)
        now = study.now()
        for task in tasks:
            if reassign_to is not None:
                task.owner = reassign_to
                text = f"Reassigned from {person_id} to {reassign_to} when {person_id} left."
                result.reassigned.append(task.id)
            else:
                task.status = TaskStatus.DONE
                task.done_on = when
                text = f"Closed when {person_id} left the study (not completed)."
                result.closed.append(task.id)
            task.notes = [*task.notes, Note(at=now, by=actor, text=text)]
            change.save(task)
        person.status = PersonStatus.LEFT
        person.left = when
        change.save(person)
        definitions = checklists.load_definitions(study)
        offboarding = definitions.get(OFFBOARDING)
        if offboarding is not None:
            existing = checklists.current_run_for(study, offboarding, person_id)
            if existing is not None:
                result.offboarding_run = existing.run.id
            else:
                run = checklists.new_run(study, offboarding, person_id, actor)
                change.save(run)
                result.offboarding_run = run.id
                result.offboarding_created = True
        change.record_ids.extend(result.reassigned + result.closed)
        if result.offboarding_created and result.offboarding_run:
            change.record_ids.append(result.offboarding_run)
    return result


@dataclass
class PersonSummary:
    """A person with their checklists, consent, credit and open tasks (shared data only)."""

    person: Person
    runs: list[RunView]
    open_tasks: list[str]
    onboarding_missing: dict[str, list[str]]

    def as_dict(self) -> dict[str, object]:
        """Plain data for ``--json``."""
        return {
            **self.person.model_dump(mode="json", exclude={"conflicts", "age_recipient"}),
            "has_key": self.person.age_recipient is not None,
            "checklists": [
                {
                    "run": view.run.id,
                    "definition": view.run.definition,
                    "version": view.run.version,
                    "state": str(view.state),
                    "progress": view.progress,
                    "missing": view.missing,
                    "withdrawn": view.run.withdrawal is not None,
                }
                for view in self.runs
            ],
            "onboarding_missing": self.onboarding_missing,
            "open_tasks": self.open_tasks,
        }


def onboarding_definitions(
    definitions: dict[str, ChecklistDefinition], person: Person
) -> list[ChecklistDefinition]:
    """The onboarding checklists meant for ``person``'s roles."""
    from prosper_coop.people.checklists import ChecklistKind, Subject, SubjectKind, applies

    subject = Subject(person.id, SubjectKind.PERSON, person=person)
    return [
        d
        for d in definitions.values()
        if d.kind == ChecklistKind.ONBOARDING and applies(d, subject)
    ]


def onboarding_gaps(
    person: Person, definitions: dict[str, ChecklistDefinition], views: list[RunView]
) -> dict[str, list[str]]:
    """For each onboarding checklist ``person`` needs: the required items still missing.

    An empty dict means fully onboarded (or no onboarding checklist applies).
    """
    from prosper_coop.people.checklists import RunState

    gaps: dict[str, list[str]] = {}
    for definition in onboarding_definitions(definitions, person):
        mine = [
            v for v in views if v.run.subject == person.id and v.run.definition == definition.id
        ]
        if any(v.state == RunState.COMPLETE for v in mine):
            continue
        current = [v for v in mine if v.state == RunState.OPEN]
        gaps[definition.id] = current[-1].missing if current else list(definition.required_ids)
    return gaps


def summary(study: Study, person_id: str) -> PersonSummary:
    """Everything shared about one person."""
    from prosper_coop.people import checklists

    person = load_person(study, person_id)
    definitions = checklists.load_definitions(study)
    views = checklists.view_runs(
        [r for r in checklists.load_runs(study) if r.subject == person_id], definitions
    )
    gaps = onboarding_gaps(person, definitions, views) if person.status == "active" else {}
    tasks = [task.id for task in open_tasks_of(study, person_id)]
    return PersonSummary(person, views, tasks, gaps)


def start_onboarding(study: Study, person_id: str) -> Started:
    """Start, or find, the onboarding run for a person's roles.

    Where several onboarding checklists apply (several roles), the first one not yet
    complete is used.
    """
    from prosper_coop.people import checklists

    person = load_person(study, person_id)
    if person.status == PersonStatus.LEFT:
        raise ConflictError(
            f"{person_id} has left the study", "Onboarding is only for people who are active."
        )
    definitions = onboarding_definitions(checklists.load_definitions(study), person)
    if not definitions:
        raise NotFoundError(
            f"no onboarding checklist is meant for the roles of {person_id} "
            f"({', '.join(str(r) for r in person.roles)})",
            f"Add one to {checklists.DEFINITIONS_DIR}/ with kind: onboarding and those roles.",
        )
    views = checklists.runs_for(study, person_id)
    for definition in definitions:
        done = any(
            v.run.definition == definition.id and v.state == checklists.RunState.COMPLETE
            for v in views
        )
        if not done:
            return checklists.start_or_resume(study, definition.id, person_id)
    return checklists.start_or_resume(study, definitions[0].id, person_id)
