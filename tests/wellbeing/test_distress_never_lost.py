"""The distress protocol never loses an incident, and never says whom it is about.

A new study: only the coordinator (made by ``init``) and a co-researcher who
facilitates have joined; the safeguarding lead has not. ``distress run`` still
stores the incident, for the session's facilitators and the coordinator, makes
the follow-up task, and ``status`` says so at the top until the lead has joined
and someone runs ``keys rekey incident``. What a peer sees in git (files, sizes,
commit messages, the task) is the same whoever the incident is about.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from prosper_coop.core.errors import ExitCode
from prosper_coop.core.records import get
from prosper_coop.people import sessions
from prosper_coop.people import team as people
from tests.helpers import act_as, age_shape, git
from tests.people.helpers import add_work, join

STAGE2 = ["-a", "signs=yes", "-a", "able=no", "-a", "safe=yes", "-a", "continue=no",
          "-a", "consent-contact=no", "-a", "follow-up=yes"]  # fmt: skip
RESEARCHER = ["-p", "distress-researcher", "-a", "signs=yes", "-a", "able=yes", "-a", "safe=yes",
              "-a", "continue=no", "-a", "debrief=yes", "-a", "follow-up=yes"]  # fmt: skip
STATUS_LINE = (
    "Incident I-0001 is stored for the facilitators of its session and the study coordinator "
    "(CO-01) only: the safeguarding lead (SG-01) has no key yet. When they have joined, "
    "run: prosper-coop keys rekey incident"
)


@pytest.fixture
def new_study(empty_study, monkeypatch):
    """A new study: CO-01 (joined by init), CR-01 and CR-02 (joined), SG-01 (not joined),
    WP1, and an interview S-0001 today facilitated by CR-01 and CR-02."""
    study = empty_study
    act_as(monkeypatch, "CO-01")
    people.add_person(study, roles=["co-researcher"], alias="Co-researcher A")
    people.add_person(study, roles=["co-researcher"], alias="Co-researcher B")
    people.add_person(study, roles=["safeguarding-lead"], alias="Safeguarding lead")
    add_work(study)
    join(study, "CR-01")
    join(study, "CR-02")
    sessions.add(
        study,
        session_type="interview",
        date=study.today(),
        facilitators=["CR-01", "CR-02"],
        wp="WP1",
    )
    return study


def words(text: str) -> str:
    """``text`` with its lines joined as the terminal wrapped them."""
    return " ".join(text.split())


def run(cli, study, *args: str, input: str | None = None):
    command = ("--study", str(study.root), "distress", "run", "--session", "S-0001", *args)
    return cli(*command, input=input)


def test_without_a_lead_key_the_incident_is_kept_for_the_team(new_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-01")
    result = run(cli, new_study, *STAGE2, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["incident"], data["task"]) == ("I-0001", "T-0001")
    assert data["readers"] == ["CO-01", "CR-01", "CR-02"] and data["waiting_for_lead"] is True
    # The follow-up task is made anyway, for the safeguarding lead, who will need to follow up.
    task = new_study.load(get("task"), "T-0001")
    assert (task.owner, str(task.due), task.wp) == ("SG-01", "2026-11-27", "WP1")
    assert task.title == "Follow-up after a distress protocol (I-0001)"
    assert git(new_study, "log", "-1", "--format=%an|%s", "--name-only").split() == [
        "CR-01|safeguarding:", "distress", "protocol", "(I-0001,", "T-0001)",
        "incidents/I-0001.age", "tasks/00/T-0001.yaml", "waiting/incidents/I-0001.yaml",
    ]  # fmt: skip
    note = (new_study.root / "waiting" / "incidents" / "I-0001.yaml").read_text()
    assert "stored_for:\n- facilitator\n- coordinator\n" in note
    assert "CR-0" not in note  # the note says roles, never people

    for reader in ("CO-01", "CR-02"):
        act_as(monkeypatch, reader)
        shown = cli("--study", str(new_study.root), "distress", "show", "I-0001", "--json")
        assert shown.exit_code == 0, shown.output
        assert json.loads(shown.stdout)["outcome"] == "protocol-followed"

    act_as(monkeypatch, "CO-01")
    status = cli("--study", str(new_study.root), "status")
    assert status.exit_code == 0, status.output
    assert words(status.stdout).startswith(STATUS_LINE)  # the first thing status says
    data = json.loads(cli("--study", str(new_study.root), "status", "--json").stdout)
    assert data["incidents_waiting"]["incidents"] == [
        {"id": "I-0001", "stored_for": ["facilitator", "coordinator"],
         "waiting_for": ["safeguarding-lead"]},
    ]  # fmt: skip


def test_the_command_says_calmly_who_can_read_it(new_study, cli, monkeypatch) -> None:
    act_as(monkeypatch, "CR-01")
    result = run(cli, new_study, *STAGE2)
    assert result.exit_code == 0, result.output
    assert "Recorded incident I-0001; it is stored safely." in result.stderr
    assert (
        "No safeguarding lead has a key yet, so for now it is encrypted so that only CO-01, "
        "CR-01 and CR-02 can read it. When the lead has joined, one of them runs: "
        "prosper-coop keys rekey incident" in " ".join(result.stderr.split())
    )
    assert "Follow-up task T-0001 is due 2026-11-27 for SG-01." in result.stderr
    assert "Warning" not in result.stderr and "Error" not in result.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("age") is None, reason="needs the age command-line tool")
def test_the_age_cli_reads_it_with_the_coordinators_key(
    new_study, cli, monkeypatch, tmp_path
) -> None:
    act_as(monkeypatch, "CR-01")
    assert run(cli, new_study, *STAGE2, "--from-stdin", input="note: NOTE-3817\n").exit_code == 0
    act_as(monkeypatch, "CO-01")
    exported = tmp_path / "co01.txt"
    out = cli("--study", str(new_study.root), "keys", "export", "--out", str(exported))
    assert out.exit_code == 0, out.output
    blob = git_blob(new_study, "HEAD:incidents/I-0001.age")
    plain = subprocess.run(
        ["age", "--decrypt", "--identity", str(exported)], input=blob, capture_output=True
    )
    assert plain.returncode == 0, plain.stderr
    text = plain.stdout.decode()
    assert "id: I-0001" in text and "note: NOTE-3817" in text and "session: S-0001" in text


def git_blob(study, spec: str) -> bytes:
    return subprocess.run(
        ["git", "show", spec], cwd=study.root, check=True, capture_output=True
    ).stdout


def test_once_the_lead_joins_rekey_shares_it_and_status_clears(new_study, cli, monkeypatch) -> None:
    root = str(new_study.root)
    act_as(monkeypatch, "CR-01")
    assert run(cli, new_study, *STAGE2).exit_code == 0
    # Re-encrypted while the lead still has no key: kept for the same readers, still listed.
    act_as(monkeypatch, "CO-01")
    assert cli("--study", root, "keys", "rekey", "incident", "--yes").exit_code == 0
    assert words(cli("--study", root, "status").stdout).startswith(STATUS_LINE)
    join(new_study, "SG-01")
    status = words(cli("--study", root, "status").stdout)
    assert status.startswith(
        "Incident I-0001 is stored for the facilitators of its session and the study "
        "coordinator (CO-01) only: the safeguarding lead (SG-01) has joined since. Share it "
        "now: someone who can read it runs: prosper-coop keys rekey incident"
    )
    act_as(monkeypatch, "SG-01")
    assert cli("--study", root, "distress", "show", "I-0001").exit_code == ExitCode.KEY
    act_as(monkeypatch, "CO-01")
    rekeyed = cli("--study", root, "keys", "rekey", "incident", "--yes")
    assert rekeyed.exit_code == 0, rekeyed.output
    assert not (new_study.root / "waiting" / "incidents" / "I-0001.yaml").exists()
    assert "Incident I-0001" not in cli("--study", root, "status").stdout
    act_as(monkeypatch, "SG-01")
    shown = cli("--study", root, "distress", "show", "I-0001")
    assert shown.exit_code == 0 and "Outcome: protocol-followed" in shown.stdout
    act_as(monkeypatch, "CR-01")  # the lead reads it now; the fallback readers no longer
    assert cli("--study", root, "distress", "show", "I-0001").exit_code == ExitCode.KEY


def test_the_person_it_is_about_is_not_a_reader_and_cannot_be_told_apart(
    new_study, cli, monkeypatch
) -> None:
    """Two incidents in one session: about a participant, and about CR-02, who facilitates.

    CR-02 cannot read the one about them; a peer sees the same commit, the same files,
    the same task and the same size and number of readers for both."""
    act_as(monkeypatch, "CO-01")
    assert run(cli, new_study, *STAGE2, "--participant", "P-0007").exit_code == 0
    first = git(new_study, "rev-parse", "HEAD").strip()
    about = run(cli, new_study, *RESEARCHER, "--person", "CR-02", "--json")
    assert about.exit_code == 0, about.output
    assert json.loads(about.stdout)["readers"] == ["CO-01", "CR-01"]
    act_as(monkeypatch, "CR-02")
    refused = cli("--study", str(new_study.root), "distress", "show", "I-0002")
    assert refused.exit_code == ExitCode.KEY
    act_as(monkeypatch, "CR-01")
    shown = cli("--study", str(new_study.root), "distress", "show", "I-0002", "--json")
    assert json.loads(shown.stdout)["person"] == "CR-02"

    def peer_view(commit: str, number: int) -> tuple[str, str, str, tuple[int, int]]:
        def same(text: str) -> str:
            return re.sub(r"[0-9a-f]{64}", "FP", text.replace(f"{number:04d}", "N"))

        subject = same(git(new_study, "show", "-s", "--format=%an %s", commit))
        files = same(git(new_study, "show", "--name-status", "--format=", commit))
        plain = "".join(
            same(git(new_study, "show", f"{commit}:{path}"))
            for path in (f"tasks/00/T-{number:04d}.yaml", f"waiting/incidents/I-{number:04d}.yaml")
        )
        blob = git_blob(new_study, f"{commit}:incidents/I-{number:04d}.age")
        return subject, files, plain, age_shape(blob)

    participant = peer_view(first, 1)
    team_member = peer_view("HEAD", 2)
    assert participant == team_member
    assert participant[3] == (3, 4096 + 32)  # three readers; one 4 KiB step, sealed
    everything_shared = git(new_study, "log", "-p", f"{first}..HEAD")
    assert "CR-02" not in everything_shared and "distress-researcher" not in everything_shared


def test_nobody_with_a_key_but_the_recorder(empty_study, cli, monkeypatch) -> None:
    """No session, no lead key, and the only coordinator is the person it is about: the
    incident is kept for the person who recorded it rather than lost."""
    act_as(monkeypatch, "CO-01")
    people.add_person(empty_study, roles=["wellbeing-lead"], alias="Wellbeing lead")
    add_work(empty_study)
    join(empty_study, "WB-01")
    act_as(monkeypatch, "WB-01")
    root = str(empty_study.root)
    result = cli("--study", root, "distress", "run", *RESEARCHER, "--person", "CO-01", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["readers"] == ["WB-01"]
    note = (empty_study.root / "waiting" / "incidents" / "I-0001.yaml").read_text()
    assert "stored_for:\n- recorder\n" in note
    act_as(monkeypatch, "CO-01")
    status = words(cli("--study", root, "status").stdout)
    assert status.startswith(
        "Incident I-0001 is stored for the person who recorded it only: the study has no "
        "safeguarding lead yet. Add one (prosper-coop people add --role safeguarding-lead); "
        "when they have joined, run: prosper-coop keys rekey incident"
    )


def test_only_those_the_permission_table_allows_may_record_it(new_study, cli, monkeypatch) -> None:
    """A co-researcher who is not a facilitator of the session is refused before any step."""
    act_as(monkeypatch, "CO-01")
    people.add_person(new_study, roles=["co-researcher"], alias="Co-researcher C")
    join(new_study, "CR-03")
    act_as(monkeypatch, "CR-03")
    before = git(new_study, "rev-parse", "HEAD")
    result = run(cli, new_study, *STAGE2)
    assert result.exit_code == ExitCode.NOT_PERMITTED, result.output
    assert "(you are CR-03)" in result.stderr
    assert result.stderr.rstrip().endswith(
        "If someone needs support now, see: prosper-coop support"
    )
    assert "If you would like support" not in result.stderr  # refused before any step
    assert git(new_study, "rev-parse", "HEAD") == before
