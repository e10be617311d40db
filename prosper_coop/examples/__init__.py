"""Example studies that ``prosper-coop init --example NAME`` can build."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prosper_coop.core.errors import InvalidInputError

if TYPE_CHECKING:
    import datetime as dt

    from prosper_coop.workspace import StudyContent


@dataclass(frozen=True)
class Example:
    """An example study: its settings and the sections that fill it."""

    name: str
    settings: Callable[[dt.date], dict[str, Any]]
    sections: tuple[Callable[[StudyContent], None], ...]

    def build(self, content: StudyContent) -> None:
        """Fill ``content`` by running every section in order."""
        for section in self.sections:
            section(content)


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
