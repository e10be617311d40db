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
