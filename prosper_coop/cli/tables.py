"""Rendering domain results for people (tables, bars). Scripts use --json instead."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from prosper_coop.cli import people_tables, recruitment_tables, status_tables
from prosper_coop.cli.terminal import Terminal, visible

if TYPE_CHECKING:
    from prosper_coop.tasks.index import TaskRow
    from prosper_coop.tasks.query import Listing


def progress_bar(percent: int, width: int = 10) -> str:
    """A plain text bar, readable without colour: ``[###-------]``."""
    filled = round(width * percent / 100)
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def _study(out: Terminal, data: dict[str, Any]) -> None:
    from rich.text import Text

    title = data["short_title"] or data["title"]
    heading = Text(title, style="bold")
    heading.append(f"   today {data['today']}", style="dim")
    out.render(heading)
    tasks = data["tasks_by_status"]
    counts = ", ".join(f"{tasks.get(s, 0)} {s}" for s in ("todo", "doing", "blocked", "done"))
    out.render(f"People: {data['people_active']} active.  Tasks: {counts}.")


def _history(out: Terminal, data: dict[str, Any]) -> None:
    count = data.get("unverified", 0)
    if not count:
        return
    out.render(
        f"Check the history: {count} change(s) are not signed by someone allowed to make "
        "them, so they do not count (no role, reader or key comes from them):"
    )
    for line in data.get("first", []):
        out.render(f"  {visible(line, newlines=False)}")
    out.render("  See them all with: prosper-coop doctor")


def _readiness(out: Terminal, data: dict[str, Any]) -> None:
    """What the study still needs before it is safe to run (nothing when all is well)."""
    from rich.table import Table

    if not data["needs"]:
        return
    out.render("What this study still needs before it is safe to run:")
    grid = Table.grid(padding=(0, 1))  # wrapped lines stay indented under their item
    grid.add_column(no_wrap=True)
    grid.add_column()
    for need in data["needs"]:
        where = f" ({need['file']}:{need['line']})" if need["file"] and need["line"] else ""
        grid.add_row("-", visible(f"{need['message']}{where}\n{need['hint']}"))
    out.render(grid)
    out.render("")


MAX_ROWS = 12


def _more(out: Terminal, items: list[Any], command: str) -> None:
    if len(items) > MAX_ROWS:
        out.render(f"... and {len(items) - MAX_ROWS} more: {command}")


def _tasks(out: Terminal, data: dict[str, Any]) -> None:
    def rows(items: list[dict[str, Any]], late: bool = False) -> list[list[Any]]:
        return [
            [
                t["id"],
                t["title"],
                t["wp"],
                t["owner"] or "-",
                t["due"],
                (f"{t['days_late']} day" + ("s" if t["days_late"] != 1 else ""))
                if late
                else t["status"],
            ]
            for t in items[:MAX_ROWS]
        ]

    out.render("")
    overdue, this_week, blocked = data["overdue"], data["due_this_week"], data["blocked"]
    out.table(
        ["Task", "Title", "WP", "Owner", "Due", "Past its date"],
        rows(overdue, True),
        title=f"Past their date ({len(overdue)})",
        empty="No open task is past its date.",
    )
    _more(out, overdue, "prosper-coop task list --overdue")
    if overdue:
        out.render("Dates can move: an owner may like more time or some help.")
    out.table(
        ["Task", "Title", "WP", "Owner", "Due", "Status"],
        rows(this_week),
        title=f"Due in the next 7 days ({len(this_week)})",
        empty="Nothing is due in the next 7 days.",
    )
    _more(out, this_week, "prosper-coop task list --due-before +7")
    if blocked:
        out.table(
            ["Task", "Title", "Owner", "Reason"],
            [[t["id"], t["title"], t["owner"] or "-", t["reason"]] for t in blocked[:MAX_ROWS]],
            title=f"Blocked ({len(blocked)})",
        )
        _more(out, blocked, "prosper-coop task list --status blocked")
    waiting = data.get("waiting_on_dependencies", 0)
    if waiting:
        out.render(
            f"{waiting} open task(s) are waiting on tasks that are not done yet "
            "(see: prosper-coop task list --waiting)."
        )


def _progress(out: Terminal, data: dict[str, Any]) -> None:
    rows = []
    for wp in data["work_packages"]:
        milestone = wp["next_milestone"]
        next_text = (
            "all milestones met"
            if milestone is None
            else (
                f"{milestone['title']} ({milestone['due']}"
                f"{', date passed' if milestone['late'] else ''})"
            )
        )
        rows.append(
            [
                wp["id"],
                wp["title"],
                f"{progress_bar(wp['percent'])} {wp['percent']}%",
                f"{wp['done']}/{wp['tasks']}",
                next_text,
            ]
        )
    out.table(
        ["WP", "Title", "Progress", "Done", "Next milestone"],
        rows,
        title="Work packages",
        empty="No work packages yet.",
    )


def _incidents_waiting(out: Terminal, data: dict[str, Any]) -> None:
    """Each incident no safeguarding lead can read yet, with what to do next."""
    from prosper_coop.crypto.sealed import ROLE_WORDS

    holders: dict[str, list[str]] = data.get("holders", {})
    with_key = set(data.get("with_key", []))

    def who(token: str) -> str:
        if token == "facilitator":
            return "the facilitators of its session"
        if token == "recorder":
            return "the person who recorded it"
        ids = holders.get(token, [])
        words = ROLE_WORDS.get(token, (token, token))[1 if len(ids) > 1 else 0]
        return f"{words} ({', '.join(ids)})" if ids else words

    for item in data["incidents"]:
        kept = [who(token) for token in item["stored_for"]]
        kept_words = ", ".join(kept[:-1]) + " and " + kept[-1] if len(kept) > 1 else "".join(kept)
        role = (item["waiting_for"] or ["safeguarding-lead"])[0]
        lead = ROLE_WORDS.get(role, (role, role))[0]
        leads = holders.get(role, [])
        if not leads:
            why = f"the study has no {lead.removeprefix('the ')} yet"
            then = (
                f"Add one (prosper-coop people add --role {role}); when they have joined, "
                "run: prosper-coop keys rekey incident"
            )
        elif not with_key.intersection(leads):
            why = f"{lead} ({', '.join(leads)}) has no key yet"
            then = "When they have joined, run: prosper-coop keys rekey incident"
        else:
            why = f"{lead} ({', '.join(leads)}) has joined since"
            then = "Share it now: someone who can read it runs: prosper-coop keys rekey incident"
        out.render(f"Incident {item['id']} is stored for {kept_words} only: {why}. {then}")
    if data["incidents"]:
        out.render("")


def _wellbeing(out: Terminal, data: dict[str, Any]) -> None:
    # Only alerts the viewer's key reads are counted: a lead's all, anyone else's own.
    scope = data.get("scope", "none")
    count = data["open_alerts"]
    if scope == "none":
        return
    ages = ", ".join(f"{age} d" for age in data["open_alert_ages_days"])
    if scope == "own":
        if count:
            out.render(
                f"Wellbeing: you have {count} open alert(s), open for {ages}; the wellbeing "
                "lead will be in touch. See them with: prosper-coop wellbeing alerts"
            )
        return
    if not count:
        out.render("Wellbeing: no open alerts.")
        return
    out.render(
        f"Wellbeing: {count} open alert(s), open for {ages}. "
        "See them with: prosper-coop wellbeing alerts --open"
    )


def _outputs(out: Terminal, data: dict[str, Any]) -> None:
    if not (data["themes"] or data["recommendations"] or data["involvement_hours"]):
        return
    out.render(
        f"Findings: {data['themes']} themes, {data['recommendations']} recommendations. "
        f"Involvement: {data['involvement_hours']:g} hours from "
        f"{data['involvement_people']} people."
    )
    out.table(
        ["Output", "Render", "On", "Readability"],
        [
            [r["template"], r["id"], r["rendered_on"], "limits met" if r["readable"] else "check"]
            for r in data["latest_renders"]
        ],
        title="Latest outputs",
        empty="No outputs rendered yet (prosper-coop render lay-summary).",
    )


def _conflicts(out: Terminal, data: dict[str, Any]) -> None:
    rows = [
        [
            c["id"],
            c["field"],
            f"{c['mine']} ({c['mine_by'] or '?'})",
            f"{c['theirs']} ({c['theirs_by'] or '?'})",
        ]
        for c in data["records"]
    ]
    if rows:
        out.table(
            ["Record", "Field", "Mine (by)", "Theirs (by)"],
            rows,
            title=f"Changed on two computers ({len(rows)}): choose with prosper-coop resolve",
        )
    for path in data["kept_beside"]:
        out.render(f"Two versions kept side by side (compare, keep one): {path}")


RENDERERS: dict[str, Callable[[Terminal, dict[str, Any]], None]] = {
    "readiness": _readiness,
    "study": _study,
    "history": _history,
    "tasks": _tasks,
    "progress": _progress,
    "incidents_waiting": _incidents_waiting,
    "wellbeing": _wellbeing,
    "outputs": _outputs,
    "conflicts": _conflicts,
}
RENDERERS.update(people_tables.RENDERERS)
RENDERERS.update(status_tables.RENDERERS)
RENDERERS.update(recruitment_tables.RENDERERS)


def dashboard(out: Terminal, data: dict[str, Any]) -> None:
    """Render every dashboard section that has a renderer, in order."""
    for name, section in data.items():
        renderer = RENDERERS.get(name)
        if renderer is not None:
            renderer(out, section)


# -- task listings (plain and fast: no rich for a plain list) ---------------------------
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
    """``text`` on one line (control characters made visible), shortened with an
    ellipsis to at most ``width`` characters."""
    text = visible(text, newlines=False)
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
        cells.append(
            tuple(
                visible(cell, newlines=False)
                for cell in (row.id, row.wp, status, row.owner or "-", due, row.title)
            )
        )
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
    out: Terminal, listing: Listing, as_json: bool, empty: str, *, own: bool = False
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
    late = "(date passed)"  # said gently for everyone
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
