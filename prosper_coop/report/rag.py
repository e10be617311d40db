"""Red, amber and green: how the study report rates work packages and milestones.

A rating is never a colour alone: each has a word ("Red", "Amber", "Green"), a
short label ("off track", "at risk", "on track", "complete") and the reasons that
made it, in words. The rules are fixed here and printed in every report
(:data:`RULES`), so the steering group reads the same rules the tool applied.

Milestones
    - **Green**: met; or not yet due, with nothing in its work package blocked or overdue.
    - **Amber**: overdue by up to 30 days; or due within 30 days while its work
      package has blocked or overdue tasks.
    - **Red**: overdue by more than 30 days.

Work packages
    - **Red**: a milestone is red; or the end date has passed with milestones or
      tasks still open; or a recruitment target of the work package passed its date
      short of its number.
    - **Amber**: a milestone is amber; a task is blocked; a tenth or more of its
      open tasks are overdue; a recruitment target is behind its planned curve; or
      the share of tasks done trails the share of time gone by more than 25 points.
    - **Green** otherwise ("complete" once every milestone is met and every task done).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# Days a milestone may be overdue before it is red; and the look-ahead for amber.
LATE_DAYS = 30
SOON_DAYS = 30
# Amber when this share (or more) of a work package's open tasks is overdue.
OVERDUE_SHARE = 0.10
# Amber when the share of tasks done trails the share of time gone by more than this.
TRAILING_POINTS = 25

RULES: tuple[tuple[str, str, str], ...] = (
    (
        "Milestone",
        "Red",
        f"It is overdue by more than {LATE_DAYS} days.",
    ),
    (
        "Milestone",
        "Amber",
        f"It is overdue by up to {LATE_DAYS} days, or it is due within {SOON_DAYS} days "
        "while its work package has blocked or overdue tasks.",
    ),
    ("Milestone", "Green", "It is met, or not yet due with nothing in the way."),
    (
        "Work package",
        "Red",
        "A milestone is red; or its end date has passed with work still open; or a "
        "recruitment target passed its date short of its number.",
    ),
    (
        "Work package",
        "Amber",
        f"A milestone is amber; a task is blocked; {round(OVERDUE_SHARE * 100)}% or more of "
        "its open tasks are overdue; a recruitment target is behind its planned curve; or "
        f"the share of tasks done trails the share of time gone by more than "
        f"{TRAILING_POINTS} percentage points.",
    ),
    (
        "Work package",
        "Green",
        "None of the above. It is complete once every milestone is met and every task is done.",
    ),
)


class Rag(StrEnum):
    """A red, amber or green rating."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"


LABELS = {Rag.RED: "off track", Rag.AMBER: "at risk", Rag.GREEN: "on track"}
# A shape beside the word, so the rating is not carried by colour alone (and prints in grey).
SYMBOLS = {Rag.RED: "\u2716", Rag.AMBER: "\u25b2", Rag.GREEN: "\u2714"}


@dataclass(frozen=True)
class Rating:
    """A rating with its words and the reasons for it."""

    rag: Rag
    label: str
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain data for templates."""
        return {
            "rag": self.rag.value,
            "word": self.rag.value.capitalize(),
            "symbol": SYMBOLS[self.rag],
            "label": self.label,
            "reasons": list(self.reasons),
            "why": "; ".join(self.reasons),
        }


def _rating(rag: Rag, reasons: list[str], label: str | None = None) -> Rating:
    return Rating(rag, label or LABELS[rag], tuple(reasons))


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _days(count: int) -> str:
    return _count(count, "day")


@dataclass(frozen=True)
class MilestoneFacts:
    """What a milestone's rating depends on."""

    id: str
    title: str
    due: dt.date
    done: dt.date | None


@dataclass
class WorkPackageFacts:
    """What a work package's rating depends on (tasks are counted, not listed)."""

    id: str
    start: dt.date
    end: dt.date
    milestones: list[MilestoneFacts] = field(default_factory=list)
    tasks: int = 0
    done: int = 0
    blocked: int = 0
    overdue: int = 0
    targets_behind: list[str] = field(default_factory=list)  # labels of targets behind plan
    targets_missed: list[str] = field(default_factory=list)  # past their date, short of number


