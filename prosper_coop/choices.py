"""Turning what someone typed into one of a fixed set of choices (a StrEnum)."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from prosper_coop.errors import InvalidInputError

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
