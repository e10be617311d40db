"""The status cache is derived, never stale: hand edits, pulls and deletions are seen."""

from __future__ import annotations

import json
import subprocess

import pytest

from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from prosper_coop.status import cache as statuscache
from tests.helpers import git

TASK = get("task")


@pytest.fixture(autouse=True)
def no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    # Files in a fresh test study are seconds old; let the cache store anyway.
    monkeypatch.setattr(statuscache, "RACY_SECONDS", 0.0)


def _overdue(cli, study: Study) -> list[str]:
    result = cli("--study", str(study.root), "status", "--json")
    assert result.exit_code == 0, result.output
    return [row["id"] for row in json.loads(result.stdout)["tasks"]["overdue"]]


def test_cache_is_used_and_ignored_by_git(cli, example_study: Study) -> None:
    first = _overdue(cli, example_study)
    cache = example_study.root / ".prosper" / "status-cache.json"
    assert cache.is_file()
    stored = json.loads(cache.read_text())
    stored["data"]["tasks"]["overdue"] = []  # a hit must come from the cache file
    cache.write_text(json.dumps(stored))
    assert _overdue(cli, example_study) == []
    assert first
    assert git(example_study, "status", "--porcelain") == ""


def test_hand_edit_is_seen(cli, example_study: Study) -> None:
    assert "T-0020" in _overdue(cli, example_study)
    path = example_study.path_of(TASK, "T-0020")
    path.write_text(path.read_text().replace("status: doing", "status: done"))
    assert "T-0020" not in _overdue(cli, example_study)


def test_deleted_file_is_seen(cli, example_study: Study) -> None:
    assert "T-0024" in _overdue(cli, example_study)
    example_study.path_of(TASK, "T-0024").unlink()
    assert "T-0024" not in _overdue(cli, example_study)


def test_pulled_changes_are_seen(cli, example_study: Study, tmp_path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(example_study.root), str(clone)], check=True)
    path = clone / "tasks" / "00" / "T-0012.yaml"
    path.write_text(path.read_text().replace("status: doing", "status: done"))
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=AC-03",
            "-c",
            "user.email=a@b.invalid",
            "commit",
            "-qam",
            "task: done T-0012 (T-0012)",
            "--no-verify",
        ],
        cwd=clone,
        check=True,
    )
    assert "T-0012" in _overdue(cli, example_study)
    git(example_study, "pull", "-q", "--ff-only", str(clone), "main")
    assert "T-0012" not in _overdue(cli, example_study)


def test_a_new_day_recomputes(cli, example_study: Study, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "T-0022" not in _overdue(cli, example_study)
    monkeypatch.setenv("PROSPER_COOP_TODAY", "2026-12-10")
    assert "T-0022" in _overdue(cli, example_study)


def test_corrupt_cache_is_ignored(cli, example_study: Study) -> None:
    expected = _overdue(cli, example_study)
    (example_study.root / ".prosper" / "status-cache.json").write_text("{not json")
    assert _overdue(cli, example_study) == expected
