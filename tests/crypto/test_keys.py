"""Private keys on this computer (``prosper_coop.crypto.keys``)."""

from __future__ import annotations

import stat

import pytest

from prosper_coop.core.errors import KeyProblemError
from prosper_coop.crypto import keys


@pytest.fixture(autouse=True)
def _fresh() -> None:
    keys.forget_unlocked()


def test_generate_keeps_a_standard_identity_file_privately() -> None:
    made = keys.generate(comment="CR-01 in Test")
    text = made.path.read_text()
    assert text.startswith("# prosper-coop private key: CR-01 in Test\n")
    assert f"# public key: {made.recipient}\n" in text
    assert stat.S_IMODE(made.path.stat().st_mode) == 0o600
    assert made.path.name == f"{made.recipient}.key"
    found = keys.find(made.recipient)
    assert found is not None and not found.protected and not found.demo
    keys.forget_unlocked()
    assert str(keys.unlock(made.recipient).to_public()) == made.recipient


def test_demo_keys_are_marked() -> None:
    made = keys.generate(comment="demo", demo=True)
    assert "DEMO KEY" in made.path.read_text()
    found = keys.find(made.recipient)
    assert found is not None and found.demo
    assert "DEMO KEY" in keys.export_text(made.recipient)


def test_passphrase_round_trip_and_wrong_passphrase() -> None:
    made = keys.generate(comment="p", passphrase="correct horse")
    keys.forget_unlocked()
    with pytest.raises(KeyProblemError, match="did not unlock"):
        keys.unlock(made.recipient, lambda _prompt: "battery staple")
    with pytest.raises(KeyProblemError, match="protected by a passphrase"):
        keys.unlock(made.recipient, None)  # no terminal to ask, no environment variable
    assert keys.unlock(made.recipient, lambda _prompt: "correct horse") is not None


def test_key_file_that_does_not_match_the_public_key() -> None:
    first = keys.generate(comment="a")
    second = keys.generate(comment="b")
    keys.key_path(first.recipient).write_bytes(keys.key_path(second.recipient).read_bytes())
    keys.forget_unlocked()
    with pytest.raises(KeyProblemError, match="does not match"):
        keys.unlock(first.recipient)


@pytest.mark.parametrize("bad", ["age1abc", "age1" + "q" * 58, "ssh-ed25519 AAAA", ""])
def test_invalid_recipients(bad: str) -> None:
    assert not keys.is_valid_recipient(bad)
    with pytest.raises(KeyProblemError, match="not a valid age key"):
        keys.parse_recipient(bad, "WB-01")
