"""Helpers shared by the wellbeing tests (plain functions, no fixtures)."""

from __future__ import annotations

import subprocess

import pytest

from prosper_coop.core.study import Study
from tests.conftest import git


def act_as(monkeypatch: pytest.MonkeyPatch, person: str) -> None:
    """Run the next commands as ``person``."""
    from prosper_coop.crypto import keys

    keys.forget_unlocked()
    monkeypatch.setenv("PROSPER_COOP_AS", person)


def snapshot(study: Study) -> tuple[str, str]:
    """HEAD and ``git status --porcelain``: equal before and after means nothing changed."""
    return git(study, "rev-parse", "HEAD").strip(), git(study, "status", "--porcelain")


def all_objects(study: Study) -> bytes:
    """Every object in the repository (blobs, trees, commits), as raw bytes."""
    listing = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch"],
        cwd=study.root,
        check=True,
        capture_output=True,
        input=b"",
    )
    return listing.stdout


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
