"""Adding and changing tasks. Each function is one change: one commit, lock held.

Rules enforced here: the work package and owner must exist, dependencies must be
known tasks and never form a cycle (the cycle is spelled out), ``done`` with open
dependencies needs ``force``, and due dates outside the work package are warned about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prosper_coop.errors import ConflictError, InvalidInputError, NotFoundError
from prosper_coop.tasks.index import TaskIndex
from prosper_coop.tasks.query import (
    check_person_exists,
    check_task_id,
    check_wp_exists,
    clean_list,
)

if TYPE_CHECKING:
    from prosper_coop.models import Task
    from prosper_coop.study import Study

UNSET: Any = object()


@dataclass
class TaskResult:
    """A task after a change, the commit that made it, and anything worth a warning."""

    task: Task
    commit: str | None
    warnings: list[str] = field(default_factory=list)


def _rtype() -> Any:
    from prosper_coop.records import get

    return get("task")


def _invalid(exc: Any) -> InvalidInputError:
    """A pydantic error on values the user typed, as a usage error."""
    first = exc.errors(include_url=False)[0]
    loc = ".".join(str(part) for part in first.get("loc", ())) or "value"
    return InvalidInputError(
        f"{loc}: {first.get('msg', 'invalid value')}", "Check the value given."
    )


def build_task(data: dict[str, Any]) -> Task:
    """Validate task fields (InvalidInputError naming the field on a bad value)."""
    from pydantic import ValidationError as PydanticError

    from prosper_coop.models import Task

    try:
        return Task.model_validate(data)
    except PydanticError as exc:
        raise _invalid(exc) from None


def load_task(study: Study, task_id: str) -> Task:
    """One task from its file (NotFoundError says how to list tasks)."""
    check_task_id(task_id)
    path = study.path_of(_rtype(), task_id)
    if not path.is_file():
        raise NotFoundError(f"task {task_id} not found", "List tasks with: prosper-coop task list")
    task: Task = study.read_file(path, _rtype().model)
    return task


def find_cycle(graph: dict[str, Sequence[str]], task_id: str) -> list[str] | None:
    """A dependency path from ``task_id`` back to itself, if one exists."""
    # Depth first, in the order dependencies are listed (so the cycle shown is stable).
    stack = [(dep, [task_id, dep]) for dep in reversed(graph.get(task_id, ()))]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        if node == task_id:
            return path
        if node in seen:
            continue
        seen.add(node)
        stack.extend((dep, [*path, dep]) for dep in reversed(graph.get(node, ())))
    return None


def check_depends(index: TaskIndex, task_id: str, depends: Sequence[str]) -> None:
    """Refuse unknown, self or cyclic dependencies, spelling out the cycle."""
    for dep in depends:
        check_task_id(dep)
        if dep == task_id:
            raise InvalidInputError(
                f"{task_id} cannot depend on itself", "Leave it out of --depends."
            )
        if index.get(dep) is None:
            raise NotFoundError(
                f"{task_id} cannot depend on {dep}: there is no task {dep}",
                "List tasks with: prosper-coop task list",
            )
    graph: dict[str, Sequence[str]] = dict(index.graph())
    graph[task_id] = list(depends)
    cycle = find_cycle(graph, task_id)
    if cycle is not None:
        raise ConflictError(
            "that would make a dependency cycle: " + " -> ".join(cycle),
            "A task cannot wait, directly or indirectly, on itself. "
            "Remove one of these dependencies.",
        )


def _due_warnings(study: Study, task: Task, today: dt.date) -> list[str]:
    warnings = []
    if task.due is not None:
        from prosper_coop.tasks.workpackages import load_wp

        wp = load_wp(study, task.wp)
        if task.due < wp.start:
            warnings.append(f"{task.id} is due {task.due}, before {wp.id} starts ({wp.start})")
        elif task.due > wp.end:
            warnings.append(f"{task.id} is due {task.due}, after {wp.id} ends ({wp.end})")
        if task.due < today and task.status != "done":
            warnings.append(f"{task.id} is due {task.due}, which has already passed")
    return warnings


def _note(text: str, by: str) -> Any:
    from prosper_coop import clock
    from prosper_coop.models import Note

    cleaned = text.strip()
    if not cleaned:
        raise InvalidInputError(
            "the note is empty", "Write a few words, e.g. --note 'Sent to AC-02'."
        )
    return Note(at=clock.now(), by=by, text=cleaned)


def add_task(
    study: Study,
    wp: str,
    title: str,
    *,
    today: dt.date,
    owner: str | None = None,
    due: dt.date | None = None,
    depends: Sequence[str] = (),
    tags: Sequence[str] = (),
    note: str | None = None,
) -> TaskResult:
    """Add a task to a work package; returns it with its new ID."""
    check_wp_exists(study, wp)
    if owner is not None:
        check_person_exists(study, owner)
    depends = clean_list(depends)
    tags = clean_list(tags)
    build_task({"id": "T-0000", "wp": wp, "title": title, "tags": tags, "created": today})
    with study.change("task", f'add "{" ".join(title.split())}"') as change:
        index = TaskIndex.load(study)
        task_id = _rtype().format_id(index.highest_number() + 1)
        check_depends(index, task_id, depends)
        task = build_task(
            {
                "id": task_id,
                "wp": wp,
                "title": title,
                "owner": owner,
                "due": due,
                "depends": depends,
                "tags": tags,
                "created": today,
                "notes": [_note(note, change.author or "CO-01")] if note is not None else [],
            }
        )
        change.what = f'add {task_id} "{task.title}"'
        change.record_ids = [task_id]
        change.save(task, _rtype())
    TaskIndex.written(study, [task])
    return TaskResult(task, change.sha, _due_warnings(study, task, today))


def edit_task(
    study: Study,
    task_id: str,
    *,
    today: dt.date,
    title: str | None = None,
    wp: str | None = None,
    due: dt.date | None = UNSET,
    owner: str | None = UNSET,
    depends: Sequence[str] | None = None,
    add_depends: Sequence[str] = (),
    remove_depends: Sequence[str] = (),
    tags: Sequence[str] | None = None,
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
) -> TaskResult:
    """Change a task's fields. ``due``/``owner`` of None clear them; UNSET leaves them."""
    check_task_id(task_id)
    if wp is not None:
        check_wp_exists(study, wp)
    if owner is not UNSET and owner is not None:
        check_person_exists(study, owner)
    with study.change("task", f"edit {task_id}", task_id) as change:
        task = load_task(study, task_id)
        data = task.model_dump()
        if title is not None:
            data["title"] = title
        if wp is not None:
            data["wp"] = wp
        if due is not UNSET:
            data["due"] = due
        if owner is not UNSET:
            data["owner"] = owner
        new_depends = clean_list(depends) if depends is not None else list(task.depends)
        new_depends += [d for d in clean_list(add_depends) if d not in new_depends]
        gone = set(clean_list(remove_depends))
        new_depends = [d for d in new_depends if d not in gone]
        new_tags = clean_list(tags) if tags is not None else list(task.tags)
        new_tags += [t for t in clean_list(add_tags) if t not in new_tags]
        gone_tags = set(clean_list(remove_tags))
        new_tags = [t for t in new_tags if t not in gone_tags]
        data["depends"] = new_depends
        data["tags"] = new_tags
        updated = build_task(data)
        if updated == task:
            raise InvalidInputError(f"{task_id} already has those values", "Nothing was changed.")
        if updated.depends != task.depends:
            check_depends(TaskIndex.load(study), task_id, updated.depends)
        change.what = f'edit {task_id} "{updated.title}"'
        change.save(updated, _rtype())
    TaskIndex.written(study, [updated])
    return TaskResult(updated, change.sha, _due_warnings(study, updated, today))


