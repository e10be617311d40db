"""``prosper-coop findings``: themes and key messages from the command line."""

from __future__ import annotations

import json

from prosper_coop.core.errors import ExitCode
from tests.helpers import state


def test_console_script_adds_edits_and_lists_themes(example_study, run_cli) -> None:
    root = example_study.root
    added = run_cli(
        "findings",
        "theme",
        "add",
        "TH7",
        "Digital exclusion",
        "-s",
        "Some cannot get online.",
        "--evidence",
        "WP4",
        cwd=root,
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout == "TH7\n"
    assert "Added theme TH7: Digital exclusion" in added.stderr
    edited = run_cli("findings", "theme", "edit", "TH7", "--title", "Getting online", cwd=root)
    assert edited.returncode == 0, edited.stderr
    message = run_cli("findings", "message", "add", "TH7", "Not everyone has a laptop.", cwd=root)
    assert message.returncode == 0, message.stderr
    assert "Added key message 1 to theme TH7." in message.stderr
    removed = run_cli("findings", "message", "remove", "TH7", "1", cwd=root)
    assert removed.returncode == 0, removed.stderr
    listed = run_cli("findings", "list", "--json", cwd=root)
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert data[-1] == {
        "id": "TH7",
        "title": "Getting online",
        "summary": "Some cannot get online.",
        "key_messages": [],
        "evidence": ["WP4"],
        "created": "2026-11-26",
        "recommendations": [],
        "icon": None,  # the easy-read picture is chosen from its words
    }
    shown = run_cli("findings", "show", "TH1", cwd=root)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("TH1: Precarious funding landscape\n")
    assert "R-001 (commissioners, high): Fund specialist services" in shown.stdout


def test_list_shows_a_table_and_show_json(example_study, cli) -> None:
    result = cli("--study", str(example_study.root), "findings", "list")
    assert result.exit_code == 0, result.output
    assert "Pressured environments" in result.stdout
    result = cli("--study", str(example_study.root), "findings", "show", "th4", "--json")
    data = json.loads(result.stdout)
    assert data["id"] == "TH4" and data["recommendations"] == ["R-003", "R-005"]


def test_bad_input_is_refused_and_changes_nothing(example_study, cli) -> None:
    root = str(example_study.root)
    before = state(example_study)
    cases = [
        (["findings", "theme", "add", "TH1", "Again"], ExitCode.CONFLICT, "already exists"),
        (["findings", "theme", "add", "T1", "Bad id"], ExitCode.USAGE, "does not look right"),
        (["findings", "theme", "add", "TH8", "X", "--evidence", "WP9"], ExitCode.NOT_FOUND, "WP9"),
        (["findings", "theme", "edit", "TH1"], ExitCode.USAGE, "nothing to change"),
        (["findings", "theme", "edit", "TH9", "--title", "X"], ExitCode.NOT_FOUND, "TH9 not found"),
        (["findings", "message", "add", "TH1", "   "], ExitCode.USAGE, "key_messages"),
        (["findings", "message", "remove", "TH1", "7"], ExitCode.USAGE, "no key message 7"),
        (["findings", "show", "TH9"], ExitCode.NOT_FOUND, "findings list"),
    ]
    for args, code, message in cases:
        result = cli("--study", root, *args)
        assert result.exit_code == code, (args, result.output)
        assert "Error:" in result.stderr and message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.output
    assert state(example_study) == before
