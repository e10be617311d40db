"""The questions ``init`` asks about a new study, or the options that answer them.

At a terminal, each detail not given as an option is asked for, and asked again
gently when the answer does not fit. Without a terminal (a script), the options
are the only answers: a missing required one is an error listing them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prosper_coop.core.errors import InvalidInputError

if TYPE_CHECKING:
    from prosper_coop.cli.terminal import Terminal
    from prosper_coop.workspace import StudyDetails


@dataclass(frozen=True)
class Question:
    """One detail of a new study: its option, what is asked, and whether it is needed."""

    name: str  # a field of workspace.StudyDetails
    option: str
    question: str
    required: bool = False
    default: str = ""


QUESTIONS = (
    Question("title", "--title", "Study title", required=True),
    Question("short_title", "--short-name", "Short name or acronym (shown by status)", True),
    Question("iras_id", "--iras-id", "IRAS ID (Enter if it has none yet)"),
    Question(
        "ethics_committee", "--ethics-committee", "Research ethics committee (Enter if not known)"
    ),
    Question("ethics_reference", "--ethics-ref", "Ethics (REC) reference (Enter if not known)"),
    Question("sponsor", "--sponsor", "Sponsor (the organisation responsible)", required=True),
    Question("funder", "--funder", "Funder (Enter if none)"),
    Question("award", "--award", "Award or grant number"),
    Question("coordinator", "--coordinator", "Your study ID as coordinator", default="CO-01"),
    Question(
        "coordinator_alias",
        "--coordinator-alias",
        "A label for you in the study (never your real name)",
        default="Study coordinator",
    ),
)
INTRO = (
    "A few questions about the study. Its consent forms show these details.\n"
    "Press Enter to leave one for later: it stays a blank in the consent forms, and\n"
    "prosper-coop status reminds you until it is filled in.\n"
)


def details_from(
    given: Mapping[str, str | None], *, out: Terminal, ask: bool, required: bool = True
) -> StudyDetails:
    """The study's details from the options ``given`` (by field name; None when left out).

    With ``ask``, every detail left out is asked for at the terminal; without it,
    a ``required`` one left out is an error that lists the options.
    """
    from prosper_coop.workspace import StudyDetails

    answers = {name: value for name, value in given.items() if value is not None}
    for question in QUESTIONS:
        if question.name in answers:
            _check_option(question, answers[question.name])
    if ask:
        _ask(answers, out)
    elif required:
        _require(answers)
    return StudyDetails(**{name: value.strip() for name, value in answers.items()})


def _check_option(question: Question, value: str) -> None:
    from prosper_coop.workspace import detail_problem

    problem = detail_problem(question.name, value) if value.strip() else None
    if problem is not None:
        raise InvalidInputError(
            f"{question.option} {value!r} does not fit: it should be {problem}",
            "Nothing was made. Give it again in that form.",
        )
    if question.required and not value.strip():
        raise InvalidInputError(
            f"{question.option} is empty, and a new study needs it",
            "Nothing was made. Give it again with some text.",
        )


def _require(answers: Mapping[str, str]) -> None:
    missing = [q.option for q in QUESTIONS if q.required and q.name not in answers]
    if not missing:
        return
    optional = [q.option for q in QUESTIONS if not q.required]
    raise InvalidInputError(
        f"a new study needs {_and_list(missing)} when init is not run at a terminal",
        'Nothing was made. For example: prosper-coop init my-study --title "Our study" '
        '--short-name OURS --sponsor "Our university". You may also give '
        f"{_and_list(optional)}; a detail not known yet stays a blank in the consent "
        "forms, and status lists it. At a terminal, init asks for each one.",
    )


def _ask(answers: dict[str, str], out: Terminal) -> None:
    from prosper_coop.cli.private_input import ask
    from prosper_coop.workspace import detail_problem

    asked = False
    for question in QUESTIONS:
        if question.name in answers:
            continue
        if question.name == "award" and not answers.get("funder", "").strip():
            continue  # no funder, so no award
        if not asked:
            out.info(INTRO)
            asked = True
        while True:
            answer = ask(question.question, default=question.default).strip()
            if not answer and question.required:
                out.info("The study needs this one. Please try again.")
                continue
            problem = detail_problem(question.name, answer) if answer else None
            if problem is None:
                break
            out.info(f"That does not fit: it should be {problem}. Please try again.")
        answers[question.name] = answer


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
