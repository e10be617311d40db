"""The example study builds, commits once, and shows a dashboard."""

from __future__ import annotations

import json

from tests.helpers import git


def test_example_study_is_one_commit_by_the_coordinator(example_study) -> None:
    log = git(example_study, "log", "--format=%an|%s")
    assert log.count("\n") == 1
    author, subject = log.strip().split("|", 1)
    assert author == "CO-01"
    assert subject == 'study: create example study "PROSPER" (study)'
    assert git(example_study, "status", "--porcelain") == ""


def test_status_json_shows_overdue_tasks(example_study, cli) -> None:
    result = cli("--study", str(example_study.root), "status", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    overdue = [row["id"] for row in data["tasks"]["overdue"]]
    assert overdue == ["T-0024", "T-0012", "T-0013", "T-0020"]
    assert [wp["id"] for wp in data["progress"]["work_packages"]] == [
        "WP1",
        "WP2",
        "WP3",
        "WP4",
        "WP5",
    ]
