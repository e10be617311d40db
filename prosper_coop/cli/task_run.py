"""What the everyday ``task`` commands do once their options are read.

``task list``, ``task mine``, ``task start``, ``task done``, ``task block`` and
``task reopen`` are answered from here both by their Typer commands
(:mod:`prosper_coop.cli.task`) and by the quick path
(:mod:`prosper_coop.cli.quick`), which reads the same options without loading
Typer. Each function takes the Typer command's parameters by the same names.
Reads go through the task index (no pydantic, no rich for plain lists).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from prosper_coop.cli.base import open_study, optional_date, output, report_with_warnings
from prosper_coop.core import clock

if TYPE_CHECKING:
    from prosper_coop.cli.terminal import Output
    from prosper_coop.tasks.index import TaskRow
    from prosper_coop.tasks.query import Listing


# -- reading ----------------------------------------------------------------------------
def terminal_width() -> int:
    """The terminal width (COLUMNS wins; 100 when not a terminal). No shutil import."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(1).columns
    except OSError:
        return 100


def fit(text: str, width: int) -> str:
    """``text`` shortened with an ellipsis to at most ``width`` characters."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def task_lines(listing: Listing, width: int, *, late: str = "overdue") -> str:
    """A plain, fast table of tasks (fits the terminal; titles are shortened to fit).

    ``late`` marks an open task whose due date has passed.
    """
    header = ("ID", "WP", "Status", "Owner", "Due", "Title")
    today = listing.today
    cells: list[tuple[str, ...]] = []
    for row in listing.rows:
        status = row.status
        waiting = listing.open_dependencies(row) if row.depends and status != "done" else []
        if waiting:
            status += (
                " (waits on " + ",".join(waiting[:2]) + ("…" if len(waiting) > 2 else "") + ")"
            )
        due = row.due or ""
        if due and status != "done" and due < today:
            due += f" {late}"
        cells.append((row.id, row.wp, status, row.owner or "-", due, row.title))
    widths = [max(len(header[i]), *(len(c[i]) for c in cells)) for i in range(5)]
    used = sum(widths) + 2 * 5
    title_width = max(width - used, 20)
    pattern = "  ".join(f"{{:<{w}}}" for w in widths) + "  {}"
    lines = [pattern.format(*header).rstrip(), pattern.format(*("-" * w for w in widths), "-----")]
    lines += [pattern.format(*c[:5], fit(c[5], title_width)) for c in cells]
    return "\n".join(lines)


def json_rows(rows: list[TaskRow]) -> str:
    """The records as a JSON list, one task per line (already serialised in the index)."""
    if not rows:
        return "[]"
    return "[\n" + ",\n".join(row.json.decode("utf-8") for row in rows) + "\n]"


def show_listing(
    out: Output, listing: Listing, as_json: bool, empty: str, *, own: bool = False
) -> None:
    """Print a listing as JSON or as a table with a count (or ``empty`` when it has no rows).

    ``own``: the reader's own tasks. Dates that have passed are said gently, with
    the reassurance that dates can move (co-researchers read this).
    """
    if as_json:
        out.line(json_rows(listing.rows))
        return
    if not listing.rows:
        out.info(empty)
        return
    width = terminal_width()
    shown = len(listing.rows)
    more = f" (showing {shown} of {listing.total})" if shown < listing.total else ""
    late = "(date passed)" if own else "overdue"
    out.line(task_lines(listing, width, late=late) + f"\n\n{listing.total} task(s){more}")
    passed = sum(
        1 for row in listing.rows if row.status != "done" and row.due and row.due < listing.today
    )
    if own and passed:
        which = "one of your tasks" if passed == 1 else f"{passed} of your tasks"
        out.info(
            f"The date has passed on {which}. That is okay: dates can move. If you would "
            "like more time or some help, you can talk to the study coordinator."
        )


def list_(
    *,
    wp: str | None,
    owner: str | None,
    status: list[str] | None,
    tag: list[str] | None,
    overdue: bool,
    due_before: str | None,
    open_only: bool,
    waiting: bool,
    search: str | None,
    sort: str,
    reverse: bool,
    limit: int | None,
    as_json: bool,
) -> None:
    """``task list``: tasks, filtered and sorted (all statuses unless filtered)."""
    from prosper_coop.tasks.query import TaskFilter, clean_list, list_tasks

    task_filter = TaskFilter(
        wp=wp,
        owner=owner,
        statuses=tuple(clean_list(status or [])),
        tags=tuple(clean_list(tag or [])),
        overdue=overdue,
        due_before=optional_date(due_before, "--due-before"),
        open_only=open_only,
        blocked_by_dependencies=waiting,
        text=search,
    )
    listing = list_tasks(
        open_study(), task_filter, today=clock.today(), sort=sort, reverse=reverse, limit=limit
    )
    show_listing(output(as_json), listing, as_json, "No tasks match.")


def mine(*, show_all: bool, as_json: bool) -> None:
    """``task mine``: the acting person's open tasks (all of them with ``show_all``)."""
    from prosper_coop.tasks.query import mine as my_tasks

    person, listing = my_tasks(open_study(), today=clock.today(), include_done=show_all)
    show_listing(
        output(as_json),
        listing,
        as_json,
        f"{person} has no open tasks right now." if not show_all else f"{person} has no tasks.",
        own=True,
    )


# -- changing status ----------------------------------------------------------------------
def status_change(
    task_id: str,
    action: str,
    message: str,
    *,
    quiet: bool,
    reason: str | None = None,
    force: bool = False,
    note: str | None = None,
) -> None:
    """Change a task's status (``start``, ``done``, ``block``, ``reopen``) and say so.

    ``message`` names the task as ``{task}`` (its full ID, however it was typed).
    """
    from prosper_coop.tasks.ops import set_status

    result = set_status(
        open_study(), task_id, action, today=clock.today(), reason=reason, force=force, note=note
    )
    report_with_warnings(output(quiet=quiet), result, message.format(task=result.task_id))


def start(*, task_id: str, note: str | None, quiet: bool) -> None:
    """``task start``: mark a task as being worked on (doing)."""
    status_change(task_id, "start", "Started {task}.", quiet=quiet, note=note)


def done(*, task_id: str, force: bool, note: str | None, quiet: bool) -> None:
    """``task done``: mark a task as done (``force`` when its dependencies are not)."""
    status_change(task_id, "done", "Marked {task} as done.", quiet=quiet, force=force, note=note)


def block(*, task_id: str, reason: str, quiet: bool) -> None:
    """``task block``: mark a task as blocked, saying why."""
    status_change(task_id, "block", "Marked {task} as blocked.", quiet=quiet, reason=reason)


def reopen(*, task_id: str, note: str | None, quiet: bool) -> None:
    """``task reopen``: open a done or blocked task again (back to todo)."""
    status_change(task_id, "reopen", "Reopened {task}.", quiet=quiet, note=note)
