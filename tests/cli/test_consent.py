"""``prosper-coop consent record|withdraw|credit``."""

from __future__ import annotations

import json

from prosper_coop.core.errors import ExitCode
from prosper_coop.people import team as people
from tests.helpers import assert_unchanged, clean_head, commit_subjects
from tests.people.helpers import add_work

ANSWERS = ["--yes", "quotes,reflections", "--no", "recording", "--no", "future-contact"]


def setup(study) -> str:
    people.add_person(study, roles=["co-researcher"], alias="Co-researcher A")
    add_work(study)
    return str(study.root)


def test_consent_commands_as_a_user_runs_them(empty_study, run_cli) -> None:
    root = setup(empty_study)
    recorded = run_cli(
        "--study",
        root,
        "consent",
        "record",
        "CR-01",
        "--form",
        "consent-co-researcher",
        *ANSWERS,
        "--note",
        "Signed copy: site file",
    )
    assert recorded.returncode == 0, recorded.stderr
    assert recorded.stdout == "C-0001\n"
    assert "Recorded consent of CR-01 on consent-co-researcher version 1" in recorded.stderr
    assert "quotes: yes" in recorded.stderr and "recording: no" in recorded.stderr
    credited = run_cli(
        "--study",
        root,
        "consent",
        "credit",
        "CR-01",
        "--as",
        "pseudonym",
        "--display",
        "Rowan",
        "--listed-as",
        "author",
    )
    assert credited.returncode == 0, credited.stderr
    assert "CR-01 will be credited by pseudonym (Rowan), as author." in credited.stderr
    withdrawn = run_cli("--study", root, "consent", "withdraw", "CR-01")
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert withdrawn.stdout == "T-0001\nT-0002\n"
    assert "T-0001 for CO-01, due 2026-11-29" in withdrawn.stderr
    again = run_cli("--study", root, "consent", "withdraw", "CR-01")
    assert again.returncode == ExitCode.CONFLICT
    assert again.stderr.startswith("Error: CR-01 already withdrew consent (C-0001")


def test_record_needs_every_optional_answer(empty_study, cli) -> None:
    root = setup(empty_study)
    head = clean_head(empty_study)
    result = cli(
        "--study",
        root,
        "consent",
        "record",
        "CR-01",
        "--form",
        "consent-co-researcher",
        "--yes",
        "quotes",
    )
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.startswith(
        "Error: every optional item needs an answer; not answered: recording, reflections, "
        "future-contact"
    )
    assert "nothing is assumed on anyone's behalf" in result.stderr
    assert_unchanged(empty_study, head)


def test_withdraw_all_with_a_work_package(empty_study, cli) -> None:
    root = setup(empty_study)
    cli(
        "--study",
        root,
        "consent",
        "record",
        "P-0007",
        "--form",
        "consent-participant",
        "--yes",
        "recording,quotes,future-use,withdrawal-window",
    )
    result = cli(
        "--study",
        root,
        "consent",
        "withdraw",
        "P-0007",
        "--scope",
        "all-not-yet-anonymised",
        "--wp",
        "WP1",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["T-0001", "T-0002", "T-0003"]
    assert commit_subjects(empty_study)[0].startswith(
        "consent: withdraw (all-not-yet-anonymised) (P-0007"
    )
    shown = json.loads(cli("--study", root, "checklist", "show", "C-0001", "--json").stdout)
    assert shown["state"] == "withdrawn"
    assert shown["withdrawal"]["tasks"] == ["T-0001", "T-0002", "T-0003"]


def test_bad_consent_input_is_refused_and_changes_nothing(empty_study, cli) -> None:
    root = setup(empty_study)
    head = clean_head(empty_study)
    cases = [
        (
            ["consent", "record", "CR-01", "--form", "nope"],
            ExitCode.NOT_FOUND,
            "there is no checklist called 'nope'",
        ),
        (
            ["consent", "record", "CR-03", "--form", "consent-co-researcher", *ANSWERS],
            ExitCode.NOT_FOUND,
            "person CR-03 not found",
        ),
        (
            [
                "consent",
                "record",
                "CR-01",
                "--form",
                "consent-co-researcher",
                *ANSWERS,
                "--yes",
                "agree",
            ],
            ExitCode.USAGE,
            "agree is a statement of the form",
        ),
        (
            ["consent", "withdraw", "CR-01"],
            ExitCode.NOT_FOUND,
            "CR-01 has no recorded consent to withdraw",
        ),
        (
            ["consent", "withdraw", "CR-01", "--scope", "some"],
            ExitCode.USAGE,
            "there is no withdrawal scope 'some'",
        ),
        (
            ["consent", "credit", "CR-01", "--as", "none", "--display", "Someone"],
            ExitCode.USAGE,
            "--display is not used with --as none",
        ),
        (
            ["consent", "credit", "CR-01", "--as", "pseudonym"],
            ExitCode.USAGE,
            "a pseudonym credit needs the pseudonym to show",
        ),
        (
            ["consent", "credit", "CR-01", "--as", "group", "--listed-as", "editor"],
            ExitCode.USAGE,
            "'editor' is not a way to be listed",
        ),
    ]
    for args, code, message in cases:
        result = cli("--study", root, *args)
        assert result.exit_code == code, (args, result.output)
        assert result.stderr.startswith(f"Error: {message}"), (args, result.stderr)
    assert_unchanged(empty_study, head)
