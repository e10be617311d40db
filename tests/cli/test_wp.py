"""``prosper-coop wp ...`` from the command line."""

from __future__ import annotations

import json

import pytest

from prosper_coop.core.errors import ExitCode
from prosper_coop.core.study import Study
from tests.helpers import git


def _run(cli, study: Study, *args: str):
    return cli("--study", str(study.root), "wp", *args)


def test_every_wp_command_runs_as_a_console_script(example_study: Study, run_cli) -> None:
    root = str(example_study.root)

    def ok(*args: str) -> str:
        result = run_cli("--study", root, "wp", *args)
        assert result.returncode == 0, result.stderr
        return result.stdout

    ok(
        "add",
        "WP6",
        "Dissemination",
        "--start",
        "2027-06-01",
        "--end",
        "2027-12-31",
        "--lead",
        "PPI-01",
    )
    assert "WP6" in ok("list")
    ok("edit", "WP6", "--summary", "Sharing findings with services and survivors.")
    assert ok("milestone", "add", "WP6", "Launch event", "--due", "2027-09-01").strip() == "M1"
    ok("milestone", "done", "WP6", "M1", "--on", "2027-09-01")
    assert "Launch event" in ok("show", "WP6")
    assert "WP6" in ok("progress")
    subjects = git(example_study, "log", "--format=%s", "-4").splitlines()
    assert subjects == [
        "wp: milestone met WP6 M1 (WP6)",
        'wp: milestone WP6 "Launch event" (WP6)',
        "wp: edit WP6 (WP6)",
        'wp: add WP6 "Dissemination" (WP6)',
    ]


def test_list_show_and_progress_json(example_study: Study, cli) -> None:
    rows = json.loads(_run(cli, example_study, "list", "--json").stdout)
    assert [r["id"] for r in rows] == ["WP1", "WP2", "WP3", "WP4", "WP5"]
    wp3 = json.loads(_run(cli, example_study, "show", "WP3", "--json").stdout)
    assert wp3["progress"]["done"] == 2
    assert [m["id"] for m in wp3["milestones"]] == ["M1", "M2", "M3"]
    progress = json.loads(_run(cli, example_study, "progress", "--json").stdout)
    assert progress[0]["percent"] == 100
    table = _run(cli, example_study, "progress").stdout
    assert "[###-------]  33%" in table  # WP3: 2 of 6 tasks done


def test_edit_warns_about_tasks_outside(example_study: Study, cli) -> None:
    result = _run(cli, example_study, "edit", "WP3", "--end", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert "Warning: 2 task(s) of WP3 are due outside" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (
            ("add", "WP3", "Again", "--start", "2027-01-01", "--end", "2027-02-01"),
            ExitCode.CONFLICT,
            "already exists",
        ),
        (
            ("add", "WP7", "Backwards", "--start", "2027-02-01", "--end", "2027-01-01"),
            ExitCode.USAGE,
            "before the start",
        ),
        (
            ("add", "WP7", "Bad date", "--start", "1 Feb", "--end", "2027-01-01"),
            ExitCode.USAGE,
            "is not a date",
        ),
        (("show", "WP9"), ExitCode.NOT_FOUND, "wp list"),
        (("edit", "WP3"), ExitCode.USAGE, "nothing to change"),
        (("edit", "WP3", "--lead", "AC-99"), ExitCode.NOT_FOUND, "AC-99"),
        (("milestone", "add", "WP9", "X", "--due", "2027-01-01"), ExitCode.NOT_FOUND, "WP9"),
        (("milestone", "done", "WP3", "M9"), ExitCode.NOT_FOUND, "no milestone M9"),
        (("milestone", "done", "WP1", "M1"), ExitCode.CONFLICT, "already met"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    example_study: Study, cli, args: tuple[str, ...], code: ExitCode, words: str
) -> None:
    before = git(example_study, "rev-parse", "HEAD"), git(example_study, "status", "--porcelain")
    result = _run(cli, example_study, *args)
    assert result.exit_code == code, result.output
    assert "Error:" in result.stderr and words in result.stderr
    assert (
        git(example_study, "rev-parse", "HEAD"),
        git(example_study, "status", "--porcelain"),
    ) == before


def test_help_has_examples() -> None:
    from prosper_coop.cli.wp import app, milestone_app

    for command in [*app.registered_commands, *milestone_app.registered_commands]:
        assert command.callback is not None
        assert "Example: prosper-coop wp" in (command.callback.__doc__ or ""), command.name