ACTIONS = ("start", "done", "block", "reopen")


def set_status(
    study: Study,
    task_id: str,
    action: str,
    *,
    today: dt.date,
    reason: str | None = None,
    force: bool = False,
    note: str | None = None,
) -> TaskResult:
    """``start`` (doing), ``done``, ``block`` (with a reason) or ``reopen`` (to do)."""
    from prosper_coop.models import TaskStatus

    check_task_id(task_id)
    if action not in ACTIONS:
        raise InvalidInputError(f"unknown action {action!r}", f"Use one of {', '.join(ACTIONS)}.")
    if action == "block" and not (reason and reason.strip()):
        raise InvalidInputError(
            "say why the task is blocked",
            f"For example: prosper-coop task block {task_id} --reason 'Waiting for site access'",
        )
    warnings: list[str] = []
    with study.change("task", f"{action} {task_id}", task_id) as change:
        task = load_task(study, task_id)
        status = task.status
        if action == "done":
            if status == TaskStatus.DONE:
                raise ConflictError(
                    f"{task_id} is already done (on {task.done_on})",
                    f"To open it again: prosper-coop task reopen {task_id}",
                )
            waiting = _open_dependencies(study, task)
            if waiting and not force:
                raise ConflictError(
                    f"{task_id} depends on {', '.join(waiting)}, not done yet",
                    f"Finish those first, or mark it done anyway with: "
                    f"prosper-coop task done {task_id} --force",
                )
            if waiting:
                warnings.append(f"marked done although {', '.join(waiting)} is not done yet")
            task.status, task.done_on, task.blocked_reason = TaskStatus.DONE, today, ""
        elif action == "start":
            if status == TaskStatus.DONE:
                raise ConflictError(
                    f"{task_id} is done", f"To work on it again: prosper-coop task reopen {task_id}"
                )
            if status == TaskStatus.DOING:
                raise ConflictError(f"{task_id} is already started", "Nothing was changed.")
            waiting = _open_dependencies(study, task)
            if waiting:
                warnings.append(f"{task_id} is waiting on {', '.join(waiting)}, not done yet")
            task.status, task.blocked_reason = TaskStatus.DOING, ""
        elif action == "block":
            if status == TaskStatus.DONE:
                raise ConflictError(
                    f"{task_id} is done", f"To open it again: prosper-coop task reopen {task_id}"
                )
            task.status, task.blocked_reason = TaskStatus.BLOCKED, (reason or "").strip()
        else:  # reopen
            if status not in (TaskStatus.DONE, TaskStatus.BLOCKED):
                raise ConflictError(
                    f"{task_id} is {status}, not done or blocked", "Nothing was changed."
                )
            task.status, task.done_on, task.blocked_reason = TaskStatus.TODO, None, ""
        if note is not None:
            task.notes = [*task.notes, _note(note, change.author or "CO-01")]
        task = build_task(task.model_dump())
        change.what = f'{action} {task_id} "{task.title}"'
        change.save(task, _rtype())
    TaskIndex.written(study, [task])
    return TaskResult(task, change.sha, warnings)


