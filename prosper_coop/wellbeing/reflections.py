"""Reflections: free text, private by default, shareable with the analysis team."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prosper_coop.core.errors import InvalidInputError
from prosper_coop.core.study import Study
from prosper_coop.crypto.sealed import Keyring, Readers

MAX_CHARS = 100_000


def reflection_readers(study: Study, *, shared: bool, owner: str | None = None) -> Readers:
    """Who could read a reflection by ``owner`` (default: the acting person)."""
    from prosper_coop.crypto.sealed import readers_for

    kind = "reflection-shared" if shared else "reflection-private"
    return readers_for(study, kind, owner or study.actor())


@dataclass(frozen=True)
class Saved:
    """A reflection that was stored."""

    id: str
    readers: Readers


def add_reflection(
    study: Study,
    text: str,
    *,
    shared: bool = False,
    wp: str | None = None,
    session: str | None = None,
    tags: list[str] | None = None,
) -> Saved:
    """Encrypt and commit a reflection by the acting person."""
    from pydantic import ValidationError as PydanticError

    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.models import Reflection

    if not text.strip():
        raise InvalidInputError(
            "your reflection is empty, so there was nothing to save",
            "Write something in your editor, pipe it in, or leave it for another time.",
        )
    if len(text) > MAX_CHARS:
        raise InvalidInputError(
            f"your reflection is very long ({len(text)} characters; the limit is {MAX_CHARS})",
            "Split it into two reflections. Nothing was saved.",
        )
    if wp is not None:
        study.load(get("workpackage"), wp)  # must exist
    reflections = get("reflection")
    with study.change("wellbeing", "reflection") as change:
        actor = change.author or study.actor()
        readers = reflection_readers(study, shared=shared, owner=actor)
        if not readers.recipients or readers.owner_without_key:
            from prosper_coop.core.errors import KeyProblemError

            raise KeyProblemError(
                "you need a key before you can save reflections, so that only the people "
                "you choose can read them",
                "Set one up with: prosper-coop keys init (it takes a moment). Nothing was saved.",
            )
        record_id = study.next_id(reflections)
        try:
            record = Reflection(
                id=record_id,
                person=actor,
                at=study.now(),
                shared=shared,
                wp=wp,
                session=session,
                tags=tags or [],
                text=text,
            )
        except PydanticError as exc:
            problem = exc.errors(include_url=False)[0]
            field = ".".join(str(p) for p in problem.get("loc", ())) or "reflection"
            raise InvalidInputError(
                f"{field}: {problem.get('msg', 'not valid')}",
                "Tags use lower-case letters, digits and '-'; sessions are IDs like S-0003.",
            ) from None
        sealed.write(change, reflections, record, readers)
        change.record_ids = [record_id]
    return Saved(record_id, readers)


@dataclass(frozen=True)
class ReflectionList:
    """The reflections the acting person can read, and how many of their own they cannot."""

    readable: list[Any]
    unreadable_own: int


def list_reflections(study: Study, keyring: Keyring, *, mine: bool = False) -> ReflectionList:
    """Reflections your key can read (your own and those shared with you), newest first."""
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.models import Reflection

    rtype = get("reflection")
    keyring.identity()
    actor = keyring.person
    readable = []
    unreadable_own = 0
    for path in sealed.files_of(study, rtype, actor if mine else None):
        record = keyring.read(path, Reflection)
        if record is None:
            unreadable_own += sealed.owner_of(rtype, path) == actor
            continue
        readable.append(record)
    readable.sort(key=lambda r: (r.at, r.id), reverse=True)
    return ReflectionList(readable, unreadable_own)


def show_reflection(study: Study, keyring: Keyring, reflection_id: str) -> Any:
    """One reflection, decrypted (a clear error if your key cannot read it).

    Two people may each have a reflection with this ID (written on two computers
    before a sync): yours is looked at first, then the first one your key opens.
    """
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.models import Reflection

    rtype = get("reflection")
    # find() raises the usual "not found" error when there is none at all.
    paths = sealed.find_all(study, rtype, reflection_id, study.actor()) or [
        sealed.find(study, rtype, reflection_id)
    ]
    for path in paths:
        record = keyring.read(path, Reflection)
        if record is not None:
            return record
    return keyring.read_or_explain(paths[0], Reflection, f"reflection {reflection_id}")
