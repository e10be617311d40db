"""Keys over a study's life: who a rekey adds and takes away, and records waiting for a reader.

Real git, real age keys, real signatures: readers are told from the verified history
(:mod:`prosper_coop.wellbeing.reader_history`), never from anything kept about who
reads which record.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from prosper_coop.core.errors import ExitCode
from prosper_coop.core.localconfig import local_actor
from prosper_coop.core.study import Study
from prosper_coop.wellbeing.models import CheckIn
from prosper_coop.wellbeing.rekey import waiting
from tests.helpers import act_as, git, join_here, state
from tests.wellbeing.helpers import add_person, read_as


def _json(result: object) -> object:
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return json.loads(result.stdout)  # type: ignore[attr-defined]


def _words(text: str) -> str:
    return " ".join(text.split())


def _checkin(study: Study, distress: int = 2) -> str:
    """A check-in by whoever acts, through the library; its file."""
    from prosper_coop.wellbeing.checkins import record_checkin
    from prosper_coop.wellbeing.config import checkin_settings

    record_checkin(study, checkin_settings(study.root), distress=distress, contact=False, note="")
    changed = git(study, "show", "--name-only", "--format=", "HEAD").split()
    return next(path for path in changed if path.startswith("checkins/"))


def _self_grant(study: Study, person: str, role: str) -> None:
    """``person`` gives themself ``role`` by hand, in a commit signed with their own key."""
    person_file = study.root / "people" / f"{person}.yaml"
    person_file.write_text(person_file.read_text().replace("roles:\n", f"roles:\n- {role}\n", 1))
    key = Path(study.signing_key(person))  # their own signing key: a real signature
    env = {f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER")
           for what, value in (("NAME", person), ("EMAIL", "p@example.invalid"))}  # fmt: skip
    git(study, "add", "-A")
    git(study, "-c", "gpg.format=ssh", "-c", f"user.signingKey={key}",
        "commit", "-S", "-q", "--no-verify", "-m", f"people: edit ({person})", env=env)  # fmt: skip


# -- item 1: the plan names every new and removed reader, and only verified ones ------------
def test_a_self_granted_lead_is_not_named_and_cannot_read_after_rekey(
    example_study, cli, monkeypatch
) -> None:
    root = example_study.root
    _self_grant(example_study, "CR-02", "wellbeing-lead")
    act_as(monkeypatch, "WB-01")
    plan = _json(cli("--study", str(root), "keys", "rekey", "checkin", "--dry-run", "--json"))
    assert plan["new_readers"] == [] and plan["removed_readers"] == []  # type: ignore[index]
    done = _json(cli("--study", str(root), "keys", "rekey", "checkin", "--yes", "--json"))
    assert done["commit"] and sorted(done["rekeyed"]) == [  # type: ignore[index]
        "CI-0001", "CI-0002", "CI-0003", "CI-0004",
    ]  # fmt: skip
    assert read_as(example_study, "CR-02", "checkins/CR-01/CI-0001.age", CheckIn) is None
    assert read_as(example_study, "WB-01", "checkins/CR-01/CI-0001.age", CheckIn) is not None


def test_a_role_granted_only_later_is_named_for_records_written_in_between(
    example_study, cli, monkeypatch
) -> None:
    """CR-02 gives themself the role by hand (it does not count); CR-01 checks in; then the
    coordinator grants it. The check-in in between was not for CR-02: the plan names them."""
    root = str(example_study.root)
    _self_grant(example_study, "CR-02", "wellbeing-lead")
    act_as(monkeypatch, "CR-01")
    between = _checkin(example_study)
    act_as(monkeypatch, "CO-01")
    for change in ("--remove-role", "--add-role"):  # the file already says it; now it counts
        done = cli("--study", root, "people", "edit", "CR-02", change, "wellbeing-lead")
        assert done.exit_code == 0, done.output
    act_as(monkeypatch, "WB-01")
    plan = _json(cli("--study", root, "keys", "rekey", "checkin", "--dry-run", "--json"))
    assert plan["new_readers"] == [  # type: ignore[index]
        {"person": "CR-02", "records": {"checkin": 4}, "new_key": False}
    ]  # the three others' check-ins of the example, and the one written in between
    assert read_as(example_study, "CR-02", between, CheckIn) is None


def test_someone_who_leaves_is_named_and_the_age_cli_cannot_open_the_new_version(
    example_study, cli, monkeypatch, tmp_path
) -> None:
    if shutil.which("age") is None:
        pytest.skip("needs the age command-line tool: sudo apt-get install age")
    root = str(example_study.root)
    add_person(example_study, "WB-02", ["wellbeing-lead"])
    join_here(example_study, "WB-02")
    act_as(monkeypatch, "WB-01")
    assert cli("--study", root, "keys", "rekey", "checkin", "--yes").exit_code == 0
    exported = tmp_path / "wb01-key.txt"
    assert cli("--study", root, "keys", "export", "--out", str(exported)).exit_code == 0
    act_as(monkeypatch, "CO-01")
    assert cli("--study", root, "people", "leave", "WB-01").exit_code == 0

    act_as(monkeypatch, "WB-02")
    before = state(example_study)
    plan = cli("--study", root, "keys", "rekey", "checkin", "--dry-run")
    assert plan.exit_code == 0, plan.output
    assert state(example_study) == before
    assert "No longer readers (they cannot read the new versions):" in plan.stdout
    assert "  WB-01 (Wellbeing lead): 4 check-ins" in plan.stdout
    assert "New readers" not in plan.stdout
    done = _json(cli("--study", root, "keys", "rekey", "checkin", "--yes", "--json"))
    assert done["removed_readers"] == [  # type: ignore[index]
        {"person": "WB-01", "records": {"checkin": 4}, "new_key": False}
    ]

    def age_decrypt(revision: str) -> subprocess.CompletedProcess[bytes]:
        blob = subprocess.run(
            ["git", "show", f"{revision}:checkins/CR-01/CI-0001.age"],
            cwd=root, check=True, capture_output=True,
        ).stdout  # fmt: skip
        return subprocess.run(
            ["age", "--decrypt", "--identity", str(exported)], input=blob, capture_output=True
        )

    now = age_decrypt("HEAD")
    assert now.returncode != 0 and b"no identity matched" in now.stderr.lower()
    # What the README says: the version in history before the rekey stays readable to them.
    then = age_decrypt("HEAD~1")
    assert then.returncode == 0 and b"person: CR-01" in then.stdout


# -- item 2: records waiting for a reader whose key came later -------------------------------
@pytest.fixture
def before_the_lead(empty_study, monkeypatch) -> Study:
    """A new study: CR-01 checks in twice before there is a wellbeing lead with a key;
    then WB-01 is added and joins."""
    add_person(empty_study, "CR-01", ["co-researcher"])
    add_person(empty_study, "CR-02", ["co-researcher"])
    for person in ("CR-01", "CR-02"):
        join_here(empty_study, person)
    act_as(monkeypatch, "CR-01")
    for distress in (2, 3):
        _checkin(empty_study, distress)
    act_as(monkeypatch, "CO-01")
    add_person(empty_study, "WB-01", ["wellbeing-lead"])
    join_here(empty_study, "WB-01")
    return empty_study


def test_records_written_before_the_lead_joined_are_listed_and_the_writer_shares_them(
    before_the_lead, cli, monkeypatch
) -> None:
    study = before_the_lead
    root = str(study.root)
    listed = _json(cli("--study", root, "keys", "waiting", "--json"))
    assert listed == [
        {
            "person": "WB-01",
            "since": listed[0]["since"],  # type: ignore[index]
            "records": {"checkin": 2, "alert": 2},
            "maybe": {},
            "can_share": [],
            "lead_can_share": 0,
            "only_writer_can_share": {"CR-01": 4},
            "nobody_can_share": 0,
        }
    ]
    human = cli("--study", root, "keys", "waiting").stdout
    assert "WB-01 (Test WB-01)" in human and "cannot read 2 check-ins and 2 alerts yet" in human
    assert "each can share theirs with: prosper-coop keys rekey --mine" in _words(human)

    # status tells the lead and the writer, each what they can do; a peer is told nothing.
    act_as(monkeypatch, "WB-01")
    lead = _words(cli("--study", root, "status").stdout)
    assert "4 records were written before WB-01 could read them (2 check-ins and 2 alerts)." in lead
    assert "Their writers (CR-01) can share their own (prosper-coop keys rekey --mine)." in lead
    act_as(monkeypatch, "CR-01")
    writer = _words(cli("--study", root, "status").stdout)
    assert "4 of your records were written before WB-01 could read them." in writer
    assert "If you would like them to, share them with: prosper-coop keys rekey --mine" in writer
    act_as(monkeypatch, "CR-02")
    assert "before WB-01 could read" not in _words(cli("--study", root, "status").stdout)

    # The writer shares their own, after seeing who would read them.
    act_as(monkeypatch, "CR-01")
    refused = cli("--study", root, "keys", "rekey", "checkin")
    assert refused.exit_code == ExitCode.NOT_PERMITTED  # not a lead: only their own, with --mine
    assert "prosper-coop keys rekey --mine" in refused.stderr
    shared = _json(cli("--study", root, "keys", "rekey", "--mine", "--yes", "--json"))
    assert shared["new_readers"] == [  # type: ignore[index]
        {"person": "WB-01", "records": {"checkin": 2, "alert": 2}, "new_key": False}
    ]
    assert len(shared["rekeyed"]) == 4  # type: ignore[index]
    checkin_file = next((study.root / "checkins" / "CR-01").glob("CI-*.age"))
    assert read_as(study, "WB-01", study.rel(checkin_file), CheckIn) is not None
    assert waiting(study) == []
    act_as(monkeypatch, "WB-01")
    assert "could read them" not in cli("--study", root, "status").stdout


def test_a_new_key_confirmed_lists_what_waits_for_it_and_the_lead_shares_it(
    example_study, cli, monkeypatch
) -> None:
    from prosper_coop.people.joining import join

    root = str(example_study.root)
    act_as(monkeypatch, "CR-03")
    join(example_study, "CR-03", replace=True)  # a lost key: new keys on this computer
    assert waiting(example_study) == []  # the new key does not count until it is confirmed
    act_as(monkeypatch, "CO-01")
    confirmed = cli("--study", root, "keys", "confirm", "CR-03")
    assert confirmed.exit_code == 0, confirmed.output
    text = _words(confirmed.stdout)
    assert "CR-03 (Co-researcher C) (a reader since " in text
    assert "cannot read 1 check-in, 1 reflection and 1 alert yet" in text
    (listed,) = _json(cli("--study", root, "keys", "waiting", "--json"))  # type: ignore[misc]
    assert listed["person"] == "CR-03" and listed["only_writer_can_share"] == {}
    assert listed["records"] == {"checkin": 1, "reflection": 1, "alert": 1}
    assert set(listed["maybe"]) == {"reflection"}  # others', if shared (cannot tell unread)
    assert "WB-01" in listed["can_share"] and listed["nobody_can_share"] == 0

    act_as(monkeypatch, "WB-01")
    done = _json(cli("--study", root, "keys", "rekey", "--yes", "--json"))
    assert {"person": "CR-03", "records": {"checkin": 1, "alert": 1}, "new_key": True} in done[
        "new_readers"
    ]  # type: ignore[index]
    assert read_as(example_study, "CR-03", "checkins/CR-03/CI-0003.age", CheckIn) is not None
    (left,) = waiting(example_study)  # reflections are not the wellbeing lead's to share
    assert left.person == "CR-03" and left.records == {"reflection": 1}


@pytest.mark.slow  # two clones and a remote, synced several times
def test_a_checkin_made_on_a_clone_that_had_not_heard_of_the_lead_waits_for_them(
    tmp_path, monkeypatch
) -> None:
    """Told by ancestry, not by dates: b's check-in comes after the lead joined (on a) in
    time, yet b did not know of them, so it was not encrypted to them."""
    from prosper_coop.crypto.keys import init_key
    from prosper_coop.people.joining import join
    from prosper_coop.sync import engine as sync
    from tests.sync.helpers import make_team

    _, (a, b) = make_team(tmp_path, ("a", "b"))
    act_as(monkeypatch, "CR-01")
    init_key(Study(b.root, actor=local_actor), passphrase=None)  # CR-01's reading key, on b
    sync.sync(b)
    sync.sync(a)
    act_as(monkeypatch, "CO-01")
    add_person(a, "WB-01", ["wellbeing-lead"])
    join(a, "WB-01")
    sync.sync(a)
    act_as(monkeypatch, "CR-01")
    written_on_b = _checkin(Study(b.root, actor=local_actor))  # b has not heard of WB-01
    sync.sync(b)
    sync.sync(a)
    written_on_a = _checkin(Study(a.root, actor=local_actor))  # a has
    sync.sync(a)
    sync.sync(b)
    assert read_as(b, "WB-01", written_on_a, CheckIn) is not None
    found = waiting(Study(b.root, actor=local_actor))
    assert [(item.person, item.records, item.writers) for item in found] == [
        ("WB-01", {"checkin": 1, "alert": 1}, {"CR-01": 2})
    ]
    assert read_as(b, "WB-01", written_on_b, CheckIn) is None  # it really was not for them