def rate_milestone(milestone: MilestoneFacts, wp: WorkPackageFacts, today: dt.date) -> Rating:
    """The rating of one milestone, with why (rules in the module docstring)."""
    if milestone.done is not None:
        late = (milestone.done - milestone.due).days
        when = f"met on {milestone.done.isoformat()}"
        reason = when + (f", {_days(late)} after its date" if late > 0 else "")
        return _rating(Rag.GREEN, [reason], "met")
    overdue = (today - milestone.due).days
    if overdue > LATE_DAYS:
        return _rating(Rag.RED, [f"overdue by {_days(overdue)} (due {milestone.due.isoformat()})"])
    if overdue > 0:
        return _rating(
            Rag.AMBER, [f"overdue by {_days(overdue)} (due {milestone.due.isoformat()})"]
        )
    away = -overdue
    if away <= SOON_DAYS and (wp.blocked or wp.overdue):
        return _rating(
            Rag.AMBER,
            [f"due in {_days(away)} while {wp.id} has {_in_the_way(wp)}"],
        )
    return _rating(Rag.GREEN, ["due today" if away == 0 else f"due in {_days(away)}"])


def _in_the_way(wp: WorkPackageFacts) -> str:
    parts = []
    if wp.blocked:
        parts.append(_count(wp.blocked, "blocked task"))
    if wp.overdue:
        parts.append(_count(wp.overdue, "overdue task"))
    return " and ".join(parts)


def rate_work_package(wp: WorkPackageFacts, milestones: list[Rating], today: dt.date) -> Rating:
    """The rating of a work package from its facts and its milestones' ratings."""
    open_tasks = wp.tasks - wp.done
    open_milestones = [m for m in wp.milestones if m.done is None]
    if not open_milestones and open_tasks == 0 and (wp.milestones or wp.tasks):
        return _rating(Rag.GREEN, ["every milestone met and every task done"], "complete")
    red: list[str] = []
    amber: list[str] = []
    for facts, rating in zip(wp.milestones, milestones, strict=True):
        if rating.rag is Rag.RED:
            red.append(f"milestone {facts.id} {rating.reasons[0]}")
        elif rating.rag is Rag.AMBER:
            amber.append(f"milestone {facts.id} {rating.reasons[0]}")
    if wp.end < today and (open_milestones or open_tasks):
        still = []
        if open_milestones:
            still.append(_count(len(open_milestones), "milestone") + " not met")
        if open_tasks:
            still.append(_count(open_tasks, "task") + " open")
        red.append(f"its end date {wp.end.isoformat()} has passed with " + " and ".join(still))
    red += [f"recruitment target {label} passed its date short of its number"
            for label in wp.targets_missed]  # fmt: skip
    if wp.blocked:
        amber.append(_count(wp.blocked, "task") + " blocked")
    if open_tasks and wp.overdue and wp.overdue >= OVERDUE_SHARE * open_tasks:
        amber.append(f"{wp.overdue} of {open_tasks} open tasks overdue")
    amber += [f"recruitment target {label} is behind its planned curve"
              for label in wp.targets_behind]  # fmt: skip
    gone = time_gone(wp.start, wp.end, today)
    if wp.tasks and today >= wp.start:
        done_share = wp.done / wp.tasks
        if (gone - done_share) * 100 > TRAILING_POINTS:
            amber.append(
                f"{round(done_share * 100)}% of tasks done with "
                f"{round(gone * 100)}% of the time gone"
            )
    if red:
        return _rating(Rag.RED, red)
    if amber:
        return _rating(Rag.AMBER, amber)
    if today < wp.start:
        return _rating(Rag.GREEN, [f"starts on {wp.start.isoformat()}"], "not started")
    return _rating(Rag.GREEN, ["nothing late, blocked or behind plan"])


def time_gone(start: dt.date, end: dt.date, today: dt.date) -> float:
    """The share of the time from ``start`` to ``end`` that has passed (0 to 1)."""
    if today <= start:
        return 0.0
    if today >= end:
        return 1.0
    return (today - start).days / max((end - start).days, 1)
