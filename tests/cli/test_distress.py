"""``prosper-coop distress run`` and ``distress show``."""

from __future__ import annotations

import json

import pytest

from prosper_coop.core.errors import ExitCode
from prosper_coop.core.records import get
from tests.helpers import act_as, argv_recorder, git, recorded_argv, state

STAGE2 = ["-a", "signs=yes", "-a", "able=no", "-a", "safe=yes", "-a", "continue=no",
          "-a", "consent-contact=no", "-a", "follow-up=yes"]  # fmt: skip


def test_scripted_stage2_run_records_incident_and_follow_up_task(
    example_study, cli, monkeypatch
) -> None:
    act_as(monkeypatch, "SG-01")
    root = str(example_study.root)
    next_task = example_study.next_id(get("task"))
    result = cli("--study", root, "distress", "run", "--session", "S-0007", *STAGE2, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["steps"] == [
        "signs", "stop", "thoughts", "feelings", "able", "safe", "continue", "stage2",
        "consent-contact", "follow-up", "end",
    ]  # fmt: skip
    assert (data["incident"], data["task"]) == ("I-0002", next_task)
    assert (data["task_owner"], data["task_due"]) == ("SG-01", "2026-11-27")
    assert "If you would like support" in result.stderr  # stage 2 shares support details
    task = example_study.path_of(get("task"), next_task).read_text()
    assert "owner: SG-01" in task and "due: 2026-11-27" in task and "wp: WP4" in task
    assert "I-0002" in task
    assert git(example_study, "log", "-1", "--format=%an|%s").strip() == (
        f"SG-01|safeguarding: distress protocol (I-0002, {next_task})"
    )
    assert (example_study.root / "incidents" / "I-0002.age").is_file()
    shown = cli("--study", root, "distress", "show", "I-0002", "--json")
    incident = json.loads(shown.stdout)
    assert incident["outcome"] == "protocol-followed" and incident["session"] == "S-0007"
    assert incident["follow_up_call"] is True


def test_branch_resume_and_emergency(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "SG-01")
    root = str(example_study.root)
    resume = cli(
        "--study", root, "distress", "run", "--json", "-a", "signs=yes", "-a", "able=yes",
        "-a", "safe=yes", "-a", "continue=yes", "-a", "follow-up=no",
    )  # fmt: skip
    steps = json.loads(resume.stdout)["steps"]
    assert "resume" in steps and "stage2" not in steps
    assert "If you would like support" in resume.stderr  # shown at the end when not before
    urgent = cli(
        "--study", root, "distress", "run", "--json", "-a", "signs=y", "-a", "able=n",
        "-a", "safe=no", "-a", "risk=yes", "-a", "follow-up=no",
    )  # fmt: skip
    assert "emergency" in json.loads(urgent.stdout)["steps"]


def test_no_signs_records_nothing(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "SG-01")
    before = state(example_study)
    result = cli("--study", str(example_study.root), "distress", "run", "-a", "signs=no")
    assert result.exit_code == 0, result.output
    assert "Nothing needed recording" in result.stderr
    assert state(example_study) == before


def test_researcher_protocol_about_a_team_member(example_study, cli, monkeypatch) -> None:
    # A facilitator of the session may run it (protocols/permissions.yaml); only the
    # safeguarding lead can read it.
    act_as(monkeypatch, "AC-01")
    root = str(example_study.root)
    next_task = example_study.next_id(get("task"))
    result = cli(
        "--study", root, "distress", "run", "-p", "distress-researcher", "--person", "CR-02",
        "--session", "S-0004",
        "--wp", "WP3", "-a", "signs=yes", "-a", "able=yes", "-a", "safe=yes",
        "-a", "continue=no", "-a", "debrief=yes", "-a", "follow-up=yes",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "only the safeguarding lead(s) (SG-01) can read it" in result.stderr
    assert "wp: WP3" in example_study.path_of(get("task"), next_task).read_text()
    assert cli("--study", root, "distress", "show", "I-0002").exit_code == ExitCode.KEY
    act_as(monkeypatch, "SG-01")
    shown = cli("--study", root, "distress", "show", "I-0002")
    assert "about CR-02" in shown.stdout and "debrief -> yes" in shown.stdout


def test_interactive_walk(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "SG-01")
    answers = ["perhaps", "yes", "Racing thoughts", "", "no", "yes", "no", "yes", "yes"]
    answers.append("Asked for a quiet room")  # anything else to record
    root = str(example_study.root)
    result = cli("--study", root, "distress", "run", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Please answer yes or no" in result.stderr
    assert "[stage 1]" in result.stderr and "Stop the interview" in result.stderr
    assert "Anything else to record for the safeguarding lead?" in result.output
    assert "Recorded incident I-0002" in result.stderr
    shown = cli("--study", root, "distress", "show", "I-0002", "--json")
    assert json.loads(shown.stdout)["note"] == "Asked for a quiet room"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["-a", "signs=yes"], ExitCode.USAGE, "step 'able' needs an answer"),
        (["-a", "signz=yes"], ExitCode.USAGE, "no question step 'signz'"),
        (["-a", "signs"], ExitCode.USAGE, "should look like STEP=VALUE"),
        (["-a", "signs=maybe"], ExitCode.USAGE, "should be yes or no"),
        (["--protocol", "distress-other", "-a", "signs=no"], ExitCode.NOT_FOUND, "no distress"),
        (["--person", "CR-99", "-a", "signs=no"], ExitCode.NOT_FOUND, "CR-99 not found"),
        (["--session", "../x", "-a", "signs=no"], ExitCode.USAGE, "not allowed"),
        (["--wp", "WP9", *STAGE2], ExitCode.NOT_FOUND, "WP9 not found"),
    ],
)
def test_bad_input_changes_nothing(example_study, cli, monkeypatch, args, code, message) -> None:
    act_as(monkeypatch, "SG-01")
    before = state(example_study)
    result = cli("--study", str(example_study.root), "distress", "run", "--no-input", *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert state(example_study) == before


def test_no_safeguarding_lead_with_a_key(example_study, cli, monkeypatch) -> None:
    """The incident is kept for the session's facilitators and the coordinator instead
    (tests/wellbeing/test_distress_never_lost.py has the whole story)."""
    from tests.wellbeing.helpers import set_recipient

    set_recipient(example_study, "SG-01", None)
    act_as(monkeypatch, "AC-01")
    result = cli(
        "--study", str(example_study.root), "distress", "run", *STAGE2, "--session", "S-0004",
        "--from-stdin", input="note: KEEP-OUT\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "If you would like support" in result.stderr
    assert "KEEP-OUT" not in result.output
    assert "so that only AC-01, CO-01, CR-01 and CR-04 can read it" in " ".join(
        result.stderr.split()
    )
    assert (example_study.root / "waiting" / "incidents" / "I-0002.yaml").is_file()
    act_as(monkeypatch, "CO-01")
    shown = cli("--study", str(example_study.root), "distress", "show", "I-0002", "--json")
    assert json.loads(shown.stdout)["note"] == "KEEP-OUT"


def test_distress_in_a_subprocess(example_study, run_cli) -> None:
    env = {"PROSPER_COOP_AS": "SG-01"}
    result = run_cli("distress", "run", *STAGE2, cwd=example_study.root, env=env)
    assert result.returncode == 0, result.stderr
    shown = run_cli("distress", "show", "I-0002", cwd=example_study.root, env=env)
    assert shown.returncode == 0 and "Outcome: protocol-followed" in shown.stdout


def test_follow_up_goes_in_the_sessions_work_package(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "SG-01")
    root = str(example_study.root)
    session_wp = example_study.load(get("session"), "S-0002").wp
    assert session_wp is not None
    result = cli("--study", root, "distress", "run", "--session", "S-0002", *STAGE2, "--json")
    assert result.exit_code == 0, result.output
    task = example_study.load(get("task"), json.loads(result.stdout)["task"])
    assert task.wp == session_wp


def test_words_about_distress_on_the_command_line_are_refused(
    example_study, cli, monkeypatch
) -> None:
    act_as(monkeypatch, "SG-01")
    before = state(example_study)
    root = str(example_study.root)
    note = cli("--study", root, "distress", "run", *STAGE2, "--note", "what they said")
    assert note.exit_code == ExitCode.USAGE, note.output
    assert "Error: --note is not taken on the command line" in note.stderr
    said = cli("--study", root, "distress", "run", *STAGE2, "-a", "thoughts=what they said")
    assert said.exit_code == ExitCode.USAGE, said.output
    assert "Error: --answer thoughts=... is not taken on the command line" in said.stderr
    assert "--from-stdin" in said.stderr and "what they said" not in said.stderr
    assert state(example_study) == before


def test_answers_and_note_from_stdin(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "SG-01")
    root = str(example_study.root)
    piped = (
        "signs: yes\nthoughts: Racing: can't stop\nable: no\nsafe: yes\ncontinue: no\n"
        "consent-contact: no\nfollow-up: yes\nnote: Asked for water\n"
    )
    result = cli("--study", root, "distress", "run", "--from-stdin", "--json", input=piped)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["incident"] == "I-0002"
    incident = json.loads(cli("--study", root, "distress", "show", "I-0002", "--json").stdout)
    answers = {step["step"]: step["answer"] for step in incident["steps"]}
    assert answers["thoughts"] == "Racing: can't stop" and answers["able"] == "no"
    assert incident["note"] == "Asked for water"
    unknown = cli("--study", root, "distress", "run", "--from-stdin", input="mood: low\n")
    assert unknown.exit_code == ExitCode.INVALID and "line 1: expected one of" in unknown.stderr


def test_distress_words_never_reach_any_process_arguments(example_study, run_cli, tmp_path) -> None:
    env, log = argv_recorder(tmp_path)
    words, note = "THEIR-OWN-WORDS-ARGV", "A-NOTE-FOR-THE-LEAD-ARGV"
    result = run_cli(
        "distress", "run", *STAGE2, "--from-stdin", input=f"thoughts: {words}\nnote: {note}\n",
        cwd=example_study.root, env={**env, "PROSPER_COOP_AS": "SG-01"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    seen = recorded_argv(log)
    assert any(argv[0] == "git" and "commit-tree" in argv for argv in seen)
    assert any("distress" in arg for argv in seen if argv[0] == "parent" for arg in argv)
    assert not any(words in arg or note in arg for argv in seen for arg in argv)
