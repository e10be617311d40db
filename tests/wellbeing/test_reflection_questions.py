"""``wellbeing/reflection.yaml`` and how answers become a reflection's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from prosper_coop.core.errors import ValidationError
from prosper_coop.wellbeing.reflections import (
    MAX_QUESTIONS,
    compose_reflection,
    first_line,
    reflection_questions,
)


def test_the_shipped_questions_are_gentle_and_optional() -> None:
    asked = reflection_questions(None)
    assert [q.heading for q in asked.questions] == [
        "What happened",
        "How it felt",
        "What I want the team to know",
    ]
    assert asked.intro.startswith("A few short questions") and "no right or wrong" in asked.intro


def test_a_new_study_has_its_own_copy(empty_study) -> None:
    asked = reflection_questions(empty_study.root)
    assert asked.where == "wellbeing/reflection.yaml"
    assert asked.questions == reflection_questions(None).questions


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("questions: []\n", f"questions: should be a list of 1 to {MAX_QUESTIONS}"),
        (
            "questions:\n"
            + "".join(f"  - {{heading: H{n}, question: Q{n}?}}\n" for n in range(13)),
            f"questions: should be a list of 1 to {MAX_QUESTIONS}",
        ),
        ("questions:\n  - just text\n", "questions.0: should be a mapping"),
        (
            "questions:\n  - {heading: '" + "h" * 81 + "', question: Q?}\n",
            "questions.0.heading: should be one line of at most 80 characters",
        ),
    ],
    ids=["none", "too-many", "not-a-mapping", "long-heading"],
)
def test_a_questions_file_that_does_not_fit_is_named(tmp_path: Path, text: str, problem) -> None:
    (tmp_path / "wellbeing").mkdir()
    (tmp_path / "wellbeing" / "reflection.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        reflection_questions(tmp_path)
    assert caught.value.message == problem
    assert caught.value.file == "wellbeing/reflection.yaml"


def test_answers_go_under_their_headings_and_skipped_ones_are_left_out() -> None:
    text = compose_reflection([("What happened", " A talk.\nThen tea. "), ("How it felt", "  ")])
    assert text == "## What happened\n\nA talk.\nThen tea.\n"
    assert compose_reflection([("What happened", ""), ("How it felt", "\n")]) == ""
    assert first_line(text) == "A talk."
    assert first_line("Plain words\nmore") == "Plain words"
    assert first_line("## Only a heading\n") == "## Only a heading"
