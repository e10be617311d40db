"""What an example study is: its settings and the sections that fill a new study."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt

    from prosper_coop.core.study import StudyContent


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
