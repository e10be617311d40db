"""``prosper-coop onboard ID``: start or resume onboarding, one item at a time."""

from __future__ import annotations

from prosper_coop.core.errors import ExitCode
from prosper_coop.people import checklists
from prosper_coop.people import team as people
from tests.helpers import assert_unchanged, clean_head, commit_subjects


def test_onboard_as_a_user_runs_it(empty_study, run_cli) -> None:
    people.add_person(empty_study, roles=["co-researcher"], alias="Co-researcher A")
    root = str(empty_study.root)
    result = run_cli("--study", root, "onboard", "CR-01", "--start-only")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "C-0001\n"
    walked = run_cli("--study", root, "onboard", "CR-01", input="s\ny\nPaid at the study rate\n")
    assert walked.returncode == 0, walked.stderr
    assert "Carrying on with C-0001 (Onboarding a co-researcher)." in walked.stderr
    assert "Ticked payment-expenses on C-0001." in walked.stderr


def test_onboard_starts_then_resumes(example_study, cli) -> None:
    root = str(example_study.root)
    people.add_person(example_study, roles=["co-researcher"], alias="Co-researcher G")
    result = cli("--study", root, "onboard", "CR-07", input="y\nDrive: role descriptions\nq\n")
    assert result.exit_code == 0, result.output
    assert "Started Onboarding a co-researcher for CR-07 as C-0047." in result.stderr
    assert commit_subjects(example_study)[:2] == [
        "checklist: tick role-description (C-0047)",
        "checklist: start onboarding-co-researcher for CR-07 (C-0047)",
    ]
    resumed = cli("--study", root, "onboard", "CR-05", input="q\n")
    assert resumed.exit_code == 0, resumed.output
    assert "Carrying on with C-0006" in resumed.stderr
    assert "[1/7] Training: trauma-informed practice" in resumed.stderr
    run = checklists.load_run(example_study, "C-0047")
    assert run.tick_for("role-description").document == "Drive: role descriptions"


def test_onboard_refuses_clearly(example_study, cli) -> None:
    root = str(example_study.root)
    head = clean_head(example_study)
    cases = [
        (["onboard", "CR-09"], ExitCode.NOT_FOUND, "person CR-09 not found"),
        (
            ["onboard", "AC-01"],
            ExitCode.NOT_FOUND,
            "no onboarding checklist is meant for the roles of AC-01 (academic)",
        ),
        (["onboard", "CR-06"], ExitCode.CONFLICT, "CR-06 has left the study"),
    ]
    for args, code, message in cases:
        result = cli("--study", root, *args)
        assert result.exit_code == code, (args, result.output)
        assert result.stderr.startswith(f"Error: {message}"), (args, result.stderr)
    assert_unchanged(example_study, head)
