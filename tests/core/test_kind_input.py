"""Kind input: IDs, numbers and yes/no as people type them, and never two IDs made one."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prosper_coop.core import ids
from prosper_coop.core.choices import NO_WORDS, YES_WORDS, whole_number, yes_or_no
from prosper_coop.core.errors import ExitCode, InvalidInputError
from prosper_coop.wellbeing.checkins import parse_rating, parse_yes_no
from prosper_coop.wellbeing.config import checkin_settings

ASCII = st.characters(codec="ascii")
FORMS = st.sampled_from(ids.ID_FORMS)
# What people type: letters, digits, separators and spaces, in any case.
TYPED = st.text(alphabet="TtRrFfWwPpCcIiAaSsMmHhNnOoUuVvEeXx0123456789- _", max_size=12)


def canonical(pattern: re.Pattern[str]) -> st.SearchStrategy[str]:
    """IDs in their stored form (ASCII digits: what the tool itself writes)."""
    return st.from_regex(pattern, fullmatch=True, alphabet=ASCII)


@pytest.mark.parametrize(
    ("form", "typed", "stored"),
    [
        (ids.TASK, "3", "T-0003"),
        (ids.TASK, "t-42", "T-0042"),
        (ids.TASK, " T42 ", "T-0042"),
        (ids.TASK, "T00001", "T-00001"),  # five digits stay five: T-00001 is its own ID
        (ids.REFLECTION, "1", "RF-0001"),
        (ids.REFLECTION, "rf 1", "RF-0001"),
        (ids.REFLECTION, "Rf-0012", "RF-0012"),
        (ids.WORK_PACKAGE, "wp2", "WP2"),
        (ids.WORK_PACKAGE, "WP 2", "WP2"),
        (ids.WORK_PACKAGE, "2", "WP2"),
        (ids.WORK_PACKAGE, "wp02", "WP02"),  # WP02 and WP2 are two IDs: kept apart
        (ids.MILESTONE, "m3", "M3"),
        (ids.ALERT, "4", "A-0004"),
        (ids.THEME, "th1", "TH1"),
        (ids.RECOMMENDATION, "r-7", "R-007"),
        (ids.RENDER, "out 3", "OUT-00003"),
        (ids.PARTICIPANT, "p-001", "P-001"),  # three digits are a participant ID as they are
        (ids.PARTICIPANT, "14", "P-0014"),
    ],
)
def test_ids_typed_as_people_say_them_become_the_stored_form(form, typed, stored) -> None:
    assert form.normal(typed) == stored
    assert form.check(typed) == stored


@pytest.mark.parametrize(
    ("form", "typed"),
    [
        (ids.TASK, "-14"),
        (ids.TASK, "task 14"),
        (ids.TASK, "RF-0001"),  # another kind's letters
        (ids.REFLECTION, "T-0001"),
        (ids.WORK_PACKAGE, "WP0002"),  # too many digits for a work package
        (ids.WORK_PACKAGE, "lots"),
        (ids.THEME, "T1"),
        (ids.TASK, "٣"),  # a digit from another script is not read as a number
    ],
)
def test_what_cannot_be_one_id_is_left_as_typed_and_refused(form, typed) -> None:
    assert form.normal(typed) == typed
    with pytest.raises(InvalidInputError, match="does not look right") as caught:
        form.check(typed)
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.hint is not None and form.example in caught.value.hint


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("cr-02", "CR-02"), ("cr2", "CR-02"), ("Cr 2", "CR-02"), ("ppi-01", "PPI-01"),
     ("CR-002", "CR-002"), ("cr-002", "CR-002")],
)  # fmt: skip
def test_person_ids_in_any_case(typed, stored) -> None:
    assert ids.person_id(typed) == stored


@pytest.mark.parametrize("typed", ["2", "none", "NONE", "someone", "C-2", "CR-0002"])
def test_what_is_not_a_person_id_is_left_as_typed(typed) -> None:
    """A number alone could be CR-02 or AC-02; 'none' means nobody (task assign)."""
    assert ids.person_id(typed) == typed


@settings(max_examples=300, deadline=None)
@given(form=FORMS, typed=TYPED | st.text(max_size=12))
def test_the_normaliser_is_idempotent(form, typed) -> None:
    once = form.normal(typed)
    assert form.normal(once) == once
    # What it gives is either a stored ID of this kind or exactly what was typed.
    assert once == typed or form.pattern.fullmatch(once)


@settings(max_examples=300, deadline=None)
@given(typed=TYPED | st.text(max_size=12))
def test_the_person_normaliser_is_idempotent(typed) -> None:
    once = ids.person_id(typed)
    assert ids.person_id(once) == once
    assert once == typed or ids.PERSON_ID.fullmatch(once)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), form=FORMS)
def test_a_stored_id_is_never_changed_nor_made_another(data, form) -> None:
    """Each stored ID is its own normal form, however it is cased or spaced, so no two
    different stored IDs can ever be made one."""
    first = data.draw(canonical(form.pattern))
    second = data.draw(canonical(form.pattern))
    assert form.normal(first) == first
    for typed in (first.lower(), f" {first} ", first.replace("-", " "), first.replace("-", "")):
        assert form.normal(typed) == first
    if first != second:
        assert form.normal(first.lower()) != form.normal(second.lower())


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_stored_person_id_is_never_changed_nor_made_another(data) -> None:
    first = data.draw(canonical(ids.PERSON_ID))
    second = data.draw(canonical(ids.PERSON_ID))
    assert ids.person_id(first) == first
    assert ids.person_id(first.lower()) == first
    if first != second:
        assert ids.person_id(first.lower()) != ids.person_id(second.lower())


@settings(max_examples=200, deadline=None)
@given(number=st.integers(min_value=-(10**8), max_value=10**8))
def test_whole_numbers_as_digits(number) -> None:
    assert whole_number(str(number)) == number
    assert whole_number(f"  {number} ") == number


@pytest.mark.parametrize(
    ("typed", "number"),
    [("three", 3), ("Three", 3), (" TEN ", 10), ("zero", 0), ("twenty", 20)],
)
def test_whole_numbers_as_words(typed, number) -> None:
    assert whole_number(typed) == number


@pytest.mark.parametrize("typed", ["lots", "3.5", "three and a half", "", "1_0", "²", "1e3"])
def test_what_is_not_a_whole_number(typed) -> None:
    assert whole_number(typed) is None


@pytest.mark.parametrize("typed", ["Yes", "y", "Y", "yeah", "Yep", "yes please", "YES."])
def test_yes_in_common_forms(typed) -> None:
    assert yes_or_no(typed) is True


@pytest.mark.parametrize("typed", ["no", "N", "nope", "Nah", "no thanks", "No!"])
def test_no_in_common_forms(typed) -> None:
    assert yes_or_no(typed) is False


@pytest.mark.parametrize("typed", ["maybe", "perhaps", "ok", "", "yes no", "not sure"])
def test_an_answer_that_could_be_either_is_neither(typed) -> None:
    assert yes_or_no(typed) is None


def test_yes_and_no_words_never_overlap() -> None:
    assert not YES_WORDS & NO_WORDS


@settings(max_examples=300, deadline=None)
@given(typed=st.text(max_size=15))
def test_any_text_is_yes_no_or_neither_and_only_from_the_lists(typed) -> None:
    answer = yes_or_no(typed)
    plain = " ".join(typed.strip().lower().rstrip(".!").split())
    assert answer is (True if plain in YES_WORDS else False if plain in NO_WORDS else None)


def test_a_checkin_rating_may_be_a_word(empty_study) -> None:
    scale = checkin_settings(empty_study.root)
    assert parse_rating("three", scale) == 3
    assert parse_rating("Ten", scale) == 10
    assert parse_rating(7, scale) == 7
    with pytest.raises(InvalidInputError, match="such as 3 or three") as caught:
        parse_rating("lots", scale)
    assert caught.value.hint is not None and "nobody has been told" in caught.value.hint
    with pytest.raises(InvalidInputError, match="from 0 to 10"):
        parse_rating("eleven", scale)


def test_a_checkin_yes_or_no_in_common_forms() -> None:
    assert parse_yes_no("Yeah") is True and parse_yes_no("nope") is False
    with pytest.raises(InvalidInputError, match="--contact should be yes or no"):
        parse_yes_no("perhaps")
    with pytest.raises(InvalidInputError, match="the answer should be yes or no") as caught:
        parse_yes_no("perhaps", "the answer")
    assert caught.value.hint == "Please answer yes or no."
