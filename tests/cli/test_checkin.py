"""``prosper-coop checkin`` and ``prosper-coop support``."""

from __future__ import annotations

import json

import pytest

from prosper_coop.core.errors import ExitCode
from prosper_coop.wellbeing.models import Alert
from tests.helpers import act_as, argv_recorder, git, join_here, recorded_argv, state
from tests.wellbeing.helpers import add_person, read_as, set_recipient


def test_checkin_below_threshold_stores_encrypted_record_and_no_alert(
    example_study, cli, monkeypatch
) -> None:
    act_as(monkeypatch, "CR-01")
    result = cli("--study", str(example_study.root), "checkin", "--distress", "2", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["checkin"], data["alert"]) == ("CI-0005", None)
    assert sorted(data["readers"]) == ["CR-01", "WB-01"]
    assert "If you would like support" not in result.stderr
    log = git(example_study, "log", "-1", "--format=%an|%s", "--name-only")
    assert log.split() == [
        "CR-01|wellbeing:", "check-in", "(CI-0005)",
        "alerts/CR-01/A-0005.age", "checkins/CR-01/CI-0005.age",
    ]  # fmt: skip
    slot = read_as(example_study, "CR-01", "alerts/CR-01/A-0005.age", Alert)
    assert slot is not None and not slot.is_alert and slot.checkin == "CI-0005"


def test_checkin_over_threshold_shows_support_and_raises_alert(
    example_study, cli, monkeypatch
) -> None:
    act_as(monkeypatch, "CR-02")
    result = cli("--study", str(example_study.root), "checkin", "--distress", "9")
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "If you would like support" in err and "116 123" in err
    assert err.index("If you would like support") < err.index("Saved your check-in")
    assert "we have let the wellbeing lead know" in err
    assert "Only you and the wellbeing lead(s) can see the alert" in err
    text = (example_study.root / "alerts" / "CR-02" / "A-0005.age").read_text()
    assert text.startswith("-----BEGIN AGE ENCRYPTED FILE-----") and "high" not in text
    alert = read_as(example_study, "WB-01", "alerts/CR-02/A-0005.age", Alert)
    assert alert is not None and (alert.person, alert.level, alert.checkin) == (
        "CR-02", "high", "CI-0005"
    )  # fmt: skip
    subject = git(example_study, "log", "-1", "--format=%s")
    assert subject.strip() == "wellbeing: check-in (CI-0005)"


