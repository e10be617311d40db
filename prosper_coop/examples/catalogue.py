"""The example studies there are, by name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prosper_coop.core.errors import InvalidInputError

if TYPE_CHECKING:
    from prosper_coop.examples.base import Example


def names() -> list[str]:
    """Names of the examples that can be built."""
    return ["prosper"]


def get(name: str) -> Example:
    """The example called ``name``."""
    if name == "prosper":
        from prosper_coop.examples import prosper

        return prosper.EXAMPLE
    raise InvalidInputError(
        f"there is no example called {name!r}", f"Examples: {', '.join(names())}."
    )
