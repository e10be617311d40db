"""What a ``status`` section sees: the study, today, and records loaded once for all.

Each feature writes its own sections (``SectionContext -> dict``); the ``status``
dashboard lists them. Sections return shared data only, never sensitive content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prosper_coop.core.study import Study


@dataclass
class SectionContext:
    """The study, today's date and who is looking, with records loaded once for all."""

    study: Study
    today: dt.date
    # The study ID of the person looking (``None``: nobody known); personal sections use it.
    viewer: str | None = None
    # Anything a feature computes once and shares between its own sections.
    memo: dict[str, Any] = field(default_factory=dict)
    _records: dict[str, list[Any]] = field(default_factory=dict, repr=False)

    def records(self, type_name: str) -> list[Any]:
        """Every record of one (shared) type, loaded on first use."""
        found = self._records.get(type_name)
        if found is None:
            from prosper_coop.core.records import get

            found = self._records[type_name] = list(self.study.load_all(get(type_name)))
        return found

    def loaded(self, type_name: str) -> list[Any] | None:
        """The records of a type if some section has loaded them already, else None."""
        return self._records.get(type_name)

    @property
    def people(self) -> list[Any]:
        """Every person record."""
        return self.records("person")


Section = Callable[[SectionContext], dict[str, Any]]
