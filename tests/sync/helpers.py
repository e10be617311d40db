"""A small team for sync tests: a bare remote and several clones of one study."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

from prosper_coop.core.localconfig import local_actor
from prosper_coop.core.models import Note, Person, Role
from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from prosper_coop.sync import engine as sync
from prosper_coop.tasks.models import Task, WorkPackage
from prosper_coop.workspace import create_study

TODAY = dt.date(2026, 11, 26)


def make_team(base: Path, names: tuple[str, ...] = ("a", "b", "c")) -> tuple[Path, list[Study]]:
    """A study with a WP and two people, pushed to a bare remote, and one clone per name.

    Each is opened as the command line opens it (who acts: PROSPER_COOP_AS, whoami
    or the study's default).
    """
    created = create_study(base / names[0], title="Team study", example=None)
    first = Study(created.root, actor=local_actor)
    with first.change("wp", "add", "WP1") as change:
        change.save(
            WorkPackage(
                id="WP1",
                title="Interviews",
                start=dt.date(2026, 1, 1),
                end=TODAY.replace(year=2027),
            )
        )
        change.save(
            _joined(
                first, Person(id="CR-01", alias="Co-researcher one", roles=[Role.CO_RESEARCHER])
            )
        )
    remote = base / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    sync.set_remote(first, str(remote))
    sync.sync(first)
    clones = [first] + [
        Study(sync.clone_study(str(remote), base / name).root, actor=local_actor)
        for name in names[1:]
    ]
    return remote, clones


def add_task(study: Study, title: str, **fields: Any) -> str:
    """Create a task with the next free ID; return the ID."""
    tasks = get("task")
    with study.change("task", f"add {title}", "new") as change:
        task_id = study.next_id(tasks)
        change.save(Task(id=task_id, wp="WP1", title=title, created=TODAY, **fields))
    return task_id


def edit_task(study: Study, task_id: str, **fields: Any) -> None:
    """Change fields of a task (one commit)."""
    with study.change("task", "edit", task_id) as change:
        task = study.load(get("task"), task_id)
        for name, value in fields.items():
            setattr(task, name, value)
        change.save(task)


def add_note(study: Study, task_id: str, text: str, hour: int = 9, by: str = "CO-01") -> None:
    """Append a note to a task."""
    with study.change("task", "note", task_id) as change:
        task = study.load(get("task"), task_id)
        at = dt.datetime(2026, 11, 26, hour % 24, tzinfo=dt.UTC)
        task.notes = [*task.notes, Note(at=at, by=by, text=text)]
        change.save(task)


def add_person(study: Study, alias: str, prefix: str = "CR") -> str:
    """Add a person with the next free number for ``prefix``; return the ID."""
    people = get("person")
    with study.change("people", f"add {alias}", "new") as change:
        numbers = [
            int(p.stem.split("-")[1])
            for p in study.record_files(people)
            if p.stem.startswith(prefix)
        ]
        person_id = f"{prefix}-{max(numbers, default=0) + 1:02d}"
        change.save(_joined(study, Person(id=person_id, alias=alias, roles=[Role.CO_RESEARCHER])))
    return person_id


def _joined(study: Study, person: Person) -> Person:
    """``person`` with a signing key made on this computer, as if they had joined here.

    Every clone of a sync test shares one config folder, so whoever acts in any clone
    can sign there.
    """
    from prosper_coop.people.joining import give_signing_keys

    give_signing_keys(study.settings.uid, [person], comment="in a sync test")
    return person


def tasks_by_title(study: Study) -> dict[str, Any]:
    """Every task keyed by title."""
    return {task.title: task for task in study.load_all(get("task"))}
