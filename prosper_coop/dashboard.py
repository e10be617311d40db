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
from typing import Any

from prosper_coop.records import get
from prosper_coop.study import Study

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
        """Every task."""
        return list(self.study.load_all(get("task")))


def _task_row(task: Any, today: dt.date) -> dict[str, Any]:
    return {
        "id": task.id,
        "title": task.title,
        "wp": task.wp,
        "owner": task.owner,
        "status": str(task.status),
        "due": task.due.isoformat() if task.due else None,
        "days_late": (today - task.due).days if task.due and task.due < today else 0,
    }


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
        "tasks_by_status": dict(Counter(str(t.status) for t in ctx.tasks)),
    }


def tasks_section(ctx: DashboardContext) -> dict[str, Any]:
    """Overdue, due this week, and blocked tasks."""
    today = ctx.today
    open_tasks = [t for t in ctx.tasks if t.status != "done"]
    done = {t.id for t in ctx.tasks if t.status == "done"}
    overdue = sorted((t for t in open_tasks if t.due and t.due < today), key=lambda t: t.due)
    this_week = sorted(
        (t for t in open_tasks if t.due and today <= t.due <= today + WEEK), key=lambda t: t.due
    )
    blocked = [t for t in open_tasks if t.status == "blocked"]
    waiting = [
        t for t in open_tasks if t.status != "blocked" and any(dep not in done for dep in t.depends)
    ]
    return {
        "overdue": [_task_row(t, today) for t in overdue],
        "due_this_week": [_task_row(t, today) for t in this_week],
        "blocked": [{**_task_row(t, today), "reason": t.blocked_reason} for t in blocked],
        "waiting_on_dependencies": len(waiting),
    }


def work_packages_section(ctx: DashboardContext) -> dict[str, Any]:
    """Per-WP progress and the next milestone of each."""
    counts: dict[str, Counter[str]] = {}
    for task in ctx.tasks:
        counts.setdefault(task.wp, Counter())[str(task.status)] += 1
    rows = []
    for wp in ctx.work_packages:
        tally = counts.get(wp.id, Counter())
        total = sum(tally.values())
        upcoming = sorted((m for m in wp.milestones if not m.done), key=lambda m: m.due)
        next_milestone = upcoming[0] if upcoming else None
        rows.append(
            {
                "id": wp.id,
                "title": wp.title,
                "start": wp.start.isoformat(),
                "end": wp.end.isoformat(),
                "tasks": total,
                "done": tally.get("done", 0),
                "percent": round(100 * tally.get("done", 0) / total) if total else 0,
                "next_milestone": None
                if next_milestone is None
                else {
                    "id": next_milestone.id,
                    "title": next_milestone.title,
                    "due": next_milestone.due.isoformat(),
                    "late": next_milestone.due < ctx.today,
                },
            }
        )
    return {"work_packages": rows}


Section = Callable[[DashboardContext], dict[str, Any]]
SECTIONS: dict[str, Section] = {
    "study": study_section,
    "tasks": tasks_section,
    "progress": work_packages_section,
}


def build(study: Study, today: dt.date) -> dict[str, Any]:
    """Every dashboard section, as plain data."""
    ctx = DashboardContext(study, today)
    return {name: section(ctx) for name, section in SECTIONS.items()}


from prosper_coop import conflicts as _conflicts  # noqa: E402, F401 - adds its section
