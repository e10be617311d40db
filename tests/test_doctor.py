"""``doctor`` reports each problem once, where it is, in plain words (issue 14, item 21).

One bad field in a record must not add "unknown person AC-01" to every record that
names AC-01: the record exists, it is only invalid. And what is wrong is said the way
a coordinator would say it, with how to write it instead.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from prosper_coop import doctor
from prosper_coop.core.errors import ExitCode
from prosper_coop.core.study import Study

PYDANTIC_WORDS = ("Input should", "Datetimes provided", "Value error", "valid datetime")


def set_field(study: Study, rel: str, field: str, value: str) -> int:
    """Write ``field: value`` over the field's first line in ``rel``; return that line."""
    path = study.root / rel
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith(f"{field}:"))
    end = number + 1
    while end < len(lines) and lines[end].startswith(("- ", "  ")):  # the field's own lines
        end += 1
    lines[number:end] = [f"{field}: {value}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return number + 1


@pytest.mark.parametrize(
    ("rel", "field", "value"),
    [
        # AC-01 leads work packages, owns tasks, facilitates a session, ticks checklists.
        ("people/AC-01.yaml", "joined", "12345"),
        # CR-02 facilitates a session, ticks checklists and has check-ins.
        ("people/CR-02.yaml", "status", "gone"),
        # WP1 holds tasks and is evidence for themes and recommendations.
        ("workpackages/WP1.yaml", "start", "12345"),
        # T-0001 is a dependency of T-0002.
        ("tasks/00/T-0001.yaml", "created", "yesterday"),
        # Recommendations belong to TH1.
        ("themes/TH1.yaml", "title", "[a, b]"),
        # S-0001 is the subject of a safeguarding checklist run.
        ("sessions/S-0001.yaml", "type", "party"),
        # Runs of the safeguarding checklist name this definition.
        ("protocols/checklists/safeguarding-pre-session.yaml", "version", '"two"'),
    ],
)
def test_an_invalid_record_is_reported_once_and_nowhere_else(
    example_study: Study, rel: str, field: str, value: str
) -> None:
    assert doctor.check_study(example_study) == []
    line = set_field(example_study, rel, field, value)
    problems = doctor.check_study(Study(example_study.root))
    assert [(p.path, p.line, p.field, p.severity) for p in problems] == [
        (rel, line, field, "error")
    ], [str(p) for p in problems]


def test_the_issue_example_gives_one_problem_on_the_command_line(
    cli: Any, example_study: Study
) -> None:
    line = set_field(example_study, "people/AC-01.yaml", "joined", "12345")
    result = cli("--study", str(example_study.root), "doctor")
    assert result.exit_code == ExitCode.INVALID
    assert result.stdout.splitlines() == [
        f"people/AC-01.yaml:{line}: joined: 12345 is not a date; "
        "write it as YYYY-MM-DD, e.g. 2026-03-01"
    ]
    assert "1 problem(s) found." in result.output


DATE_HOW = "write it as YYYY-MM-DD, e.g. 2026-03-01"
TIME_HOW = "write it as YYYY-MM-DDTHH:MM:SS+00:00, e.g. 2026-03-01T10:30:00+00:00"


@pytest.mark.parametrize(
    ("rel", "field", "value", "message"),
    [
        ("workpackages/WP1.yaml", "start", "12345", f"12345 is not a date; {DATE_HOW}"),
        ("tasks/00/T-0001.yaml", "due", "86400", f"86400 is not a date; {DATE_HOW}"),
        ("tasks/00/T-0001.yaml", "due", '"86400"', f'"86400" is not a date; {DATE_HOW}'),
        (
            "tasks/00/T-0001.yaml",
            "due",
            '"2026-02-30"',
            f'"2026-02-30" is not a real date (day is out of range for month); {DATE_HOW}',
        ),
        (
            "checklists/C-0001.yaml",
            "started",
            "2026-01-05",
            f'"2026-01-05" is not a date and time; {TIME_HOW}',
        ),
        (
            "involvement/00/INV-00001.yaml",
            "hours",
            '"3"',
            '"3" is not a number; write it without quotes, e.g. 3 or 2.5',
        ),
        ("involvement/00/INV-00001.yaml", "hours", "30", "30 is too large; it must be 24 or less"),
        (
            "tasks/00/T-0001.yaml",
            "status",
            "finished",
            '"finished" is not one of the choices: todo, doing, blocked or done',
        ),
        ("tasks/00/T-0001.yaml", "title", "12", '12 is not text; put it in quotes: "12"'),
        (
            "tasks/00/T-0001.yaml",
            "tags",
            "ethics",
            "\"ethics\" should be a list, one '- item' per line",
        ),
        (
            "tasks/00/T-0001.yaml",
            "owner",
            "CR-1",
            '"CR-1" is not in the expected form, e.g. CR-01',
        ),
        ("people/AC-01.yaml", "roles", "[]", "needs at least 1 item(s)"),
    ],
)
def test_problems_are_said_in_plain_words(
    example_study: Study, rel: str, field: str, value: str, message: str
) -> None:
    line = set_field(example_study, rel, field, value)
    problems = doctor.check_study(Study(example_study.root))
    assert [str(p) for p in problems] == [f"{rel}:{line}: {field}: {message}"]


def test_a_missing_field_and_a_wrong_end_date_in_plain_words(example_study: Study) -> None:
    task = example_study.root / "tasks/00/T-0001.yaml"
    task.write_text(re.sub(r"^created: .*\n", "", task.read_text(), flags=re.M))
    set_field(example_study, "workpackages/WP2.yaml", "end", "2020-01-01")
    messages = [p.message for p in doctor.check_study(Study(example_study.root))]
    assert "this field is required but missing; add a line for it" in messages
    assert any(m.startswith("end 2020-01-01 is before start") for m in messages), messages
    assert not [m for m in messages if any(word in m for word in PYDANTIC_WORDS)]


def test_control_characters_in_a_bad_value_are_not_printed(example_study: Study) -> None:
    set_field(example_study, "tasks/00/T-0001.yaml", "due", '"\\e]0;hacked\\a"')
    (problem,) = doctor.check_study(Study(example_study.root))
    assert "\x1b" not in problem.message and "\x07" not in problem.message
    assert problem.message.startswith('"\\u001b]0;hacked\\u0007" is not a date')
