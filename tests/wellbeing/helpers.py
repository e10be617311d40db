"""Helpers shared by the wellbeing tests (plain functions, no fixtures)."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from prosper_coop.core.study import Study

M = TypeVar("M", bound=BaseModel)


def add_person(
    study: Study, person_id: str, roles: list[str], recipient: str | None = None
) -> None:
    """Add a person record through a normal one-commit change."""
    from prosper_coop.core.models import Person

    with study.change("people", "add", person_id) as change:
        change.save(
            Person(id=person_id, alias=f"Test {person_id}", roles=roles, age_recipient=recipient)
        )


def set_recipient(study: Study, person_id: str, recipient: str | None) -> None:
    """Change a person's public key (as a hand edit committed by the tool)."""
    from prosper_coop.core.records import get

    with study.change("people", "set key", person_id) as change:
        person = study.load(get("person"), person_id)
        person.age_recipient = recipient
        change.save(person)


def recipient_of(study: Study, person_id: str) -> str:
    """A person's public key."""
    from prosper_coop.core.records import get

    value = study.load(get("person"), person_id).age_recipient
    assert value
    return str(value)


def read_as(study: Study, reader: str, rel: str, model: type[M]) -> M | None:
    """A sealed record as ``reader``'s key reads it (``None``: not encrypted to them)."""
    from prosper_coop.crypto.sealed import Keyring

    return Keyring(study, person=reader).read(study.root / rel, model)
