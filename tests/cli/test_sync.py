"""``remote set``, ``sync``, ``clone`` and ``resolve`` on the command line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from prosper_coop.core.errors import ExitCode
from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from prosper_coop.sync import engine as sync
from prosper_coop.tasks.models import TaskStatus
from tests.helpers import git
from tests.sync.helpers import add_task, edit_task, make_team


def bare(path: Path) -> Path:
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    return path


def unchanged(study: Study, head: str) -> None:
    assert git(study, "status", "--porcelain") == ""
    assert git(study, "rev-parse", "HEAD") == head


def test_remote_set_sync_and_clone_as_a_user_does(
    empty_study: Study, sealed_env: Path, run_cli
) -> None:
    remote = bare(sealed_env / "team.git")
    done = run_cli("remote", "set", str(remote), cwd=empty_study.root)
    assert done.returncode == 0, done.stderr
    assert f"Set the remote to {remote}" in done.stderr
    done = run_cli("sync", cwd=empty_study.root)
    assert done.returncode == 0, done.stderr
    assert "Went out: " in done.stderr and "1 person" in done.stderr
    assert "out  person       CO-01" in done.stdout
    done = run_cli("clone", str(remote), "mine", cwd=sealed_env)
    assert done.returncode == 0, done.stderr
    assert "prosper-coop join YOUR-ID" in done.stderr
    clone = sealed_env / "mine"
    # The clone verifies the signed history it received, from the study's first commit.
    checked = run_cli("doctor", cwd=clone)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert (clone / "study.yaml").is_file()
    assert "merge-driver yaml" in git(clone, "config", "--get", "merge.prosper-coop.driver")
    assert (clone / ".git" / "hooks" / "pre-commit").is_file()
    done = run_cli("sync", cwd=clone)  # the quick path: nothing to do
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"Up to date with {remote}: nothing came in, nothing went out.\n"


def test_sync_reports_what_came_in_and_went_out(sealed_env: Path, cli) -> None:
    _, (a, b) = make_team(sealed_env, ("a", "b"))
    add_task(a, "From a")
    sync.sync(a)
    add_task(b, "From b")
    result = cli("--study", str(b.root), "sync")
    assert result.exit_code == 0, result.output
    assert "Came in: 1 task." in result.stderr
    assert "Went out: 1 task." in result.stderr
    assert "T-0001 was renumbered to T-0002" in result.stderr
    assert "in   task         T-0001       added" in result.stdout
    assert "out  task         T-0002       added" in result.stdout
    result = cli("--study", str(b.root), "sync", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["up_to_date"] is True and data["pushed"] is False


def test_sync_dry_run_json_changes_nothing(sealed_env: Path, cli) -> None:
    _, (a, b) = make_team(sealed_env, ("a", "b"))
    add_task(a, "From a")
    sync.sync(a)
    head = git(b, "rev-parse", "HEAD")
    result = cli("--study", str(b.root), "sync", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["dry_run"] is True
    assert data["incoming"]["counts"] == {"task": 1}
    assert data["incoming"]["records"][0]["id"] == "T-0001"
    unchanged(b, head)
    result = cli("--study", str(b.root), "sync", "--dry-run")
    assert "Would come in: 1 task." in result.stderr
    assert "Nothing was changed (dry run)." in result.stderr


def test_sync_refuses_unsaved_edits(sealed_env: Path, cli) -> None:
    _, (a,) = make_team(sealed_env, ("a",))
    (a.root / "people" / "CR-01.yaml").write_text("id: CR-01\nalias: Edited\nroles: [academic]\n")
    head = git(a, "rev-parse", "HEAD")
    result = cli("--study", str(a.root), "sync")
    assert result.exit_code == ExitCode.CONFLICT
    assert "Error: people/CR-01.yaml has changes that are not saved yet" in result.stderr
    assert "prosper-coop save -m" in result.stderr
    assert git(a, "rev-parse", "HEAD") == head


def test_sync_without_a_remote(empty_study: Study, cli) -> None:
    head = git(empty_study, "rev-parse", "HEAD")
    result = cli("--study", str(empty_study.root), "sync")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "Error: this study has no remote to sync with yet" in result.stderr
    assert "prosper-coop remote set URL" in result.stderr
    unchanged(empty_study, head)


def test_remote_set_bad_and_unreachable(empty_study: Study, sealed_env: Path, cli) -> None:
    head = git(empty_study, "rev-parse", "HEAD")
    result = cli("--study", str(empty_study.root), "remote", "set", "--", "-x")
    assert result.exit_code == ExitCode.USAGE
    assert "is not a usable remote address" in result.stderr
    assert git(empty_study, "remote") == ""
    result = cli("--study", str(empty_study.root), "remote", "set", str(sealed_env / "gone.git"))
    assert result.exit_code == 0, result.output
    assert "cannot be reached right now" in result.stderr
    result = cli("--study", str(empty_study.root), "remote", "set", str(bare(sealed_env / "b.git")))
    assert result.exit_code == 0, result.output
    assert "Changed the remote" in result.stderr
    unchanged(empty_study, head)


def test_clone_bad_inputs(sealed_env: Path, cli, empty_study: Study) -> None:
    empty = bare(sealed_env / "empty.git")
    result = cli("clone", str(empty), "new")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "does not hold a prosper-coop study" in result.stderr
    assert not (sealed_env / "new").exists()
    result = cli("clone", str(sealed_env / "missing.git"), "new")
    assert result.exit_code == ExitCode.ERROR
    assert "could not copy the study" in result.stderr
    assert not (sealed_env / "new").exists()
    result = cli("clone", str(empty), str(empty_study.root))
    assert result.exit_code == ExitCode.CONFLICT
    assert "is not an empty folder" in result.stderr


def _conflicted(sealed_env: Path) -> tuple[Study, str]:
    _, (a, b) = make_team(sealed_env, ("a", "b"))
    task = add_task(a, "Shared")
    sync.sync(a)
    sync.sync(b)
    edit_task(a, task, status=TaskStatus.DOING, title="Shared by a")
    sync.sync(a)
    edit_task(b, task, status=TaskStatus.DONE, title="Shared by b")
    sync.sync(b)
    return b, task


def test_status_and_doctor_show_conflicts_then_resolve(sealed_env: Path, cli, run_cli) -> None:
    b, task = _conflicted(sealed_env)
    result = cli("--study", str(b.root), "status", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["conflicts"]["records"]
    assert [(r["id"], r["field"], r["mine"], r["theirs"]) for r in rows] == [
        (task, "title", "Shared by b", "Shared by a"),
        (task, "status", "done", "doing"),
    ]
    result = cli("--study", str(b.root), "status")
    assert "Changed on two computers (2)" in result.stdout
    result = cli("--study", str(b.root), "doctor")
    assert result.exit_code == 0, result.output
    assert "status was changed on two computers" in result.stdout
    assert f"prosper-coop resolve {task}" in result.stdout

    head = git(b, "rev-parse", "HEAD")
    result = cli("--study", str(b.root), "resolve", task, "--take", "later")
    assert result.exit_code == ExitCode.USAGE
    assert "conflicts on several fields" in result.stderr
    result = cli("--study", str(b.root), "resolve", task, "--take", "mine", "--field", "due")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "Its conflicts are on: status, title." in result.stderr
    result = cli("--study", str(b.root), "resolve", task, "--take", "finished", "--field", "status")
    assert result.exit_code == ExitCode.USAGE
    assert "that value does not fit" in result.stderr
    result = cli("--study", str(b.root), "resolve", "WP9", "--take", "mine")
    assert result.exit_code == ExitCode.NOT_FOUND
    unchanged(b, head)

    done = run_cli("resolve", task, "--take", "theirs", "--field", "status", cwd=b.root)
    assert done.returncode == 0, done.stderr
    assert "status is now doing." in done.stderr
    assert "1 more conflict(s)" in done.stderr
    result = cli(
        "--study", str(b.root), "resolve", task, "--take", "Shared by both", "--field", "title"
    )
    assert result.exit_code == 0, result.output
    record = b.load(get("task"), task)
    assert (record.status, record.title, record.conflicts) == ("doing", "Shared by both", [])
    assert git(b, "log", "-1", "--format=%s").startswith("sync: resolve title (take a new value)")
    assert git(b, "status", "--porcelain") == ""


def test_quick_path_steps_aside_when_there_is_work(sealed_env: Path, run_cli) -> None:
    _, (a, b) = make_team(sealed_env, ("a", "b"))
    add_task(a, "From a")
    sync.sync(a)
    done = run_cli("sync", cwd=b.root)  # the remote moved on: the full sync runs
    assert done.returncode == 0, done.stderr
    assert "Came in: 1 task." in done.stderr
    (b.root / "notes.txt").write_text("a new file, not saved\n")
    done = run_cli("sync", cwd=b.root)  # up to date, but an unsaved file: refused
    assert done.returncode == ExitCode.CONFLICT
    assert "notes.txt has changes that are not saved yet" in done.stderr
    (b.root / "notes.txt").unlink()
    done = run_cli("sync", cwd=b.root)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("Up to date with ")


def test_team_commands_have_help_and_are_in_the_guide(cli) -> None:
    guide = Path(__file__).parents[2] / "docs" / "guides" / "coordinator.md"
    section = guide.read_text(encoding="utf-8").split("## Working as a team", 1)[1]
    section = section.split("\n## ", 1)[0]
    for command in ("remote set", "sync", "clone", "resolve"):
        result = cli(*command.split(), "--help")
        assert result.exit_code == 0, result.output
        assert "Example: prosper-coop " + command in result.output
        assert f"prosper-coop {command} " in section


def test_quick_path_with_a_url_remote(sealed_env: Path, run_cli) -> None:
    remote, (a,) = make_team(sealed_env, ("a",))
    sync.set_remote(a, remote.as_uri())  # file:// — asked through git ls-remote
    done = run_cli("sync", cwd=a.root)
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"Up to date with {remote.as_uri()}: nothing came in, nothing went out.\n"
