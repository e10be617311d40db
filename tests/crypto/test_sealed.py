"""Who reads what, and encrypting to them (``prosper_coop.crypto.sealed``)."""

from __future__ import annotations

import pytest

from prosper_coop.core.errors import InvalidInputError, KeyProblemError, ValidationError
from prosper_coop.core.records import get
from prosper_coop.crypto import sealed
from prosper_coop.crypto.sealed import Keyring
from tests.helpers import act_as
from tests.wellbeing.helpers import add_person, set_recipient


def test_readers_follow_roles_and_keys(example_study) -> None:
    checkin = sealed.readers_for(example_study, "checkin", "CR-01")
    assert sorted(checkin.people) == ["CR-01", "WB-01"]
    assert checkin.describe("CR-01") == "you and the wellbeing lead (WB-01)"
    assert checkin.describe() == "CR-01 and the wellbeing lead (WB-01)"
    shared = sealed.readers_for(example_study, "reflection-shared", "CR-05")
    assert shared.owner_without_key
    assert "CR-05" not in shared.people and "AC-01" in shared.people
    assert shared.describe("CR-05").startswith("the analysis team (")
    incident = sealed.readers_for(example_study, "incident", None)
    assert incident.people == ("SG-01",) and incident.empty_roles == ()
    identity = sealed.readers_for(example_study, "identity", "CR-01")
    assert identity.people == ("CO-01",)


def test_people_who_left_stop_being_readers_but_owners_stay(example_study) -> None:
    from prosper_coop.core.models import PersonStatus

    with example_study.change("people", "leave", "WB-01") as change:
        person = example_study.load(get("person"), "WB-01")
        person.status = PersonStatus.LEFT
        change.save(person)
    readers = sealed.readers_for(example_study, "checkin", "CR-01")
    assert readers.people == ("CR-01",) and readers.empty_roles == ("wellbeing-lead",)


def test_seal_refuses_when_nobody_can_read(empty_study) -> None:
    add_person(empty_study, "WB-01", ["wellbeing-lead"])
    set_recipient(empty_study, "CO-01", None)  # init gave the coordinator a key: signed away
    readers = sealed.readers_for(empty_study, "checkin", "CO-01")
    assert readers.without_key == ("WB-01",) and readers.owner_without_key
    with pytest.raises(KeyProblemError, match="nobody who may read this"):
        sealed.seal(b"words", readers)


def test_round_trip_and_not_for_me(example_study, monkeypatch) -> None:
    readers = sealed.readers_for(example_study, "checkin", "CR-01")
    data = sealed.seal(b"hello", readers)
    assert data.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    act_as(monkeypatch, "WB-01")
    plain = Keyring(example_study).decrypt(data, "x")
    assert plain == b"hello" + b"\n" * 1019 and sealed.unpad(plain) == b"hello\n"
    act_as(monkeypatch, "AC-01")
    assert Keyring(example_study).decrypt(data, "x") is None
    with pytest.raises(ValidationError, match="damaged"):
        Keyring(example_study).decrypt(data[:60] + b"\n-----END AGE ENCRYPTED FILE-----\n", "x")


def test_paths_are_safe(example_study) -> None:
    checkins = get("checkin")
    assert sealed.rel_path(checkins, "CI-0001", "CR-01") == "checkins/CR-01/CI-0001.age"
    assert sealed.rel_path(get("plan"), "CR-01", "CR-01") == "plans/CR-01.age"
    with pytest.raises(InvalidInputError):
        sealed.rel_path(checkins, "CI-0001", "../x")
    with pytest.raises(InvalidInputError):
        sealed.find(example_study, checkins, "../../etc/passwd")
    assert [p.stem for p in sealed.files_of(example_study, checkins, "CR-02")] == ["CI-0004"]
    assert example_study.next_id(checkins) == "CI-0005"


def test_padding_steps_hide_lengths_within_a_step(example_study) -> None:
    """Plaintext is padded to 1 KiB steps (4 KiB past 4 KiB): sizes within a step are equal."""
    assert [sealed.padded_size(n) for n in (0, 1, 1024, 1025, 4095, 4096, 4097, 9000)] == [
        1024, 1024, 1024, 2048, 4096, 4096, 8192, 12288,
    ]  # fmt: skip
    assert sealed.pad(b"a: 1\n") == b"a: 1\n" + b"\n" * 1019
    assert sealed.unpad(sealed.pad(b"a: 1\n")) == b"a: 1\n"
    readers = sealed.readers_for(example_study, "alert", "CR-01")
    short, long = sealed.seal(b"x", readers), sealed.seal(b"y" * 1000, readers)
    assert len(short) == len(long)
    assert len(sealed.seal(b"z" * 1100, readers)) > len(long)
