"""``doctor`` checks for work packages and tasks: references, dependency cycles, dates."""

from __future__ import annotations

from collections.abc import Iterator

from prosper_coop.core.checks import Loaded, Problem


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


def check_references(loaded: Loaded) -> Iterator[Problem]:
    """Unknown owners, work packages and dependencies; dependency cycles; dates."""
    people = loaded.ids("person")
    wps = loaded.of("workpackage")
    tasks = loaded.of("task")
    # Records that exist but are invalid are reported once, in their own file.
    wp_ids, task_ids = loaded.ids("workpackage"), loaded.ids("task")
    for wp_id, (wp, _, _) in wps.items():
        if wp.lead and wp.lead not in people:
            yield loaded.problem("workpackage", wp_id, "lead", f"unknown person {wp.lead}")
    for task_id, (task, _, _) in tasks.items():
        if task.wp not in wp_ids:
            yield loaded.problem("task", task_id, "wp", f"unknown work package {task.wp}")
        if task.owner and task.owner not in people:
            yield loaded.problem("task", task_id, "owner", f"unknown person {task.owner}")
        for dep in task.depends:
            if dep not in task_ids:
                yield loaded.problem("task", task_id, "depends", f"unknown task {dep}")
            elif dep == task_id:
                yield loaded.problem("task", task_id, "depends", "a task cannot depend on itself")
        for note in task.notes:
            if note.by not in people:
                yield loaded.problem(
                    "task", task_id, "notes", f"unknown person {note.by}", "warning"
                )
        wp_entry = wps.get(task.wp)
        if task.due and wp_entry is not None:
            wp = wp_entry[0]
            if not wp.start <= task.due <= wp.end:
                yield loaded.problem(
                    "task",
                    task_id,
                    "due",
                    f"due {task.due} is outside {wp.id} ({wp.start} to {wp.end})",
                    "warning",
                )
    for cycle in find_cycles({tid: list(t.depends) for tid, (t, _, _) in tasks.items()}):
        yield loaded.problem(
            "task", cycle[0], "depends", "dependency cycle: " + " -> ".join([*cycle, cycle[0]])
        )


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Each dependency cycle once (iterative DFS, safe for 10,000 nodes)."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(graph, white)
    cycles: list[list[str]] = []
    for start in sorted(graph):
        if colour[start] != white:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(graph[start]))]
        path = [start]
        colour[start] = grey
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = black
                stack.pop()
                path.pop()
                continue
            if child not in colour or child == node:
                continue
            if colour[child] == grey:
                cycles.append(path[path.index(child) :])
            elif colour[child] == white:
                colour[child] = grey
                stack.append((child, iter(graph[child])))
                path.append(child)
    return cycles
