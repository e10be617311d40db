"""``site``, ``recruit``, ``participant`` and ``survey`` from the command line, on a new study."""

from __future__ import annotations

import json
from typing import Any

import pytest

from prosper_coop.core.errors import ExitCode
from prosper_coop.core.study import Study
from tests.helpers import act_as, commit_subjects, git, last_commit, state

FOCUS = "survivors (focus groups)"


@pytest.fixture
def study(empty_study: Study, cli: Any) -> Study:
    """A new study with WP3 (2026-05-14 to 2027-02-18: 70% gone on 2026-11-26) and a site."""
    root = str(empty_study.root)
    done = cli(
        "--study", root, "wp", "add", "WP3", "Case studies",
        "--start", "2026-05-14", "--end", "2027-02-18",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    done = cli("--study", root, "site", "add", "Area A (North)", "--region", "North West")
    assert done.exit_code == 0, done.output
    assert done.stdout == "SITE1\n"
    return empty_study


def run(cli: Any, study: Study, *args: str, code: int = 0, input: str | None = None) -> Any:
    result = cli("--study", str(study.root), *args, input=input)
    assert result.exit_code == code, result.output
    return result


def test_sites_are_added_and_listed(study: Study, cli: Any) -> None:
    run(cli, study, "site", "add", "Area B (Midlands)", "--region", "west midlands")
    run(cli, study, "site", "add", "Area C", "--region", "NORTH WEST")
    sites = json.loads(run(cli, study, "site", "list", "--json").stdout)
    assert [(s["id"], s["name"], s["region"]) for s in sites] == [
        ("SITE1", "Area A (North)", "North West"),
        ("SITE2", "Area B (Midlands)", "west midlands"),
        ("SITE3", "Area C", "North West"),  # spelt as the region already recorded
    ]
    refused = run(cli, study, "site", "add", "area a  (NORTH)", code=ExitCode.CONFLICT)
    assert "already a site called 'Area A (North)' (SITE1)" in refused.output
    assert commit_subjects(study)[0] == "recruitment: add site Area C (SITE3)"


def test_a_target_and_its_participants_give_the_early_warning(study: Study, cli: Any) -> None:
    added = run(
        cli, study, "recruit", "target", "--wp", "wp3", "--group", "Survivors  (Focus groups)",
        "--count", "16", "--by", "2027-02-18",
    )  # fmt: skip
    assert added.stdout == "RT1\n"
    assert "from 2026-05-14 to 2027-02-18" in added.output  # the work package's start
    for day in ("2026-06-01", "2026-07-01", "2026-08-03", "2026-09-01", "2026-10-01"):
        run(cli, study, "participant", "add", "--group", "survivors", "--site", "site1",
            "--recruited", day)  # fmt: skip
    last = run(cli, study, "participant", "add", "--group", FOCUS, "-q")
    assert last.stdout == "P-0006\n"
    assert (
        "-" not in json.loads(run(cli, study, "participant", "list", "--json").stdout)["by_group"]
    )
    line = run(cli, study, "recruit", "status").stdout.replace("\n", " ")
    assert " ".join(line.split()) == (
        "WP3 Survivors (Focus groups): 6 of 16 (38%), 70% of the time gone — behind plan "
        "(expected 11 by now) [####------]"
    )
    data = json.loads(run(cli, study, "recruit", "status", "--json").stdout)
    assert data[0]["behind"] is True and data[0]["expected_now"] == 11
    assert data[0]["planned"] == [["2026-05-14", 0], ["2027-02-18", 16]]
    assert data[0]["actual"][-1] == ["2026-11-26", 6]
    dashboard = " ".join(run(cli, study, "status").stdout.split())
    assert (
        "Recruitment behind plan (more than 20 points below the planned curve): "
        "- WP3 Survivors (Focus groups): 6 of 16 (38%) with 70% of the time gone; "
        "11 expected by now. See every target with: prosper-coop recruit status"
    ) in dashboard
    status = json.loads(run(cli, study, "status", "--json").stdout)
    assert [t["target"] for t in status["recruitment"]["behind"]] == ["RT1"]


def test_adding_a_participant_starts_their_consent_in_the_same_commit(
    study: Study, cli: Any
) -> None:
    run(cli, study, "recruit", "target", "--wp", "WP3", "--group", FOCUS, "--count", "4",
        "--by", "2027-01-31", "--site", "SITE1")  # fmt: skip
    before = len(commit_subjects(study))
    done = run(cli, study, "participant", "add", "--group", "focus", "--site", "SITE1")
    assert len(commit_subjects(study)) == before + 1
    commit = last_commit(study)
    assert "recruitment: add a participant (P-0001, C-0001)" in commit
    assert "participants/P-0001.yaml" in commit and "checklists/C-0001.yaml" in commit
    record = (study.root / "participants" / "P-0001.yaml").read_text()
    assert record == (
        "id: P-0001\ngroup: survivors (focus groups)\nsite: SITE1\nwp: WP3\n"
        "recruited: 2026-11-26\nadded_by: CO-01\n"
    )
    assert "consent record P-0001 --form consent-participant" in done.output
    listing = json.loads(run(cli, study, "participant", "list", "--json").stdout)
    assert listing["participants"][0]["consent"] == "open"
    assert listing["by_consent"] == {"open": 1}
    run(cli, study, "consent", "record", "P-0001", "--form", "consent-participant",
        "--yes", "recording,quotes", "--no", "future-use,withdrawal-window")  # fmt: skip
    listing = json.loads(run(cli, study, "participant", "list", "--json").stdout)
    assert listing["by_consent"] == {"consented": 1}
    withdrawn = run(
        cli, study, "consent", "withdraw", "P-0001", "--scope", "all-not-yet-anonymised"
    )
    assert "T-0001" in withdrawn.stdout
    task = (study.root / "tasks" / "00" / "T-0001.yaml").read_text()
    assert "wp: WP3" in task and "Do not contact P-0001 again" in task
    listing = json.loads(run(cli, study, "participant", "list", "--json").stdout)
    assert listing["by_consent"] == {"withdrawn": 1}
    data = json.loads(run(cli, study, "recruit", "status", "--json").stdout)
    assert (data[0]["recruited"], data[0]["withdrawn"]) == (1, 1)
    assert "1 withdrew" in run(cli, study, "recruit", "status").stdout


def test_a_given_curve_and_its_mistakes(study: Study, cli: Any) -> None:
    base = ["recruit", "target", "--wp", "WP3", "--group", "commissioners (interviews)",
            "--count", "24", "--start", "2026-06-01", "--by", "2027-02-28"]  # fmt: skip
    before = state(study)
    cases = [
        ("2026-09-30:10,2026-08-31:12", "in order"),
        ("2026-09-30:10,2026-12-31:8", "goes down"),
        ("2027-03-31:10", "on or before due"),
        ("2026-09-30:30", "above the target"),
        ("2026-09-30", "not DATE:COUNT"),
        ("2026-09-31:4", "not a date"),
        ("2027-02-28:20", "not at the target"),
    ]
    for curve, words in cases:
        refused = run(cli, study, *base, "--curve", curve, code=ExitCode.USAGE)
        assert words in refused.output, (curve, refused.output)
        assert "Traceback" not in refused.output
    assert state(study) == before
    run(cli, study, *base, "--curve", "2026-09-30:8,2026-12-31:16")
    target = (study.root / "targets" / "RT1.yaml").read_text()
    assert "curve:\n- date: 2026-09-30\n  count: 8\n- date: 2026-12-31\n  count: 16\n" in target
    again = run(cli, study, *base, code=ExitCode.CONFLICT)
    assert "RT1 is already the target" in again.output


def test_a_group_that_could_be_two_is_refused(study: Study, cli: Any) -> None:
    for group in ("survivors (focus groups)", "survivors (interviews)"):
        run(cli, study, "recruit", "target", "--wp", "WP3", "--group", group,
            "--count", "8", "--by", "2027-01-31")  # fmt: skip
    before = state(study)
    refused = run(cli, study, "participant", "add", "--group", "Survivors", code=ExitCode.USAGE)
    assert "could be any of: survivors (focus groups); survivors (interviews)" in refused.output
    assert state(study) == before
    new = run(cli, study, "participant", "add", "--group", "peer workers")
    assert "no recruitment target counts the group 'peer workers'" in new.output


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["participant", "add", "--group", "x", "--site", "SITE9"], ExitCode.NOT_FOUND,
         "site SITE9 not found"),
        (["participant", "add", "--group", "x", "--site", "../etc"], ExitCode.USAGE,
         "site ID"),
        (["participant", "add", "--group", "x", "--recruited", "2026-12-01"], ExitCode.USAGE,
         "in the future"),
        (["participant", "add", "--group", "a\x1b[2Jb"], ExitCode.USAGE, "control characters"),
        (["participant", "add", "--group", "x", "--name", "Someone"], ExitCode.USAGE,
         "No such option"),
        (["recruit", "target", "--wp", "WP9", "--group", "x", "--count", "3", "--by",
          "2027-01-01"], ExitCode.NOT_FOUND, "WP9"),
        (["recruit", "target", "--wp", "WP3", "--group", "x", "--count", "0", "--by",
          "2027-01-01"], ExitCode.USAGE, "from 1 to"),
        (["recruit", "target", "--wp", "WP3", "--group", "x", "--count", "3", "--by",
          "2026-01-01"], ExitCode.USAGE, "must be after start"),
        (["survey", "invite", "SV7", "--count", "3", "--org-type", "x", "--region", "y"],
         ExitCode.NOT_FOUND, "survey SV7 not found"),
    ],
)  # fmt: skip
def test_mistakes_are_refused_calmly(
    study: Study, cli: Any, args: list[str], code: int, words: str
) -> None:
    before = state(study)
    refused = run(cli, study, *args, code=code)
    assert words in refused.output
    assert "Traceback" not in refused.output
    assert state(study) == before


