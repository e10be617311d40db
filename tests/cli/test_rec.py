"""``prosper-coop rec``: recommendations from the command line."""

from __future__ import annotations

import json

from prosper_coop.core.errors import ExitCode
from tests.helpers import git


def test_console_script_adds_edits_lists_and_shows(example_study, run_cli) -> None:
    root = example_study.root
    added = run_cli(
        "rec",
        "add",
        "Pay for interpreters.",
        "--audience",
        "commissioners",
        "--theme",
        "TH5",
        "--priority",
        "high",
        "--evidence",
        "WP3,WP4",
        cwd=root,
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout == "R-011\n"
    edited = run_cli("rec", "edit", "R-011", "--audience", "policy", cwd=root)
    assert edited.returncode == 0, edited.stderr
    listed = run_cli("rec", "list", "--audience", "policy", "--json", cwd=root)
    assert listed.returncode == 0, listed.stderr
    assert [r["id"] for r in json.loads(listed.stdout)] == ["R-007", "R-008", "R-011"]
    shown = run_cli("rec", "show", "R-011", cwd=root)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        "R-011: Pay for interpreters.",
        "  For: policy   Priority: high   Theme: TH5",
        "  Evidence: WP3, WP4",
    ]


def test_list_table_and_filters(example_study, cli) -> None:
    root = str(example_study.root)
    result = cli("--study", root, "rec", "list", "--theme", "TH6")
    assert result.exit_code == 0, result.output
    assert "R-009" in result.stdout and "R-010" in result.stdout and "R-001" not in result.stdout
    shown = json.loads(cli("--study", root, "rec", "show", "r-001", "--json").stdout)
    assert shown["audience"] == "commissioners" and shown["evidence"] == ["WP2", "WP3"]


def test_bad_recommendations_are_refused_and_change_nothing(example_study, cli) -> None:
    root = str(example_study.root)
    before = (git(example_study, "rev-parse", "HEAD"), git(example_study, "status", "--porcelain"))
    cases = [
        (["rec", "add", "X.", "-a", "funders", "-t", "TH1"], ExitCode.USAGE, "audience 'funders'"),
        (["rec", "add", "X.", "-a", "policy", "-t", "TH9"], ExitCode.NOT_FOUND, "theme TH9"),
        (["rec", "add", "X.", "-a", "policy", "-t", "CR-01"], ExitCode.USAGE, "theme ID"),
        (["rec", "add", "X.", "-a", "policy", "-t", "TH1", "-p", "soon"], ExitCode.USAGE, "soon"),
        (["rec", "add", "", "-a", "policy", "-t", "TH1"], ExitCode.USAGE, "text"),
        (["rec", "edit", "R-001"], ExitCode.USAGE, "nothing to change"),
        (["rec", "edit", "R-001", "--theme", "TH9"], ExitCode.NOT_FOUND, "theme TH9"),
        (["rec", "show", "R-404"], ExitCode.NOT_FOUND, "rec list"),
        (["rec", "list", "--audience", "everyone"], ExitCode.USAGE, "everyone"),
    ]
    for args, code, message in cases:
        result = cli("--study", root, *args)
        assert result.exit_code == code, (args, result.output)
        assert "Error:" in result.stderr and message in result.stderr, (args, result.stderr)
    after = (git(example_study, "rev-parse", "HEAD"), git(example_study, "status", "--porcelain"))
    assert after == before
