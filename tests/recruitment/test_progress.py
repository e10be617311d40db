"""The early-warning maths: planned curves, expected counts, time gone and "behind"."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prosper_coop.core.models import RecruitmentSettings
from prosper_coop.recruitment import progress
from prosper_coop.recruitment.models import CurvePoint, Participant, Survey, SurveyCount, Target

START = dt.date(2026, 1, 1)


def _target(count: int = 16, days: int = 280, curve: list[tuple[int, int]] | None = None) -> Target:
    return Target(
        id="RT1",
        wp="WP3",
        group="survivors (focus groups)",
        count=count,
        start=START,
        due=START + dt.timedelta(days=days),
        curve=[CurvePoint(date=START + dt.timedelta(days=d), count=c) for d, c in curve or []],
    )


def _recruited(count: int, group: str = "survivors (focus groups)") -> list[Participant]:
    return [
        Participant(id=f"P-{n:04d}", group=group, recruited=START + dt.timedelta(days=n))
        for n in range(1, count + 1)
    ]


def test_the_example_in_the_issue_is_behind_plan() -> None:
    """6 of 16 with 70% of the time gone: the even curve expects 11, 5 short is 31 points."""
    target = _target()
    today = START + dt.timedelta(days=196)
    found = progress.progress_of(target, _recruited(6), today, RecruitmentSettings())
    assert (found.recruited, found.percent, found.time_percent) == (6, 38, 70)
    assert found.expected_now == 11
    assert found.behind and found.state == progress.BEHIND
    assert found.planned == [(START, 0), (target.due, 16)]
    assert found.actual[0] == (START + dt.timedelta(days=1), 1)
    assert found.actual[-1] == (START + dt.timedelta(days=6), 6)


@pytest.mark.parametrize(
    ("recruited", "behind", "state"),
    [
        (11, False, progress.ON_PLAN),
        (12, False, progress.AHEAD),
        (8, False, progress.SLIGHTLY_BEHIND),  # 3 short of 11: 18.75 points, within 20
        (7, True, progress.BEHIND),  # 4 short: 25 points
        (16, False, progress.COMPLETE),
    ],
)
def test_the_margin_decides_behind(recruited: int, behind: bool, state: str) -> None:
    today = START + dt.timedelta(days=196)
    found = progress.progress_of(_target(), _recruited(recruited), today, RecruitmentSettings())
    assert (found.behind, found.state) == (behind, state)


def test_a_count_margin_replaces_the_points() -> None:
    today = START + dt.timedelta(days=196)
    by_count = RecruitmentSettings(behind_by_count=5)
    assert not progress.progress_of(_target(), _recruited(6), today, by_count).behind  # 5 short
    assert progress.progress_of(_target(), _recruited(5), today, by_count).behind  # 6 short


def test_a_given_curve_runs_straight_between_its_points() -> None:
    target = _target(count=24, days=280, curve=[(56, 6), (112, 12), (168, 18)])
    points = progress.planned_points(target)
    assert points[0] == (START, 0) and points[-1] == (target.due, 24)
    assert progress.expected_count(points, START + dt.timedelta(days=84)) == 9
    assert progress.expected_count(points, START + dt.timedelta(days=168)) == 18
    assert progress.expected_count(points, START + dt.timedelta(days=224)) == 21
    assert progress.expected_count(points, START - dt.timedelta(days=5)) == 0
    assert progress.expected_count(points, target.due + dt.timedelta(days=5)) == 24


def test_before_the_start_nothing_is_expected_and_nothing_is_behind() -> None:
    today = START - dt.timedelta(days=10)
    found = progress.progress_of(_target(), [], today, RecruitmentSettings())
    assert (found.expected_now, found.time_fraction, found.behind) == (0, 0.0, False)
    assert found.state == progress.NOT_STARTED


def test_only_participants_of_the_group_site_and_work_package_count() -> None:
    target = _target().model_copy(update={"site": "SITE2"})
    others = [
        Participant(id="P-0001", group="Survivors  (Focus groups)", site="SITE2", recruited=START),
        Participant(id="P-0002", group="survivors (focus groups)", site="SITE1", recruited=START),
        Participant(id="P-0003", group="survivors (interviews)", site="SITE2", recruited=START),
        Participant(
            id="P-0004", group="survivors (focus groups)", site="SITE2", wp="WP4", recruited=START
        ),
    ]
    found = progress.progress_of(target, others, START, RecruitmentSettings())
    assert found.recruited == 1


# -- properties -----------------------------------------------------------------------------
@st.composite
def targets(draw: st.DrawFn) -> Target:
    """A valid target with an even or a given (rising) curve."""
    count = draw(st.integers(1, 500))
    days = draw(st.integers(1, 2000))
    inner = sorted(draw(st.sets(st.integers(1, days), max_size=min(days, 8))))
    totals = sorted(draw(st.lists(st.integers(0, count), min_size=len(inner), max_size=len(inner))))
    curve = [
        (day, total if day != days else count) for day, total in zip(inner, totals, strict=True)
    ]
    return _target(count=count, days=days, curve=curve)


@settings(max_examples=150, deadline=None)
@given(target=targets(), first=st.integers(-100, 2200), later=st.integers(0, 2200))
def test_expected_now_never_falls_as_time_passes(target: Target, first: int, later: int) -> None:
    points = progress.planned_points(target)
    day = START + dt.timedelta(days=first)
    then = day + dt.timedelta(days=later)
    assert progress.expected_count(points, day) <= progress.expected_count(points, then)
    assert 0 <= progress.expected_count(points, day) <= target.count
    assert progress.time_fraction(target.start, target.due, day) <= progress.time_fraction(
        target.start, target.due, then
    )


@settings(max_examples=150, deadline=None)
@given(
    target=targets(),
    recruited=st.integers(0, 600),
    day=st.integers(-50, 2100),
    points=st.floats(0, 100, allow_nan=False),
    count_margin=st.one_of(st.none(), st.integers(0, 200)),
)
def test_behind_exactly_when_the_shortfall_passes_the_margin(
    target: Target, recruited: int, day: int, points: float, count_margin: int | None
) -> None:
    rules = RecruitmentSettings(behind_by_points=points, behind_by_count=count_margin)
    today = START + dt.timedelta(days=day)
    found = progress.progress_of(target, _recruited(recruited), today, rules)
    shortfall = found.expected_now - found.recruited
    allowed = count_margin if count_margin is not None else points * target.count / 100
    assert found.behind == (shortfall > allowed and found.recruited < target.count)
    assert found.behind == (found.state == progress.BEHIND)
    assert found.expected_now == progress.expected_count(found.planned, today)


def test_survey_progress_adds_counts_by_organisation_type_and_region() -> None:
    def count(day: int, n: int, org: str, region: str) -> SurveyCount:
        at = dt.datetime(2026, 3, day, 9, tzinfo=dt.UTC)
        return SurveyCount(
            id=secrets.token_hex(6),
            date=at.date(),
            count=n,
            org_type=org,
            region=region,
            by="CO-01",
            at=at,
        )

    survey = Survey(
        id="SV1",
        title="National survey",
        invitations=[
            count(1, 120, "commissioner", "North West"),
            count(1, 80, "provider", "London"),
        ],
        responses=[
            count(5, 10, "commissioner", "North West"),
            count(9, 4, "Commissioner", "north  west"),
            count(9, 20, "provider", "London"),
        ],
    )
    found = progress.progress_of_survey(survey)
    assert (found.invited, found.responded) == (200, 34)
    assert found.by_org_type == {"commissioner": (120, 14), "provider": (80, 20)}
    assert found.by_region == {"North West": (120, 14), "London": (80, 20)}
    assert found.over_time == [(dt.date(2026, 3, 5), 10), (dt.date(2026, 3, 9), 34)]
    assert found.rate == pytest.approx(0.17)
