"""Work packages and their milestones: add, edit, show, list (one commit per change)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prosper_coop.core.errors import ConflictError, InvalidInputError, NotFoundError
from prosper_coop.tasks.index import TaskIndex
from prosper_coop.tasks.query import check_person_exists, check_wp_exists

if TYPE_CHECKING:
    from prosper_coop.core.study import Study
    from prosper_coop.tasks.models import Milestone, WorkPackage


@dataclass
class WpResult:
    """A work package after a change, the commit, and anything worth a warning."""

    wp: WorkPackage
    commit: str | None
    warnings: list[str] = field(default_factory=list)
    milestone: Milestone | None = None


def _rtype() -> Any:
    from prosper_coop.core.records import get

    return get("workpackage")


def load_work_packages(study: Study) -> list[WorkPackage]:
    """Every work package, in ID order (WP1, WP2, ... WP10)."""
    found: list[WorkPackage] = study.load_all(_rtype())
    return found


def load_wp(study: Study, wp_id: str) -> WorkPackage:
    """One work package (NotFoundError says how to list them)."""
    check_wp_exists(study, wp_id)
    wp: WorkPackage = study.load(_rtype(), wp_id)
    return wp


def _check_dates(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidInputError(
            f"the end date {end} is before the start date {start}",
            "Give an --end on or after the --start.",
        )


def _outside(study: Study, wp: WorkPackage) -> list[str]:
    """Warnings for tasks of ``wp`` due outside its dates."""
    rows = [r for r in TaskIndex.load(study).rows if r.wp == wp.id and r.due is not None]
    start, end = wp.start.isoformat(), wp.end.isoformat()
    outside = [r.id for r in rows if r.due is not None and not start <= r.due <= end]
    if not outside:
        return []
    shown = ", ".join(outside[:5]) + (f" and {len(outside) - 5} more" if len(outside) > 5 else "")
    return [f"{len(outside)} task(s) of {wp.id} are due outside {start} to {end}: {shown}"]


def add_wp(
    study: Study,
    wp_id: str,
    title: str,
    *,
    start: dt.date,
    end: dt.date,
    lead: str | None = None,
    summary: str = "",
) -> WpResult:
    """Add a work package; refuses a duplicate ID or an end before the start."""
    from pydantic import ValidationError as PydanticError

    from prosper_coop.core import ids
    from prosper_coop.tasks.models import WorkPackage

    rtype = _rtype()
    ids.check_pattern(wp_id, rtype.pattern, "work package ID", rtype.example)
    _check_dates(start, end)
    if lead is not None:
        check_person_exists(study, lead)
    try:
        wp = WorkPackage(id=wp_id, title=title, summary=summary, start=start, end=end, lead=lead)
    except PydanticError as exc:
        raise _invalid(exc) from None
    with study.change("wp", f'add {wp_id} "{wp.title}"', wp_id) as change:
        if study.exists(rtype, wp_id):
            raise ConflictError(
                f"work package {wp_id} already exists",
                f"Choose another ID, or change it with: prosper-coop wp edit {wp_id}",
            )
        change.save(wp, rtype)
    return WpResult(wp, change.sha)


def _invalid(exc: Any) -> InvalidInputError:
    first = exc.errors(include_url=False)[0]
    loc = ".".join(str(part) for part in first.get("loc", ())) or "value"
    return InvalidInputError(
        f"{loc}: {first.get('msg', 'invalid value')}", "Check the value given."
    )


def edit_wp(
    study: Study,
    wp_id: str,
    *,
    title: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    lead: str | None = None,
    summary: str | None = None,
) -> WpResult:
    """Change a work package's title, dates, lead or summary."""
    from pydantic import ValidationError as PydanticError

    from prosper_coop.tasks.models import WorkPackage

    if all(value is None for value in (title, start, end, lead, summary)):
        raise InvalidInputError(
            "nothing to change", "Give at least one of --title, --start, --end, --lead, --summary."
        )
    if lead is not None:
        check_person_exists(study, lead)
    check_wp_exists(study, wp_id)
    with study.change("wp", f"edit {wp_id}", wp_id) as change:
        wp = load_wp(study, wp_id)
        data = wp.model_dump()
        for key, value in (
            ("title", title),
            ("start", start),
            ("end", end),
            ("lead", lead),
            ("summary", summary),
        ):
            if value is not None:
                data[key] = value
        _check_dates(data["start"], data["end"])
        try:
            updated = WorkPackage.model_validate(data)
        except PydanticError as exc:
            raise _invalid(exc) from None
        if updated == wp:
            raise InvalidInputError(f"{wp_id} already has those values", "Nothing was changed.")
        change.save(updated, _rtype())
    return WpResult(updated, change.sha, _outside(study, updated))