def test_asking_for_contact_raises_an_alert_at_any_rating(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-03")
    result = cli("--study", str(example_study.root), "checkin", "-d", "1", "--contact", "yes")
    assert result.exit_code == 0, result.output
    assert "If you would like support" in result.stderr
    alert = read_as(example_study, "WB-01", "alerts/CR-03/A-0005.age", Alert)
    assert alert is not None and alert.level == "contact-requested" and alert.contact_requested


def test_support_is_shown_before_anything_is_written(example_study, cli, monkeypatch) -> None:
    """Even when the study is busy (nothing can be saved), support comes first."""
    act_as(monkeypatch, "CR-02")
    before = state(example_study)
    with example_study.lock():
        result = cli("--study", str(example_study.root), "checkin", "--distress", "10")
    assert result.exit_code == ExitCode.BUSY
    assert "If you would like support" in result.stderr
    assert "Samaritans" in result.stderr
    assert state(example_study) == before


def test_interactive_checkin_says_who_can_read_and_asks_again_on_bad_rating(
    example_study, cli, monkeypatch
) -> None:
    act_as(monkeypatch, "CR-04")
    result = cli(
        "--study", str(example_study.root), "checkin", input="eleven\n11\n3\nmaybe\nno\n\n"
    )
    assert result.exit_code == 0, result.output
    assert "Who can read your answers: you and the wellbeing lead (WB-01)" in result.stderr
    assert "Others in the team can see that you checked in and when" in result.stderr
    assert result.stderr.count("Please try again") == 2
    assert "Please answer yes or no" in result.stderr
    assert (example_study.root / "checkins/CR-04/CI-0005.age").is_file()


@pytest.mark.parametrize(
    ("value", "message"),
    [("11", "from 0 to 10"), ("abc", "whole number from 0 to 10"), ("-1", "from 0 to 10"),
     ("3.5", "whole number")],
)  # fmt: skip
def test_bad_ratings_are_refused_calmly(example_study, cli, monkeypatch, value, message) -> None:
    act_as(monkeypatch, "CR-01")
    before = state(example_study)
    result = cli("--study", str(example_study.root), "checkin", "--distress", value)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "Error: " in result.stderr
    assert message in result.stderr and "Nothing was saved" in result.stderr
    # A check-in that could not be saved says nobody was told, and where support is: in
    # one line, or in full above a rating over the scale (see tests/cli/test_kind_cli.py).
    assert "prosper-coop support" in result.stderr or "If you would like support" in result.stderr
    assert "nobody has been told" in result.stderr
    assert "Traceback" not in result.output
    assert state(example_study) == before


def test_bad_contact_answer(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-01")
    before = state(example_study)
    result = cli("--study", str(example_study.root), "checkin", "-d", "2", "--contact", "perhaps")
    assert result.exit_code == ExitCode.USAGE
    assert "--contact should be yes or no" in result.stderr
    assert state(example_study) == before


def test_no_one_with_a_key_saves_nothing_and_says_to_call_the_lead(
    example_study, cli, monkeypatch
) -> None:
    """Nothing can be stored safely, not even the alert: the person is told to call the lead."""
    set_recipient(example_study, "WB-01", None)
    act_as(monkeypatch, "CR-05")  # joined, but has no reading key yet
    before = state(example_study)
    result = cli(
        "--study", str(example_study.root), "checkin", "--from-stdin",
        input="distress: 9\nnote: SECRET-WORDS\n",
    )  # fmt: skip
    assert result.exit_code == ExitCode.KEY, result.output
    assert "could not be stored" in result.stderr
    assert "no alert could be raised either" in result.stderr
    assert "Please contact the wellbeing lead directly" in result.stderr
    assert "If you would like support" in result.stderr
    assert "SECRET-WORDS" not in result.output
    assert state(example_study) == before


def test_an_alert_no_lead_can_read_is_said_plainly(example_study, cli, monkeypatch) -> None:
    """The lead has no key yet: the check-in and its alert are stored for the person only."""
    set_recipient(example_study, "WB-01", None)
    act_as(monkeypatch, "CR-01")
    result = cli("--study", str(example_study.root), "checkin", "-d", "9", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["readers"] == ["CR-01"]
    result = cli("--study", str(example_study.root), "checkin", "-d", "9")
    assert "We could not let the wellbeing lead know" in result.stderr
    assert "please contact them directly" in result.stderr
    assert "we have let the wellbeing lead know" not in result.stderr
    alert = read_as(example_study, "CR-01", "alerts/CR-01/A-0006.age", Alert)
    assert alert is not None and alert.is_alert


def test_low_checkin_with_no_keys_changes_nothing(empty_study, cli, monkeypatch) -> None:
    add_person(empty_study, "CR-01", ["co-researcher"])
    join_here(empty_study, "CR-01")
    act_as(monkeypatch, "CR-01")
    set_recipient(empty_study, "CR-01", None)  # joined, then gave up their reading key
    before = state(empty_study)
    result = cli("--study", str(empty_study.root), "checkin", "-d", "1")
    assert result.exit_code == ExitCode.KEY, result.output
    assert state(empty_study) == before


def test_invalid_recipient_key_refuses_without_writing(example_study, cli, monkeypatch) -> None:
    set_recipient(example_study, "WB-01", "age1" + "q" * 58)
    act_as(monkeypatch, "CR-01")
    before = state(example_study)
    result = cli(
        "--study", str(example_study.root), "checkin", "-d", "2", "--from-stdin",
        input="note: HIDDEN-1\n",
    )  # fmt: skip
    assert result.exit_code == ExitCode.KEY
    assert "the public key of WB-01 is not a valid age key" in result.stderr
    assert "HIDDEN-1" not in result.output
    assert state(example_study) == before


def test_checkin_in_a_subprocess(example_study, run_cli) -> None:
    result = run_cli(
        "checkin", "--distress", "7", cwd=example_study.root, env={"PROSPER_COOP_AS": "CR-01"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Rape Crisis" in result.stderr
    assert (example_study.root / "alerts" / "CR-01" / "A-0005.age").is_file()


def test_a_note_on_the_command_line_is_refused_and_support_still_shown(
    example_study, cli, monkeypatch
) -> None:
    act_as(monkeypatch, "CR-01")
    before = state(example_study)
    result = cli("--study", str(example_study.root), "checkin", "-d", "8", "--note", "words")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "Error: --note is not taken on the command line" in result.stderr
    assert "prosper-coop checkin --from-stdin" in result.stderr
    assert "If you would like support" in result.stderr
    assert "nobody has been told" in result.stderr
    assert state(example_study) == before


def test_checkin_answers_from_stdin(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-01")
    root = str(example_study.root)
    result = cli(
        "--study", root, "checkin", "--from-stdin", "--json",
        input="distress: 4\ncontact: yes\nnote: A long day: tired\n  but fine\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout)
    assert made["alert"] is not None  # asked to be contacted
    act_as(monkeypatch, "WB-01")
    shown = json.loads(cli("--study", root, "wellbeing", "show", made["alert"], "--json").stdout)
    assert shown["checkin_record"]["distress"] == 4
    assert shown["checkin_record"]["note"] == "A long day: tired\nbut fine"
    act_as(monkeypatch, "CR-01")
    no_rating = cli("--study", root, "checkin", "--from-stdin", input="note: x\n")
    assert no_rating.exit_code == ExitCode.USAGE and "distress: N" in no_rating.stderr


def test_checkin_note_never_reaches_any_process_arguments(example_study, run_cli, tmp_path) -> None:
    env, log = argv_recorder(tmp_path)
    note = "A-NOTE-KEPT-OFF-THE-COMMAND-LINE"
    result = run_cli(
        "checkin", "--from-stdin", input=f"distress: 7\ncontact: no\nnote: {note}\n",
        cwd=example_study.root, env={**env, "PROSPER_COOP_AS": "CR-01"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    seen = recorded_argv(log)
    assert any(argv[0] == "git" and "commit-tree" in argv for argv in seen)
    assert any("checkin" in arg for argv in seen if argv[0] == "parent" for arg in argv)
    assert not any(note in arg for argv in seen for arg in argv)


# -- support -------------------------------------------------------------------------
def test_support_works_outside_a_study_with_no_setup(cli) -> None:
    result = cli("support")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("If you would like support")
    assert "0808 500 2222" in result.stdout and "Childline" in result.stdout


def test_support_json_uses_the_studys_own_copy(empty_study, cli) -> None:
    path = empty_study.root / "wellbeing" / "signposting.yaml"
    path.write_text(path.read_text().replace("name: Samaritans", "name: Samaritans (local)"))
    result = cli("--study", str(empty_study.root), "support", "--json")
    assert result.exit_code == 0, result.output
    names = [s["name"] for s in json.loads(result.stdout)["services"]]
    assert "Samaritans (local)" in names


def test_support_subprocess_anywhere(run_cli, tmp_path) -> None:
    result = run_cli("support", cwd=tmp_path, env={"PROSPER_COOP_CONFIG_DIR": str(tmp_path / "x")})
    assert result.returncode == 0, result.stderr
    assert "Samaritans" in result.stdout
    assert not (tmp_path / "x").exists()


def test_support_is_shown_before_git_or_pyrage_is_imported(example_study, run_cli, tmp_path):
    """A tripwire on the slow imports proves the support details come first."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(
        "import sys\n"
        "class Tripwire:\n"
        "    seen = set()\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        top = name.split('.')[0]\n"
        "        if top in ('git', 'pyrage') and top not in self.seen:\n"
        "            self.seen.add(top)\n"
        "            sys.stderr.write(f'TRIPWIRE {top}\\n')\n"
        "        return None\n"
        "sys.meta_path.insert(0, Tripwire())\n"
    )
    result = run_cli(
        "checkin", "--distress", "9", cwd=example_study.root,
        env={"PROSPER_COOP_AS": "CR-02", "PYTHONPATH": str(hooks)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    err = result.stderr
    assert "TRIPWIRE" in err  # the tripwire works
    assert err.index("If you would like support") < err.index("TRIPWIRE")


def test_contact_request_without_rating_shows_support(example_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-01")
    before = state(example_study)
    result = cli("--study", str(example_study.root), "checkin", "--contact", "yes")
    assert result.exit_code == ExitCode.USAGE
    assert "If you would like support" in result.stderr
    assert "needs a rating from 0 to 10" in result.stderr and "Aborted" not in result.stderr
    assert state(example_study) == before


def test_checkin_outside_a_study_still_shows_support(cli) -> None:
    result = cli("checkin", "--distress", "8", "--contact", "yes")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "If you would like support" in result.stderr
    assert "Your check-in was not saved, so nobody has been told about it." in result.stderr


def test_alert_waits_for_sync_when_the_team_shares_a_remote(
    example_study, cli, monkeypatch
) -> None:
    git(example_study, "remote", "add", "origin", str(example_study.root.parent / "team.git"))
    act_as(monkeypatch, "CR-01")
    result = cli("--study", str(example_study.root), "checkin", "-d", "9", "--contact", "yes")
    assert result.exit_code == 0, result.output
    assert "once this study is synced" in result.stderr and "prosper-coop sync" in result.stderr


def test_support_still_shows_when_the_studys_copy_has_an_impossible_date(empty_study, cli) -> None:
    path = empty_study.root / "wellbeing" / "signposting.yaml"
    path.write_text(path.read_text().replace("checked_on: 2026-11-26", "checked_on: 2026-02-30", 1))
    result = cli("--study", str(empty_study.root), "support")
    assert result.exit_code == 0, result.output
    assert "Samaritans" in result.stdout + result.stderr
    doctor = cli("--study", str(empty_study.root), "doctor")
    assert doctor.exit_code == ExitCode.INVALID
    assert "wellbeing/signposting.yaml:" in doctor.stdout and "not a real date" in doctor.stdout
