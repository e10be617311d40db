"""Fixed choices typed by people: forgiving on case and spacing, clear when wrong."""

from __future__ import annotations

import pytest

from prosper_coop.core.choices import parse_choice
from prosper_coop.core.errors import InvalidInputError
from prosper_coop.core.models import Role


def test_case_spaces_and_underscores_are_forgiven() -> None:
    assert parse_choice(Role, " Safeguarding Lead ", "no") is Role.SAFEGUARDING_LEAD
    assert parse_choice(Role, "wellbeing_lead", "no") is Role.WELLBEING_LEAD


def test_a_wrong_choice_lists_the_right_ones() -> None:
    with pytest.raises(InvalidInputError, match="there is no role 'chair'") as caught:
        parse_choice(Role, "chair", "there is no role 'chair'")
    assert caught.value.hint is not None
    assert "co-researcher" in caught.value.hint and "ppi-lead" in caught.value.hint
