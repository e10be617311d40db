"""The task sections of ``status`` come from the index and see hand edits at once."""

from __future__ import annotations

import json

from prosper_coop.study import Study


def _status(cli, study: Study) -> dict:
    result = cli("--study", str(study.root), "status", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_status_sections(example_study: Study, cli) -> None:
    data = _status(cli, example_study)
    tasks = data["tasks"]
    assert [t["id"] for t in tasks["overdue"]] == ["T-0024", "T-0012", "T-0013", "T-0020"]
    assert tasks["overdue"][0]["days_late"] == 14
    assert [t["id"] for t in tasks["due_this_week"]] == ["T-0022", "T-0023"]
    assert [(t["id"], t["reason"]) for t in tasks["blocked"]] == [
        ("T-0013", "Waiting for the commissioner to agree access.")
    ]
    assert tasks["waiting_on_dependencies"] == 6
    assert data["study"]["tasks_by_status"] == {"done": 15, "doing": 3, "blocked": 1, "todo": 8}
    wp3 = data["progress"]["work_packages"][2]
    assert (wp3["id"], wp3["done"], wp3["tasks"], wp3["percent"], wp3["overdue"]) == (
        "WP3",
        2,
        6,
        33,
        2,
    )
    result = cli("--study", str(example_study.root), "status")
    assert "Due in the next 7 days (2)" in result.stdout
    assert "waiting on tasks that are not done yet" in result.stdout


def test_status_sees_a_hand_edit(example_study: Study, cli) -> None:
    _status(cli, example_study)
    path = example_study.root / "tasks" / "00" / "T-0024.yaml"
    path.write_text(path.read_text().replace("status: doing", "status: done"))
    overdue = [t["id"] for t in _status(cli, example_study)["tasks"]["overdue"]]
    assert overdue == ["T-0012", "T-0013", "T-0020"]
