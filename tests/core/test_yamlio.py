"""YAML reading is safe and precise; writing is canonical."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prosper_coop.core import yamlio
from prosper_coop.core.errors import ValidationError

BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_malformed_yaml_names_the_line() -> None:
    with pytest.raises(ValidationError) as caught:
        yamlio.loads("id: T-0001\ntitle: [unclosed\nstatus: todo\n", "tasks/00/T-0001.yaml")
    error = caught.value
    assert error.file == "tasks/00/T-0001.yaml"
    assert error.line in (2, 3, 4)
    assert "not valid YAML" in error.message


def test_alias_bomb_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(ValidationError) as caught:
        yamlio.loads(BOMB, "people/CR-01.yaml")
    assert time.perf_counter() - started < 1.0
    assert "anchors and aliases" in caught.value.message
    assert caught.value.line == 1


def test_ampersand_in_plain_text_is_fine() -> None:
    assert yamlio.loads("title: Rape Crisis England & Wales *24/7*\n", "x") == {
        "title": "Rape Crisis England & Wales *24/7*"
    }


def test_oversized_file_is_refused() -> None:
    with pytest.raises(ValidationError, match="too large"):
        yamlio.loads("a: " + "x" * (yamlio.MAX_RECORD_BYTES + 1), "x")


def test_non_utf8_is_refused() -> None:
    with pytest.raises(ValidationError, match="not UTF-8"):
        yamlio.decode("title: caf\u00e9".encode("latin-1"), "x.yaml")


def test_line_of_finds_nested_values() -> None:
    text = "id: WP1\nmilestones:\n  - id: M1\n    due: soon\n"
    assert yamlio.line_of(text, ("milestones", 0, "due")) == 4
    assert yamlio.line_of(text, ("id",)) == 1


def test_canonical_form_is_block_style_with_literal_text() -> None:
    text = yamlio.dumps(
        {"id": "T-0001", "due": dt.date(2026, 3, 1), "note": "one\ntwo\n", "tags": ["a", "b"]}
    )
    assert text == "id: T-0001\ndue: 2026-03-01\nnote: |\n  one\n  two\ntags:\n- a\n- b\n"


@settings(deadline=None, max_examples=150)
@given(
    st.dictionaries(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12),
        st.one_of(
            st.text(max_size=80),
            st.integers(),
            st.booleans(),
            st.dates(),
            st.lists(st.text(max_size=20), max_size=4),
        ),
        max_size=6,
    )
)
def test_dump_then_load_round_trips(data: dict[str, object]) -> None:
    assert yamlio.loads(yamlio.dumps(data), "x") == data


def test_shared_values_are_written_in_full_not_as_aliases() -> None:
    day = dt.date(2026, 3, 1)
    text = yamlio.dumps({"due": day, "done_on": day, "tags": ["a"], "more": ["a"]})
    assert "&" not in text and "*" not in text
    assert yamlio.loads(text, "x")["done_on"] == day


def test_an_impossible_date_names_field_and_line() -> None:
    with pytest.raises(ValidationError) as caught:
        yamlio.loads("id: T-0001\ntitle: Pilot\ndue: 2027-02-30\n", "tasks/00/T-0001.yaml")
    assert caught.value.line == 3
    assert caught.value.message.startswith("due: 2027-02-30 is not a real date")