def _open_dependencies(study: Study, task: Task) -> list[str]:
    """Dependencies not done yet (read from their files: cheaper than the index here)."""
    waiting = []
    for dep in task.depends:
        try:
            done = load_task(study, dep).status == "done"
        except NotFoundError:
            done = False
        if not done:
            waiting.append(dep)
    return waiting


def assign(study: Study, task_id: str, owner: str | None) -> TaskResult:
    """Give a task to a person (or, with None, to nobody)."""
    check_task_id(task_id)
    if owner is not None:
        check_person_exists(study, owner)
    what = f"assign {task_id} to {owner}" if owner else f"unassign {task_id}"
    with study.change("task", what, task_id) as change:
        task = load_task(study, task_id)
        if task.owner == owner:
            raise InvalidInputError(
                f"{task_id} is already {'with ' + owner if owner else 'unassigned'}",
                "Nothing was changed.",
            )
        task.owner = owner
        change.save(task, _rtype())
    TaskIndex.written(study, [task])
    return TaskResult(task, change.sha)


def add_note(study: Study, task_id: str, text: str) -> TaskResult:
    """Add a dated note by the acting person to a task."""
    check_task_id(task_id)
    with study.change("task", f"note {task_id}", task_id) as change:
        task = load_task(study, task_id)
        task.notes = [*task.notes, _note(text, change.author or "CO-01")]
        task = build_task(task.model_dump())
        change.what = f'note {task_id} "{task.title}"'
        change.save(task, _rtype())
    TaskIndex.written(study, [task])
    return TaskResult(task, change.sha)


def show_task(study: Study, task_id: str, *, today: dt.date) -> dict[str, Any]:
    """A task with what it waits on, what waits on it, lateness and its git history."""
    task = load_task(study, task_id)
    index = TaskIndex.load(study)
    data: dict[str, Any] = task.model_dump(mode="json")
    data["blocked_by"] = [
        dep for dep in task.depends if (row := index.get(dep)) is None or row.status != "done"
    ]
    data["blocks"] = index.dependents(task_id)
    days_late = 0
    if task.due is not None and task.status != "done" and task.due < today:
        days_late = (today - task.due).days
    data["days_late"] = days_late
    rel = study.rel(study.path_of(_rtype(), task_id))
    data["history"] = [
        {"commit": c.sha[:10], "date": c.date, "by": c.author, "subject": c.subject}
        for c in study.repo.log(paths=[rel])
    ]
    return data
