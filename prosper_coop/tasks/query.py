"""Reading tasks: filters, sorting, the board, per-WP progress and dashboard sections.

Everything here works on :class:`~prosper_coop.tasks.index.TaskRow` tuples from
the index, never on 10,000 pydantic objects, so listing stays fast.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from prosper_coop.core import ids
from prosper_coop.core.choices import split_list
from prosper_coop.core.errors import InvalidInputError, NotFoundError
from prosper_coop.tasks.index import PERSON_ID, WP_ID, TaskIndex, TaskRow

if TYPE_CHECKING:
    from prosper_coop.core.study import Study

STATUSES = ("todo", "doing", "blocked", "done")
SORT_KEYS = ("id", "due", "wp", "owner", "status", "title", "created")
WEEK = 7


class TaskFilter(NamedTuple):
    """Which tasks to list (every field optional; all given ones must match)."""

    wp: str | None = None
    owner: str | None = None
    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    overdue: bool = False
    due_before: dt.date | None = None
    open_only: bool = False
    blocked_by_dependencies: bool = False
    text: str | None = None

    def check(self, study: Study) -> None:
        """Refuse unknown work packages, people and statuses with a clear next step."""
        if self.wp is not None:
            check_wp_exists(study, self.wp)
        if self.owner is not None:
            check_person_exists(study, self.owner)
        for status in self.statuses:
            if status not in STATUSES:
                raise InvalidInputError(
                    f"there is no task status {status!r}",
                    f"Use one of: {', '.join(STATUSES)}.",
                )


class Listing(NamedTuple):
    """The result of a task listing: the matching rows, how many matched, and today."""

    rows: list[TaskRow]
    total: int
    today: str
    done: frozenset[str] | set[str] = frozenset()

    def open_dependencies(self, row: TaskRow) -> list[str]:
        """The dependencies of ``row`` that are not done yet (it is blocked by them)."""
        return [dep for dep in row.depends if dep not in self.done]


def check_wp_exists(study: Study, wp_id: str) -> None:
    """Raise NotFoundError unless the work package exists (a stat, no parsing)."""
    if not WP_ID.fullmatch(wp_id):
        raise InvalidInputError(
            f"work package ID {wp_id!r} does not look right", "Use the form WP3."
        )
    if not (study.root / "workpackages" / f"{wp_id}.yaml").is_file():
        raise NotFoundError(
            f"work package {wp_id} not found",
            "List them with: prosper-coop wp list (add one with: prosper-coop wp add)",
        )


def check_person_exists(study: Study, person_id: str) -> None:
    """Raise NotFoundError unless the person is in the study, saying how to add them."""
    if not PERSON_ID.fullmatch(person_id):
        raise InvalidInputError(
            f"person ID {person_id!r} does not look right", "Use the form CR-01."
        )
    if not (study.root / "people" / f"{person_id}.yaml").is_file():
        raise NotFoundError(
            f"there is no person {person_id} in this study",
            "List people with: prosper-coop people list "
            "(add someone with: prosper-coop people add)",
        )


def check_task_id(task_id: str) -> str:
    """The task ID ``task_id`` names, as stored: ``T-0042``, also typed ``42``, ``T42`` or ``t-42``.

    Refuses anything else (a usage error).
    """
    return ids.TASK.check(task_id)


def task_ids(values: Iterable[str]) -> list[str]:
    """Task IDs from comma/space separated lists (``T-0003,4``), in full form, once each."""
    found: list[str] = []
    for value in clean_list(values):
        task_id = check_task_id(value)
        if task_id not in found:
            found.append(task_id)
    return found


def clean_list(values: Iterable[str]) -> list[str]:
    """Split comma/semicolon/space separated values and drop duplicates, keeping the order."""
    return split_list(values, also="; ")


def _sort_value(key: str, row: TaskRow) -> Any:
    if key == "id":
        return row.number
    if key == "due":
        return (row.due is None, row.due or "", row.number)
    if key == "status":
        return (STATUSES.index(row.status) if row.status in STATUSES else 9, row.number)
    if key == "owner":
        return (row.owner is None, row.owner or "", row.number)
    value = getattr(row, key)
    return (value, row.number)


def list_tasks(
    study: Study,
    task_filter: TaskFilter,
    *,
    today: dt.date,
    sort: str = "id",
    reverse: bool = False,
    limit: int | None = None,
    index: TaskIndex | None = None,
) -> Listing:
    """Tasks matching ``task_filter``, sorted, at most ``limit`` of them."""
    if sort not in SORT_KEYS:
        raise InvalidInputError(
            f"cannot sort by {sort!r}", f"Sort by one of: {', '.join(SORT_KEYS)}."
        )
    task_filter.check(study)
    index = index or TaskIndex.load(study)
    today_iso = today.isoformat()
    rows: Sequence[TaskRow] = index.rows
    f = task_filter
    if f.wp is not None:
        rows = [r for r in rows if r.wp == f.wp]
    if f.statuses:
        wanted = set(f.statuses)
        rows = [r for r in rows if r.status in wanted]
    if f.open_only:
        rows = [r for r in rows if r.status != "done"]
    if f.owner is not None:
        rows = [r for r in rows if r.owner == f.owner]
    if f.tags:
        tags = set(f.tags)
        rows = [r for r in rows if tags.intersection(r.tags)]
    if f.overdue:
        rows = [r for r in rows if r.status != "done" and r.due is not None and r.due < today_iso]
    if f.due_before is not None:
        before = f.due_before.isoformat()
        rows = [r for r in rows if r.due is not None and r.due < before]
    if f.text:
        needle = f.text.casefold()
        rows = [r for r in rows if needle in r.title.casefold()]
    done: set[str] = set()
    if f.blocked_by_dependencies or any(r.depends for r in rows):
        done = index.done_ids()
    if f.blocked_by_dependencies:
        rows = [r for r in rows if r.status != "done" and any(d not in done for d in r.depends)]
    rows = list(rows)
    if sort != "id" or reverse:
        rows.sort(key=lambda r: _sort_value(sort, r), reverse=reverse)
    total = len(rows)
    if limit is not None:
        rows = rows[:limit]
    return Listing(rows, total, today_iso, done)


def mine(study: Study, *, today: dt.date, include_done: bool = False) -> tuple[str, Listing]:
    """The acting person's tasks (open ones unless ``include_done``), soonest due first."""
    person = study.actor()
    listing = list_tasks(
        study,
        TaskFilter(owner=person, open_only=not include_done),
        today=today,
        sort="due",
    )
    return person, listing


