"""Follow-up tasks that other features create inside their own commit.

A consent withdrawal, a distress protocol run and a debrief someone chose to
have later all leave work for a named person. They share one rule for which
work package the task goes in, one way to pick its owner, and one way to number
and save the tasks.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prosper_coop.core.models import Person
    from prosper_coop.core.study import Change, Study
    from prosper_coop.tasks.models import Task


@dataclass(frozen=True)
class FollowUp:
    """One task to create."""

    title: str
    owner: str | None
    due: dt.date
    tags: tuple[str, ...]


def first_holder(people: Iterable[Person], role: str, among: Sequence[str] = ()) -> str | None:
    """The first active person (by ID) holding ``role``; preferring those in ``among``."""
    holders = sorted(
        p.id for p in people if p.status == "active" and role in {str(r) for r in p.roles}
    )
    preferred = [p for p in holders if p in among]
    chosen = preferred or holders
    return chosen[0] if chosen else None


def choose_wp(
    study: Study,
    *,
    wp: str | None = None,
    session_wp: str | None = None,
    person: str | None = None,
) -> str | None:
    """Where a follow-up task goes.

    ``wp`` when given (it must exist); else the session's work package; else the
    one in which ``person`` owns the most tasks; else the one running today that
    ends last; else the study's last. None only when the study has none.
    """
    from prosper_coop.core.records import get

    wps = get("workpackage")
    if wp is not None:
        study.load(wps, wp)
        return wp
    work_packages = sorted(study.load_all(wps), key=lambda w: (w.start, w.id))
    known = {w.id for w in work_packages}
    if session_wp in known:
        return session_wp
    if person is not None:
        owned = Counter(t.wp for t in study.load_all(get("task")) if t.owner == person)
        owned_known = [(count, w) for w, count in owned.items() if w in known]
        if owned_known:
            return str(max(owned_known)[1])
    today = study.today()
    running = [w for w in work_packages if w.start <= today <= w.end]
    if running:
        return str(max(running, key=lambda w: (w.end, w.id)).id)
    return str(work_packages[-1].id) if work_packages else None


def add_follow_ups(
    study: Study, change: Change, wp: str, follow_ups: Sequence[FollowUp]
) -> list[Task]:
    """Number the tasks after the highest existing one, queue them in ``change``, name them
    in its commit message, and return them."""
    from prosper_coop.core.records import get
    from prosper_coop.tasks.models import Task

    task_type = get("task")
    first = int(study.next_id(task_type).removeprefix(task_type.prefix))
    today = study.today()
    tasks = [
        Task(
            id=task_type.format_id(first + offset),
            wp=wp,
            title=item.title[:500],
            owner=item.owner,
            due=item.due,
            tags=list(item.tags),
            created=today,
        )
        for offset, item in enumerate(follow_ups)
    ]
    for task in tasks:
        change.save(task, task_type)
        change.record_ids.append(task.id)
    return tasks
