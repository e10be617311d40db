"""The people whose records verify: roles and keys that count on every clone.

Readers of sensitive records and permission checks use these, never the person
files as they stand on disk (anyone can edit those by hand): a role someone gave
themself, or a key someone swapped in, does not count until the history shows a
person allowed to make that change signed it (:mod:`prosper_coop.trust.verify`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prosper_coop.core.models import Person
    from prosper_coop.core.study import Study
    from prosper_coop.trust.verify import Verified


def verified(study: Study) -> Verified:
    """The study's verified history (cached per study object for this command)."""
    from prosper_coop.trust.verify import verify

    head = study.repo.head_commit()
    cached = study.__dict__.get("_trust_verified")
    if cached is not None and cached.head == head:
        return cached  # type: ignore[no-any-return]
    result = verify(study)
    study.__dict__["_trust_verified"] = result
    return result


def trusted_people(study: Study) -> dict[str, Person]:
    """Every person record as verified from the study's signed history, by ID."""
    from prosper_coop.core.models import Person
    from prosper_coop.core.validation import validate_strictly

    checked = verified(study)
    cached = study.__dict__.get("_trust_people")
    if cached is not None and cached[0] == checked.head:
        return {pid: person.model_copy(deep=True) for pid, person in cached[1].items()}
    found: dict[str, Person] = {}
    for person_id, data in sorted(checked.state.people.items()):
        try:
            found[person_id] = validate_strictly(Person, data, f"people/{person_id}.yaml")
        except ValueError:  # pydantic's ValidationError: a record too broken to count
            continue
    study.__dict__["_trust_people"] = (checked.head, found)
    return {pid: person.model_copy(deep=True) for pid, person in found.items()}


def trusted_file(study: Study, rel_path: str) -> bytes | None:
    """A role-restricted file as the history verifies it (None when it has no verified version).

    For example ``wellbeing/recipients.yaml``: who reads what is taken from its
    verified version, so a hand edit cannot add a reader.
    """
    from prosper_coop.trust.verify import verified_bytes

    return verified_bytes(study, verified(study), rel_path)
