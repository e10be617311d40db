"""The line that must never be crossed: no plaintext sensitive data in git.

Every commit the tool makes, and every hand-made commit (through the pre-commit
hook running ``doctor --staged``), passes through :func:`check_blob`: a file in a
sensitive record folder must be an age-encrypted file.
"""

from __future__ import annotations

from dataclasses import dataclass

AGE_BINARY_HEADER = b"age-encryption.org/v1\n"
AGE_ARMOR_HEADER = b"-----BEGIN AGE ENCRYPTED FILE-----"


@dataclass(frozen=True)
class Leak:
    """A file that would put plaintext sensitive data into git."""

    path: str
    problem: str


def is_age_ciphertext(data: bytes) -> bool:
    """Whether ``data`` is an age file (binary or ASCII-armoured)."""
    return data.startswith(AGE_BINARY_HEADER) or data.lstrip().startswith(AGE_ARMOR_HEADER)


def sensitive_folders() -> tuple[str, ...]:
    """Top-level folders whose files must be encrypted."""
    from prosper_coop.records import RECORD_TYPES

    return tuple(rtype.folder for rtype in RECORD_TYPES if rtype.sensitive)


def check_blob(path: str, data: bytes, folders: tuple[str, ...] | None = None) -> Leak | None:
    """Return a :class:`Leak` if committing ``data`` at ``path`` would leak plaintext."""
    folders = sensitive_folders() if folders is None else folders
    top = path.split("/", 1)[0]
    if top in folders and not path.endswith("/.gitkeep") and not is_age_ciphertext(data):
        return Leak(path, "sensitive records must be encrypted (age format), not plain text")
    return None
