"""Doctor checks and the status section for wellbeing."""

from __future__ import annotations

import json

from prosper_coop.core.errors import ExitCode
from tests.helpers import act_as
from tests.wellbeing.helpers import add_person, set_recipient


def test_doctor_warns_when_a_role_has_no_one_with_a_key(empty_study, cli) -> None:
    add_person(empty_study, "WB-01", ["wellbeing-lead"])
    set_recipient(empty_study, "CO-01", None)  # init gave the coordinator a key: signed away
    result = cli("--study", str(empty_study.root), "doctor", "--json")
    assert result.exit_code == 0, result.output
    found = {(p["field"], p["severity"]) for p in json.loads(result.stdout)}
    assert ("wellbeing-lead", "warning") in found
    assert ("safeguarding-lead", "warning") in found
    assert ("coordinator", "warning") in found
    text = cli("--study", str(empty_study.root), "doctor").stdout
    assert "no wellbeing-lead has a key yet (WB-01)" in text
    assert "no safeguarding-lead has a key yet (nobody holds it)" in text
    strict = cli("--study", str(empty_study.root), "doctor", "--strict")
    assert strict.exit_code == ExitCode.INVALID


def test_example_has_a_key_for_every_lead(example_study, cli) -> None:
    result = cli("--study", str(example_study.root), "doctor", "--json")
    fields = {p["field"] for p in json.loads(result.stdout)}
    assert not fields & {"wellbeing-lead", "safeguarding-lead", "coordinator"}


def test_doctor_rejects_an_invalid_public_key(example_study, cli) -> None:
    set_recipient(example_study, "WB-01", "age1" + "z" * 58)
    result = cli("--study", str(example_study.root), "doctor")
    assert result.exit_code == ExitCode.INVALID
    assert "people/WB-01.yaml:" in result.stdout
    assert "age_recipient: not a valid age public key" in result.stdout


def test_doctor_warns_on_stale_signposting(example_study, cli, monkeypatch) -> None:
    monkeypatch.setenv("PROSPER_COOP_TODAY", "2027-07-01")
    result = cli("--study", str(example_study.root), "doctor")
    assert result.exit_code == 0, result.output
    assert "wellbeing/signposting.yaml: checked_on: Samaritans: last checked 2026-11-26" in (
        result.stdout
    )
    assert "more than 180 days ago" in result.stdout


def test_doctor_reports_broken_settings(example_study, cli) -> None:
    root = example_study.root
    (root / "wellbeing" / "checkin.yaml").write_text("threshold: 12\nquestions: {}\n")
    (root / "wellbeing" / "recipients.yaml").write_text("readers:\n  checkin: [nobody]\n")
    protocol = root / "protocols" / "distress-participant.yaml"
    protocol.write_text(protocol.read_text().replace("next: thoughts", "next: thinking"))
    result = cli("--study", str(root), "doctor")
    assert result.exit_code == ExitCode.INVALID
    assert "wellbeing/checkin.yaml: threshold: 12 is outside the scale 0-10" in result.stdout
    assert "wellbeing/recipients.yaml: readers." in result.stdout
    assert "protocols/distress-participant.yaml" in result.stdout
    assert "next step 'thinking' does not exist" in result.stdout


def test_status_shows_a_lead_open_alert_counts_and_ages_only(
    example_study, cli, monkeypatch
) -> None:
    act_as(monkeypatch, "WB-01")
    result = cli("--study", str(example_study.root), "status", "--json")
    data = json.loads(result.stdout)["wellbeing"]
    assert data == {
        "scope": "all",
        "open_alerts": 1,
        "open_alert_ages_days": [1],
        "oldest_open_days": 1,
        "by_level": {"high": 1, "contact-requested": 0},
    }
    human = cli("--study", str(example_study.root), "status").stdout
    assert "Wellbeing: 1 open alert(s), open for 1 d." in human
    assert "CR-02" not in human.split("Wellbeing:")[1]


def test_status_shows_others_nothing_of_anyone_elses_alerts(
    example_study, cli, monkeypatch
) -> None:
    """Peers are shown no count: a count that moves after a check-in would tell whose."""
    for person, own in (("CR-01", 0), ("CO-01", 0), ("CR-02", 1)):
        act_as(monkeypatch, person)
        data = json.loads(cli("--study", str(example_study.root), "status", "--json").stdout)
        assert data["wellbeing"]["scope"] == "own"
        assert data["wellbeing"]["open_alerts"] == own
        human = " ".join(cli("--study", str(example_study.root), "status").stdout.split())
        assert ("Wellbeing: you have 1 open alert(s), open for 1 d; the wellbeing lead will "
                "be in touch." in human) == bool(own)  # fmt: skip
        assert "Wellbeing: no open alerts" not in human
        assert human.count("Wellbeing:") == (1 if own else 0)
    act_as(monkeypatch, "CR-05")  # no key on this computer: nothing at all
    data = json.loads(cli("--study", str(example_study.root), "status", "--json").stdout)
    assert data["wellbeing"]["scope"] == "none" and data["wellbeing"]["open_alerts"] == 0


def test_an_alert_kept_in_plain_text_is_a_doctor_error(example_study, cli) -> None:
    """As versions before alerts were encrypted kept them: doctor says how to encrypt it."""
    path = example_study.root / "alerts" / "A-0001.yaml"
    path.write_text("id: A-0001\nperson: CR-02\nlevel: high\nraised: 2026-11-20T10:00:00+00:00\n")
    result = cli("--study", str(example_study.root), "doctor")
    assert result.exit_code == ExitCode.INVALID
    assert "alerts/A-0001.yaml: an alert kept in plain text" in result.stdout
    assert "prosper-coop keys rekey alert" in result.stdout


def test_misplaced_encrypted_files(example_study, cli) -> None:
    root = example_study.root
    source = (root / "checkins" / "CR-01" / "CI-0001.age").read_bytes()
    (root / "checkins" / "CI-0009.age").write_bytes(source)
    (root / "checkins" / "CR-77").mkdir()
    (root / "checkins" / "CR-77" / "CI-0010.age").write_bytes(source)
    (root / "plans" / "notes.age").write_bytes(source)
    result = cli("--study", str(root), "doctor")
    assert result.exit_code == ExitCode.INVALID
    assert "checkins/CI-0009.age: should be in a folder named after its person" in (result.stdout)
    assert "checkins/CR-77/CI-0010.age: belongs to unknown person CR-77" in result.stdout
    assert "plans/notes.age: not a plan file name (like CR-01)" in result.stdout
