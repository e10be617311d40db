"""Randomised sync: three clones, a few hundred seeded operations, nothing lost.

Operations run through the domain API in-process (only git and its merge
driver run as processes). Alongside, a model keeps the union of every change
made and, for each field, which writes each clone had seen when it wrote, so
that at the end we can tell which values must survive: every record created
exists exactly once, every note is present, every tag added and not removed is
there (and removed ones are gone), every dependency added points at the right
record even after renumbering, and every field value not knowingly overwritten
is either the field's value or recorded in a conflict.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from prosper_coop import doctor
from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from prosper_coop.sync import engine as sync
from prosper_coop.tasks.models import TaskStatus
from tests.helpers import git
from tests.sync.helpers import add_note, add_person, add_task, edit_task, make_team

# Real git processes, many of them: see the slow marker in pyproject.toml.
pytestmark = pytest.mark.slow


SEEDS = [7, 2026]
OPERATIONS = 150  # per seed: 300 in all


@dataclass
class Write:
    """One value written to one field."""

    op: int
    marker: str
    field: str
    value: str
    seen: set[int]  # writes to the same field the writer had already seen


@dataclass
class Model:
    """The union of all changes, and what each clone has seen."""

    known: list[set[int]]
    remote_known: set[int] = field(default_factory=set)
    writes: list[Write] = field(default_factory=list)
    notes: dict[str, set[str]] = field(default_factory=dict)
    tags_added: dict[str, set[str]] = field(default_factory=dict)
    tags_removed: dict[str, set[str]] = field(default_factory=dict)
    depends: dict[str, set[str]] = field(default_factory=dict)
    people: set[str] = field(default_factory=set)


def marker_of(task: Any) -> str:
    """Each task's first note names the operation that made it (notes are never lost)."""
    return str(task.notes[0].text)


def find(study: Study) -> dict[str, Any]:
    """Tasks of one clone keyed by marker."""
    return {marker_of(task): task for task in study.load_all(get("task"))}


def run_random(base: Path, seed: int) -> None:
    rng = random.Random(seed)
    _, clones = make_team(base)
    model = Model(known=[set() for _ in clones])

    def write(clone: int, op: int, marker: str, name: str, value: str) -> None:
        seen = {w.op for w in model.writes if w.marker == marker and w.field == name}
        model.writes.append(Write(op, marker, name, value, seen & model.known[clone]))
        model.known[clone].add(op)

    for op in range(OPERATIONS):
        index = rng.randrange(len(clones))
        study = clones[index]
        tasks = find(study)
        choice = rng.random()
        if choice < 0.15 or not tasks:
            marker = f"made-{seed}-{op}"
            task_id = add_task(study, f"title-{op}")
            add_note(study, task_id, marker, hour=0)
            model.notes[marker] = {marker}
            write(index, op, marker, "title", f"title-{op}")
            write(index, op, marker, "status", "todo")
        elif choice < 0.30:
            marker, task = rng.choice(sorted(tasks.items()))
            edit_task(study, task.id, title=f"title-{op}")
            write(index, op, marker, "title", f"title-{op}")
        elif choice < 0.42:
            marker, task = rng.choice(sorted(tasks.items()))
            status = rng.choice([s for s in TaskStatus if s != task.status])
            edit_task(study, task.id, status=status)
            write(index, op, marker, "status", str(status))
        elif choice < 0.52:
            marker, task = rng.choice(sorted(tasks.items()))
            add_note(study, task.id, f"note-{op}", hour=op)
            model.notes[marker].add(f"note-{op}")
        elif choice < 0.62:
            marker, task = rng.choice(sorted(tasks.items()))
            edit_task(study, task.id, tags=[*task.tags, f"t{op}"])
            model.tags_added.setdefault(marker, set()).add(f"t{op}")
        elif choice < 0.67:
            candidates = [(m, t) for m, t in sorted(tasks.items()) if t.tags]
            if candidates:
                marker, task = rng.choice(candidates)
                gone = rng.choice(task.tags)
                edit_task(study, task.id, tags=[t for t in task.tags if t != gone])
                model.tags_removed.setdefault(marker, set()).add(gone)
        elif choice < 0.74 and len(tasks) > 1:
            # Only newer tasks depend on older ones, so no cycles can form.
            ordered = sorted(tasks.items(), key=lambda item: int(item[0].rsplit("-", 1)[1]))
            later = rng.randrange(1, len(ordered))
            marker, task = ordered[later]
            dep_marker, dep = ordered[rng.randrange(later)]
            if dep.id not in task.depends:
                edit_task(study, task.id, depends=[*task.depends, dep.id])
                model.depends.setdefault(marker, set()).add(dep_marker)
        elif choice < 0.78:
            alias = f"Person {seed}-{op}"
            add_person(study, alias)
            model.people.add(alias)
        else:
            sync.sync(study)
            model.known[index] |= model.remote_known
            model.remote_known = set(model.known[index])

    for index in [0, 1, 2, 0, 1]:
        sync.sync(clones[index])
    check(clones, model)


def check(clones: list[Study], model: Model) -> None:
    assert len({git(s, "rev-parse", "HEAD") for s in clones}) == 1
    for study in clones:
        assert git(study, "status", "--porcelain") == ""
    study = clones[0]
    tasks = find(study)
    all_tasks = study.load_all(get("task"))
    assert len(all_tasks) == len(tasks) == len(model.notes)  # each made once, none lost
    by_id = {task.id: marker_of(task) for task in all_tasks}
    for marker, notes in model.notes.items():
        task = tasks[marker]
        assert {note.text for note in task.notes} == notes
        added = model.tags_added.get(marker, set())
        removed = model.tags_removed.get(marker, set())
        assert set(task.tags) == added - removed
        assert {by_id[dep] for dep in task.depends} == model.depends.get(marker, set())
    for marker in model.notes:
        task = tasks[marker]
        for name in ("title", "status"):
            writes = [w for w in model.writes if w.marker == marker and w.field == name]
            overwritten = set().union(*(w.seen for w in writes))
            kept = {str(getattr(task, name))}
            kept |= {str(c.mine) for c in task.conflicts if c.field == name}
            kept |= {str(c.theirs) for c in task.conflicts if c.field == name}
            for w in writes:
                if w.op not in overwritten:
                    assert w.value in kept, (marker, name, w, kept)
    aliases = [person.alias for person in study.load_all(get("person"))]
    assert len(aliases) == len(set(aliases))
    assert model.people <= set(aliases)
    errors = [p for p in doctor.check_study(study) if p.severity == "error"]
    assert errors == []
    # The run really exercised the hard cases.
    markers = git(study, "grep", "-l", "-e", "^<<<<<<< ", "-e", "^>>>>>>> ", check=False)
    assert markers == ""  # never git conflict markers
    log = git(study, "log", "--format=%s")
    assert "sync: renumber" in log
    assert any(task.conflicts for task in all_tasks)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_operations_on_three_clones_lose_nothing(sealed_env: Path, seed: int) -> None:
    run_random(sealed_env, seed)
