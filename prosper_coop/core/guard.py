"""The line that must never be crossed: no plaintext sensitive data or private keys in git.

Every commit the tool makes, and every hand-made commit (through the pre-commit
hook running ``doctor --staged``), passes through :func:`check_blob`: a file in a
sensitive record folder must be an age-encrypted file, and no file anywhere may
hold a private key (age, OpenSSH, PEM, or a passphrase-protected age identity as
``keys init --passphrase`` writes). :func:`unsafe_files` walks a study folder
without following links and reports every symbolic link, private key and
plaintext sensitive file in it (``doctor``, ``save``; ``sync`` before it shares).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

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


# A private key in any of the usual text forms: an age identity (bech32, either
# case), and PEM blocks (OpenSSH, RSA, EC, DSA, PKCS#8, encrypted PKCS#8, PGP).
_PRIVATE_KEY = re.compile(
    rb"AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}"
    rb"|-----BEGIN (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?-----"
    rb"|PuTTY-User-Key-File-\d+:",
    re.IGNORECASE,
)
KEYS_HINT = (
    "remove it from the study; private keys belong only in your prosper-coop keys folder "
    "(~/.config/prosper-coop/keys), and a backup belongs on a drive kept safe outside the study"
)
LINK_PROBLEM = (
    "a symbolic link; prosper-coop does not follow links in a study. Remove it "
    "(git rm --cached FILE, then delete the link), and put the real file there if one "
    "belongs there"
)


def is_link_problem(problem: str) -> bool:
    """Whether a leak's ``problem`` says the file is a symbolic link."""
    return problem.startswith(LINK_PROBLEM.split(";", 1)[0])


def _age_stanza_types(data: bytes) -> list[bytes]:
    """The recipient types of a well-formed age file (``X25519``, ``scrypt``...), else []."""
    if not data.startswith(AGE_BINARY_HEADER):
        import base64
        import binascii

        if not _armored_age(data):
            return []
        text = data.strip()
        body = text[len(AGE_ARMOR_HEADER) : -len(AGE_ARMOR_FOOTER)].split()
        try:
            data = base64.b64decode(b"".join(body), validate=True)
        except (binascii.Error, ValueError):
            return []
    if not _binary_age(data):
        return []
    mac = data.find(b"\n--- ", 0, _MAX_HEADER)
    lines = data[len(AGE_BINARY_HEADER) : mac].split(b"\n")
    return [line.split(b" ")[1] for line in lines if line.startswith(b"-> ") and b" " in line[3:]]


def private_key_kind(data: bytes) -> str | None:
    """What kind of private key ``data`` holds, if any (``None`` for an ordinary file).

    A passphrase-protected age file (an ``scrypt`` recipient) counts: it is how
    ``keys init --passphrase`` keeps a private key, and study records are never
    encrypted with a passphrase.
    """
    found = _PRIVATE_KEY.search(data)
    if found is not None:
        text = found.group(0).upper()
        if text.startswith(b"AGE-"):
            return "an age private key"
        if text.startswith(b"PUTTY"):
            return "a PuTTY private key"
        if b"OPENSSH" in text:
            return "an OpenSSH private key"
        if b"PGP" in text:
            return "a PGP private key"
        return "a PEM private key"
    age = data.startswith(AGE_BINARY_HEADER) or data[:256].lstrip().startswith(AGE_ARMOR_HEADER)
    if age and b"scrypt" in _age_stanza_types(data):
        return "a passphrase-protected private key (as keys init --passphrase makes)"
    return None


def sensitive_folders() -> tuple[str, ...]:
    """Top-level folders whose files must be encrypted."""
    from prosper_coop.core.records import RECORD_TYPES

    return tuple(rtype.folder for rtype in RECORD_TYPES if rtype.sensitive)


def check_blob(path: str, data: bytes, folders: tuple[str, ...] | None = None) -> Leak | None:
    """Return a :class:`Leak` if committing ``data`` at ``path`` would leak plaintext or a key."""
    kind = private_key_kind(data)
    if kind is not None:
        return Leak(path, f"this file holds {kind}: {KEYS_HINT}")
    folders = sensitive_folders() if folders is None else folders
    top = path.split("/", 1)[0]
    if top in folders and not path.endswith("/.gitkeep") and not is_age_ciphertext(data):
        return Leak(path, "sensitive records must be encrypted (age format), not plain text")
    return None


# git's file modes: a symbolic link, and a submodule (a link to another repository).
SYMLINK_MODE = "120000"
GITLINK_MODE = "160000"


def check_mode(path: str, mode: str) -> Leak | None:
    """Return a :class:`Leak` if a file of git mode ``mode`` must not be committed."""
    if mode == SYMLINK_MODE:
        return Leak(path, LINK_PROBLEM.replace("FILE", path))
    if mode == GITLINK_MODE:
        return Leak(path, "another git repository inside the study; move it outside the study")
    return None


# Folders of a study the walk leaves out: git's own, and the local caches (never committed).
NOT_WALKED = (".git", ".prosper")
MAX_WALKED = 200_000


def unsafe_files(root: Path, *, limit: int = MAX_WALKED) -> list[Leak]:
    """Every symbolic link, private key and plaintext sensitive file under ``root``.

    Walks the folder without following links (``.git/`` and ``.prosper/`` are left
    out) and reads each ordinary file without following links either. Stops
    after ``limit`` entries, with a leak saying the rest were not checked.
    """
    from prosper_coop.core.errors import UserError
    from prosper_coop.core.fsutil import read_regular_file

    folders = sensitive_folders()
    leaks: list[Leak] = []
    pending: list[tuple[str, str]] = [("", os.fspath(root))]
    seen = 0
    while pending:
        prefix, folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            leaks.append(Leak(prefix.rstrip("/") or ".", f"cannot be read ({exc.strerror})"))
            continue
        folders_here: list[tuple[str, str]] = []
        for entry in entries:
            if not prefix and entry.name in NOT_WALKED:
                continue
            seen += 1
            if seen > limit:
                leaks.append(Leak(".", f"more than {limit} files; the rest were not checked"))
                return leaks
            rel = prefix + entry.name
            if entry.is_symlink():
                leaks.append(Leak(rel, LINK_PROBLEM.replace("FILE", rel)))
            elif entry.is_dir(follow_symlinks=False):
                folders_here.append((rel + "/", entry.path))
            elif not entry.is_file(follow_symlinks=False):
                problem = "not an ordinary file (a device, pipe or socket); remove it"
                leaks.append(Leak(rel, problem))
            else:
                try:
                    data = read_regular_file(entry.path, rel)
                except FileNotFoundError:
                    continue  # removed meanwhile
                except UserError as exc:
                    leaks.append(Leak(rel, exc.message.removeprefix(f"{rel} ")))
                    continue
                leak = check_blob(rel, data, folders)
                if leak is not None:
                    leaks.append(leak)
        pending.extend(reversed(folders_here))  # depth first, in name order
    return leaks


def refuse_unsafe_files(root: Path, doing: str) -> None:
    """Raise a ValidationError naming the first of :func:`unsafe_files` under ``root``, if any.

    ``doing`` says what was refused, e.g. ``"sync"``: "nothing was synced".
    """
    from prosper_coop.core.errors import ValidationError

    leaks = unsafe_files(root)
    if leaks:
        more = f" (and {len(leaks) - 1} more: run prosper-coop doctor)" if len(leaks) > 1 else ""
        raise ValidationError(
            f"{leaks[0].path}: {leaks[0].problem}{more}",
            f"Nothing was done: {doing} never shares a private key, a link or a plain-text "
            "sensitive file. Fix it, then try again.",
        )
