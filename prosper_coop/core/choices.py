"""Turning what someone typed into one of a fixed set of choices (a StrEnum)."""

from __future__ import annotations

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
