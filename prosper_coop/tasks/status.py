"""The task feature's ``status`` sections: attention (overdue, due soon, blocked) and progress."""

from __future__ import annotations

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
