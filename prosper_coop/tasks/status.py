"""The task feature's ``status`` sections: attention (overdue, due soon, blocked) and
progress for the whole team; one's own tasks and progress in general terms for the
personal view.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prosper_coop.core.sections import SectionContext
    from prosper_coop.tasks.index import TaskIndex


def task_index(ctx: SectionContext) -> TaskIndex:
    """Every task as plain index rows (fast; see ``tasks.index``), loaded once per dashboard."""
    index: TaskIndex | None = ctx.memo.get("tasks.index")
    if index is None:
        from prosper_coop.tasks.index import TaskIndex

        index = ctx.memo["tasks.index"] = TaskIndex.load(ctx.study)
    return index


def tasks_section(ctx: SectionContext) -> dict[str, Any]:
    """Overdue, due this week, blocked, and waiting on unfinished dependencies."""
    from prosper_coop.tasks.query import attention

    return attention(ctx.study, today=ctx.today, index=task_index(ctx))


def work_packages_section(ctx: SectionContext) -> dict[str, Any]:
    """Per-WP progress (counts by status, overdue) and the next milestone of each."""
    from prosper_coop.tasks.workpackages import progress

    return {"work_packages": progress(ctx.study, today=ctx.today, index=task_index(ctx))}


# -- the personal view: one's own tasks, and the team's progress in general terms ------------
MY_TASKS_SHOWN = 12  # a longer list is counted, and `task mine` shows it all


def my_tasks_section(ctx: SectionContext) -> dict[str, Any]:
    """The viewer's own open tasks, soonest due first, and how many have passed their date.

    Only the viewer's tasks: nothing here is about anyone else. ``days_past`` is how
    many days ago the date passed (0 when it has not).
    """
    if ctx.viewer is None:
        return {"tasks": [], "open": 0, "date_passed": 0, "due_this_week": 0}
    index = task_index(ctx)
    today_iso = ctx.today.isoformat()
    week_end = (ctx.today + dt.timedelta(days=7)).isoformat()
    done = index.done_ids()
    mine = sorted(
        (row for row in index.rows if row.owner == ctx.viewer and row.status != "done"),
        key=lambda row: (row.due is None, row.due or "", row.number),
    )
    shown = []
    for row in mine[:MY_TASKS_SHOWN]:
        days_past = (
            (ctx.today - dt.date.fromisoformat(row.due)).days
            if row.due is not None and row.due < today_iso
            else 0
        )
        shown.append(
            {
                "id": row.id,
                "title": row.title,
                "wp": row.wp,
                "status": row.status,
                "due": row.due,
                "days_past": days_past,
                "waits_on": [dep for dep in row.depends if dep not in done],
            }
        )
    return {
        "tasks": shown,
        "open": len(mine),
        "date_passed": sum(1 for r in mine if r.due is not None and r.due < today_iso),
        "due_this_week": sum(
            1 for r in mine if r.due is not None and today_iso <= r.due <= week_end
        ),
    }


def team_progress_section(ctx: SectionContext) -> dict[str, Any]:
    """Each work package's tasks done out of all, and its next milestone: no names, no lateness."""
    from prosper_coop.tasks.workpackages import progress

    rows = progress(ctx.study, today=ctx.today, index=task_index(ctx))
    work_packages = [
        {
            "id": wp["id"],
            "title": wp["title"],
            "done": wp["done"],
            "tasks": wp["tasks"],
            "percent": wp["percent"],
            "next_milestone": None
            if wp["next_milestone"] is None
            else {key: wp["next_milestone"][key] for key in ("title", "due")},
        }
        for wp in rows
    ]
    return {
        "work_packages": work_packages,
        "done": sum(wp["done"] for wp in rows),
        "tasks": sum(wp["tasks"] for wp in rows),
    }