def add_milestone(
    study: Study, wp_id: str, title: str, *, due: dt.date, milestone_id: str | None = None
) -> WpResult:
    """Add a milestone (``M1``, ``M2`` ... unless an ID is given) to a work package."""
    from pydantic import ValidationError as PydanticError

    from prosper_coop.tasks.models import Milestone

    check_wp_exists(study, wp_id)
    with study.change("wp", f'milestone {wp_id} "{title.strip()}"', wp_id) as change:
        wp = load_wp(study, wp_id)
        taken = {m.id for m in wp.milestones}
        if milestone_id is None:
            number = 1 + max((int(m.id[1:]) for m in wp.milestones), default=0)
            milestone_id = f"M{number}"
        if milestone_id in taken:
            raise ConflictError(
                f"{wp_id} already has a milestone {milestone_id}",
                "Choose another --id, or leave it out to number it automatically.",
            )
        try:
            milestone = Milestone(id=milestone_id, title=title, due=due)
        except PydanticError as exc:
            raise _invalid(exc) from None
        wp.milestones = sorted([*wp.milestones, milestone], key=lambda m: (m.due, m.id))
        change.save(wp, _rtype())
    warnings = []
    if not wp.start <= due <= wp.end:
        warnings.append(f"{milestone_id} is due {due}, outside {wp_id} ({wp.start} to {wp.end})")
    return WpResult(wp, change.sha, warnings, milestone)


def complete_milestone(
    study: Study, wp_id: str, milestone_id: str, *, on: dt.date, undo: bool = False
) -> WpResult:
    """Mark a milestone as met on ``on`` (or, with ``undo``, as not met)."""
    check_wp_exists(study, wp_id)
    what = "reopen" if undo else "met"
    with study.change("wp", f"milestone {what} {wp_id} {milestone_id}", wp_id) as change:
        wp = load_wp(study, wp_id)
        match = next((m for m in wp.milestones if m.id == milestone_id), None)
        if match is None:
            known = ", ".join(m.id for m in wp.milestones) or "none yet"
            raise NotFoundError(
                f"{wp_id} has no milestone {milestone_id}",
                f"Its milestones: {known}. See them with: prosper-coop wp show {wp_id}",
            )
        if undo and match.done is None:
            raise ConflictError(
                f"{milestone_id} of {wp_id} is not marked as met", "Nothing to undo."
            )
        if not undo and match.done is not None:
            raise ConflictError(
                f"{milestone_id} of {wp_id} was already met on {match.done}",
                f"To undo it: prosper-coop wp milestone done {wp_id} {milestone_id} --undo",
            )
        match.done = None if undo else on
        change.save(wp, _rtype())
    return WpResult(wp, change.sha, [], match)


def show_wp(study: Study, wp_id: str, *, today: dt.date) -> dict[str, Any]:
    """A work package with its milestones and task counts, as plain data."""
    wp = load_wp(study, wp_id)
    stats = next((p for p in progress(study, today=today) if p["id"] == wp_id), {})
    data: dict[str, Any] = wp.model_dump(mode="json")
    data["progress"] = {
        key: stats.get(key, 0)
        for key in ("tasks", "todo", "doing", "blocked", "done", "overdue", "percent")
    }
    for milestone in data["milestones"]:
        milestone["late"] = milestone["done"] is None and milestone["due"] < today.isoformat()
    return data


def progress(
    study: Study, *, today: dt.date, index: TaskIndex | None = None
) -> list[dict[str, Any]]:
    """Per-WP progress: counts by status, percent done, overdue, and the next milestone."""
    index = index or TaskIndex.load(study)
    today_iso = today.isoformat()
    counts: dict[str, Counter[str]] = {}
    overdue: Counter[str] = Counter()
    for row in index.rows:
        counts.setdefault(row.wp, Counter())[row.status] += 1
        if row.status != "done" and row.due is not None and row.due < today_iso:
            overdue[row.wp] += 1
    result = []
    for wp in load_work_packages(study):
        tally = counts.get(wp.id, Counter())
        total = sum(tally.values())
        done = tally.get("done", 0)
        upcoming = sorted((m for m in wp.milestones if not m.done), key=lambda m: m.due)
        next_milestone = upcoming[0] if upcoming else None
        result.append(
            {
                "id": wp.id,
                "title": wp.title,
                "start": wp.start.isoformat(),
                "end": wp.end.isoformat(),
                "lead": wp.lead,
                "tasks": total,
                "todo": tally.get("todo", 0),
                "doing": tally.get("doing", 0),
                "blocked": tally.get("blocked", 0),
                "done": done,
                "overdue": overdue.get(wp.id, 0),
                "percent": round(100 * done / total) if total else 0,
                "milestones_done": sum(1 for m in wp.milestones if m.done),
                "milestones": len(wp.milestones),
                "next_milestone": None
                if next_milestone is None
                else {
                    "id": next_milestone.id,
                    "title": next_milestone.title,
                    "due": next_milestone.due.isoformat(),
                    "late": next_milestone.due < today,
                },
            }
        )
    return result
