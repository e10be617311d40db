"""The study's timeline: work packages, milestones and due tasks.

:func:`timeline` gives plain data (the CLI draws it in the terminal);
:func:`mermaid_gantt` gives a Mermaid Gantt chart, which GitHub and GitLab render
inside Markdown files and issues.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from prosper_coop.tasks.index import TaskIndex

if TYPE_CHECKING:
    from prosper_coop.core.study import Study


def timeline(
    study: Study, *, today: dt.date, days: int = 30, wp: str | None = None
) -> dict[str, Any]:
    """Work packages with their dates and milestones, and open tasks due by today + ``days``.

    Overdue open tasks are included (they still need doing).
    """
    from prosper_coop.tasks.query import check_wp_exists
    from prosper_coop.tasks.workpackages import load_work_packages

    if wp is not None:
        check_wp_exists(study, wp)
    wps = [w for w in load_work_packages(study) if wp is None or w.id == wp]
    horizon = (today + dt.timedelta(days=days)).isoformat()
    today_iso = today.isoformat()
    due = [
        {
            "id": row.id,
            "wp": row.wp,
            "title": row.title,
            "owner": row.owner,
            "status": row.status,
            "due": row.due,
            "overdue": row.due is not None and row.due < today_iso,
        }
        for row in TaskIndex.load(study).rows
        if row.status != "done"
        and row.due is not None
        and row.due <= horizon
        and (wp is None or row.wp == wp)
    ]
    due.sort(key=lambda item: (item["due"], item["id"]))
    return {
        "today": today_iso,
        "until": horizon,
        "work_packages": [
            {
                "id": w.id,
                "title": w.title,
                "start": w.start.isoformat(),
                "end": w.end.isoformat(),
                "milestones": [
                    {
                        "id": m.id,
                        "title": m.title,
                        "due": m.due.isoformat(),
                        "done": m.done.isoformat() if m.done else None,
                        "late": m.done is None and m.due < today,
                    }
                    for m in w.milestones
                ],
            }
            for w in wps
        ],
        "due_tasks": due,
    }


_UNSAFE = re.compile(r"[:;#\n\r]+")


def _label(text: str) -> str:
    """Text safe inside a Mermaid Gantt line (no ``:``, ``;`` or ``#``)."""
    cleaned = _UNSAFE.sub(" ", text).replace("%%", "%")
    return " ".join(cleaned.split()) or "-"


def _mermaid_id(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def mermaid_gantt(
    study: Study,
    *,
    today: dt.date,
    wp: str | None = None,
    include_tasks: bool = True,
    open_only: bool = False,
) -> str:
    """A Mermaid ``gantt`` chart: a section per WP, its milestones and tasks with due dates.

    Done tasks are marked ``done``, tasks in progress ``active``, overdue ones ``crit``.
    """
    from prosper_coop.tasks.query import check_wp_exists
    from prosper_coop.tasks.workpackages import load_work_packages

    if wp is not None:
        check_wp_exists(study, wp)
    wps = [w for w in load_work_packages(study) if wp is None or w.id == wp]
    rows_by_wp: dict[str, list[Any]] = {}
    if include_tasks:
        for row in TaskIndex.load(study).rows:
            if row.due is None or (open_only and row.status == "done"):
                continue
            rows_by_wp.setdefault(row.wp, []).append(row)
    title = study.settings.short_title or study.settings.title
    lines = [
        "gantt",
        f"    title {_label(title)}",
        "    dateFormat YYYY-MM-DD",
        "    axisFormat %b %Y",
        "    todayMarker on",
    ]
    today_iso = today.isoformat()
    for w in wps:
        lines.append(f"    section {_label(w.id + ' ' + w.title)}")
        state = "done, " if w.end < today else ("active, " if w.start <= today else "")
        lines.append(
            f"    {_label(w.title)} :{state}{_mermaid_id(w.id)}, {w.start.isoformat()}, "
            f"{w.end.isoformat()}"
        )
        for m in w.milestones:
            tags = "milestone, " + ("done, " if m.done else ("crit, " if m.due < today else ""))
            lines.append(
                f"    {_label(m.title)} :{tags}{_mermaid_id(w.id + m.id)}, {m.due.isoformat()}, 0d"
            )
        for row in rows_by_wp.get(w.id, []):
            if row.status == "done":
                tag = "done, "
            elif row.due < today_iso:
                tag = "crit, "
            elif row.status == "doing":
                tag = "active, "
            else:
                tag = ""
            start = min(row.created, row.due)
            end = "1d" if start == row.due else row.due
            name = _label(f"{row.id} {row.title}")
            lines.append(f"    {name} :{tag}{_mermaid_id(row.id)}, {start}, {end}")
    return "\n".join(lines) + "\n"
