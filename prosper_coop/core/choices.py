"""Turning what someone typed into one of a fixed set of choices (a StrEnum), a whole
number (``3`` or ``three``) or a yes or no (``Yes``, ``nope``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

from prosper_coop.core.errors import InvalidInputError

E = TypeVar("E", bound=StrEnum)


def parse_choice(kind: type[E], value: str, problem: str) -> E:
    """``value`` as a member of ``kind`` (case, spaces and ``_`` forgiven).

    Otherwise an :class:`InvalidInputError` saying ``problem`` and listing the choices.
    """
    cleaned = value.strip().lower().replace(" ", "-").replace("_", "-")
    try:
        return kind(cleaned)
    except ValueError:
        raise InvalidInputError(
            problem, "Choose one of: " + ", ".join(str(choice) for choice in kind) + "."
        ) from None


def split_list(values: Iterable[str], *, also: str = "") -> list[str]:
    """Items typed as ``a,b`` (options may be repeated): stripped, each once, in order.

    Empty items are dropped. ``also`` names more separators (``"; "`` for IDs and
    tags, which never hold spaces).
    """
    found: list[str] = []
    for value in values:
        for separator in also:
            value = value.replace(separator, ",")
        for part in value.split(","):
            item = part.strip()
            if item and item not in found:
                found.append(item)
    return found


# -- numbers and yes/no, as people say them --------------------------------------------------
_NUMBERS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)  # fmt: skip
NUMBER_WORDS: dict[str, int] = {word: number for number, word in enumerate(_NUMBERS)}
YES_WORDS = frozenset({"yes", "y", "yeah", "yep", "yes please", "true", "1"})
NO_WORDS = frozenset({"no", "n", "nope", "nah", "no thanks", "no thank you", "false", "0"})
_WHOLE_NUMBER = re.compile(r"[+-]?\d{1,9}", re.ASCII)


def whole_number(value: str) -> int | None:
    """A whole number typed as digits or as a word (``3``, ``three``, ``Three``), else None."""
    text = " ".join(value.strip().lower().split())
    if _WHOLE_NUMBER.fullmatch(text):
        return int(text)
    return NUMBER_WORDS.get(text)


def yes_or_no(value: str) -> bool | None:
    """``True`` for yes (``Yes``, ``y``, ``yeah``), ``False`` for no (``N``, ``nope``), else None.

    Only answers that cannot be read the other way count: ``maybe`` is neither.
    """
    text = " ".join(value.strip().lower().rstrip(".!").split())
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    return None
