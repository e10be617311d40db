"""Sync renumbering a person takes their encrypted records along (real git, real age keys)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pyrage
import pytest

from prosper_coop import doctor
from prosper_coop.core import yamlio
from prosper_coop.core.errors import GitError, ValidationError
from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from prosper_coop.crypto import keys, sealed
from prosper_coop.crypto import renumbered as relabel
from prosper_coop.crypto.sealed import Keyring, Readers
from prosper_coop.people.joining import give_signing_keys
from prosper_coop.sync import conflicts
from prosper_coop.sync import engine as sync
from prosper_coop.wellbeing.alerts import show_alert
from prosper_coop.wellbeing.checkins import record_checkin
from prosper_coop.wellbeing.config import checkin_settings
from prosper_coop.wellbeing.identity import set_identity, show_identity
from prosper_coop.wellbeing.models import CheckIn, Identity, Incident
from prosper_coop.wellbeing.plans import load_plan, save_plan
from prosper_coop.wellbeing.rekey import rekey
from tests.helpers import act_as, all_objects, git, join_here
from tests.sync.helpers import add_person as add_plain_person
from tests.sync.helpers import make_team

# Real git processes, many of them: see the slow marker in pyproject.toml.
pytestmark = pytest.mark.slow


AT = dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC)


@pytest.fixture
def recipient() -> str:
    """One real age key, kept privately on this (test) computer; everyone uses it."""
    return keys.generate(comment="renumber tests").recipient


def team_with_keys(base: Path, recipient: str, names: tuple[str, ...]) -> list[Study]:
    """Clones of one study whose coordinator (also the leads) has ``recipient`` as their key."""
    _, clones = make_team(base, names)
    first = clones[0]
    with first.change("people", "set key and leads", "CO-01") as change:
        coordinator = first.load(get("person"), "CO-01")
        coordinator.age_recipient = recipient
        coordinator.roles = ["coordinator", "safeguarding-lead", "wellbeing-lead"]
        change.save(coordinator)
    sync.sync(clones[0])
    for clone in clones[1:]:
        sync.sync(clone)
    return clones


def write_sealed(
    study: Study, type_name: str, record: Any, owner: str | None, recipient: str
) -> str:
    """Commit one real encrypted record; return its path."""
    readers = Readers(type_name, owner, ("CO-01",), (recipient,), ())
    with study.change("wellbeing", f"add {type_name}", record.id) as change:
        return sealed.write(change, get(type_name), record, readers)


def checkin(checkin_id: str, person: str, note: str) -> CheckIn:
    return CheckIn(id=checkin_id, person=person, at=AT, distress=4, note=note)


def incident(incident_id: str, person: str, note: str) -> Incident:
    return Incident(
        id=incident_id, protocol="interview", protocol_version=1, at=AT, recorded_by="CO-01",
        person=person, outcome="continued", note=note,
    )  # fmt: skip


def onboard(
    study: Study, monkeypatch: pytest.MonkeyPatch, recipient: str, marker: str, person: str
) -> None:
    """A new co-researcher with an identity, a plan, a check-in and an incident about them."""
    from prosper_coop.core.models import Person

    with study.change("people", "add", person) as change:
        alias = f"Joined on {study.root.name}"
        joining = Person(id=person, alias=alias, roles=["co-researcher"], age_recipient=recipient)
        give_signing_keys(study.uid_and_default_actor()[0], [joining], comment="tests")
        change.save(joining)
    act_as(monkeypatch, "CO-01")
    set_identity(study, Keyring(study), person, {"real_name": f"{marker}-NAME"})
    act_as(monkeypatch, person)
    save_plan(study, Keyring(study), {"what_helps": f"{marker}-PLAN"})
    settings = checkin_settings(study.root)
    done = record_checkin(study, settings, distress=9, contact=True, note=f"{marker}-CHECKIN")
    assert (done.checkin, done.alert) == ("CI-0001", "A-0001")
    act_as(monkeypatch, "CO-01")
    write_sealed(
        study, "incident", incident("I-0001", person, f"{marker}-INCIDENT"), None, recipient
    )


def read_all(study: Study, type_name: str, owner: str | None = None) -> list[Any]:
    """Every record (spare copies too) of a type, read with the coordinator's key."""
    rtype = get(type_name)
    keyring = Keyring(study, person="CO-01")
    files = sealed.files_of(study, rtype, owner)
    if owner is None:
        files += sorted((study.root / rtype.folder).rglob("*.conflict-*.age"))
    found = [keyring.read(path, rtype.model) for path in files]
    assert all(record is not None for record in found)
    return found