def test_surveys_count_invitations_and_responses_over_time(study: Study, cli: Any) -> None:
    assert run(cli, study, "survey", "add", "National survey of providers", "--wp", "WP3",
               "--round", "1").stdout == "SV1\n"  # fmt: skip
    for kind, count, org, region, on in [
        ("invite", "120", "commissioner", "North West", "2026-10-01"),
        ("invite", "80", "provider", "London", "2026-10-01"),
        ("responses", "14", "Commissioner", "north west", "2026-10-08"),
        ("responses", "6", "commissioner", "North West", "2026-10-15"),
        ("responses", "30", "provider", "London", "2026-10-15"),
    ]:
        run(cli, study, "survey", kind, "sv1", "--count", count, "--org-type", org,
            "--region", region, "--on", on)  # fmt: skip
    data = json.loads(run(cli, study, "survey", "status", "--json").stdout)[0]
    assert (data["invited"], data["responded"]) == (200, 50)
    assert data["by_org_type"] == {"commissioner": [120, 20], "provider": [80, 30]}
    assert data["by_region"] == {"North West": [120, 20], "London": [80, 30]}
    assert data["over_time"] == [["2026-10-08", 14], ["2026-10-15", 50]]
    shown = run(cli, study, "survey", "status", "SV1").stdout
    assert (
        "SV1 National survey of providers (round 1, WP3): 50 responses from 200 invitations (25%)"
        in " ".join(shown.split())
    )
    assert "17%" in shown and "38%" in shown
    too_many = run(cli, study, "survey", "responses", "SV1", "--count", "90", "--org-type",
                   "provider", "--region", "London")  # fmt: skip
    assert "more responses (120) than invitations (80)" in too_many.output
    assert commit_subjects(study)[0] == "surveys: 90 responses (SV1)"


