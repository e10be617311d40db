"""doctor checks for work packages and tasks."""

from __future__ import annotations

from prosper_coop import doctor
from prosper_coop.core.study import Study


def test_example_study_has_no_task_problems(example_study: Study) -> None:
    problems = doctor.check_study(example_study)
    assert [str(p) for p in problems if "tasks/" in p.path or "workpackages/" in p.path] == []


def test_milestone_and_task_date_warnings(example_study: Study) -> None:
    wp = example_study.root / "workpackages" / "WP3.yaml"
    text = wp.read_text()
    wp.write_text(text.replace("- id: M2", "- id: M1", 1))
    task = example_study.root / "tasks" / "00" / "T-0014.yaml"
    task.write_text(task.read_text() + "done_on: 2026-11-01\n")
    blocked = example_study.root / "tasks" / "00" / "T-0013.yaml"
    lines = [line for line in blocked.read_text().splitlines() if "blocked_reason" not in line]
    blocked.write_text("\n".join(lines) + "\n")
    found = {(p.path, p.field, p.severity, p.message) for p in doctor.check_study(example_study)}
    assert ("workpackages/WP3.yaml", "milestones", "error", "milestone M1 appears twice") in found
    assert (
        "tasks/00/T-0014.yaml",
        "done_on",
        "warning",
        "the task is todo but has a done_on date",
    ) in found
    assert (
        "tasks/00/T-0013.yaml",
        "blocked_reason",
        "warning",
        "blocked, but no reason is given",
    ) in found