def decrypted(path: Path, recipient: str) -> dict[str, Any]:
    """The data inside an encrypted file exactly as stored (no relabelling)."""
    plain = pyrage.decrypt(path.read_bytes(), [keys.unlock(recipient)]).decode("utf-8")
    data = yamlio.loads(plain, path.name)
    assert isinstance(data, dict)
    return data


def errors(study: Study) -> list[str]:
    return [str(p) for p in doctor.check_study(study) if p.severity == "error"]


def test_renumbered_person_takes_identity_plan_checkins_and_incidents_along(
    sealed_env: Path, recipient: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = team_with_keys(sealed_env, recipient, ("a", "b"))
    remote = sealed_env / "remote.git"
    onboard(a, monkeypatch, recipient, "MARKER-A", "CR-02")
    onboard(b, monkeypatch, recipient, "MARKER-B", "CR-02")
    sync.sync(a)
    result = sync.sync(b)
    assert result.renumbered == {"CR-02": "CR-03"}  # alerts are encrypted: they move along
    sync.sync(a)

    for study in (a, b):
        assert git(study, "status", "--porcelain") == ""
        keyring = Keyring(study, person="CO-01")
        mine, theirs = (
            show_identity(study, keyring, "CR-03"),
            show_identity(study, keyring, "CR-02"),
        )
        assert (mine.id, mine.real_name) == ("CR-03", "MARKER-B-NAME")
        assert (theirs.id, theirs.real_name) == ("CR-02", "MARKER-A-NAME")
        plan = load_plan(study, keyring, "CR-03")
        assert (plan.id, plan.what_helps) == ("CR-03", "MARKER-B-PLAN")
        assert load_plan(study, keyring, "CR-02").what_helps == "MARKER-A-PLAN"
        assert [(c.person, c.note) for c in read_all(study, "checkin", "CR-03")] == [
            ("CR-03", "MARKER-B-CHECKIN")
        ]
        assert [(c.person, c.note) for c in read_all(study, "checkin", "CR-02")] == [
            ("CR-02", "MARKER-A-CHECKIN")
        ]
        # Each alert still shows its own person's check-in (both are A-0001 for CI-0001).
        for person, marker in (("CR-02", "MARKER-A"), ("CR-03", "MARKER-B")):
            view = show_alert(study, keyring, "A-0001", person)
            assert view.alert.person == person
            shown = view.checkin
            assert (shown.person, shown.note) == (person, f"{marker}-CHECKIN")
        # Both computers made incident I-0001: one is kept beside the other, and each
        # still names its own person, wherever the merge put it.
        assert sorted((i.note, i.person) for i in read_all(study, "incident")) == [
            ("MARKER-A-INCIDENT", "CR-02"),
            ("MARKER-B-INCIDENT", "CR-03"),
        ]
        (spare,) = conflicts.kept_beside(study)
        assert spare.startswith("incidents/I-0001.conflict-")
        # The files really moved: nothing of b's person is left under CR-02.
        assert sorted(p.name for p in (study.root / "checkins").glob("CR-*")) == ["CR-02", "CR-03"]
        assert (study.root / "plans/CR-03.age").is_file()
        assert (study.root / "identities/CR-03.age").is_file()
        assert errors(study) == []
        (registry_file,) = (study.root / relabel.FOLDER).glob("*.yaml")
        text = registry_file.read_text()
        assert "MARKER" not in text
        entries = {e.path: e.ids for e in relabel.read_event(registry_file, "r").files}
        assert entries == dict.fromkeys(
            [
                "alerts/CR-03/A-0001.age",
                "checkins/CR-03/CI-0001.age",
                "identities/CR-03.age",
                "incidents/I-0001.age",
                "plans/CR-03.age",
            ],
            result.renumbered,
        )
    # The renumbering is one commit on b, with the moves and the registry in it.
    (renumber_commit,) = git(b, "log", "--format=%H", "--grep", "^sync: renumber").split()
    names = git(b, "show", "--name-status", "--format=%s", renumber_commit)
    subject = names.splitlines()[0]  # the renumbered records, in the order sync found them
    assert subject.startswith("sync: renumber ") and "person CR-02 -> CR-03" in subject
    assert "checkins/CR-03/CI-0001.age" in names and "plans/CR-02.age" in names
    assert "renumbered/" in names
    for where in (a.root, b.root, remote):
        assert b"MARKER" not in _objects(where)

    # Re-encrypting writes the new IDs inside; the registry entry then does nothing.
    act_as(monkeypatch, "CO-01")
    report = rekey(b, Keyring(b, person="CO-01"))
    assert "CR-03" in report.rekeyed
    assert decrypted(b.root / "plans/CR-03.age", recipient)["id"] == "CR-03"
    assert decrypted(b.root / "checkins/CR-03/CI-0001.age", recipient)["person"] == "CR-03"
    assert show_identity(b, Keyring(b, person="CO-01"), "CR-03").real_name == "MARKER-B-NAME"
    assert errors(b) == []
    assert b"MARKER" not in all_objects(b)


def _objects(root: Path) -> bytes:
    done = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch"],
        cwd=root,
        check=True,
        capture_output=True,
        input=b"",
    )
    return done.stdout


