"""The red, amber and green rules, one by one, on dates around a fixed today."""

from __future__ import annotations

import datetime as dt

from prosper_coop.report.rag import (
    LATE_DAYS,
    MilestoneFacts,
    Rag,
    WorkPackageFacts,
    rate_milestone,
    rate_work_package,
    time_gone,
)

TODAY = dt.date(2026, 11, 26)


def _wp(**changes: object) -> WorkPackageFacts:
    facts = WorkPackageFacts(id="WP3", start=dt.date(2026, 1, 1), end=dt.date(2027, 6, 30))
    for name, value in changes.items():
        setattr(facts, name, value)
    return facts


def _rate(wp: WorkPackageFacts):
    return rate_work_package(wp, [rate_milestone(m, wp, TODAY) for m in wp.milestones], TODAY)


def _milestone(days_from_today: int, done: dt.date | None = None) -> MilestoneFacts:
    return MilestoneFacts("M1", "Fieldwork complete", TODAY + dt.timedelta(days_from_today), done)


def test_milestone_ratings_follow_the_rules() -> None:
    quiet = _wp()
    busy = _wp(blocked=1, overdue=2)
    late = rate_milestone(_milestone(-(LATE_DAYS + 1)), quiet, TODAY)
    assert (late.rag, late.label) == (Rag.RED, "off track")
    assert late.reasons == (f"overdue by {LATE_DAYS + 1} days (due 2026-10-26)",)
    assert rate_milestone(_milestone(-LATE_DAYS), quiet, TODAY).rag is Rag.AMBER
    assert rate_milestone(_milestone(-1), quiet, TODAY).reasons == (
        "overdue by 1 day (due 2026-11-25)",
    )
    # Due soon: green when nothing is in the way, amber when the work package has blocked work.
    assert rate_milestone(_milestone(10), quiet, TODAY).rag is Rag.GREEN
    soon = rate_milestone(_milestone(10), busy, TODAY)
    assert soon.rag is Rag.AMBER
    assert soon.reasons == ("due in 10 days while WP3 has 1 blocked task and 2 overdue tasks",)
    assert rate_milestone(_milestone(45), busy, TODAY).rag is Rag.GREEN
    met_late = rate_milestone(_milestone(-60, done=TODAY - dt.timedelta(50)), quiet, TODAY)
    assert (met_late.rag, met_late.label) == (Rag.GREEN, "met")
    assert met_late.reasons == ("met on 2026-10-07, 10 days after its date",)


def test_work_package_ratings_follow_the_rules() -> None:
    assert _rate(_wp(tasks=10, done=8)).rag is Rag.GREEN
    complete = _rate(_wp(tasks=3, done=3, milestones=[_milestone(-5, done=TODAY)]))
    assert (complete.rag, complete.label) == (Rag.GREEN, "complete")
    blocked = _rate(_wp(tasks=10, done=8, blocked=1))
    assert (blocked.rag, blocked.reasons) == (Rag.AMBER, ("1 task blocked",))
    # The share done trails the share of time gone by more than 25 points.
    trailing = _rate(_wp(tasks=10, done=2))
    assert trailing.rag is Rag.AMBER
    assert trailing.reasons == ("20% of tasks done with 60% of the time gone",)
    behind = _rate(_wp(tasks=10, done=8, targets_behind=["WP3 survivors"]))
    assert behind.reasons == ("recruitment target WP3 survivors is behind its planned curve",)
    missed = _rate(_wp(tasks=10, done=8, targets_missed=["WP3 staff"]))
    assert missed.rag is Rag.RED
    ended = _rate(_wp(end=TODAY - dt.timedelta(1), tasks=4, done=3))
    assert ended.rag is Rag.RED
    assert ended.reasons[0] == "its end date 2026-11-25 has passed with 1 task open"
    red_milestone = _rate(_wp(tasks=10, done=8, milestones=[_milestone(-40)]))
    assert red_milestone.rag is Rag.RED
    assert red_milestone.as_dict()["why"] == "milestone M1 overdue by 40 days (due 2026-10-17)"
    future = _rate(_wp(start=TODAY + dt.timedelta(30), tasks=3))
    assert (future.rag, future.label) == (Rag.GREEN, "not started")


def test_a_rating_is_never_colour_alone() -> None:
    shown = _rate(_wp(tasks=10, done=8, blocked=2)).as_dict()
    assert shown["word"] == "Amber" and shown["label"] == "at risk" and shown["symbol"]
    assert shown["why"] == "2 tasks blocked"


def test_time_gone() -> None:
    start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    assert time_gone(start, end, dt.date(2025, 12, 1)) == 0.0
    assert time_gone(start, end, dt.date(2027, 1, 1)) == 1.0
    assert 0.49 < time_gone(start, end, dt.date(2026, 7, 2)) < 0.51
