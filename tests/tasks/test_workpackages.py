"""Work packages and milestones."""

from __future__ import annotations

import datetime as dt

import pytest

from prosper_coop.core.errors import ConflictError, InvalidInputError, NotFoundError
from prosper_coop.core.study import Study
from prosper_coop.tasks import workpackages as wps
from tests.helpers import git

TODAY = dt.date(2026, 11, 26)


def test_add_list_and_show(example_study: Study) -> None:
    result = wps.add_wp(
        example_study,
        "WP6",
        "Dissemination",
        start=dt.date(2027, 6, 1),
        end=dt.date(2027, 12, 31),
        lead="PPI-01",
        summary="Share what we found.",
    )
    assert result.wp.id == "WP6"
    assert git(example_study, "log", "-1", "--format=%s").strip() == (
        'wp: add WP6 "Dissemination" (WP6)'
    )
    assert [wp.id for wp in wps.load_work_packages(example_study)][-1] == "WP6"
    data = wps.show_wp(example_study, "WP3", today=TODAY)
    assert data["progress"]["tasks"] == 6
    assert [m["late"] for m in data["milestones"]] == [False, False, False]


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        (("WP3", dt.date(2027, 1, 1), dt.date(2027, 2, 1), None), ConflictError, "already exists"),
        (("WP7", dt.date(2027, 2, 1), dt.date(2027, 1, 1), None), InvalidInputError, "before"),
        (("WP7", dt.date(2027, 1, 1), dt.date(2027, 2, 1), "AC-99"), NotFoundError, "AC-99"),
        (("W7", dt.date(2027, 1, 1), dt.date(2027, 2, 1), None), InvalidInputError, "look right"),
    ],
)
def test_add_refuses_bad_input(example_study: Study, args: tuple, error: type, words: str) -> None:
    head = git(example_study, "rev-parse", "HEAD")
    wp_id, start, end, lead = args
    with pytest.raises(error, match=words):
        wps.add_wp(example_study, wp_id, "Title", start=start, end=end, lead=lead)
    assert git(example_study, "rev-parse", "HEAD") == head
    assert git(example_study, "status", "--porcelain") == ""


def test_edit_warns_about_tasks_outside_the_new_dates(example_study: Study) -> None:
    result = wps.edit_wp(example_study, "WP3", end=dt.date(2026, 12, 1))
    assert result.wp.end == dt.date(2026, 12, 1)
    assert result.warnings and "T-0014, T-0015" in result.warnings[0]
    with pytest.raises(InvalidInputError, match="before the start"):
        wps.edit_wp(example_study, "WP3", start=dt.date(2027, 1, 1))
    with pytest.raises(InvalidInputError, match="nothing to change"):
        wps.edit_wp(example_study, "WP3")
    with pytest.raises(NotFoundError, match="WP8 not found"):
        wps.edit_wp(example_study, "WP8", title="x")


def test_milestones(example_study: Study) -> None:
    result = wps.add_milestone(example_study, "WP3", "Site reports shared", due=dt.date(2027, 2, 1))
    assert result.milestone is not None and result.milestone.id == "M4"
    assert result.warnings == []
    with pytest.raises(ConflictError, match="already has a milestone M4"):
        wps.add_milestone(example_study, "WP3", "Again", due=dt.date(2027, 2, 1), milestone_id="M4")
    late = wps.add_milestone(example_study, "WP3", "Far away", due=dt.date(2030, 1, 1))
    assert late.warnings and "outside WP3" in late.warnings[0]
    met = wps.complete_milestone(example_study, "WP3", "M2", on=TODAY)
    assert met.milestone is not None and met.milestone.done == TODAY
    with pytest.raises(ConflictError, match="already met"):
        wps.complete_milestone(example_study, "WP3", "M2", on=TODAY)
    wps.complete_milestone(example_study, "WP3", "M2", on=TODAY, undo=True)
    with pytest.raises(NotFoundError, match="no milestone M9"):
        wps.complete_milestone(example_study, "WP3", "M9", on=TODAY)
