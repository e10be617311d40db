"""The ``status`` dashboard: what needs attention, computed from the records.

Each section is a function ``(DashboardContext) -> dict``; later features add
theirs to ``SECTIONS``. Sections hold only shared data: never sensitive content.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from prosper_coop.outputs.status import outputs_section
from prosper_coop.people import status as people_status
from prosper_coop.wellbeing import checks as wellbeing_checks

if TYPE_CHECKING:
    from prosper_coop.tasks.index import TaskIndex

WEEK = dt.timedelta(days=7)


@dataclass
class DashboardContext:
    """The study and today's date, with records loaded once and shared by sections."""

    study: Study
    today: dt.date

    @cached_property
    def people(self) -> list[Any]:
        """Every person record."""
        return list(self.study.load_all(get("person")))

    @cached_property
    def work_packages(self) -> list[Any]:
        """Every work package, in ID order."""
        return list(self.study.load_all(get("workpackage")))

    @cached_property
    def tasks(self) -> list[Any]:
        """Every task as a full record (slow at scale: prefer ``task_index``)."""
        return list(self.study.load_all(get("task")))

    @cached_property
    def task_index(self) -> TaskIndex:
        """Every task as plain index rows (fast; see ``tasks.index``)."""
        from prosper_coop.tasks.index import TaskIndex

        return TaskIndex.load(self.study)


def study_section(ctx: DashboardContext) -> dict[str, Any]:
    """Title, today, and counts of people and tasks."""
    settings = ctx.study.settings
    roles: Counter[str] = Counter()
    for person in ctx.people:
        if person.status == "active":
            roles.update(str(role) for role in person.roles)
    return {
        "title": settings.title,
        "short_title": settings.short_title,
        "today": ctx.today.isoformat(),
        "people_active": sum(1 for p in ctx.people if p.status == "active"),
        "people_by_role": dict(sorted(roles.items())),
        "tasks_by_status": dict(Counter(row.status for row in ctx.task_index.rows)),
    }


def tasks_section(ctx: DashboardContext) -> dict[str, Any]:
    """Overdue, due this week, blocked, and waiting on unfinished dependencies."""
    from prosper_coop.tasks.query import attention

    return attention(ctx.study, today=ctx.today, index=ctx.task_index)


def work_packages_section(ctx: DashboardContext) -> dict[str, Any]:
    """Per-WP progress (counts by status, overdue) and the next milestone of each."""
    from prosper_coop.tasks.query import progress

    return {"work_packages": progress(ctx.study, today=ctx.today, index=ctx.task_index)}


def _conflicts_section(ctx: DashboardContext) -> dict[str, Any]:
    """Records changed on two computers and not yet resolved (see ``resolve``)."""
    from prosper_coop.sync.conflicts import conflicts_section

    return conflicts_section(ctx)


Section = Callable[[DashboardContext], dict[str, Any]]
SECTIONS: dict[str, Section] = {
    "study": study_section,
    "tasks": tasks_section,
    "progress": work_packages_section,
    "onboarding": people_status.onboarding_section,
    "open_checklists": people_status.open_checklists_section,
    "reconsent": people_status.reconsent_section,
    "sessions": people_status.sessions_section,
    "wellbeing": wellbeing_checks.wellbeing_section,
    "outputs": outputs_section,
    "conflicts": _conflicts_section,
}


def build(study: Study, today: dt.date) -> dict[str, Any]:
    """Every dashboard section, as plain data."""
    ctx = DashboardContext(study, today)
    return {name: section(ctx) for name, section in SECTIONS.items()}
