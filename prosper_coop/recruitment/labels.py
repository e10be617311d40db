"""Free-text names, kept consistent: participant groups, organisation types and regions.

A participant group is free text ("victim-survivors (focus groups)") but one group
is always written one way: the spelling it was first recorded with, spaces
collapsed. "Survivors  (Focus groups)" typed later is "survivors (focus groups)"
(:func:`key` compares them), so a participant counts towards the targets of their
group. Organisation types and regions ("North West") are kept the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from prosper_coop.core.errors import InvalidInputError

MAX_LABEL = 80


def _clean(value: str, what: str, example: str) -> str:
    """``value`` with its spaces collapsed, or a clear error when it cannot be a name."""
    text = " ".join(value.split())
    if not text:
        raise InvalidInputError(f"the {what} is empty", f"Give one, for example {example}.")
    if any(ord(char) < 32 or ord(char) == 127 or 0x80 <= ord(char) < 0xA0 for char in text):
        raise InvalidInputError(
            f"the {what} holds control characters", f"Use plain words, for example {example}."
        )
    if len(text) > MAX_LABEL:
        raise InvalidInputError(
            f"the {what} is too long (at most {MAX_LABEL} characters)",
            f"Use a short name, for example {example}.",
        )
    return text


GROUP_EXAMPLE = '"survivors (focus groups)"'


def key(value: str) -> str:
    """What two spellings of one name share: spaces collapsed, case folded."""
    return " ".join(value.split()).casefold()


def match_group(value: str, known: Iterable[str]) -> str:
    """The known group ``value`` means, else ``value`` (spaces collapsed) as a new group.

    The same group whatever its case and spacing first; else the one known group
    whose name holds what was typed ("survivors (focus groups)" for
    "victim-survivors (focus groups)"). When several do, a clear error lists them,
    so that a participant never silently lands in a group no target counts.
    """
    text = _clean(value, "participant group", GROUP_EXAMPLE)
    groups = sorted(set(known), key=key)
    same = [group for group in groups if key(group) == key(text)]
    if same:
        return same[0]
    holding = [group for group in groups if key(text) in key(group)]
    if len(holding) == 1:
        return holding[0]
    if holding:
        raise InvalidInputError(
            f"the group {text!r} could be any of: " + "; ".join(holding),
            "Give more of the group's name, in quotes, e.g. --group " + f'"{holding[0]}".',
        )
    return text


def match_label(value: str, known: Iterable[str], what: str, example: str) -> str:
    """An organisation type or region, spelt as it was first recorded when it is known."""
    text = _clean(value, what, example)
    return next((label for label in known if key(label) == key(text)), text)
