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

from prosper_coop.core.errors import ConflictError, InvalidInputError, NotFoundError
from prosper_coop.tasks.index import TaskIndex, TaskRow, Voucher
from prosper_coop.tasks.query import (
    check_person_exists,
    check_task_id,
    check_wp_exists,
    clean_list,
    task_ids,
)

if TYPE_CHECKING:
    from prosper_coop.core.study import Study
    from prosper_coop.tasks.models import Task

UNSET: Any = object()


@dataclass
class TaskResult:
    """A task after a change, the commit that made it, and anything worth a warning."""

    task: Task
    commit: str | None
    warnings: list[str] = field(default_factory=list)


def _rtype() -> Any:
    from prosper_coop.core.records import get

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

    from prosper_coop.tasks.models import Task

    try:
        return Task.model_validate(data)
    except PydanticError as exc:
        raise _invalid(exc) from None


def load_task(study: Study, task_id: str) -> Task:
    """One task from its file (NotFoundError says how to list tasks)."""
    task_id = check_task_id(task_id)
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


def _note(text: str, by: str, at: dt.datetime) -> Any:
    from pydantic import ValidationError as PydanticError

    from prosper_coop.core.models import Note

    cleaned = text.strip()
    if not cleaned:
        raise InvalidInputError(
            "the note is empty", "Write a few words, e.g. --note 'Sent to AC-02'."
        )
    try:
        return Note(at=at, by=by, text=cleaned)
    except PydanticError as exc:
        limit = exc.errors(include_url=False)[0].get("ctx", {}).get("max_length")
        if limit is None:
            raise _invalid(exc) from None
        raise InvalidInputError(
            f"the note is {len(cleaned):,} characters long; a note can be at most {limit:,}",
            "Shorten it, or keep the long text in a document and note where to find it.",
        ) from None


def add_task(
    study: Study,
    wp: str,
    title: str,
    *,
    today: dt.date | None = None,
    owner: str | None = None,
    due: dt.date | None = None,
    depends: Sequence[str] = (),
    tags: Sequence[str] = (),
    note: str | None = None,
) -> TaskResult:
    """Add a task to a work package; returns it with its new ID.

    ``today`` (else the study's) is its created date.
    """
    today = today or study.today()
    check_wp_exists(study, wp)
    if owner is not None:
        check_person_exists(study, owner)
    depends = task_ids(depends)
    tags = clean_list(tags)
    build_task({"id": "T-0000", "wp": wp, "title": title, "tags": tags, "created": today})
    with study.change("task", f'add "{" ".join(title.split())}"') as change:
        index = TaskIndex.load(study)
        task_id = _rtype().format_id(index.highest_number() + 1)
        check_depends(index, task_id, depends)
        notes = [_note(note, change.author or "CO-01", study.now())] if note is not None else []
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
                "notes": notes,
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
    today: dt.date | None = None,
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
    """Change a task's fields. ``due``/``owner`` of None clear them; UNSET leaves them.

    ``today`` (else the study's) is the date its due date is checked against.
    """
    today = today or study.today()
    task_id = check_task_id(task_id)
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
        new_depends = task_ids(depends) if depends is not None else list(task.depends)
        new_depends += [d for d in task_ids(add_depends) if d not in new_depends]
        gone = set(task_ids(remove_depends))
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


@dataclass
class StatusResult:
    """A task's status after ``start``, ``done``, ``block`` or ``reopen``, and its commit."""

    task_id: str
    title: str
    status: str
    done_on: dt.date | None
    blocked_reason: str
    commit: str | None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Current:
    """What a status change needs to know about a task."""

    status: str
    done_on: str | None
    depends: Sequence[str]


