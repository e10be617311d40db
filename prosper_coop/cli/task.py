"""``prosper-coop task ...``: the tasks inside work packages.

Reads go through the task index (no pydantic, no rich for plain lists), so
``task list`` stays fast at 10,000 tasks. Each command imports what it needs
inside its body, so building this group stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from prosper_coop.cli.common import (
    PERSON,
    WORK_PACKAGE,
    AsJson,
    Quiet,
    ask_yes_no,
    id_parser,
    open_study,
    optional_date,
    output,
    report_with_warnings,
)
from prosper_coop.cli.groups import group_app
from prosper_coop.core import clock, ids
from prosper_coop.core.errors import InvalidInputError

app = group_app("task")

TaskId = Annotated[
    str,
    typer.Argument(
        help="A task ID, e.g. T-0042 (or just 42).",
        show_default=False,
        parser=id_parser(ids.TASK.normal, "task"),
    ),
]
WpOpt = Annotated[
    str | None, typer.Option("--wp", help="Only this work package, e.g. WP3.", parser=WORK_PACKAGE)
]
OwnerOpt = Annotated[
    str | None, typer.Option("--owner", help="Only this person's, e.g. CR-01.", parser=PERSON)
]
NoteOpt = Annotated[str | None, typer.Option("--note", help="Add a note as you do it.")]


# -- adding -----------------------------------------------------------------------------
@app.command()
def add(
    wp: Annotated[
        str,
        typer.Argument(help="The work package, e.g. WP3.", show_default=False, parser=WORK_PACKAGE),
    ],
    title: Annotated[str, typer.Argument(help="What needs doing.", show_default=False)],
    owner: Annotated[
        str | None, typer.Option("--owner", help="Who does it, e.g. CR-01.", parser=PERSON)
    ] = None,
    due: Annotated[str | None, typer.Option("--due", help="Due date: YYYY-MM-DD or +7.")] = None,
    depends: Annotated[
        list[str] | None, typer.Option("--depends", help="Tasks to finish first: T-0003,T-0004.")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable).")] = None,
    note: NoteOpt = None,
    quiet: Quiet = False,
) -> None:
    """Add a task to a work package and print its new ID.

    Example: prosper-coop task add WP3 "Draft topic guide" --owner CR-01 --due 2026-12-10
    """
    from prosper_coop.tasks.ops import add_task

    out = output(quiet=quiet)
    result = add_task(
        open_study(),
        wp,
        title,
        today=clock.today(),
        owner=owner,
        due=optional_date(due, "--due"),
        depends=depends or [],
        tags=tag or [],
        note=note,
    )
    out.line(result.task.id)
    report_with_warnings(out, result, f"Added {result.task.id} to {result.task.wp}.")


# -- reading ----------------------------------------------------------------------------
@app.command("list")
def list_(
    wp: WpOpt = None,
    owner: OwnerOpt = None,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", "-s", help="todo, doing, blocked or done (repeatable)."),
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Having this tag.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue tasks.")] = False,
    due_before: Annotated[
        str | None, typer.Option("--due-before", help="Due before this date.")
    ] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Hide done tasks.")] = False,
    waiting: Annotated[
        bool, typer.Option("--waiting", help="Only tasks waiting on unfinished dependencies.")
    ] = False,
    search: Annotated[str | None, typer.Option("--search", help="Title contains this.")] = None,
    sort: Annotated[
        str, typer.Option("--sort", help="id, due, wp, owner, status, title or created.")
    ] = "id",
    reverse: Annotated[bool, typer.Option("--reverse", help="Reverse the order.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most N.")] = None,
    as_json: AsJson = False,
) -> None:
    """List tasks, filtered and sorted (all statuses unless you filter).

    Example: prosper-coop task list --wp WP3 --status todo --sort due
    """
    from prosper_coop.cli.tables import show_listing
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


@app.command()
def mine(
    show_all: Annotated[bool, typer.Option("--all", help="Include done tasks.")] = False,
    as_json: AsJson = False,
) -> None:
    """Your own open tasks (as the acting person), soonest due first.

    Example: prosper-coop task mine
    """
    from prosper_coop.cli.tables import show_listing
    from prosper_coop.tasks.query import mine as my_tasks

    person, listing = my_tasks(open_study(), today=clock.today(), include_done=show_all)
    empty = f"{person} has no open tasks right now." if not show_all else f"{person} has no tasks."
    show_listing(output(as_json), listing, as_json, empty, own=True)


@app.command()
def show(task_id: TaskId, as_json: AsJson = False) -> None:
    """Show a task: its details, what it waits on, its notes and its history.

    Example: prosper-coop task show T-0012
    """
    from prosper_coop.cli.terminal import visible
    from prosper_coop.tasks.ops import show_task

    data = show_task(open_study(), task_id, today=clock.today())
    out = output(as_json)
    if as_json:
        out.json(data)
        return
    days = data["days_late"]
    late = f", past its date ({days} day{'' if days == 1 else 's'})" if days else ""
    fields = [
        ("Task", f"{data['id']}  {data['title']}"),
        ("Work package", data["wp"]),
        (
            "Status",
            data["status"] + (f": {data['blocked_reason']}" if data["blocked_reason"] else ""),
        ),
        ("Owner", data["owner"] or "-"),
        ("Due", (data["due"] or "-") + late),
        ("Created", data["created"]),
    ]
    if data["done_on"]:
        fields.append(("Done on", data["done_on"]))
    if data["tags"]:
        fields.append(("Tags", ", ".join(data["tags"])))
    if data["depends"]:
        fields.append(("Depends on", ", ".join(data["depends"])))
    if data["blocked_by"]:
        fields.append(("Waiting on", ", ".join(data["blocked_by"]) + " (not done yet)"))
    if data["blocks"]:
        fields.append(("Needed by", ", ".join(data["blocks"])))
    label = max(len(name) for name, _ in fields)
    out.line(
        "\n".join(
            f"{name + ':':<{label + 1}} {visible(value, newlines=False)}" for name, value in fields
        )
    )
    for note in data["notes"]:
        out.line(
            f"\nNote by {note['by']} at {note['at'][:16].replace('T', ' ')}:\n  {note['text']}"
        )
    out.line("")
    out.table(
        ["When", "Who", "Change", "Commit"],
        [
            (h["date"][:16].replace("T", " "), h["by"], h["subject"], h["commit"][:8])
            for h in data["history"]
        ],
        title="History",
        empty="No history yet (the task has not been committed).",
    )


# -- changing ---------------------------------------------------------------------------
@app.command()
def edit(
    task_id: TaskId,
    title: Annotated[str | None, typer.Option("--title", help="A new title.")] = None,
    wp: Annotated[
        str | None, typer.Option("--wp", help="Move to this work package.", parser=WORK_PACKAGE)
    ] = None,
    due: Annotated[
        str | None, typer.Option("--due", help="New due date (YYYY-MM-DD), or 'none'.")
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="New owner, or 'none'.", parser=PERSON)
    ] = None,
    depends: Annotated[
        str | None, typer.Option("--depends", help="Replace dependencies: T-0003,T-0004 or 'none'.")
    ] = None,
    add_depends: Annotated[
        list[str] | None, typer.Option("--add-depends", help="Add dependencies.")
    ] = None,
    remove_depends: Annotated[
        list[str] | None, typer.Option("--remove-depends", help="Remove dependencies.")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Add a tag.")] = None,
    remove_tag: Annotated[
        list[str] | None, typer.Option("--remove-tag", help="Remove a tag.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Change a task's title, work package, due date, owner, dependencies or tags.

    Example: prosper-coop task edit T-0014 --due 2027-01-15 --add-depends T-0013
    """
    from prosper_coop.tasks.ops import UNSET, edit_task

    def none_or(value: str | None) -> Any:
        if value is None:
            return UNSET
        return None if value.strip().lower() == "none" else value

    due_value = none_or(due)
    if due_value is not UNSET and due_value is not None:
        due_value = optional_date(due_value, "--due")
    depends_value: list[str] | None = None
    if depends is not None:
        depends_value = [] if depends.strip().lower() == "none" else [depends]
    result = edit_task(
        open_study(),
        task_id,
        today=clock.today(),
        title=title,
        wp=wp,
        due=due_value,
        owner=none_or(owner),
        depends=depends_value,
        add_depends=add_depends or [],
        remove_depends=remove_depends or [],
        add_tags=tag or [],
        remove_tags=remove_tag or [],
    )
    report_with_warnings(output(quiet=quiet), result, f"Updated {result.task.id}.")


