"""``prosper-coop checklist list|start|run|tick|untick|show|status``."""

from __future__ import annotations

import json

from prosper_coop.core.errors import ExitCode
from prosper_coop.people import checklists
from prosper_coop.people import team as people
from tests.helpers import assert_unchanged, clean_head, commit_subjects
from tests.people.helpers import bump_version


def with_co_researcher(study):
    people.add_person(study, roles=["co-researcher"], alias="Co-researcher A")
    return str(study.root)


def test_checklist_commands_as_a_user_runs_them(empty_study, run_cli) -> None:
    root = with_co_researcher(empty_study)
    listed = run_cli("--study", root, "checklist", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert "onboarding-co-researcher" in [d["id"] for d in json.loads(listed.stdout)]
    started = run_cli(
        "--study", root, "checklist", "start", "onboarding-co-researcher", "--for", "CR-01"
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout == "C-0001\n"
    ticked = run_cli(
        "--study", root, "checklist", "tick", "C-0001", "named-contact", "--note", "WB-01"
    )
    assert ticked.returncode == 0, ticked.stderr
    assert "Ticked named-contact on C-0001." in ticked.stderr
    walked = run_cli("--study", root, "checklist", "run", "C-0001", input="y\nDrive ref\nq\n")
    assert walked.returncode == 0, walked.stderr
    assert "Ticked role-description on C-0001." in walked.stderr
    unticked = run_cli("--study", root, "checklist", "untick", "C-0001", "named-contact")
    assert unticked.returncode == 0, unticked.stderr
    shown = run_cli("--study", root, "checklist", "show", "C-0001", "--json")
    data = json.loads(shown.stdout)
    assert [t["item"] for t in data["ticks"]] == ["role-description"]
    assert data["ticks"][0]["document"] == "Drive ref"
    status = run_cli("--study", root, "checklist", "status", "--open")
    assert status.returncode == 0, status.stderr
    assert "C-0001" in status.stdout and "1/11" in status.stdout
    twice = run_cli(
        "--study", root, "checklist", "tick", "C-0001", "role-description", "--document", "x"
    )
    assert twice.returncode == ExitCode.CONFLICT
    assert twice.stderr.startswith("Error: role-description on C-0001 was already ticked")


def test_run_walks_items_and_resumes_where_it_stopped(empty_study, cli) -> None:
    root = with_co_researcher(empty_study)
    cli("--study", root, "checklist", "start", "onboarding-co-researcher", "--for", "CR-01")
    before = len(commit_subjects(empty_study))
    # tick (document), tick (note), then stop
    result = cli(
        "--study",
        root,
        "checklist",
        "run",
        "C-0001",
        input="y\nHR drive, folder 4\nyes\nAgreed at the study rate\nq\n",
    )
    assert result.exit_code == 0, result.output
    assert len(commit_subjects(empty_study)) == before + 2  # one commit per tick
    assert "Stopped. C-0001: 2/11 required items done." in result.stderr
    run = checklists.load_run(empty_study, "C-0001")
    assert [t.item for t in run.ticks] == ["role-description", "payment-expenses"]
    assert run.tick_for("payment-expenses").note == "Agreed at the study rate"
    # Resume at training-research-methods: a typo is asked again, skip it, tick the next
    # with a date (a bad date is asked again), then the input ends: a calm stop.
    result = cli(
        "--study", root, "checklist", "run", "C-0001", input="maybe\ns\ny\nnot-a-date\n2026-11-01\n"
    )
    assert result.exit_code == 0, result.output
    assert "[1/10] Training: research methods" in result.stderr
    assert "Please type one of: y, s, q" in result.stderr
    assert "is not a date" in result.stderr
    run = checklists.load_run(empty_study, "C-0001")
    assert run.tick_for("training-research-methods") is None
    assert str(run.tick_for("training-trauma-informed").date) == "2026-11-01"
    assert "Everything you answered is saved" in result.stderr


def test_run_to_completion_and_answers(empty_study, cli) -> None:
    root = with_co_researcher(empty_study)
    cli("--study", root, "checklist", "start", "offboarding", "--for", "CR-01")
    answers = "y\n\ny\n\ny\nHanded to AC-01\ny\n\ny\n\ny\nn\n"
    result = cli("--study", root, "checklist", "run", "C-0001", input=answers)
    assert result.exit_code == 0, result.output
    assert "C-0001 is complete." in result.stderr
    run = checklists.load_run(empty_study, "C-0001")
    assert run.tick_for("keep-in-touch").answer is False
    again = cli("--study", root, "checklist", "run", "C-0001")
    assert again.exit_code == 0
    assert "Nothing is left to tick on C-0001." in again.stderr


def test_show_and_status_tables(example_study, cli) -> None:
    root = str(example_study.root)
    shown = cli("--study", root, "checklist", "show", "C-0022")
    assert shown.exit_code == 0, shown.output
    assert "C-0022  Safeguarding before a session  (version 1)" in shown.stdout
    assert "[x]" in shown.stdout and "[ ]" in shown.stdout
    old = cli("--study", root, "checklist", "show", "C-0010")
    assert "now at version 2: this run needs review (re-consent)." in old.stdout
    withdrawn = json.loads(
        cli(
            "--study", root, "checklist", "status", "--kind", "consent", "--for", "P-0003", "--json"
        ).stdout
    )
    assert [r["state"] for r in withdrawn] == ["withdrawn"]
    table = cli("--study", root, "checklist", "list")
    assert (
        "onboarding-co-researcher" in table.stdout.replace("\n", "") or "onboarding" in table.stdout
    )


def test_bad_checklist_input_is_refused_and_changes_nothing(empty_study, cli) -> None:
    root = with_co_researcher(empty_study)
    cli("--study", root, "checklist", "start", "onboarding-co-researcher", "--for", "CR-01")
    head = clean_head(empty_study)
    cases = [
        (
            ["checklist", "start", "nope", "--for", "CR-01"],
            ExitCode.NOT_FOUND,
            "there is no checklist called 'nope'",
        ),
        (
            ["checklist", "start", "offboarding", "--for", "CR-02"],
            ExitCode.NOT_FOUND,
            "person CR-02 not found",
        ),
        (
            ["checklist", "tick", "C-0001", "nope"],
            ExitCode.NOT_FOUND,
            "checklist onboarding-co-researcher has no item 'nope'",
        ),
        (
            ["checklist", "tick", "C-0002", "it-access"],
            ExitCode.NOT_FOUND,
            "checklist run C-0002 not found",
        ),
        (["checklist", "tick", "C-0001", "buddy"], ExitCode.USAGE, "item buddy needs a short note"),
        (
            ["checklist", "tick", "C-0001", "it-access", "--answer", "maybe"],
            ExitCode.USAGE,
            "--answer must be yes or no",
        ),
        (
            ["checklist", "tick", "C-0001", "it-access", "--date", "yesterday-ish"],
            ExitCode.USAGE,
            "--date 'yesterday-ish' is not a date",
        ),
        (
            ["checklist", "untick", "C-0001", "it-access"],
            ExitCode.CONFLICT,
            "it-access on C-0001 is not ticked",
        ),
        (
            ["checklist", "status", "--kind", "paperwork"],
            ExitCode.USAGE,
            "there is no checklist kind 'paperwork'",
        ),
        (["checklist", "show", "../x"], ExitCode.USAGE, "checklist run ID '../x' is not allowed"),
    ]
    for args, code, message in cases:
        result = cli("--study", root, *args)
        assert result.exit_code == code, (args, result.output)
        assert result.stderr.startswith(f"Error: {message}"), (args, result.stderr)
    assert_unchanged(empty_study, head)


def test_new_version_needs_review_and_bad_definition_names_file_and_line(empty_study, cli) -> None:
    root = with_co_researcher(empty_study)
    cli("--study", root, "checklist", "start", "onboarding-co-researcher", "--for", "CR-01")
    bump_version(empty_study, "onboarding-co-researcher", "IT access set up", "IT access ready")
    status = json.loads(cli("--study", root, "checklist", "status", "--open", "--json").stdout)
    assert [(r["id"], r["state"], r["current_version"]) for r in status] == [
        ("C-0001", "needs-review", 2)
    ]
    head = clean_head(empty_study)
    walked = cli("--study", root, "checklist", "run", "C-0001")
    assert walked.exit_code == ExitCode.CONFLICT
    assert "C-0001 is on version 1 of onboarding-co-researcher" in walked.stderr
    path = empty_study.root / "protocols" / "checklists" / "offboarding.yaml"
    original = path.read_text()
    path.write_text(path.read_text().replace("    text: Final payment and expenses settled\n", ""))
    listed = cli("--study", root, "checklist", "list")
    assert listed.exit_code == ExitCode.INVALID
    assert listed.stderr.startswith(
        "Error: items.1.text: this field is required but missing; add a line for it "
        "(protocols/checklists/offboarding.yaml:20)"
    )
    path.write_text(original.replace("id: handover", "id: exit-conversation"))
    listed = cli("--study", root, "checklist", "list")
    assert "item id 'exit-conversation' is used twice" in listed.stderr
    assert git_status_only(empty_study) == " M protocols/checklists/offboarding.yaml\n"
    assert_unchanged_head(empty_study, head)


def assert_unchanged_head(study, head: str) -> None:
    from tests.helpers import git

    assert git(study, "rev-parse", "HEAD").strip() == head


def git_status_only(study) -> str:
    from tests.helpers import git

    return git(study, "status", "--porcelain")


def test_saving_new_consent_wording_without_a_new_version_is_refused(example_study, cli) -> None:
    root = str(example_study.root)
    head = clean_head(example_study)
    path = example_study.root / "protocols" / "checklists" / "consent-co-researcher.yaml"
    original = path.read_text()
    path.write_text(original.replace("I agree to take part", "I agree to take part and be filmed"))
    result = cli("--study", root, "save", "-m", "Reword the consent form")
    assert result.exit_code == ExitCode.INVALID
    assert result.stderr.startswith(
        "Error: version: the wording changed since C-0013 was started on version 2; "
        "give it version 3 so earlier ticks and consent are not read as agreeing to the new text"
        " (protocols/checklists/consent-co-researcher.yaml:"
    )
    assert_unchanged_head(example_study, head)
    path.write_text(
        original.replace("I agree to take part", "I agree to take part and be filmed").replace(
            "version: 2\n", "version: 3\n", 1
        )
    )
    saved = cli("--study", root, "save", "-m", "Consent form version 3")
    assert saved.exit_code == 0, saved.output
    status = json.loads(cli("--study", root, "status", "--json").stdout)
    assert [r["subject"] for r in status["reconsent"]["needing_reconsent"]] == [
        "CA-01",
        "CR-01",
        "CR-02",
        "CR-03",
        "CR-04",
        "CR-05",
    ]
