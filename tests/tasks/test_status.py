"""The task sections of ``status`` come from the index and see hand edits at once."""

from __future__ import annotations

import datetime as dt
import json

from prosper_coop.core.study import Study
from tests.helpers import TODAY
from tests.tasks.example_tasks import open_due_between, status_counts


def _status(cli, study: Study) -> dict:
    result = cli("--study", str(study.root), "status", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_status_sections(example_study: Study, cli) -> None:
    data = _status(cli, example_study)
    tasks = data["tasks"]
    assert [t["id"] for t in tasks["overdue"]] == ["T-0024", "T-0012", "T-0013", "T-0020"]
    assert tasks["overdue"][0]["days_late"] == 14
    today = dt.date.fromisoformat(TODAY)
    due_this_week = [t["id"] for t in tasks["due_this_week"]]
    assert due_this_week == open_due_between(example_study, today, today + dt.timedelta(days=7))
    assert [i for i in due_this_week if i in ("T-0022", "T-0023")] == ["T-0022", "T-0023"]
    assert [(t["id"], t["reason"]) for t in tasks["blocked"]] == [
        ("T-0013", "Waiting for the commissioner to agree access.")
    ]
    assert tasks["waiting_on_dependencies"] == 6
    # Counted from the task files: other features add follow-up tasks to the example.
    by_status = {status: n for status, n in status_counts(example_study).items() if n}
    assert data["study"]["tasks_by_status"] == by_status
    wp3 = data["progress"]["work_packages"][2]
    assert (wp3["id"], wp3["done"], wp3["tasks"], wp3["percent"], wp3["overdue"]) == (
        "WP3",
        2,
        6,
        33,
        2,
    )
    result = cli("--study", str(example_study.root), "status")
    assert f"Due in the next 7 days ({len(due_this_week)})" in result.stdout
    assert "waiting on tasks that are not done yet" in result.stdout


def test_status_sees_a_hand_edit(example_study: Study, cli) -> None:
    _status(cli, example_study)
    path = example_study.root / "tasks" / "00" / "T-0024.yaml"
    path.write_text(path.read_text().replace("status: doing", "status: done"))
    overdue = [t["id"] for t in _status(cli, example_study)["tasks"]["overdue"]]
    assert overdue == ["T-0012", "T-0013", "T-0020"]