def set_status(
    study: Study,
    task_id: str,
    action: str,
    *,
    today: dt.date | None = None,
    reason: str | None = None,
    force: bool = False,
    note: str | None = None,
) -> StatusResult:
    """``start`` (doing), ``done``, ``block`` (with a reason) or ``reopen`` (to do).

    A task file the index vouches for (unchanged since it was validated, and in
    canonical form) is changed with YAML alone, without loading the model: the
    fields changed here only ever take valid values, so the result is exactly
    what the model would write. Anything else (and any change with a note) goes
    through the model. ``today`` (else the study's) is the date a task is done on.
    """
    today = today or study.today()
    task_id = check_task_id(task_id)
    if action not in ACTIONS:
        raise InvalidInputError(f"unknown action {action!r}", f"Use one of {', '.join(ACTIONS)}.")
    if action == "block" and not (reason and reason.strip()):
        raise InvalidInputError(
            "say why the task is blocked",
            f"For example: prosper-coop task block {task_id} --reason 'Waiting for site access'",
        )
    with study.change("task", f"{action} {task_id}", task_id) as change:
        voucher = Voucher(study)
        plain = voucher.fields(task_id) if note is None else None
        if plain is not None:
            row, fields = plain
            current = _Current(row.status, row.done_on, row.depends)
            title = row.title
        else:
            task = load_task(study, task_id)
            current = _Current(
                str(task.status), task.done_on.isoformat() if task.done_on else None, task.depends
            )
            title = task.title
        updates, warnings = _status_updates(
            voucher, task_id, action, current, today=today, reason=reason, force=force
        )
        change.what = f'{action} {task_id} "{title}"'
        if plain is not None:
            from prosper_coop.core import yamlio
            from prosper_coop.core.study import canonical_data

            change.write_text(row.path, yamlio.dumps(canonical_data({**fields, **updates})))
        else:
            for name, value in updates.items():
                setattr(task, name, value)
            if note is not None:
                task.notes = [*task.notes, _note(note, change.author or "CO-01", study.now())]
            task = build_task(task.model_dump())
            change.save(task, _rtype())
    if plain is not None:
        TaskIndex.store(study, [changed_row(row, updates)])
    else:
        TaskIndex.written(study, [task])
    return StatusResult(
        task_id,
        title,
        str(updates["status"]),
        updates.get("done_on", _date_or_none(current.done_on)),
        str(updates["blocked_reason"]),
        change.sha,
        warnings,
    )


