"""Facts about a study's tasks, read the slow way: from the files on disk, through the model.

The PROSPER example grows as features add records to it (consent-withdrawal and
distress follow-up tasks, ...). Tests that count tasks, predict the next task ID
or list what is due work those out here instead of hard-coding them, so they
still compare the task index and the queries with the files themselves.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from prosper_coop.core.study import Study
from prosper_coop.tasks.models import Task

STATUSES = ("todo", "doing", "blocked", "done")


def task_files(study: Study) -> list[Path]:
    """Every task file under ``tasks/``, in task-number order."""
    files = (study.root / "tasks").rglob("T-*.yaml")
    return sorted(files, key=lambda path: int(path.stem[2:]))


def load_tasks(study: Study) -> list[Task]:
    """Every task, parsed from its file (no index involved), in task-number order."""
    return [study.read_file(path, Task) for path in task_files(study)]


def task_count(study: Study) -> int:
    """How many task files the study has."""
    return len(task_files(study))


def next_task_id(study: Study) -> str:
    """The ID a new task should get: one past the highest task number on disk."""
    highest = max((int(path.stem[2:]) for path in task_files(study)), default=0)
    return f"T-{highest + 1:04d}"


def status_counts(study: Study, wp: str | None = None) -> dict[str, int]:
    """Tasks per status (every status, zeros included), optionally for one work package."""
    tally = Counter(str(t.status) for t in load_tasks(study) if wp is None or t.wp == wp)
    return {status: tally.get(status, 0) for status in STATUSES}


def open_due_between(study: Study, first: dt.date, last: dt.date) -> list[str]:
    """IDs of tasks not done and due from ``first`` to ``last``: soonest first, then by ID."""
    due = [
        t
        for t in load_tasks(study)
        if str(t.status) != "done" and t.due is not None and first <= t.due <= last
    ]
    return [t.id for t in sorted(due, key=lambda t: (t.due, int(t.id[2:])))]
