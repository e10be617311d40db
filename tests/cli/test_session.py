"""``prosper-coop session add|list|show|start|close``."""

from __future__ import annotations

import json

from prosper_coop.core.errors import ExitCode
from prosper_coop.core.study import Study
from prosper_coop.people import checklists
from prosper_coop.people import team as people
from prosper_coop.people.checklists import Evidence
from tests.helpers import assert_unchanged, clean_head, commit_subjects
from tests.people.helpers import add_work, join, ready_to_facilitate


def setup(study) -> str:
    people.add_person(study, roles=["co-researcher"], alias="Co-researcher A")
    people.add_person(study, roles=["academic"], alias="Academic")
    people.add_person(
        study, roles=["safeguarding-lead"], alias="Safeguarding lead", person_id="SG-01"
    )
    join(study, "SG-01")
    add_work(study)
    return str(study.root)


def complete(study, run_id: str) -> None:
    """Every safeguarding item ticked, by SG-01 (who ticks them: protocols/permissions.yaml)."""
    lead = Study(study.root, actor="SG-01")
    definition = checklists.get_definition(lead, "safeguarding-pre-session")
    for item in definition.items:
        checklists.tick(lead, run_id, item.id, Evidence(note="SG-01"))


def test_session_commands_as_a_user_runs_them(empty_study, run_cli) -> None:
    root = setup(empty_study)
    added = run_cli(
        "--study",
        root,
        "session",
        "add",
        "--type",
        "interview",
        "--date",
        "+3",
        "--facilitators",
        "CR-01,AC-01",
        "--wp",
        "WP1",
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout == "S-0001\n"
    assert "safeguarding-pre-session started as C-0001" in added.stderr
    refused = run_cli("--study", root, "session", "start", "S-0001")
    assert refused.returncode == ExitCode.CONFLICT
    assert refused.stderr.startswith(
        "Error: session S-0001 cannot start until its safeguarding checklist is complete. "
        "Still to do: safeguarding-pre-session: dsl-reachable, distress-protocol-reviewed"
    )
    assert "prosper-coop checklist run C-0001" in refused.stderr
    complete(empty_study, "C-0001")
    refused = run_cli("--study", root, "session", "start", "S-0001")
    assert refused.returncode == ExitCode.CONFLICT
    assert refused.stderr.startswith(
        "Error: session S-0001 cannot start yet: CR-01 has not finished onboarding"
    )
    ready_to_facilitate(empty_study, "CR-01")
    started = run_cli("--study", root, "session", "start", "S-0001")
    assert started.returncode == 0, started.stderr
    assert "Warning: session S-0001 was planned for 2026-11-29 (3 day(s) from now)" in (
        started.stderr
    )
    listed = run_cli("--study", root, "session", "list", "--json")
    assert [(s["id"], s["status"], s["safeguarding_ready"]) for s in json.loads(listed.stdout)] == [
        ("S-0001", "started", True)
    ]
    closed = run_cli(
        "--study", root, "session", "close", "S-0001", "--debrief", "CR-01=now", input="declined\n"
    )
    assert closed.returncode == 0, closed.stderr
    assert "Offer AC-01 a debrief" in closed.stderr
    shown = run_cli("--study", root, "session", "show", "S-0001")
    assert shown.returncode == 0, shown.stderr
    assert "Debrief offered to CR-01 on 2026-11-26 by CO-01: now" in shown.stdout
    assert "Debrief offered to AC-01 on 2026-11-26 by CO-01: declined" in shown.stdout


def test_close_prompts_each_facilitator(empty_study, cli) -> None:
    root = setup(empty_study)
    cli(
        "--study",
        root,
        "session",
        "add",
        "--type",
        "focus-group",
        "--date",
        "2026-11-26",
        "--facilitators",
        "CR-01",
        "--facilitators",
        "AC-01",
    )
    complete(empty_study, "C-0001")
    ready_to_facilitate(empty_study, "CR-01")
    assert cli("--study", root, "session", "start", "S-0001").exit_code == 0
    result = cli("--study", root, "session", "close", "S-0001", input="soon\nlater\n\n")
    assert result.exit_code == 0, result.output
    assert "Please type now, later or declined." in result.stderr
    data = json.loads(cli("--study", root, "session", "show", "S-0001", "--json").stdout)
    assert [(d["facilitator"], d["choice"]) for d in data["debriefs"]] == [
        ("CR-01", "later"),
        ("AC-01", "later"),
    ]
    # One follow-up task whatever they chose: a peer cannot count who chose "later".
    assert commit_subjects(empty_study)[0] == "session: close (S-0001, T-0001)"


def test_list_table(example_study, cli) -> None:
    result = cli("--study", str(example_study.root), "session", "list", "--status", "planned")
    assert result.exit_code == 0, result.output
    assert "S-0002" in result.stdout and "S-0001" not in result.stdout
    assert "complete" in result.stdout and "to do:" in result.stdout


def test_bad_session_input_is_refused_and_changes_nothing(empty_study, cli) -> None:
    root = setup(empty_study)
    cli(
        "--study",
        root,
        "session",
        "add",
        "--type",
        "workshop",
        "--date",
        "2026-12-01",
        "--facilitators",
        "AC-01",
    )
    head = clean_head(empty_study)
    cases = [
        (
            [
                "session",
                "add",
                "--type",
                "party",
                "--date",
                "2026-12-01",
                "--facilitators",
                "AC-01",
            ],
            ExitCode.USAGE,
            "there is no session type 'party'",
        ),
        (
            [
                "session",
                "add",
                "--type",
                "interview",
                "--date",
                "someday",
                "--facilitators",
                "AC-01",
            ],
            ExitCode.USAGE,
            "--date 'someday' is not a date",
        ),
        (
            [
                "session",
                "add",
                "--type",
                "interview",
                "--date",
                "2026-12-01",
                "--facilitators",
                "AC-09",
            ],
            ExitCode.NOT_FOUND,
            "person AC-09 not found",
        ),
        (
            [
                "session",
                "add",
                "--type",
                "interview",
                "--date",
                "2026-12-01",
                "--facilitators",
                "AC-01",
                "--id",
                "S-0001",
            ],
            ExitCode.CONFLICT,
            "session S-0001 already exists",
        ),
        (["session", "start", "S-0001"], ExitCode.CONFLICT, "session S-0001 cannot start"),
        (["session", "start", "S-0009"], ExitCode.NOT_FOUND, "session S-0009 not found"),
        (
            ["session", "close", "S-0001", "--debrief", "AC-01=now"],
            ExitCode.CONFLICT,
            "session S-0001 has not started",
        ),
        (
            ["session", "close", "S-0001", "--debrief", "AC-01"],
            ExitCode.USAGE,
            "'AC-01' should look like PERSON=CHOICE",
        ),
        (
            ["session", "list", "--status", "over"],
            ExitCode.USAGE,
            "there is no session status 'over'",
        ),
    ]
    for args, code, message in cases:
        result = cli("--study", root, *args)
        assert result.exit_code == code, (args, result.output)
        assert result.stderr.startswith(f"Error: {message}"), (args, result.stderr)
    assert_unchanged(empty_study, head)


def test_close_without_anyone_to_answer_asks_for_flags(empty_study, cli) -> None:
    root = setup(empty_study)
    cli(
        "--study",
        root,
        "session",
        "add",
        "--type",
        "interview",
        "--date",
        "2026-11-26",
        "--facilitators",
        "CR-01",
    )
    complete(empty_study, "C-0001")
    ready_to_facilitate(empty_study, "CR-01")
    assert cli("--study", root, "session", "start", "S-0001").exit_code == 0
    head = clean_head(empty_study)
    result = cli("--study", root, "session", "close", "S-0001", input="")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.endswith(
        "Error: say what CR-01 chose about a debrief\n"
        "Add --debrief CR-01=now|later|declined. Nothing was changed.\n"
    )
    assert_unchanged(empty_study, head)