def _change_status(
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


@app.command()
def start(task_id: TaskId, note: NoteOpt = None, quiet: Quiet = False) -> None:
    """Mark a task as being worked on (doing).

    Example: prosper-coop task start T-0014
    """
    _change_status(task_id, "start", "Started {task}.", quiet=quiet, note=note)


@app.command()
def done(
    task_id: TaskId,
    force: Annotated[
        bool, typer.Option("--force", help="Mark done even if its dependencies are not.")
    ] = False,
    note: NoteOpt = None,
    quiet: Quiet = False,
) -> None:
    """Mark a task as done (asks for --force if what it depends on is not done).

    Example: prosper-coop task done T-0012
    """
    _change_status(task_id, "done", "Marked {task} as done.", quiet=quiet, force=force, note=note)


@app.command()
def block(
    task_id: TaskId,
    reason: Annotated[str, typer.Option("--reason", help="What it is waiting for.")],
    quiet: Quiet = False,
) -> None:
    """Mark a task as blocked, saying why.

    Example: prosper-coop task block T-0013 --reason "Waiting for site access"
    """
    _change_status(task_id, "block", "Marked {task} as blocked.", quiet=quiet, reason=reason)


@app.command()
def reopen(task_id: TaskId, note: NoteOpt = None, quiet: Quiet = False) -> None:
    """Open a done or blocked task again (back to todo).

    Example: prosper-coop task reopen T-0011
    """
    _change_status(task_id, "reopen", "Reopened {task}.", quiet=quiet, note=note)


@app.command()
def assign(
    task_id: TaskId,
    person: Annotated[
        str,
        typer.Argument(
            help="Who does it (e.g. CR-01), or 'none'.", show_default=False, parser=PERSON
        ),
    ],
    quiet: Quiet = False,
) -> None:
    """Give a task to a person in the study (or 'none' to unassign it).

    Example: prosper-coop task assign T-0021 CR-03
    """
    from prosper_coop.tasks.ops import assign as assign_task

    owner = None if person.strip().lower() == "none" else person
    result = assign_task(open_study(), task_id, owner)
    report_with_warnings(
        output(quiet=quiet),
        result,
        f"{result.task.id} is now with {owner}."
        if owner
        else f"{result.task.id} is now unassigned.",
    )


@app.command()
def note(
    task_id: TaskId,
    text: Annotated[str, typer.Argument(help="The note.", show_default=False)],
    quiet: Quiet = False,
) -> None:
    """Add a dated note to a task (signed with your study ID).

    Example: prosper-coop task note T-0013 "Commissioner replied; meeting on Friday"
    """
    from prosper_coop.tasks.ops import add_note

    result = add_note(open_study(), task_id, text)
    report_with_warnings(output(quiet=quiet), result, f"Added a note to {result.task.id}.")


@app.command()
def delete(
    task_id: TaskId,
    force: Annotated[
        bool,
        typer.Option("--force", help="Also take it out of the tasks that depend on it."),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    quiet: Quiet = False,
) -> None:
    """Delete a task made by mistake (its history stays in git).

    Refused while other tasks depend on it, unless --force. Asks first when run in
    a terminal, unless --yes.

    Example: prosper-coop task delete T-0042 --yes
    """
    import sys

    from prosper_coop.tasks.ops import delete_task, load_task

    study = open_study()
    out = output(quiet=quiet)
    if not yes:
        task = load_task(study, task_id)
        if not sys.stdin.isatty():
            raise InvalidInputError(
                f"{task.id} was not deleted: there is no terminal to ask you to confirm",
                f"To delete it, add --yes: prosper-coop task delete {task.id} --yes",
            )
        from prosper_coop.cli.terminal import visible

        if not ask_yes_no(visible(f'Delete {task.id} "{task.title}"?')):
            out.info("Nothing was deleted.")
            return
    result = delete_task(study, task_id, force=force)
    out.success(f"Deleted {result.task_id}. Its history stays in git (prosper-coop log).")
    if result.released:
        out.info(f"No longer waiting on it: {', '.join(result.released)}.")


@app.command()
def undo(quiet: Quiet = False) -> None:
    """Undo your latest task change (if it is the latest change to the study).

    The files go back as they were, in a new commit, so history keeps both;
    running undo again redoes the change.

    Example: prosper-coop task undo
    """
    from prosper_coop.tasks.ops import undo_last

    result = undo_last(open_study())
    out = output(quiet=quiet)
    out.success(f"Undid: {result.undone}")
    out.info("To redo it, run: prosper-coop task undo")


# -- views ------------------------------------------------------------------------------
@app.command()
def board(
    wp: WpOpt = None,
    owner: OwnerOpt = None,
    per_column: Annotated[
        int, typer.Option("--per-column", min=1, help="At most N tasks per column.")
    ] = 15,
    as_json: AsJson = False,
) -> None:
    """Show tasks as a board with a column per status.

    Example: prosper-coop task board --wp WP4
    """
    from prosper_coop.tasks.query import TaskFilter
    from prosper_coop.tasks.query import board as make_board

    result = make_board(
        open_study(), TaskFilter(wp=wp, owner=owner), today=clock.today(), per_column=per_column
    )
    out = output(as_json)
    if as_json:
        out.json(
            {
                "counts": result.counts,
                "columns": {
                    status: [
                        {"id": r.id, "title": r.title, "owner": r.owner, "due": r.due} for r in rows
                    ]
                    for status, rows in result.columns.items()
                },
            }
        )
        return
    from rich.table import Table
    from rich.text import Text

    from prosper_coop.cli.terminal import visible

    table = Table(show_lines=False, header_style="bold", expand=True)
    for status, count in result.counts.items():
        table.add_column(f"{status} ({count})", overflow="fold", ratio=1)
    cells = []
    for status, rows in result.columns.items():
        text = Text()
        for row in rows:
            text.append(visible(row.id, newlines=False), style="bold")
            text.append(f" {visible(row.title, newlines=False)}\n")
            text.append(visible(f"  {row.owner or '-'}  {row.due or ''}") + "\n", style="dim")
        hidden = result.counts[status] - len(rows)
        if hidden > 0:
            text.append(f"… and {hidden} more", style="dim")
        cells.append(text)
    table.add_row(*cells)
    out.render(table)


@app.command()
def timeline(
    wp: WpOpt = None,
    days: Annotated[
        int,
        typer.Option(
            "--days", min=0, max=3660, help="Show open tasks due within N days (at most 3660)."
        ),
    ] = 30,
    mermaid: Annotated[
        bool, typer.Option("--mermaid", help="Print a Mermaid Gantt chart (renders on GitHub).")
    ] = False,
    no_tasks: Annotated[
        bool, typer.Option("--no-tasks", help="Mermaid: work packages and milestones only.")
    ] = False,
    open_only: Annotated[
        bool, typer.Option("--open", help="Mermaid: leave out done tasks.")
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="Show at most N due tasks (soonest first).")
    ] = 40,
    as_json: AsJson = False,
) -> None:
    """Show work packages, milestones and due tasks on a timeline (or as Mermaid).

    Example: prosper-coop task timeline --mermaid > timeline.mmd
    """
    from prosper_coop.tasks import timeline as tl

    study = open_study()
    out = output(as_json)
    if mermaid:
        out.data(
            tl.mermaid_gantt(
                study, today=clock.today(), wp=wp, include_tasks=not no_tasks, open_only=open_only
            ).rstrip("\n")
        )
        return
    data = tl.timeline(study, today=clock.today(), days=days, wp=wp)
    if as_json:
        out.json(data)
        return
    from prosper_coop.cli.tables import terminal_width

    out.line(_draw_timeline(data, terminal_width()))
    due_tasks = data["due_tasks"]
    shown = due_tasks[:limit]
    more = f" (the first {len(shown)} of {len(due_tasks)})" if len(shown) < len(due_tasks) else ""
    out.table(
        ["Due", "Task", "WP", "Owner", "Status", "Title"],
        [
            (
                t["due"] + (" overdue" if t["overdue"] else ""),
                t["id"],
                t["wp"],
                t["owner"] or "-",
                t["status"],
                t["title"],
            )
            for t in shown
        ],
        title=f"Open tasks due by {data['until']}{more}",
        empty=f"No open tasks are due by {data['until']}.",
    )
    if more:
        only = f" --wp {wp}" if wp else ""
        out.info(
            f"See them all with: prosper-coop task list{only} --open --due-before "
            f"{_day_after(data['until'])} --sort due"
        )


def _day_after(day: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def _draw_timeline(data: dict[str, Any], width: int) -> str:
    """Bars for each work package, ◆ for milestones to come, ✓ for milestones met, | today."""
    import datetime as dt

    from prosper_coop.cli import tables

    wps = data["work_packages"]
    if not wps:
        return "No work packages yet. Add one with: prosper-coop wp add"
    today = dt.date.fromisoformat(data["today"])
    first = min(dt.date.fromisoformat(w["start"]) for w in wps)
    last = max(dt.date.fromisoformat(w["end"]) for w in wps)
    first, last = min(first, today), max(last, today)
    label = 26
    span = max(width - label - 2, 20)
    days = max((last - first).days, 1)

    def pos(day: str | dt.date) -> int:
        value = dt.date.fromisoformat(day) if isinstance(day, str) else day
        return min(span - 1, round((value - first).days * (span - 1) / days))

    lines = [f"{'':<{label}}{first.isoformat():<{span // 2}}{last.isoformat():>{span - span // 2}}"]
    now = pos(today)
    for w in wps:
        bar = [" "] * span
        for i in range(pos(w["start"]), pos(w["end"]) + 1):
            bar[i] = "█" if w["end"] < data["today"] else "▒" if w["start"] > data["today"] else "▓"
        if bar[now] == " ":
            bar[now] = "|"
        name = tables.fit(f"{w['id']} {w['title']}", label - 1)
        lines.append(f"{name:<{label}}{''.join(bar)}")
        marks = [" "] * span
        for m in w["milestones"]:
            marks[pos(m["due"])] = "✓" if m["done"] else "◆"
        if w["milestones"]:
            lines.append(f"{'':<{label}}{''.join(marks).rstrip()}")
    lines.append(f"{'':<{label}}{' ' * now}^ today {data['today']}")
    lines.append("█ done  ▓ under way  ▒ to come  ◆ milestone to come  ✓ milestone met")
    return "\n".join(lines)


# -- spreadsheets -----------------------------------------------------------------------
@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A CSV file (UTF-8) with a header row.")],
    quiet: Quiet = False,
) -> None:
    """Import tasks from a CSV file, all or nothing, as one change.

    Rows with an id update that task; rows without one become new tasks.

    Example: prosper-coop task import wp3-tasks.csv
    """
    from prosper_coop.tasks.csvio import import_csv

    out = output(quiet=quiet)
    result = import_csv(open_study(), file, today=clock.today())
    if result.commit is None:
        out.info(f"Nothing to change: all {result.unchanged} task(s) already match the file.")
        return
    out.success(
        f"Imported {file.name}: {len(result.added)} added, {len(result.updated)} updated, "
        f"{result.unchanged} unchanged (commit {result.commit[:8]})."
    )


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or json.")] = "csv",
    wp: WpOpt = None,
    to: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Export tasks as CSV (for spreadsheets) or JSON; import reads the CSV back.

    Example: prosper-coop task export --format csv -o tasks.csv
    """
    from prosper_coop.tasks.csvio import export_tasks

    text = export_tasks(open_study(), fmt, wp=wp)
    out = output(quiet=quiet)
    if to is None:
        out.data(text.rstrip("\n"))
        return
    from prosper_coop.core.fsutil import write_named_file

    write_named_file(to, text)
    out.success(f"Wrote {to}.")
