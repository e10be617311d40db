"""Reflections: free text, private by default, shareable with the analysis team.

A reflection can also be written by answering the gentle, optional questions in
``wellbeing/reflection.yaml`` (:func:`reflection_questions`); the answers become
one text under their headings (:func:`compose_reflection`), kept only in memory
until :func:`add_reflection` encrypts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prosper_coop.core.errors import InvalidInputError
from prosper_coop.core.study import Study
from prosper_coop.crypto.sealed import Keyring, Readers

MAX_CHARS = 100_000
# Bounds on wellbeing/reflection.yaml (a study's copy is not trusted to be sensible).
MAX_QUESTIONS = 12
MAX_HEADING_CHARS = 80
MAX_QUESTION_CHARS = 400
MAX_INTRO_CHARS = 2_000
# How an answer's heading is written in the reflection's text.
HEADING_MARK = "## "


@dataclass(frozen=True)
class ReflectionQuestion:
    """One optional question, and the heading its answer is saved under."""

    heading: str
    question: str


@dataclass(frozen=True)
class ReflectionQuestions:
    """``wellbeing/reflection.yaml``: what is said first, and the questions asked."""

    intro: str
    questions: tuple[ReflectionQuestion, ...]
    where: str


def reflection_questions(root: Path | None) -> ReflectionQuestions:
    """Read and check ``wellbeing/reflection.yaml`` (the study's copy, else the shipped one)."""
    from prosper_coop.core.defaults import read_settings, setting_error, setting_text

    data, where = read_settings(root, "wellbeing", "reflection.yaml")
    raw = data.get("questions")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_QUESTIONS:
        raise setting_error(where, "questions", f"should be a list of 1 to {MAX_QUESTIONS}")
    questions = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise setting_error(where, f"questions.{index}", "should be a mapping")
        heading = setting_text(item, "heading", where)
        question = setting_text(item, "question", where)
        if not heading or not question:
            raise setting_error(
                where, f"questions.{index}", "every question needs a heading and a question"
            )
        if "\n" in heading or len(heading) > MAX_HEADING_CHARS:
            raise setting_error(
                where,
                f"questions.{index}.heading",
                f"should be one line of at most {MAX_HEADING_CHARS} characters",
            )
        if len(question) > MAX_QUESTION_CHARS:
            raise setting_error(
                where,
                f"questions.{index}.question",
                f"should be at most {MAX_QUESTION_CHARS} characters",
            )
        questions.append(ReflectionQuestion(heading, question))
    intro = setting_text(data, "intro", where)
    if len(intro) > MAX_INTRO_CHARS:
        raise setting_error(where, "intro", f"should be at most {MAX_INTRO_CHARS} characters")
    return ReflectionQuestions(intro, tuple(questions), where)


def compose_reflection(answers: Sequence[tuple[str, str]]) -> str:
    """The text of a reflection from ``(heading, answer)`` pairs: each answer under its
    heading (``## What happened``), skipped questions left out; "" when all were skipped."""
    parts = [
        f"{HEADING_MARK}{heading}\n\n{answer.strip()}"
        for heading, answer in answers
        if answer.strip()
    ]
    return "\n\n".join(parts) + "\n" if parts else ""


def first_line(text: str) -> str:
    """The first line of a reflection worth showing in a list: not blank, not a heading."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    written = [line for line in lines if not line.startswith(HEADING_MARK)]
    return (written or lines or [""])[0]


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


def check_details(
    study: Study,
    *,
    wp: str | None = None,
    session: str | None = None,
    tags: list[str] | None = None,
) -> None:
    """Refuse details a reflection could not be saved with (a work package that does not
    exist, a tag or session in the wrong form), before anyone writes the reflection."""
    from prosper_coop.core.records import get

    if wp is not None:
        study.load(get("workpackage"), wp)  # must exist
    _reflection(
        "RF-0001", study.actor(), study.now(), shared=False, wp=wp, session=session,
        tags=tags, text="-",
    )  # fmt: skip


def _reflection(
    record_id: str,
    person: str,
    at: Any,
    *,
    shared: bool,
    wp: str | None,
    session: str | None,
    tags: list[str] | None,
    text: str,
) -> Any:
    """A reflection record, or a plain error naming the detail that does not fit."""
    from pydantic import ValidationError as PydanticError

    from prosper_coop.wellbeing.models import Reflection

    try:
        return Reflection(
            id=record_id,
            person=person,
            at=at,
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
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed

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
        record = _reflection(
            record_id, actor, study.now(), shared=shared, wp=wp, session=session,
            tags=tags, text=text,
        )  # fmt: skip
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
