"""``prosper-coop wellbeing alerts|show|resolve|plan``."""

from __future__ import annotations

import json
import re

from prosper_coop.core.errors import ExitCode
from tests.helpers import act_as, argv_recorder, git, recorded_argv, state
from tests.wellbeing.helpers import set_recipient


def test_the_lead_lists_alerts_without_their_content(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "WB-01")
    result = cli("--study", str(example_study.root), "wellbeing", "alerts", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["id"], r["person"], r["level"], r["status"]) for r in rows] == [
        ("A-0004", "CR-02", "high", "open"),
        ("A-0002", "CR-04", "contact-requested", "resolved"),
    ]
    assert rows[0]["days_open"] == 1
    assert "distress" not in result.stdout and "note" not in result.stdout
    opened = cli("--study", str(example_study.root), "wellbeing", "alerts", "--open")
    assert "A-0004" in opened.stdout and "A-0002" not in opened.stdout
    assert "high rating" in opened.stdout


def test_the_coordinator_is_shown_no_one_elses_alert(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CO-01")
    result = cli("--study", str(example_study.root), "wellbeing", "alerts", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_lead_reads_the_checkin_behind_an_alert(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "WB-01")
    result = cli("--study", str(example_study.root), "wellbeing", "show", "A-0004", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["checkin_record"]["distress"] == 8
    assert "brought back a lot" in data["checkin_record"]["note"]
    assert data["problem"] is None


def test_someone_else_cannot_even_learn_the_alert_exists(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "AC-01")
    shown = cli("--study", str(example_study.root), "wellbeing", "show", "A-0004")
    none = cli("--study", str(example_study.root), "wellbeing", "show", "A-0003")  # no alert
    assert shown.exit_code == none.exit_code == ExitCode.NOT_FOUND
    assert shown.stderr == none.stderr.replace("A-0003", "A-0004")
    assert "there is no alert A-0004 that your key can read" in shown.stderr
    assert "CR-02" not in shown.output and "Distress rating" not in shown.stdout


def test_lead_without_a_key_gets_a_calm_key_error(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-05")
    result = cli("--study", str(example_study.root), "wellbeing", "show", "A-0004")
    assert result.exit_code == ExitCode.KEY
    assert "Error: CR-05 has no key yet" in result.stderr


def test_missing_private_key_file(example_study, cli, monkeypatch) -> None:
    from prosper_coop.crypto import keys
    from tests.wellbeing.helpers import recipient_of

    keys.key_path(recipient_of(example_study, "WB-01")).unlink()
    act_as(monkeypatch, "WB-01")
    result = cli("--study", str(example_study.root), "wellbeing", "show", "A-0004")
    assert result.exit_code == ExitCode.KEY
    assert "your private key is not on this computer" in result.stderr
    assert "keys import" in result.stderr


def test_resolve_encrypts_the_note(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "WB-01")
    result = cli("--study", root, "wellbeing", "resolve", "A-0004", input="Called; SAFE-NOTE\n")
    assert result.exit_code == 0, result.output
    subject, *changes = git(example_study, "show", "--name-status", "--format=%an|%s").split("\n")
    assert subject == "WB-01|wellbeing: resolve an alert"  # no alert ID, no person
    [(status, new_file)] = [line.split("\t") for line in changes if line]
    assert status == "A" and re.fullmatch(r"resolutions/AR-[0-9a-f]{16}\.age", new_file)
    text = (example_study.root / new_file).read_text()
    assert "SAFE-NOTE" not in text and "BEGIN AGE ENCRYPTED FILE" in text
    shown = cli("--study", root, "wellbeing", "show", "A-0004")
    assert "Status: resolved (by WB-01)" in shown.stdout
    assert "Resolution note: Called; SAFE-NOTE" in shown.stdout
    act_as(monkeypatch, "CR-02")  # the person can read the note about them
    shown = cli("--study", root, "wellbeing", "show", "A-0004", "--json")
    assert json.loads(shown.stdout)["resolution_note"] == "Called; SAFE-NOTE"
    # and doctor accepts the alert record
    assert cli("--study", root, "doctor").exit_code == 0


def test_resolve_bad_input(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "WB-01")
    before = state(example_study)
    empty = cli("--study", root, "wellbeing", "resolve", "A-0004", input=" ")
    assert empty.exit_code == ExitCode.USAGE and "note is empty" in empty.stderr
    again = cli("--study", root, "wellbeing", "resolve", "A-0002", input="x")
    assert again.exit_code == ExitCode.CONFLICT and "already resolved" in again.stderr
    missing = cli("--study", root, "wellbeing", "resolve", "A-0099", input="x")
    assert missing.exit_code == ExitCode.NOT_FOUND
    for option in ("--note", "-m"):  # a note on the command line, for all to see: refused
        argv = cli("--study", root, "wellbeing", "resolve", "A-0004", option, "Called")
        assert argv.exit_code == ExitCode.USAGE, argv.output
        assert "--note is not taken on the command line" in argv.stderr
        assert "| prosper-coop wellbeing resolve A-0004" in argv.stderr
    bad_id = cli("--study", root, "wellbeing", "show", "../etc")
    assert bad_id.exit_code == ExitCode.USAGE
    assert state(example_study) == before


def test_plan_from_stdin(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "CR-02")
    result = cli("--study", root, "wellbeing", "plan", input="what-helps: Music\n")
    assert result.exit_code == 0, result.output
    assert "you and the wellbeing lead (WB-01)" in result.stderr
    piped = cli("--study", root, "wellbeing", "plan", input="early_signs: Poor sleep\n")
    assert piped.exit_code == 0, piped.output
    shown = cli("--study", root, "wellbeing", "plan", "--json")
    plan = json.loads(shown.stdout)
    assert (plan["what_helps"], plan["early_signs"]) == ("Music", "Poor sleep")
    act_as(monkeypatch, "WB-01")
    lead = cli("--study", root, "wellbeing", "plan", "--person", "CR-02")
    assert "Music" in lead.stdout
    act_as(monkeypatch, "CR-01")
    other = cli("--study", root, "wellbeing", "plan", "--person", "CR-02")
    assert other.exit_code == ExitCode.KEY


def test_failed_plan_write_never_overwrites_the_encrypted_plan(
    example_study, cli, monkeypatch
) -> None:
    path = example_study.root / "plans" / "CR-01.age"
    before_bytes = path.read_bytes()
    set_recipient(example_study, "WB-01", "age1" + "p" * 58)
    act_as(monkeypatch, "CR-01")
    before = state(example_study)
    result = cli("--study", str(example_study.root), "wellbeing", "plan", input="other: LOST?\n")
    assert result.exit_code == ExitCode.KEY
    assert path.read_bytes() == before_bytes
    assert state(example_study) == before


def test_wellbeing_commands_in_a_subprocess(example_study, run_cli) -> None:
    lead = {"PROSPER_COOP_AS": "WB-01"}
    cwd = example_study.root
    alerts = run_cli("wellbeing", "alerts", "--open", "--json", cwd=cwd, env=lead)
    assert [a["id"] for a in json.loads(alerts.stdout)] == ["A-0004"]
    shown = run_cli("wellbeing", "show", "A-0004", cwd=cwd, env=lead)
    assert shown.returncode == 0 and "Distress rating: 8" in shown.stdout
    done = run_cli("wellbeing", "resolve", "A-0004", input="Talked", cwd=cwd, env=lead)
    assert done.returncode == 0, done.stderr
    plan = run_cli("wellbeing", "plan", "--show", cwd=cwd, env={"PROSPER_COOP_AS": "CR-01"})
    assert "A short walk" in plan.stdout


def test_co_researchers_see_only_their_own_alerts(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "WB-01")
    everyone = json.loads(cli("--study", root, "wellbeing", "alerts", "--json").stdout)
    assert len({a["person"] for a in everyone}) >= 2
    act_as(monkeypatch, "CR-03")
    result = cli("--study", root, "wellbeing", "alerts", "--json")
    assert result.exit_code == 0, result.output
    assert {a["person"] for a in json.loads(result.stdout)} <= {"CR-03"}
    assert "These are your own alerts" in result.stderr


def test_lead_sees_a_contact_request_with_a_high_rating(example_study, cli, monkeypatch) -> None:
    root = str(example_study.root)
    act_as(monkeypatch, "CR-01")
    assert cli("--study", root, "checkin", "-d", "9", "--contact", "yes").exit_code == 0
    act_as(monkeypatch, "WB-01")
    listed = cli("--study", root, "wellbeing", "alerts", "--open")
    assert "high rating; asked to be contacted" in listed.stdout
    rows = json.loads(cli("--study", root, "wellbeing", "alerts", "--json").stdout)
    assert any(r["person"] == "CR-01" and r["contact_requested"] for r in rows)


def test_plan_answers_on_the_command_line_are_refused(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-02")
    before = state(example_study)
    for option in ("--what-helps", "--early-signs", "--who-to-contact", "--in-a-crisis", "--other"):
        result = cli("--study", str(example_study.root), "wellbeing", "plan", option, "Music")
        assert result.exit_code == ExitCode.USAGE, result.output
        assert f"Error: {option} is not taken on the command line" in result.stderr
        assert "| prosper-coop wellbeing plan" in result.stderr
    assert state(example_study) == before


def test_plan_from_stdin_bad_input(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-02")
    before = state(example_study)
    root = str(example_study.root)
    nothing = cli("--study", root, "wellbeing", "plan", input="")
    assert nothing.exit_code == ExitCode.USAGE and "nothing to save" in nothing.stderr
    unknown = cli("--study", root, "wellbeing", "plan", input="what_hurts: x\n")
    assert unknown.exit_code == ExitCode.INVALID
    assert "expected one of: what_helps, early_signs" in unknown.stderr
    assert state(example_study) == before


def test_wellbeing_notes_never_reach_any_process_arguments(
    example_study, run_cli, tmp_path
) -> None:
    env, log = argv_recorder(tmp_path)
    note = "CALLED-AND-AGREED-A-CATCH-UP-ARGV"
    plan = "A-WALK-WITH-THE-DOG-ARGV"
    cwd = example_study.root
    done = run_cli("wellbeing", "resolve", "A-0004", input=note, cwd=cwd,
                   env={**env, "PROSPER_COOP_AS": "WB-01"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = run_cli("wellbeing", "plan", input=f"what-helps: {plan}\n", cwd=cwd,
                      env={**env, "PROSPER_COOP_AS": "CR-01"})  # fmt: skip
    assert written.returncode == 0, written.stderr
    seen = recorded_argv(log)
    assert sum(argv[0] == "git" and "commit-tree" in argv for argv in seen) == 2
    assert any("resolve" in arg for argv in seen if argv[0] == "parent" for arg in argv)
    assert not any(note in arg or plan in arg for argv in seen for arg in argv)