def test_compose_reads_like_one_renumbering_after_another() -> None:
    assert relabel.compose({"CR-05": "CR-06"}, {"CR-06": "CR-07"}) == {
        "CR-05": "CR-07",
        "CR-06": "CR-07",
    }
    assert relabel.compose({}, {"CR-05": "CR-06"}) == {"CR-05": "CR-06"}
    assert relabel.compose({"S-0001": "S-0002"}, {"CR-05": "CR-06"}) == {
        "S-0001": "S-0002",
        "CR-05": "CR-06",
    }


def test_records_moved_by_two_renumberings_read_right(
    sealed_env: Path, recipient: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, c = team_with_keys(sealed_env, recipient, ("a", "b", "c"))
    remote = sealed_env / "remote.git"
    add_plain_person(a, "Joined on a")  # CR-02
    sync.sync(a)
    onboard(b, monkeypatch, recipient, "MARKER-B", "CR-02")
    # b's push is refused: it renumbers CR-02 -> CR-03 and merges here, but shares nothing.
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'read-only today' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(GitError):
        sync.sync(b)
    hook.unlink()
    assert (b.root / "plans/CR-03.age").is_file()
    # Meanwhile c, knowing a's CR-02, adds CR-03 and shares it first.
    sync.sync(c)
    assert add_plain_person(c, "Joined on c") == "CR-03"
    sync.sync(c)
    result = sync.sync(b)
    assert result.renumbered == {"CR-03": "CR-04"}
    sync.sync(a)

    for study in (a, b):
        keyring = Keyring(study, person="CO-01")
        identity = show_identity(study, keyring, "CR-04")
        assert (identity.id, identity.real_name) == ("CR-04", "MARKER-B-NAME")
        plan = load_plan(study, keyring, "CR-04")
        assert (plan.id, plan.what_helps) == ("CR-04", "MARKER-B-PLAN")
        assert [(c.person, c.note) for c in read_all(study, "checkin", "CR-04")] == [
            ("CR-04", "MARKER-B-CHECKIN")
        ]
        assert [(i.person, i.note) for i in read_all(study, "incident")] == [
            ("CR-04", "MARKER-B-INCIDENT")
        ]
        # Still written as CR-02 inside: only the registry says what it means now.
        assert decrypted(study.root / "plans/CR-04.age", recipient)["id"] == "CR-02"
        assert not (study.root / "plans/CR-02.age").exists()
        assert not (study.root / "plans/CR-03.age").exists()
        first, second = sorted((study.root / relabel.FOLDER).glob("*.yaml"))
        earlier = {e.path: e.ids for e in relabel.read_event(first, "r").files}
        assert earlier["plans/CR-03.age"] == {"CR-02": "CR-03"}
        later = {e.path: e.ids for e in relabel.read_event(second, "r").files}
        assert later["plans/CR-04.age"] == {"CR-02": "CR-04", "CR-03": "CR-04"}
        assert errors(study) == []
    assert b"MARKER" not in _objects(remote)


def test_encrypted_files_from_before_the_last_sync_are_not_moved(
    sealed_env: Path, recipient: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = team_with_keys(sealed_env, recipient, ("a", "b"))
    # Shared before: a check-in filed under CR-02 and an identity under CR-03, with
    # no person records (say, kept after the people were removed).
    old_checkin = write_sealed(a, "checkin", checkin("CI-0001", "CR-02", "old"), "CR-02", recipient)
    identity = Identity(id="CR-03", real_name="old", updated=AT.date())
    old_identity = write_sealed(a, "identity", identity, None, recipient)
    sync.sync(a)
    sync.sync(b)
    before = {rel: (b.root / rel).read_bytes() for rel in (old_checkin, old_identity)}
    add_plain_person(a, "Joined on a")
    sync.sync(a)
    assert add_plain_person(b, "Joined on b") == "CR-02"
    act_as(monkeypatch, "CO-01")
    write_sealed(b, "checkin", checkin("CI-0002", "CR-02", "new on b"), "CR-02", recipient)
    result = sync.sync(b)
    # CR-03 still has an encrypted file, so the new number skips it.
    assert result.renumbered == {"CR-02": "CR-04"}
    assert {rel: (b.root / rel).read_bytes() for rel in before} == before
    keyring = Keyring(b, person="CO-01")
    old = keyring.read(b.root / old_checkin, CheckIn)
    assert old is not None and old.person == "CR-02"
    moved = keyring.read(b.root / "checkins/CR-04/CI-0002.age", CheckIn)
    assert moved is not None and (moved.person, moved.note) == ("CR-04", "new on b")
    (registry_file,) = (b.root / relabel.FOLDER).glob("*.yaml")
    paths = [e.path for e in relabel.read_event(registry_file, "r").files]
    assert paths == ["checkins/CR-04/CI-0002.age"]
    assert git(b, "status", "--porcelain") == ""


def test_failed_renumbering_leaves_the_study_as_it_was(
    sealed_env: Path, recipient: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = team_with_keys(sealed_env, recipient, ("a", "b"))
    add_plain_person(a, "Joined on a")
    sync.sync(a)
    onboard(b, monkeypatch, recipient, "MARKER-B", "CR-02")
    head = git(b, "rev-parse", "HEAD")
    files = {
        str(p.relative_to(b.root)): p.read_bytes()
        for p in b.root.rglob("*")
        if p.is_file() and ".git" not in p.parts
    }

    def refuse(*args: Any, **kwargs: Any) -> str:
        raise GitError("git commit failed: the disk is full")

    with monkeypatch.context() as patched, pytest.raises(GitError):
        patched.setattr(b.repo, "commit", refuse)
        sync.sync(b)
    assert git(b, "rev-parse", "HEAD") == head
    assert git(b, "status", "--porcelain", "--untracked-files=all") == ""
    after = {
        str(p.relative_to(b.root)): p.read_bytes()
        for p in b.root.rglob("*")
        if p.is_file() and ".git" not in p.parts
    }
    assert after == files
    assert not (b.root / relabel.FOLDER).exists()
    assert not (b.root / "checkins/CR-03").exists()
    # Nothing was lost: the next sync finishes the job.
    act_as(monkeypatch, "CO-01")
    assert sync.sync(b).renumbered == {"CR-02": "CR-03"}
    assert show_identity(b, Keyring(b, person="CO-01"), "CR-03").real_name == "MARKER-B-NAME"


def test_damaged_registry_is_a_doctor_error_and_stops_reading(
    sealed_env: Path, recipient: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (a,) = team_with_keys(sealed_env, recipient, ("a",))
    onboard(a, monkeypatch, recipient, "MARKER-A", "CR-02")
    registry_file = a.root / relabel.FOLDER / "20261126T090000000000Z-00000000.yaml"
    registry_file.parent.mkdir()
    registry_file.write_text("renumbered: {CR-02: CR-03}\nfiles:\n- path: plans/CR-02.age\n")
    found = [p for p in doctor.check_study(a) if p.path == "renumbered/" + registry_file.name]
    assert [p.severity for p in found] == ["error"]
    with pytest.raises(ValidationError) as caught:
        load_plan(a, Keyring(a, person="CO-01"), "CR-02")
    assert caught.value.file == "renumbered/" + registry_file.name


def test_rekey_keeps_the_plan_readable_by_its_owner(
    empty_study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``keys rekey`` re-encrypts a plan to its owner too, not only to the wellbeing lead.

    (Found while testing the above: it read the owner of ``plans/CR-02.age`` as ``CR-02.age``.)
    """
    from prosper_coop.core.models import Person

    lead = keys.generate(comment="wellbeing lead").recipient
    own = keys.generate(comment="co-researcher").recipient
    with empty_study.change("people", "add", "WB-01") as change:
        change.save(Person(id="WB-01", alias="Lead", roles=["wellbeing-lead"], age_recipient=lead))
        change.save(Person(id="CR-02", alias="Me", roles=["co-researcher"], age_recipient=own))
    for person in ("WB-01", "CR-02"):  # they join here, keeping the reading keys made above
        join_here(empty_study, person)
    act_as(monkeypatch, "CR-02")
    save_plan(empty_study, Keyring(empty_study), {"what_helps": "walks"})
    act_as(monkeypatch, "WB-01")  # the lead re-encrypts plans (protocols/permissions.yaml)
    report = rekey(empty_study, Keyring(empty_study), "plan")
    assert report.rekeyed == ["CR-02"]
    data = (empty_study.root / "plans/CR-02.age").read_bytes()
    for recipient in (own, lead):
        plain = pyrage.decrypt(data, [keys.unlock(recipient)]).decode("utf-8")
        assert "walks" in plain
