"""``prosper-coop people add|list|show|edit|leave``."""

from __future__ import annotations

import json

from prosper_coop.core.errors import ExitCode
from tests.helpers import assert_unchanged, clean_head, commit_subjects, git
from tests.people.helpers import add_work


def test_people_commands_as_a_user_runs_them(empty_study, run_cli) -> None:
    root = str(empty_study.root)
    added = run_cli("--study", root, "people", "add", "--role", "co-researcher", "--alias", "CR A")
    assert added.returncode == 0, added.stderr
    assert added.stdout == "CR-01\n"
    assert "prosper-coop onboard CR-01" in added.stderr
    listed = run_cli("--study", root, "people", "list", "--json")
    assert [p["id"] for p in json.loads(listed.stdout)] == ["CO-01", "CR-01"]
    shown = run_cli("--study", root, "people", "show", "CR-01")
    assert shown.returncode == 0, shown.stderr
    assert "Onboarding (onboarding-co-researcher) still to do: role-description" in shown.stdout
    edited = run_cli("--study", root, "people", "edit", "CR-01", "--alias", "Co-researcher A")
    assert edited.returncode == 0, edited.stderr
    left = run_cli("--study", root, "people", "leave", "CR-01")
    assert left.returncode == 0, left.stderr
    assert left.stdout == "C-0001\n"
    assert "prosper-coop checklist run C-0001" in left.stderr
    bad = run_cli("--study", root, "people", "show", "CR-09")
    assert bad.returncode == ExitCode.NOT_FOUND
    assert bad.stderr.startswith("Error: person CR-09 not found")
    assert "Traceback" not in bad.stderr


def test_add_with_several_roles_and_an_id(empty_study, cli) -> None:
    root = str(empty_study.root)
    result = cli(
        "--study",
        root,
        "people",
        "add",
        "-r",
        "safeguarding-lead",
        "-r",
        "academic",
        "--alias",
        "Designated safeguarding lead",
        "--id",
        "SG-01",
        "--joined",
        "2026-01-05",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "SG-01\n"
    shown = json.loads(cli("--study", root, "people", "show", "SG-01", "--json").stdout)
    assert shown["roles"] == ["safeguarding-lead", "academic"]
    assert shown["joined"] == "2026-01-05"
    assert shown["has_key"] is False and "age_recipient" not in shown
    assert shown["onboarding_missing"] == {}


def test_list_table_and_filters(example_study, cli) -> None:
    root = str(example_study.root)
    result = cli("--study", root, "people", "list", "--role", "co-researcher")
    assert result.exit_code == 0, result.output
    assert "CR-06" in result.stdout and "Co-researcher F" in result.stdout
    assert "AC-01" not in result.stdout
    left = json.loads(cli("--study", root, "people", "list", "--status", "left", "--json").stdout)
    assert [p["id"] for p in left] == ["CR-06"]
    assert left[0]["credit"]["style"] == "group"


def test_bad_people_input_is_refused_and_changes_nothing(empty_study, cli) -> None:
    root = str(empty_study.root)
    head = clean_head(empty_study)
    cases = [
        (
            ["people", "add", "--role", "boss", "--alias", "X"],
            ExitCode.USAGE,
            "there is no role 'boss'",
        ),
        (
            ["people", "add", "--role", "academic", "--alias", "X", "--id", "CO-01"],
            ExitCode.CONFLICT,
            "CO-01 is already in the study",
        ),
        (
            ["people", "add", "--role", "academic", "--alias", "X", "--joined", "soon"],
            ExitCode.USAGE,
            "--joined 'soon' is not a date",
        ),
        (["people", "edit", "CO-01"], ExitCode.USAGE, "nothing to change"),
        (["people", "edit", "CR-04", "--alias", "X"], ExitCode.NOT_FOUND, "person CR-04 not found"),
        (["people", "list", "--role", "nobody"], ExitCode.USAGE, "there is no role 'nobody'"),
        (["people", "leave", "XX"], ExitCode.USAGE, "person ID 'XX' does not look right"),
    ]
    for args, code, message in cases:
        result = cli("--study", root, *args)
        assert result.exit_code == code, (args, result.output)
        assert result.stderr.startswith(f"Error: {message}"), (args, result.stderr)
    assert_unchanged(empty_study, head)


def test_leave_with_open_tasks(empty_study, cli) -> None:
    root = str(empty_study.root)
    cli("--study", root, "people", "add", "--role", "academic", "--alias", "Academic")
    add_work(empty_study, owner="AC-01", tasks=2)
    head = clean_head(empty_study)
    refused = cli("--study", root, "people", "leave", "AC-01")
    assert refused.exit_code == ExitCode.CONFLICT
    assert "AC-01 has 2 open task(s): T-0001, T-0002" in refused.stderr
    assert "--reassign-to PERSON, or --close-tasks" in refused.stderr
    assert_unchanged(empty_study, head)
    result = cli("--study", root, "people", "leave", "AC-01", "--reassign-to", "CO-01")
    assert result.exit_code == 0, result.output
    assert "Reassigned to CO-01: T-0001, T-0002" in result.stderr
    assert commit_subjects(empty_study)[0] == "people: leave (AC-01, T-0001, T-0002, C-0001)"
    assert git(empty_study, "status", "--porcelain") == ""
