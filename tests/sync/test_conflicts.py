"""Settling recorded conflicts: field paths and values typed on the command line."""

from __future__ import annotations

import datetime as dt

import pytest

from prosper_coop.core.errors import InvalidInputError
from prosper_coop.sync.conflicts import parse_value, set_field


def test_set_field_plain_nested_and_by_id() -> None:
    data = {
        "status": "todo",
        "credit": {"style": "group"},
        "milestones": [{"id": "M1", "title": "Half way"}, {"id": "M2", "title": "End"}],
    }
    set_field(data, "status", "done")
    set_field(data, "credit.style", "initials")
    set_field(data, "milestones[M2].title", "Final report")
    assert data == {
        "status": "done",
        "credit": {"style": "initials"},
        "milestones": [{"id": "M1", "title": "Half way"}, {"id": "M2", "title": "Final report"}],
    }
    set_field(data, "milestones[M1]", None)  # an item removed on one side
    set_field(data, "credit", None)
    assert data == {"status": "done", "milestones": [{"id": "M2", "title": "Final report"}]}


def test_set_field_finds_a_checklist_tick_by_its_item() -> None:
    """A tick conflict (``ticks[consent]``) is settled by replacing that one tick."""
    mine = {"item": "consent", "by": "CR-01", "answer": True}
    theirs = {"item": "consent", "by": "CR-02", "answer": False}
    data = {"ticks": [{"item": "room", "by": "CO-01"}, mine]}
    set_field(data, "ticks[consent]", theirs)
    assert data == {"ticks": [{"item": "room", "by": "CO-01"}, theirs]}


def test_set_field_refuses_paths_that_do_not_fit() -> None:
    with pytest.raises(InvalidInputError):
        set_field({"status": "todo"}, "status.deep", "x")
    with pytest.raises(InvalidInputError):
        set_field({"tags": {"a": 1}}, "tags[x].y", "x")
    with pytest.raises(InvalidInputError):
        set_field({}, "", "x")


def test_values_typed_on_the_command_line_are_read_as_yaml() -> None:
    assert parse_value("2026-03-01") == dt.date(2026, 3, 1)
    assert parse_value("7") == 7
    assert parse_value("done") == "done"
    assert parse_value("[a, b]") == ["a", "b"]
    assert parse_value("a: [") == "a: ["  # not YAML: kept as typed


def test_conflict_warnings_show_plain_values_not_python_reprs(empty_study) -> None:
    """``doctor`` says 2027-04-02, never ``datetime.date(2027, 4, 2)``."""
    from prosper_coop import doctor
    from prosper_coop.core.models import Conflict
    from prosper_coop.core.records import get
    from prosper_coop.tasks.models import Task, WorkPackage

    with empty_study.change("task", "add", "T-0001") as change:
        change.save(WorkPackage(id="WP1", title="Interviews", start=dt.date(2026, 1, 1),
                                end=dt.date(2027, 12, 31)))  # fmt: skip
        change.save(
            Task(id="T-0001", wp="WP1", title="Draft", created=dt.date(2026, 11, 1),
                 due=dt.date(2027, 4, 2),
                 conflicts=[Conflict(field="due", mine=dt.date(2027, 4, 2), theirs=None,
                                     mine_by="CO-01", theirs_by="CR-02",
                                     at=dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC))])
        )  # fmt: skip
    assert empty_study.load(get("task"), "T-0001").conflicts
    (message,) = [p.message for p in doctor.check_study(empty_study) if p.field == "conflicts"]
    assert "datetime" not in message and "None" not in message
    assert message.startswith("due was changed on two computers (2027-04-02 by CO-01, ")


def test_taking_one_side_of_a_status_takes_its_done_date_too(empty_study) -> None:
    """``resolve T --take theirs --field status`` never leaves "doing" with a done date."""
    from prosper_coop.core.models import Conflict
    from prosper_coop.core.records import get
    from prosper_coop.sync.conflicts import resolve
    from prosper_coop.tasks.models import Task, WorkPackage

    at = dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC)
    clashes = [
        Conflict(field="status", mine="done", theirs="doing", at=at),
        Conflict(field="done_on", mine=dt.date(2027, 4, 2), theirs=None, at=at),
        Conflict(field="title", mine="Mine", theirs="Theirs", at=at),
    ]
    with empty_study.change("task", "add", "T-0001") as change:
        change.save(WorkPackage(id="WP1", title="Interviews", start=dt.date(2026, 1, 1),
                                end=dt.date(2027, 12, 31)))  # fmt: skip
        change.save(
            Task(id="T-0001", wp="WP1", title="Mine", created=dt.date(2026, 11, 1), status="done",
                 done_on=dt.date(2027, 4, 2), conflicts=clashes)
        )  # fmt: skip
    resolved = resolve(empty_study, "T-0001", "theirs", "status")
    assert resolved.fields == {"status": "doing", "done_on": None}
    assert resolved.remaining == 1  # the title is another matter
    task = empty_study.load(get("task"), "T-0001")
    assert (task.status, task.done_on, task.title) == ("doing", None, "Mine")