def _date_or_none(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def _status_updates(
    voucher: Voucher,
    task_id: str,
    action: str,
    current: _Current,
    *,
    today: dt.date,
    reason: str | None,
    force: bool,
) -> tuple[dict[str, Any], list[str]]:
    """The fields ``action`` changes (always status and blocked_reason), and warnings.

    Raises ConflictError when the action does not apply to the task as it is.
    """
    status = current.status
    warnings: list[str] = []
    if action == "done":
        if status == "done":
            raise ConflictError(
                f"{task_id} is already done (on {current.done_on})",
                f"To open it again: prosper-coop task reopen {task_id}",
            )
        waiting = _open_dependencies(voucher, current.depends)
        if waiting and not force:
            raise ConflictError(
                f"{task_id} depends on {', '.join(waiting)}, not done yet",
                f"Finish those first, or mark it done anyway with: "
                f"prosper-coop task done {task_id} --force",
            )
        if waiting:
            warnings.append(f"marked done although {', '.join(waiting)} is not done yet")
        return {"status": "done", "done_on": today, "blocked_reason": ""}, warnings
    if action == "start":
        if status == "done":
            raise ConflictError(
                f"{task_id} is done", f"To work on it again: prosper-coop task reopen {task_id}"
            )
        if status == "doing":
            raise ConflictError(f"{task_id} is already started", "Nothing was changed.")
        waiting = _open_dependencies(voucher, current.depends)
        if waiting:
            warnings.append(f"{task_id} is waiting on {', '.join(waiting)}, not done yet")
        return {"status": "doing", "blocked_reason": ""}, warnings
    if action == "block":
        if status == "done":
            raise ConflictError(
                f"{task_id} is done", f"To open it again: prosper-coop task reopen {task_id}"
            )
        return {"status": "blocked", "blocked_reason": (reason or "").strip()}, warnings
    # reopen
    if status not in ("done", "blocked"):
        raise ConflictError(f"{task_id} is {status}, not done or blocked", "Nothing was changed.")
    return {"status": "todo", "done_on": None, "blocked_reason": ""}, warnings


def changed_row(row: TaskRow, updates: dict[str, Any]) -> TaskRow:
    """``row`` with the fields of a status change applied (and its JSON form to match)."""
    import json

    data = json.loads(row.json)
    plain: dict[str, Any] = {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in updates.items()
    }
    data.update(plain)
    plain["json"] = json.dumps(data, ensure_ascii=False).encode("utf-8")
    plain["canonical"] = True
    return row._replace(**plain)


def _open_dependencies(voucher: Voucher, depends: Sequence[str]) -> list[str]:
    """Dependencies not done yet (from vouched index rows, else from their files)."""
    waiting = []
    for dep in depends:
        vouched = voucher.get(dep)
        if vouched is not None:
            done = vouched.row.status == "done"
        else:
            try:
                done = load_task(voucher.study, dep).status == "done"
            except NotFoundError:
                done = False
        if not done:
            waiting.append(dep)
    return waiting


@dataclass
class DeleteResult:
    """A deleted task, the tasks that no longer depend on it, and the commit."""

    task_id: str
    title: str
    released: list[str]
    commit: str | None


def delete_task(study: Study, task_id: str, *, force: bool = False) -> DeleteResult:
    """Delete a task made by mistake (git keeps its history).

    Refused while other tasks depend on it, unless ``force``: then it is also
    taken out of their dependencies, in the same commit.
    """
    task_id = check_task_id(task_id)
    with study.change("task", f"delete {task_id}", task_id) as change:
        task = load_task(study, task_id)
        index = TaskIndex.load(study)
        dependents = index.dependents(task_id)
        if dependents and not force:
            raise ConflictError(
                f"{', '.join(dependents)} depend(s) on {task_id}",
                f"Take it out of their dependencies first (prosper-coop task edit "
                f"{dependents[0]} --remove-depends {task_id}), or delete it and take it "
                f"out of theirs in one step: prosper-coop task delete {task_id} --force",
            )
        released = []
        for dependent_id in dependents:
            dependent = load_task(study, dependent_id)
            dependent.depends = [dep for dep in dependent.depends if dep != task_id]
            change.save(dependent, _rtype())
            released.append(dependent)
        change.delete(study.rel(study.path_of(_rtype(), task_id)))
        change.what = f'delete {task_id} "{task.title}"'
        change.record_ids = [task_id, *dependents]
    TaskIndex.written(study, released, deleted=[task_id])
    return DeleteResult(task_id, task.title, dependents, change.sha)


@dataclass
class UndoResult:
    """The change that was undone, the files put back, and the new commit."""

    undone: str
    paths: list[str]
    commit: str | None


def undo_last(study: Study) -> UndoResult:
    """Undo the study's latest change, if it was a task change made by the acting person.

    The files it changed are put back as they were before it, in a new commit
    (``task: undo "..."``): history keeps both, and undoing the undo redoes it.
    Only the very latest change can be undone, so nothing made since is lost.
    """
    from prosper_coop.core.auditlog import parse_subject

    with study.change("task", "undo") as change:
        repo = study.repo
        latest = repo.log(limit=1)[0]
        author, subject = latest.author, latest.subject.strip()
        area, what, records = parse_subject(subject)
        if area != "task" or len(repo.head_parents()) != 1:
            raise ConflictError(
                f"the latest change to the study is not a task change ({subject})",
                "Only the latest change can be undone, and only a task change. "
                "See the history with: prosper-coop log",
            )
        if author != change.author:
            raise ConflictError(
                f"the latest task change was made by {author}, not by you ({change.author})",
                f"Ask {author} to undo it, or change the task back yourself.",
            )
        paths = []
        for state, rel in repo.files_changed("HEAD~1", "HEAD"):
            if state == "A":
                change.delete(rel)
            else:
                before = repo.file_text("HEAD~1", rel)
                change.write_bytes(rel, before.encode("utf-8", errors="surrogateescape"))
            paths.append(rel)
        change.what = f"undo {what}"
        change.record_ids = records
    return UndoResult(subject, paths, change.sha)


def assign(study: Study, task_id: str, owner: str | None) -> TaskResult:
    """Give a task to a person (or, with None, to nobody)."""
    task_id = check_task_id(task_id)
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
    task_id = check_task_id(task_id)
    with study.change("task", f"note {task_id}", task_id) as change:
        task = load_task(study, task_id)
        task.notes = [*task.notes, _note(text, change.author or "CO-01", study.now())]
        task = build_task(task.model_dump())
        change.what = f'note {task_id} "{task.title}"'
        change.save(task, _rtype())
    TaskIndex.written(study, [task])
    return TaskResult(task, change.sha)


def show_task(study: Study, task_id: str, *, today: dt.date) -> dict[str, Any]:
    """A task with what it waits on, what waits on it, lateness and its git history."""
    task_id = check_task_id(task_id)
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
