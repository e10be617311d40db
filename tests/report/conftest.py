"""Fixtures for the study report: recruitment progress of known shape and numbers.

``prosper_coop.recruitment.progress`` gives the report ``TargetProgress`` and
``SurveyProgress`` records; these make records of the same shape (WP3 behind its
planned curve, as in PROSPER) so the charts and sentences can be checked exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

D = dt.date


@dataclass(frozen=True)
class FakeTarget:
    """Shaped like ``prosper_coop.recruitment.progress.TargetProgress``."""

    target_id: str
    label: str
    wp: str
    group: str
    site: str | None
    target: int
    recruited: int
    start: dt.date
    due: dt.date
    planned: list[tuple[dt.date, int]]
    actual: list[tuple[dt.date, int]]
    expected_now: int
    time_fraction: float
    behind: bool
    site_name: str | None = None
    state: str = "on-plan"


@dataclass(frozen=True)
class FakeSurvey:
    """Shaped like ``prosper_coop.recruitment.progress.SurveyProgress``."""

    survey_id: str
    title: str
    invited: int
    responded: int
    by_org_type: dict[str, tuple[int, int]]
    by_region: dict[str, tuple[int, int]]
    over_time: list[tuple[dt.date, int]]
    round: int | None = None


def targets() -> list[FakeTarget]:
    """WP3's survivors behind plan at one site, WP1's commissioners reached, WP3's staff missed."""
    return [
        FakeTarget(
            "RT-01", "WP3 survivors (focus groups)", "WP3", "survivors (focus groups)",
            "Area A (North)", 16, 6, D(2026, 3, 1), D(2027, 3, 1),
            [(D(2026, 3, 1), 0), (D(2027, 3, 1), 16)],
            [(D(2026, 5, 1), 2), (D(2026, 8, 1), 4), (D(2026, 11, 1), 6)],
            11, 0.7, True,
        ),
        FakeTarget(
            "RT-02", "WP1 commissioners (interviews)", "WP1", "commissioners", None, 10, 10,
            D(2025, 6, 1), D(2025, 10, 1), [(D(2025, 6, 1), 0), (D(2025, 10, 1), 10)],
            [(D(2025, 7, 1), 5), (D(2025, 9, 1), 10)], 10, 1.0, False,
        ),
        FakeTarget(
            "RT-03", "WP3 service staff (interviews)", "WP3", "service staff", "Area B (South)",
            12, 7, D(2026, 4, 1), D(2026, 10, 31), [(D(2026, 4, 1), 0), (D(2026, 10, 31), 12)],
            [(D(2026, 6, 1), 3), (D(2026, 9, 1), 7)], 12, 1.0, True,
        ),
    ]  # fmt: skip


def surveys() -> list[FakeSurvey]:
    """Two national survey rounds."""
    return [
        FakeSurvey(
            "SV-01", "National survey, round 1", 120, 48,
            {"commissioner": (40, 12), "provider": (80, 36)},
            {"London": (60, 28), "North West": (60, 20)},
            [(D(2026, 1, 10), 10), (D(2026, 2, 1), 30), (D(2026, 3, 1), 48)],
        ),
        FakeSurvey(
            "SV-02", "National survey, round 2", 100, 20, {"provider": (100, 20)}, {},
            [(D(2026, 6, 1), 5), (D(2026, 7, 1), 20)],
        ),
    ]  # fmt: skip


@pytest.fixture
def fake_recruitment(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make the recruitment feature's progress answer with the given (or the default) data."""
    from prosper_coop.recruitment import progress

    def install(
        found_targets: list[Any] | None = None, found_surveys: list[Any] | None = None
    ) -> None:
        monkeypatch.setattr(
            progress,
            "target_progress",
            lambda _study, _today: targets() if found_targets is None else found_targets,
        )
        monkeypatch.setattr(
            progress,
            "survey_progress",
            lambda _study: surveys() if found_surveys is None else found_surveys,
        )

    return install


@pytest.fixture
def fake_targets() -> list[FakeTarget]:
    """Three targets: WP3 survivors behind plan, WP1 commissioners reached, WP3 staff missed."""
    return targets()


@pytest.fixture
def fake_surveys() -> list[FakeSurvey]:
    """Two national survey rounds."""
    return surveys()


@pytest.fixture
def make_target() -> Callable[..., FakeTarget]:
    """A target like the first one, with the given fields changed."""
    return lambda **changes: replace(targets()[0], **changes)


@pytest.fixture
def make_survey() -> Callable[..., FakeSurvey]:
    """A survey like the first one, with the given fields changed."""
    return lambda **changes: replace(surveys()[0], **changes)
