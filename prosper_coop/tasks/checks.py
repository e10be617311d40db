"""``doctor`` checks for work packages (task references and cycles are core checks)."""

from __future__ import annotations

from collections.abc import Iterator

from prosper_coop.doctor import EXTRA_CHECKS, Loaded, Problem


def check_milestones(loaded: Loaded) -> Iterator[Problem]:
    """Milestones dated outside their work package, or with the same ID twice."""
    for wp_id, (wp, _, _) in loaded.of("workpackage").items():
        seen: set[str] = set()
        for milestone in wp.milestones:
            if milestone.id in seen:
                yield loaded.problem(
                    "workpackage", wp_id, "milestones", f"milestone {milestone.id} appears twice"
                )
            seen.add(milestone.id)
            if not wp.start <= milestone.due <= wp.end:
                yield loaded.problem(
                    "workpackage",
                    wp_id,
                    "milestones",
                    f"{milestone.id} is due {milestone.due}, outside {wp_id} "
                    f"({wp.start} to {wp.end})",
                    "warning",
                )


def check_task_dates(loaded: Loaded) -> Iterator[Problem]:
    """A done task should say when; an open one should not have a done date."""
    for task_id, (task, _, _) in loaded.of("task").items():
        if task.status == "done" and task.done_on is None:
            yield loaded.problem(
                "task", task_id, "done_on", "the task is done but has no done_on date", "warning"
            )
        if task.status != "done" and task.done_on is not None:
            yield loaded.problem(
                "task",
                task_id,
                "done_on",
                f"the task is {task.status} but has a done_on date",
                "warning",
            )
        if task.status == "blocked" and not task.blocked_reason:
            yield loaded.problem(
                "task", task_id, "blocked_reason", "blocked, but no reason is given", "warning"
            )


EXTRA_CHECKS.extend([check_milestones, check_task_dates])
