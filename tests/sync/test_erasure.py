"""An erasure wins over every concurrent edit of the erased records, on every computer.

Real git, real age keys: clone C erases CR-02 while clone D re-encrypts CR-02's
check-ins (``keys rekey``), resolves an alert about them and records a new
check-in, all before hearing of the erasure (issue 14, item 10).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from prosper_coop import doctor
from prosper_coop.core.models import Person
from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from prosper_coop.crypto import keys
from prosper_coop.crypto.sealed import Keyring
from prosper_coop.people.joining import give_signing_keys
from prosper_coop.sync import engine as sync
from prosper_coop.wellbeing.alerts import resolve_alert
from prosper_coop.wellbeing.checkins import record_checkin
from prosper_coop.wellbeing.config import checkin_settings
from prosper_coop.wellbeing.identity import erase_person
from prosper_coop.wellbeing.rekey import rekey
from tests.helpers import act_as, git
from tests.sync.helpers import make_team

# Real git processes, many of them: see the slow marker in pyproject.toml.
pytestmark = pytest.mark.slow


def team_with_cr02(base: Path, monkeypatch: pytest.MonkeyPatch) -> list[Study]:
    """Three clones; CR-02 has two check-ins and an open alert; one key reads everything."""
    recipient = keys.generate(comment="erasure tests").recipient
    _, clones = make_team(base, ("a", "c", "d"))
    first = clones[0]
    with first.change("people", "keys and CR-02", "CO-01") as change:
        coordinator = first.load(get("person"), "CO-01")
        coordinator.age_recipient = recipient
        coordinator.roles = ["coordinator", "safeguarding-lead", "wellbeing-lead"]
        change.save(coordinator)
        withdrawing = Person(id="CR-02", alias="Withdrawing co-researcher",
                             roles=["co-researcher"], age_recipient=recipient)  # fmt: skip
        give_signing_keys(first.uid_and_default_actor()[0], [withdrawing], comment="tests")
        change.save(withdrawing)
    act_as(monkeypatch, "CR-02")
    settings = checkin_settings(first.root)
    record_checkin(first, settings, distress=3, contact=False, note="ERASE-ME-1")
    raised = record_checkin(first, settings, distress=9, contact=True, note="ERASE-ME-2")
    assert raised.alert == "A-0002"
    for clone in clones:
        sync.sync(clone)
    return clones


def files_of_cr02(study: Study) -> list[str]:
    """Every committed file that belongs to CR-02's erased records."""
    listed = git(study, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    return [
        p for p in listed if "/CR-02/" in p or p.startswith(("plans/CR-02", "identities/CR-02"))
    ]


def test_erasure_wins_over_rekey_edits_and_new_checkins_on_every_clone(
    sealed_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, c, d = team_with_cr02(sealed_env, monkeypatch)
    assert len(files_of_cr02(c)) == 4

    act_as(monkeypatch, "CO-01")
    report = erase_person(c, "CR-02")
    assert sorted(report.removed) == [
        "alerts/CR-02/A-0001.age", "alerts/CR-02/A-0002.age",
        "checkins/CR-02/CI-0001.age", "checkins/CR-02/CI-0002.age",
    ]  # fmt: skip
    # Meanwhile on D, before it hears of the erasure: every kind of edit of those records.
    assert rekey(d, Keyring(d), "checkin").rekeyed == ["CI-0001", "CI-0002"]
    resolve_alert(d, Keyring(d), "A-0002", "Called CR-02")
    act_as(monkeypatch, "CR-02")
    record_checkin(d, checkin_settings(d.root), distress=2, contact=False, note="ERASE-ME-3")
    assert len(files_of_cr02(d)) == 6

    act_as(monkeypatch, "CO-01")
    sync.sync(c)
    result = sync.sync(d)
    assert sorted(result.erased_again) == [
        "alerts/CR-02/A-0003.age",
        "checkins/CR-02/CI-0001.age",
        "checkins/CR-02/CI-0002.age",
        "checkins/CR-02/CI-0003.age",
    ]
    assert "removed 4 file(s) of erased people again" in git(d, "log", "-1", "--format=%s")
    # The resolution has a random name: only a key that reads it can tell it is CR-02's.
    # A wellbeing lead's rekey removes it.
    listed = git(d, "ls-tree", "-r", "--name-only", "HEAD", "resolutions").split()
    [resolution] = [name for name in listed if name.endswith(".age")]
    removed = rekey(d, Keyring(d), "alert").rekeyed
    assert f"{resolution.split('/')[1][:-4]} (removed: CR-02 was erased)" in removed
    assert not (d.root / resolution).exists()
    sync.sync(d)
    assert ("erasure", "CR-02", "added") in [(c.type, c.id, c.change) for c in result.incoming]
    sync.sync(c)
    sync.sync(a)
    assert len({git(s, "rev-parse", "HEAD") for s in (a, c, d)}) == 1
    for study in (a, c, d):
        assert files_of_cr02(study) == []
        assert list((study.root / "checkins").glob("CR-02/*")) == []
        assert git(study, "status", "--porcelain") == ""
        assert (study.root / "erased" / "CR-02.yaml").read_text().count("CR-02") == 1
        assert [p for p in doctor.check_study(study) if p.severity == "error"] == []
    # The erasure record names the study ID only, never anything the identity map holds.
    assert git(a, "show", "HEAD:erased/CR-02.yaml").splitlines()[-1] == "person: CR-02"


def test_doctor_flags_a_file_of_an_erased_person_that_came_back(
    sealed_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _, _ = team_with_cr02(sealed_env, monkeypatch)
    act_as(monkeypatch, "CO-01")
    old = git(a, "rev-parse", "HEAD").strip()
    erase_person(a, "CR-02")
    assert [p for p in doctor.check_study(a) if p.severity == "error"] == []
    # An older copy put back by hand (or by an older version of the tool's sync).
    back = a.root / "checkins" / "CR-02" / "CI-0002.age"
    back.parent.mkdir(parents=True, exist_ok=True)
    back.write_bytes(
        subprocess.run(
            ["git", "show", f"{old}:checkins/CR-02/CI-0002.age"],
            cwd=a.root, check=True, capture_output=True,
        ).stdout
    )  # fmt: skip
    git(a, "add", "checkins")
    git(a, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x", "--no-verify")
    (problem,) = [p for p in doctor.check_study(a) if p.severity == "error"]
    assert problem.path == "checkins/CR-02/CI-0002.age"
    assert "CR-02, whose sensitive records were erased" in problem.message
    assert problem.message.endswith("prosper-coop people erase CR-02 --yes")
    # The fix it names works.
    assert erase_person(a, "CR-02").removed == ["checkins/CR-02/CI-0002.age"]
    assert [p for p in doctor.check_study(a) if p.severity == "error"] == []
