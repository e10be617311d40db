"""The line that must never be crossed: no plaintext sensitive data in git.

Every commit the tool makes, and every hand-made commit (through the pre-commit
hook running ``doctor --staged``), passes through :func:`check_blob`: a file in a
sensitive record folder must be an age-encrypted file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AGE_BINARY_HEADER = b"age-encryption.org/v1\n"
AGE_ARMOR_HEADER = b"-----BEGIN AGE ENCRYPTED FILE-----"


@dataclass(frozen=True)
class Leak:
    """A file that would put plaintext sensitive data into git."""

    path: str
    problem: str


AGE_ARMOR_FOOTER = b"-----END AGE ENCRYPTED FILE-----"
_STANZA_BODY = re.compile(rb"[A-Za-z0-9+/]{0,64}")
_ARMOR_LINE = re.compile(rb"[A-Za-z0-9+/=]{1,64}")
_MAX_HEADER = 64 * 1024


def _binary_age(data: bytes) -> bool:
    """A well-formed age header: version line, recipient stanzas, then the MAC line.

    Plain text pasted under a copied header line fails here, so the check is not
    fooled by a file that merely starts like an age file.
    """
    if not data.startswith(AGE_BINARY_HEADER):
        return False
    mac = data.find(b"\n--- ", 0, _MAX_HEADER)
    if mac == -1 or data.find(b"\n", mac + 1) == -1:
        return False
    lines = data[len(AGE_BINARY_HEADER) : mac].split(b"\n")
    if not lines[0].startswith(b"-> "):
        return False
    return all(line.startswith(b"-> ") or _STANZA_BODY.fullmatch(line) for line in lines)


def _armored_age(data: bytes) -> bool:
    """ASCII armour (RFC 7468 style) around a well-formed binary age file."""
    import base64
    import binascii

    text = data.strip()
    if not (text.startswith(AGE_ARMOR_HEADER) and text.endswith(AGE_ARMOR_FOOTER)):
        return False
    body = text[len(AGE_ARMOR_HEADER) : -len(AGE_ARMOR_FOOTER)].split()
    if not body or not all(_ARMOR_LINE.fullmatch(line) for line in body):
        return False
    try:
        decoded = base64.b64decode(b"".join(body), validate=True)
    except (binascii.Error, ValueError):
        return False
    return _binary_age(decoded)


def is_age_ciphertext(data: bytes) -> bool:
    """Whether ``data`` is an age file (binary or ASCII-armoured), checked structurally."""
    if data.startswith(AGE_BINARY_HEADER):
        return _binary_age(data)
    return _armored_age(data)


def sensitive_folders() -> tuple[str, ...]:
    """Top-level folders whose files must be encrypted."""
    from prosper_coop.core.records import RECORD_TYPES

    return tuple(rtype.folder for rtype in RECORD_TYPES if rtype.sensitive)


def check_blob(path: str, data: bytes, folders: tuple[str, ...] | None = None) -> Leak | None:
    """Return a :class:`Leak` if committing ``data`` at ``path`` would leak plaintext."""
    folders = sensitive_folders() if folders is None else folders
    top = path.split("/", 1)[0]
    if top in folders and not path.endswith("/.gitkeep") and not is_age_ciphertext(data):
        return Leak(path, "sensitive records must be encrypted (age format), not plain text")
    return None
