"""``prosper-coop involve``: the involvement log from the command line."""

from __future__ import annotations

import json

from prosper_coop.core.errors import ExitCode
from tests.helpers import git


def test_console_script_logs_lists_and_reports(example_study, run_cli) -> None:
    root = example_study.root
    logged = run_cli(
        "involve",
        "log",
        "CR-05",
        "--date",
        "2026-11-25",
        "--hours",
        "3",
        "--activity",
        "Co-analysis workshop",
        "--expenses",
        "6.40",
        cwd=root,
    )
    assert logged.returncode == 0, logged.stderr
    assert logged.stdout == "INV-00017\n"
    listed = run_cli("involve", "list", "--person", "CR-05", "--json", cwd=root)
    assert listed.returncode == 0, listed.stderr
    assert [e["hours"] for e in json.loads(listed.stdout)] == [6.0, 5.0, 3.0]
    report = run_cli("involve", "report", "--from", "2026-11-01", "--csv", cwd=root)
    assert report.returncode == 0, report.stderr
    assert report.stdout.splitlines()[3] == "CR-05,2,8.00,220.00,6.40,226.40,0.00"
    table = run_cli("involve", "report", cwd=root)
    assert table.returncode == 0, table.stderr
    assert "Total" in table.stdout and "Payment (GBP)" in table.stdout
    assert "Rate 25.00 GBP an hour from 2024-01-01" in table.stderr
    assert "state benefits" in table.stderr


def test_report_json_totals(example_study, cli) -> None:
    result = cli(
        "--study", str(example_study.root), "involve", "report", "--json", "--to", "2026-01-31"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["to"] == "2026-01-31"
    assert data["totals"]["hours"] == 3 + 2
    assert data["totals"]["payment"] == 3 * 25 + 2 * 27.5  # the rate changed on 16 Dec 2025
    assert [row["person"] for row in data["people"]] == ["CA-01"]


def test_bad_input_is_refused_and_changes_nothing(example_study, cli) -> None:
    root = str(example_study.root)
    before = (git(example_study, "rev-parse", "HEAD"), git(example_study, "status", "--porcelain"))
    base = ["involve", "log", "CR-01", "--activity", "Workshop"]
    cases = [
        ([*base, "--date", "today", "--hours", "-2"], ExitCode.USAGE, "cannot be negative"),
        ([*base, "--date", "today", "--hours=-2"], ExitCode.USAGE, "cannot be negative"),
        ([*base, "--date", "today", "--hours", "0"], ExitCode.USAGE, "more than 0"),
        ([*base, "--date", "soon", "--hours", "1"], ExitCode.USAGE, "not a date"),
        ([*base, "--date", "+3", "--hours", "1"], ExitCode.USAGE, "in the future"),
        (
            [*base, "--date", "today", "--hours", "1", "--expenses", "-1"],
            ExitCode.USAGE,
            "negative",
        ),
        (
            ["involve", "log", "CR-77", "--activity", "x", "--date", "today", "--hours", "1"],
            ExitCode.NOT_FOUND,
            "CR-77",
        ),
        (["involve", "report", "--json", "--csv"], ExitCode.USAGE, "not both"),
        (
            ["involve", "report", "--from", "2026-05-01", "--to", "2026-01-01"],
            ExitCode.USAGE,
            "before --from",
        ),
    ]
    for args, code, message in cases:
        result = cli("--study", root, *args)
        assert result.exit_code == code, (args, result.output)
        assert "Error:" in result.stderr and message in result.stderr, (args, result.stderr)
    after = (git(example_study, "rev-parse", "HEAD"), git(example_study, "status", "--porcelain"))
    assert after == before
