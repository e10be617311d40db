"""The guard recognises real age files and is not fooled by look-alikes."""

from __future__ import annotations

import pyrage
import pytest

from prosper_coop.core import guard

IDENTITY = pyrage.x25519.Identity.generate()


def test_real_age_files_pass() -> None:
    recipients = [IDENTITY.to_public()]
    assert guard.is_age_ciphertext(pyrage.encrypt(b"words", recipients))
    assert guard.is_age_ciphertext(pyrage.encrypt(b"words", recipients, armored=True))


@pytest.mark.parametrize(
    "data",
    [
        b"age-encryption.org/v1\nnote: plain words follow the header\n",
        b"age-encryption.org/v1\n-> X25519 abc\nplain words here, not base64!\n--- mac\nxx",
        b"-----BEGIN AGE ENCRYPTED FILE-----\nplain words\n-----END AGE ENCRYPTED FILE-----\n",
        b"-----BEGIN AGE ENCRYPTED FILE-----\nbm90IGFnZQ==\n-----END AGE ENCRYPTED FILE-----\n",
        b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3Yx\n",
        b"person: CR-01\n",
        b"",
    ],
)
def test_look_alikes_are_refused(data: bytes) -> None:
    assert not guard.is_age_ciphertext(data)
    assert guard.check_blob("checkins/CR-01/CI-0001.age", data) is not None


# -- private keys, anywhere -------------------------------------------------------------
PROTECTED = pyrage.passphrase.encrypt(f"# key\n{IDENTITY}\n".encode(), "invented words")
PRIVATE_KEYS = {
    "age": f"# created: 2026-11-26\n# public key: {IDENTITY.to_public()}\n{IDENTITY}\n".encode(),
    "age, lower case": str(IDENTITY).lower().encode(),
    "age, inside other text": b"notes: |\n  backup " + str(IDENTITY).encode() + b" done\n",
    "openssh": b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH "
    b"PRIVATE KEY-----\n",
    "rsa": b"-----BEGIN RSA PRIVATE KEY-----\nMIIEow==\n-----END RSA PRIVATE KEY-----\n",
    "pkcs8": b"-----BEGIN PRIVATE KEY-----\nMC4CAQA=\n-----END PRIVATE KEY-----\n",
    "encrypted pkcs8": b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n",
    "pgp": b"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQdGBF\n",
    "passphrase-protected age": PROTECTED,
    "passphrase-protected age, armoured": pyrage.passphrase.encrypt(b"k", "w", armored=True),
}


@pytest.mark.parametrize("name", sorted(PRIVATE_KEYS))
@pytest.mark.parametrize("path", ["k.txt", "outputs/notes.md", "people/CR-01.yaml", "plans/x.age"])
def test_a_private_key_is_refused_at_any_path(name: str, path: str) -> None:
    leak = guard.check_blob(path, PRIVATE_KEYS[name])
    assert leak is not None and leak.path == path
    assert "private key" in leak.problem and "keys folder" in leak.problem


@pytest.mark.parametrize(
    "data",
    [
        pyrage.encrypt(str(IDENTITY).encode(), [IDENTITY.to_public()], armored=True),  # a record
        f"age_recipient: {IDENTITY.to_public()}\n".encode(),  # a public key
        b"Restore it from a file of AGE-SECRET-KEY-1... lines (see keys export).\n",
        b"A PEM file starts with -----BEGIN and holds a PRIVATE KEY.\n",
    ],
    ids=["sealed-record", "public-key", "mentions-age-key", "mentions-pem"],
)
def test_ordinary_files_that_mention_keys_pass(data: bytes) -> None:
    assert guard.private_key_kind(data) is None
    assert guard.check_blob("docs/keys.md", data) is None


def test_the_tool_never_commits_a_private_key(example_study) -> None:
    from prosper_coop.core.errors import ValidationError
    from tests.helpers import state

    before = state(example_study)
    with (
        pytest.raises(ValidationError, match="holds an age private key"),
        example_study.change("test", "add notes") as change,
    ):
        change.write_bytes("outputs/notes.md", PRIVATE_KEYS["age"])
    assert state(example_study) == before
    assert not (example_study.root / "outputs" / "notes.md").exists()


# -- walking a study folder -------------------------------------------------------------
def test_unsafe_files_reports_links_keys_and_devices_without_following(tmp_path) -> None:
    import os

    root = tmp_path / "study"
    (root / "people").mkdir(parents=True)
    (root / "people" / "CR-01.yaml").write_text("id: CR-01\n")
    (root / "people" / "CR-09.yaml").symlink_to("/etc/passwd")
    (root / "linked").symlink_to(tmp_path)  # a folder link: never walked into
    (tmp_path / "outside-key.txt").write_bytes(PRIVATE_KEYS["age"])
    (root / "k.txt").write_bytes(PRIVATE_KEYS["openssh"])
    (root / "checkins").mkdir()
    (root / "checkins" / "CI-0001.age").write_text("plain words")
    os.mkfifo(root / "pipe")
    (root / ".git").mkdir()
    (root / ".git" / "k.txt").write_bytes(PRIVATE_KEYS["age"])  # git's own folder: not walked

    found = {leak.path: leak.problem for leak in guard.unsafe_files(root)}
    assert sorted(found) == ["checkins/CI-0001.age", "k.txt", "linked", "people/CR-09.yaml", "pipe"]
    assert found["linked"].startswith("a symbolic link; prosper-coop does not follow links")
    assert "git rm --cached people/CR-09.yaml" in found["people/CR-09.yaml"]
    assert "OpenSSH private key" in found["k.txt"]
    assert "must be encrypted" in found["checkins/CI-0001.age"]
    assert "not an ordinary file" in found["pipe"]


def test_unsafe_files_stops_at_its_limit_and_says_so(tmp_path) -> None:
    for number in range(5):
        (tmp_path / f"f{number}.txt").write_text("x")
    found = guard.unsafe_files(tmp_path, limit=3)
    assert [leak.problem for leak in found] == ["more than 3 files; the rest were not checked"]


def test_refuse_unsafe_files_names_the_first_and_counts_the_rest(tmp_path) -> None:
    from prosper_coop.core.errors import ValidationError

    guard.refuse_unsafe_files(tmp_path, "sync")  # nothing there: no error
    (tmp_path / "a.txt").write_bytes(PRIVATE_KEYS["rsa"])
    (tmp_path / "b.yaml").symlink_to("/etc/passwd")
    with pytest.raises(
        ValidationError, match=r"^a\.txt: this file holds a PEM private key"
    ) as info:
        guard.refuse_unsafe_files(tmp_path, "sync")
    assert "(and 1 more: run prosper-coop doctor)" in info.value.message
    assert "sync never shares a private key" in (info.value.hint or "")
