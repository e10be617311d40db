"""init, status, doctor, save, log, whoami, schema: as a user runs them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from prosper_coop.core.errors import ExitCode
from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from tests.helpers import git

TASK = get("task")


# -- init ---------------------------------------------------------------------------
def test_init_creates_a_study_with_one_commit_and_a_hook(cli, sealed_env: Path) -> None:
    result = cli(
        "init", "my-study", "--title", "Pilot study", "--short-name", "PILOT",
        "--sponsor", "Example University",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    root = sealed_env / "my-study"
    for name in (
        "study.yaml",
        ".gitignore",
        "people/CO-01.yaml",
        "tasks/.gitkeep",
        "workpackages/.gitkeep",
        "protocols/README.md",
        "wellbeing/signposting.yaml",
        "templates/README.md",
    ):
        assert (root / name).exists(), name
    hook = root / ".git" / "hooks" / "pre-commit"
    assert "doctor --staged" in hook.read_text() and hook.stat().st_mode & 0o100
    assert (
        git(root, "log", "--format=%an %s").strip() == 'CO-01 study: create study "PILOT" (study)'
    )
    assert git(root, "status", "--porcelain") == ""
    assert "title: Pilot study" in (root / "study.yaml").read_text()


def test_init_refuses_a_non_empty_folder(cli, sealed_env: Path) -> None:
    (sealed_env / "notes").mkdir()
    (sealed_env / "notes" / "todo.txt").write_text("keep me")
    result = cli("init", "notes")
    assert result.exit_code == ExitCode.CONFLICT
    assert "Error: " in result.output and "is not empty and is not a study" in result.output
    assert sorted(p.name for p in (sealed_env / "notes").iterdir()) == ["todo.txt"]


def test_init_refuses_an_existing_study(cli, example_study: Study) -> None:
    result = cli("init", str(example_study.root))
    assert result.exit_code == ExitCode.CONFLICT
    assert "already a study" in result.output


def test_init_unknown_example(cli) -> None:
    result = cli("init", "x", "--example", "nope")
    assert result.exit_code == ExitCode.USAGE
    assert "no example called 'nope'" in result.output


def test_installed_script_builds_the_example(run_cli, sealed_env: Path) -> None:
    result = run_cli("init", "demo", "--example", "prosper", cwd=sealed_env)
    assert result.returncode == 0, result.stderr
    status = run_cli("--study", "demo", "status", "--json", cwd=sealed_env)
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["study"]["short_title"] == "PROSPER"
    assert data["study"]["people_by_role"]["co-researcher"] == 5
    people = sorted(p.stem for p in (sealed_env / "demo" / "people").glob("*.yaml"))
    assert {f"CR-0{i}" for i in range(1, 6)} <= {p for p in people if p.startswith("CR-")}


# -- status -------------------------------------------------------------------------
def test_status_table_for_people(cli, example_study: Study) -> None:
    result = cli("--study", str(example_study.root), "status")
    assert result.exit_code == 0, result.output
    assert "Past their date (4)" in result.stdout
    assert "[##########] 100%" in result.stdout
    assert "Case study fieldwork complete" in result.stdout


def test_status_outside_a_study(cli) -> None:
    result = cli("status")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "Error: " in result.output and "prosper-coop init" in result.output
    assert "Traceback" not in result.output


def test_malformed_yaml_gets_file_and_line_not_traceback(run_cli, example_study: Study) -> None:
    path = example_study.path_of(TASK, "T-0005")
    path.write_text("id: T-0005\ntitle: [oops\n")
    result = run_cli("status", cwd=example_study.root)
    assert result.returncode == ExitCode.INVALID
    assert "Error: this file is not valid YAML" in result.stderr
    assert "(tasks/00/T-0005.yaml:3)" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_a_traceback(run_cli, example_study: Study) -> None:
    example_study.path_of(TASK, "T-0005").write_text("id: T-0005\ntitle: [oops\n")
    result = run_cli("status", cwd=example_study.root, env={"PROSPER_COOP_DEBUG": "1"})
    assert result.returncode != 0
    assert "Traceback" in result.stderr


# -- doctor -------------------------------------------------------------------------
def test_doctor_is_clean_on_the_example(cli, example_study: Study) -> None:
    result = cli("--study", str(example_study.root), "doctor")
    assert result.exit_code == 0, result.output
    assert "All records are valid." in result.output


def test_doctor_lists_every_problem_with_file_line_field(cli, example_study: Study) -> None:
    task = example_study.path_of(TASK, "T-0020")
    task.write_text(task.read_text().replace("owner: CR-02", "owner: CR-09"))
    other = example_study.path_of(TASK, "T-0021")
    other.write_text(other.read_text().replace("wp: WP4", "wp: WP9"))
    first = example_study.path_of(TASK, "T-0001")
    first.write_text(first.read_text().replace("tags:", "depends:\n- T-0002\ntags:"))
    result = cli("--study", str(example_study.root), "doctor")
    assert result.exit_code == ExitCode.INVALID
    lines = result.stdout.splitlines()
    assert "tasks/00/T-0020.yaml:5: owner: unknown person CR-09" in lines
    assert "tasks/00/T-0021.yaml:2: wp: unknown work package WP9" in lines
    assert any(
        line.startswith("tasks/00/T-0001.yaml") and "dependency cycle: T-0001 -> T-0002" in line
        for line in lines
    )


def test_doctor_json(cli, example_study: Study) -> None:
    task = example_study.path_of(TASK, "T-0020")
    task.write_text(task.read_text() + "colour: red\n")
    result = cli("--study", str(example_study.root), "doctor", "--json")
    assert result.exit_code == ExitCode.INVALID
    problems = json.loads(result.stdout)
    assert problems[0]["path"] == "tasks/00/T-0020.yaml"
    assert problems[0]["field"] == "colour"


# -- the pre-commit hook ---------------------------------------------------------------
def _hand_commit(root: Path) -> subprocess.CompletedProcess[str]:
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    return subprocess.run(
        [
            "git",
            "-c",
            "user.name=Hand",
            "-c",
            "user.email=hand@example.invalid",
            "commit",
            "-m",
            "hand edit",
        ],
        cwd=root,
        capture_output=True,
        text=True,
    )


def test_hook_blocks_an_invalid_hand_commit(example_study: Study) -> None:
    task = example_study.path_of(TASK, "T-0020")
    task.write_text(task.read_text().replace("status: doing", "status: maybe"))
    head = git(example_study, "rev-parse", "HEAD")
    result = _hand_commit(example_study.root)
    assert result.returncode != 0
    assert "tasks/00/T-0020.yaml:4: status:" in result.stdout + result.stderr
    assert git(example_study, "rev-parse", "HEAD") == head


def test_hook_allows_a_valid_hand_commit(example_study: Study) -> None:
    task = example_study.path_of(TASK, "T-0020")
    task.write_text(task.read_text().replace("status: doing", "status: done"))
    result = _hand_commit(example_study.root)
    assert result.returncode == 0, result.stdout + result.stderr


# -- save ---------------------------------------------------------------------------
def test_save_commits_valid_hand_edits(cli, example_study: Study) -> None:
    task = example_study.path_of(TASK, "T-0014")
    task.write_text(task.read_text().replace("status: todo", "status: doing"))
    result = cli("--study", str(example_study.root), "save", "-m", "Site 4 under way")
    assert result.exit_code == 0, result.output
    assert git(example_study, "log", "-1", "--format=%an|%s").strip() == (
        "CO-01|save: Site 4 under way (T-0014)"
    )
    assert git(example_study, "status", "--porcelain") == ""


def test_save_refuses_invalid_edits_and_names_the_field(cli, example_study: Study) -> None:
    task = example_study.path_of(TASK, "T-0014")
    task.write_text(task.read_text().replace("due: ", "due: next week #"))
    head = git(example_study, "rev-parse", "HEAD")
    result = cli("--study", str(example_study.root), "save", "-m", "dates")
    assert result.exit_code == ExitCode.INVALID
    assert "Error: due: " in result.output and "(tasks/00/T-0014.yaml:6)" in result.output
    assert "Nothing was saved" in result.output
    assert git(example_study, "rev-parse", "HEAD") == head


def test_save_with_nothing_changed(cli, example_study: Study) -> None:
    result = cli("--study", str(example_study.root), "save", "-m", "nothing")
    assert result.exit_code == 0
    assert "nothing to save" in result.output


# -- whoami and authorship --------------------------------------------------------------
def test_whoami_sets_the_author_of_later_commits(
    cli, example_study: Study, sealed_env: Path
) -> None:
    root = str(example_study.root)
    assert cli("--study", root, "whoami", "CR-03").exit_code == 0
    assert cli("--study", root, "whoami").stdout.strip() == "CR-03"
    settings = sealed_env.parent / "home" / ".config" / "prosper-coop" / "settings.yaml"
    assert settings.stat().st_mode & 0o777 == 0o600
    assert "CR-03" not in git(example_study, "status", "--porcelain")
    task = example_study.path_of(TASK, "T-0021")
    task.write_text(task.read_text().replace("status: todo", "status: doing"))
    assert cli("--study", root, "save", "-m", "starting batch 2").exit_code == 0
    assert git(example_study, "log", "-1", "--format=%an").strip() == "CR-03"


def test_env_overrides_whoami(cli, example_study: Study, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROSPER_COOP_AS", "SG-01")
    result = cli("--study", str(example_study.root), "whoami", "--json")
    assert json.loads(result.stdout) == {
        "person": "SG-01",
        "source": "PROSPER_COOP_AS",
        "joined_here": True,  # the example made everyone's (demo) keys on this computer
    }


def test_whoami_unknown_person(cli, example_study: Study) -> None:
    result = cli("--study", str(example_study.root), "whoami", "CR-42")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "person CR-42 not found" in result.output and "people list" in result.output


# -- log ------------------------------------------------------------------------------
def test_log_filters_by_record_and_person(
    cli, example_study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = str(example_study.root)
    monkeypatch.setenv("PROSPER_COOP_AS", "CR-02")
    task = example_study.path_of(TASK, "T-0020")
    task.write_text(task.read_text().replace("status: doing", "status: done"))
    assert cli("--study", root, "save", "-m", "batch 1 done").exit_code == 0
    result = cli("--study", root, "log", "--record", "T-0020", "--json")
    entries = json.loads(result.stdout)
    assert [(e["by"], e["area"], e["what"], e["records"]) for e in entries] == [
        ("CR-02", "save", "batch 1 done", ["T-0020"])
    ]
    assert len(json.loads(cli("--study", root, "log", "--by", "CO-01", "--json").stdout)) == 1
    assert json.loads(cli("--study", root, "log", "--since", "2099-01-01", "--json").stdout) == []
    table = cli("--study", root, "log")
    assert table.exit_code == 0 and "batch 1 done" in table.stdout


def test_log_bad_date(cli, example_study: Study) -> None:
    result = cli("--study", str(example_study.root), "log", "--since", "last tuesday")
    assert result.exit_code == ExitCode.USAGE
    assert "is not a date" in result.output


# -- schema ---------------------------------------------------------------------------
def test_schema_of_a_type(cli, example_study: Study) -> None:
    result = cli("--study", str(example_study.root), "schema", "task")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["additionalProperties"] is False
    assert {"id", "wp", "title", "status", "depends"} <= set(schema["properties"])


def test_schema_writes_files_and_rejects_unknown_types(cli, sealed_env: Path) -> None:
    assert cli("schema", "--out", "schemas").exit_code == 0
    assert (sealed_env / "schemas" / "person.schema.json").is_file()
    result = cli("schema", "meeting")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "Record types:" in result.output


def test_no_color_is_honoured(run_cli, sealed_env: Path) -> None:
    coloured = run_cli(
        "status", cwd=sealed_env, env={"FORCE_COLOR": "1", "NO_COLOR": "", "TERM": "xterm"}
    )
    plain = run_cli(
        "status", cwd=sealed_env, env={"FORCE_COLOR": "1", "NO_COLOR": "1", "TERM": "xterm"}
    )
    assert "\x1b[" in coloured.stderr and "31m" in coloured.stderr  # red without NO_COLOR
    assert "31m" not in plain.stderr and "Error: " in plain.stderr


def test_save_after_git_rm(cli, example_study: Study) -> None:
    git(example_study, "rm", "-q", "tasks/00/T-0027.yaml")
    result = cli("--study", str(example_study.root), "save", "-m", "drop a duplicate task")
    assert result.exit_code == 0, result.output
    assert git(example_study, "status", "--porcelain") == ""
    assert "T-0027" not in git(example_study, "ls-files", "tasks")
