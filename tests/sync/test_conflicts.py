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