class Board(NamedTuple):
    """Tasks grouped by status, each column capped at ``per_column`` (with counts)."""

    columns: dict[str, list[TaskRow]]
    counts: dict[str, int]
    per_column: int | None


def board(
    study: Study, task_filter: TaskFilter, *, today: dt.date, per_column: int | None = 15
) -> Board:
    """The board: one column per status, soonest due first."""
    listing = list_tasks(study, task_filter, today=today, sort="due")
    columns: dict[str, list[TaskRow]] = {status: [] for status in STATUSES}
    for row in listing.rows:
        columns.setdefault(row.status, []).append(row)
    counts = {status: len(rows) for status, rows in columns.items()}
    if per_column is not None:
        columns = {status: rows[:per_column] for status, rows in columns.items()}
    return Board(columns, counts, per_column)


# -- progress and the dashboard ----------------------------------------------------------


def row_summary(row: TaskRow, today_iso: str, done: set[str] | None = None) -> dict[str, Any]:
    """A short plain-data view of a task (for the dashboard and tables)."""
    days_late = 0
    if row.status != "done" and row.due is not None and row.due < today_iso:
        days_late = (dt.date.fromisoformat(today_iso) - dt.date.fromisoformat(row.due)).days
    data: dict[str, Any] = {
        "id": row.id,
        "title": row.title,
        "wp": row.wp,
        "owner": row.owner,
        "status": row.status,
        "due": row.due,
        "days_late": days_late,
    }
    if done is not None:
        data["blocked_by"] = [dep for dep in row.depends if dep not in done]
    return data


def attention(study: Study, *, today: dt.date, index: TaskIndex | None = None) -> dict[str, Any]:
    """What needs attention: overdue, due in the next 7 days, blocked, waiting on others."""
    index = index or TaskIndex.load(study)
    today_iso = today.isoformat()
    week_end = (today + dt.timedelta(days=WEEK)).isoformat()
    done = index.done_ids()
    open_rows = [r for r in index.rows if r.status != "done"]
    overdue = sorted(
        (r for r in open_rows if r.due is not None and r.due < today_iso),
        key=lambda r: (r.due or "", r.number),
    )
    this_week = sorted(
        (r for r in open_rows if r.due is not None and today_iso <= r.due <= week_end),
        key=lambda r: (r.due or "", r.number),
    )
    blocked = [r for r in open_rows if r.status == "blocked"]
    waiting = [
        r for r in open_rows if r.status != "blocked" and any(d not in done for d in r.depends)
    ]
    return {
        "overdue": [row_summary(r, today_iso) for r in overdue],
        "due_this_week": [row_summary(r, today_iso) for r in this_week],
        "blocked": [{**row_summary(r, today_iso), "reason": r.blocked_reason} for r in blocked],
        "waiting_on_dependencies": len(waiting),
        "waiting": [row_summary(r, today_iso, done) for r in waiting[:10]],
    }


def counts_by_status(index: TaskIndex) -> dict[str, int]:
    """How many tasks have each status."""
    return dict(Counter(row.status for row in index.rows))