def test_only_the_coordinator_may_manage_recruitment(study: Study, cli: Any, monkeypatch) -> None:
    run(cli, study, "people", "add", "--role", "co-researcher", "--alias", "Co-researcher A")
    from prosper_coop.people.joining import give_signing_keys

    give_signing_keys(study.settings.uid, [study.load(_person(), "CR-01")], comment="test")
    act_as(monkeypatch, "CR-01")
    before = state(study)
    for args in (
        ["site", "add", "Area Z"],
        ["participant", "add", "--group", "x"],
        ["recruit", "target", "--wp", "WP3", "--group", "x", "--count", "3", "--by", "2027-01-01"],
        ["survey", "add", "A survey"],
    ):
        refused = run(cli, study, *args, code=ExitCode.NOT_PERMITTED)
        assert "coordinator" in refused.output
    assert state(study) == before
    assert "SITE1" in run(cli, study, "site", "list").stdout  # reading is for everyone


def _person() -> Any:
    from prosper_coop.core.records import get

    return get("person")


def test_sessions_list_their_participants_and_mode(study: Study, cli: Any) -> None:
    run(cli, study, "participant", "add", "--group", FOCUS)
    run(cli, study, "participant", "add", "--group", FOCUS)
    added = run(cli, study, "session", "add", "--type", "focus-group", "--date", "2026-12-10",
                "--facilitators", "CO-01", "--mode", "Online", "--participant", "p-0001",
                "--participant", "P-0002,P-0001")  # fmt: skip
    session_id = added.stdout.strip()
    text = (study.root / "sessions" / f"{session_id}.yaml").read_text()
    assert "participants:\n- P-0001\n- P-0002\nmode: online\n" in text
    shown = json.loads(run(cli, study, "session", "show", session_id, "--json").stdout)
    assert (shown["participants"], shown["mode"]) == (["P-0001", "P-0002"], "online")
    assert "Held online." in run(cli, study, "session", "show", session_id).stdout
    before = state(study)
    run(cli, study, "session", "add", "--type", "interview", "--date", "2026-12-11",
        "--facilitators", "CO-01", "--participant", "P-0009", code=ExitCode.NOT_FOUND)  # fmt: skip
    run(cli, study, "session", "add", "--type", "interview", "--date", "2026-12-11",
        "--facilitators", "CO-01", "--mode", "carrier pigeon", code=ExitCode.USAGE)  # fmt: skip
    assert state(study) == before
    assert git(study, "status", "--porcelain") == ""


def test_the_console_script_runs_each_group(example_study: Study, run_cli: Any) -> None:
    root = example_study.root
    added = run_cli("participant", "add", "--group", "providers", "--site", "SITE2", cwd=root)
    assert added.returncode == 0, added.stderr
    assert added.stdout == "P-0027\n"
    assert "commissioners and providers (interviews)" in added.stderr
    status = run_cli("recruit", "status", "--wp", "WP3", "--json", cwd=root)
    assert status.returncode == 0, status.stderr
    assert [t["recruited"] for t in json.loads(status.stdout)] == [6, 17, 0]
    rates = run_cli("survey", "status", "SV2", "--json", cwd=root)
    assert json.loads(rates.stdout)[0]["round"] == 2
    sites = run_cli("site", "list", cwd=root)
    assert "Area D (London)" in sites.stdout
    refused = run_cli("survey", "responses", "SV1", "--count", "-3", "--org-type", "provider",
                      "--region", "London", cwd=root)  # fmt: skip
    assert refused.returncode == ExitCode.USAGE
    assert "from 1 to" in refused.stderr and "Traceback" not in refused.stderr
