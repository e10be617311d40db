"""The people whose records verify: roles and keys that count on every clone.

Readers of sensitive records and permission checks use these, never the person
files as they stand on disk (anyone can edit those by hand).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prosper_coop.core.models import Person
    from prosper_coop.core.study import Study


def trusted_people(study: Study) -> dict[str, Person]:
    """Every person record as verified from the study's signed history, by ID."""
    from prosper_coop.core.records import get

    # Placeholder until history verification lands (same change set): the records on disk.
    return {person.id: person for person in study.load_all(get("person"))}
