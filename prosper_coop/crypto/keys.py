"""Private keys (age identities), kept on this computer only, never in git.

Each key is a file ``<config dir>/keys/<public key>.key`` with 0600 permissions
in a 0700 folder: a standard age identity file (what ``age-keygen`` writes), or,
when the person chose a passphrase, that identity file encrypted with the
passphrase (what ``age -p`` writes). Both work with the ``age`` command-line tool.
The public key (``age1...``) is committed to the person's record, so others can
encrypt to them. pyrage is imported only inside the functions that need it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prosper_coop.core import localconfig
from prosper_coop.core.errors import (
    ConflictError,
    InvalidInputError,
    KeyProblemError,
    NotFoundError,
)
from prosper_coop.core.fsutil import atomic_write

if TYPE_CHECKING:
    from prosper_coop.core.study import Study

AskPassphrase = Callable[[str], str]
KEY_SUFFIX = ".key"
DEMO_MARK = "DEMO KEY"
SECRET_PREFIX = "AGE-SECRET-KEY-1"

# Identities unlocked in this process (a passphrase is asked for once per run).
_UNLOCKED: dict[str, Any] = {}


def key_dir() -> Path:
    """The folder holding private keys (inside the user's config directory)."""
    return localconfig.config_dir() / "keys"


def key_path(recipient: str) -> Path:
    """Where the private key for public key ``recipient`` is kept."""
    return key_dir() / f"{recipient}{KEY_SUFFIX}"


@dataclass(frozen=True)
class LocalKey:
    """A private key found on this computer."""

    recipient: str
    path: Path
    protected: bool
    demo: bool


def parse_recipient(text: str, owner: str = "") -> Any:
    """Parse an ``age1...`` public key, or raise a calm :class:`KeyProblemError`."""
    import pyrage

    try:
        return pyrage.x25519.Recipient.from_str(text.strip())
    except (pyrage.RecipientError, ValueError):
        whose = f"the public key of {owner}" if owner else "this public key"
        raise KeyProblemError(
            f"{whose} is not a valid age key",
            "Nothing was encrypted or changed. The person can make a new key with: "
            "prosper-coop keys init --replace (then someone who can read the records "
            "runs: prosper-coop keys rekey).",
        ) from None


def is_valid_recipient(text: str) -> bool:
    """Whether ``text`` is a usable age public key."""
    try:
        parse_recipient(text)
    except KeyProblemError:
        return False
    return True


def _identity_text(secret: str, recipient: str, comment: str, demo: bool) -> str:
    lines = [f"# prosper-coop private key: {comment}"]
    if demo:
        lines.append(f"# {DEMO_MARK}: made for the example study only. Never use it for real data.")
    lines += [f"# public key: {recipient}", secret, ""]
    return "\n".join(lines)


def _write_private(path: Path, data: bytes) -> None:
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    localconfig.config_dir().chmod(0o700)
    atomic_write(path, data, mode=0o600)


def store_identity(
    secret: str, *, comment: str, passphrase: str | None = None, demo: bool = False
) -> LocalKey:
    """Save an identity (``AGE-SECRET-KEY-1...``) privately; return where it went."""
    import pyrage

    identity = _parse_identity(secret, "the key")
    recipient = str(identity.to_public())
    text = _identity_text(str(identity), recipient, comment, demo).encode("utf-8")
    data = pyrage.passphrase.encrypt(text, passphrase) if passphrase else text
    path = key_path(recipient)
    _write_private(path, data)
    _UNLOCKED[recipient] = identity
    return LocalKey(recipient, path, bool(passphrase), demo)


def generate(*, comment: str, passphrase: str | None = None, demo: bool = False) -> LocalKey:
    """Make a new identity and keep it privately on this computer."""
    import pyrage

    return store_identity(
        str(pyrage.x25519.Identity.generate()),
        comment=comment,
        passphrase=passphrase,
        demo=demo,
    )


def find(recipient: str) -> LocalKey | None:
    """The private key on this computer for public key ``recipient``, if there is one."""
    path = key_path(recipient)
    if not path.is_file():
        return None
    head = path.read_bytes()
    from prosper_coop.core.guard import is_age_ciphertext

    protected = is_age_ciphertext(head)
    return LocalKey(recipient, path, protected, DEMO_MARK.encode() in head)


def _parse_identity(text: str, what: str) -> Any:
    import pyrage

    secrets = [line.strip() for line in text.splitlines() if line.strip().startswith(SECRET_PREFIX)]
    if len(secrets) != 1:
        raise KeyProblemError(
            f"{what} does not hold exactly one age private key",
            "Use a file made by prosper-coop keys export or age-keygen.",
        )
    try:
        return pyrage.x25519.Identity.from_str(secrets[0])
    except (pyrage.IdentityError, ValueError):
        raise KeyProblemError(
            f"{what} does not hold a valid age private key",
            "Use a file made by prosper-coop keys export or age-keygen.",
        ) from None


def _passphrase(ask: AskPassphrase | None, prompt: str) -> str:
    if ask is None:
        raise KeyProblemError(
            "your key is protected by a passphrase, and none was given",
            "Open it from the command line, which asks for the passphrase "
            "(or reads it from the file named in PROSPER_COOP_PASSPHRASE_FILE).",
        )
    return ask(prompt)


def _unlock_bytes(data: bytes, ask: AskPassphrase | None, what: str) -> str:
    import pyrage

    from prosper_coop.core.guard import is_age_ciphertext

    if is_age_ciphertext(data):
        secret = _passphrase(ask, f"Passphrase for {what}")
        try:
            data = pyrage.passphrase.decrypt(data, secret)
        except pyrage.DecryptError:
            raise KeyProblemError(
                "that passphrase did not unlock your key",
                "Nothing was changed. Try again, checking Caps Lock and the keyboard layout.",
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyProblemError(
            f"{what} is not a readable key file",
            "Use a file made by prosper-coop keys export or age-keygen.",
        ) from None


def unlock(recipient: str, ask: AskPassphrase | None = None) -> Any:
    """The private key for ``recipient`` as a pyrage identity (asks for a passphrase once)."""
    if recipient in _UNLOCKED:
        return _UNLOCKED[recipient]
    found = find(recipient)
    if found is None:
        raise KeyProblemError(
            "your private key is not on this computer",
            "If you saved a backup, restore it with: prosper-coop keys import FILE. "
            "Otherwise make a new key with: prosper-coop keys init --replace, and ask a "
            "lead to run: prosper-coop keys rekey",
        )
    text = _unlock_bytes(found.path.read_bytes(), ask, "your key")
    identity = _parse_identity(text, "your key file")
    if str(identity.to_public()) != recipient:
        raise KeyProblemError(
            "the key file on this computer does not match your public key in the study",
            "Restore the right backup with: prosper-coop keys import FILE",
        )
    _UNLOCKED[recipient] = identity
    return identity


def forget_unlocked() -> None:
    """Forget identities unlocked in this process (used by tests)."""
    _UNLOCKED.clear()


def export_text(recipient: str, ask: AskPassphrase | None = None) -> str:
    """The unprotected identity file text for ``recipient`` (for a backup)."""
    identity = unlock(recipient, ask)
    found = find(recipient)
    demo = bool(found and found.demo)
    return _identity_text(str(identity), recipient, "exported backup", demo)


def check_backup_place(out_file: Path) -> None:
    """Refuse ``out_file`` as a place for a key backup when it is inside a study.

    A key in a study folder would be one ``save`` or ``git add`` away from every
    copy of the study, so a folder with a ``study.yaml`` at or above it is refused.
    """
    from prosper_coop.core.study import find_root

    folder = out_file.expanduser().absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    study_root = find_root(folder)
    if study_root is not None:
        raise InvalidInputError(
            f"{out_file} is inside the study at {study_root}; a private key must never be "
            "kept in a study folder, where it could be saved and shared with everyone",
            "Nothing was written. Choose a place outside the study, e.g. a USB drive: "
            "prosper-coop keys export --out /media/usb/prosper-key.txt",
        )


def write_backup(text: str, out_file: Path) -> None:
    """Write an exported key to ``out_file`` (0600); never inside a study."""
    from prosper_coop.core.fsutil import write_named_file

    check_backup_place(out_file)
    write_named_file(out_file, text, mode=0o600)


def import_file(
    path: Path, *, ask: AskPassphrase | None = None, passphrase: str | None = None
) -> LocalKey:
    """Keep a private key from a backup file (plain or passphrase-protected)."""
    try:
        data = path.read_bytes()
    except OSError:
        raise NotFoundError(
            f"cannot read the key file {path}", "Check the path and try again."
        ) from None
    text = _unlock_bytes(data, ask, "the backup")
    demo = DEMO_MARK in text
    identity = _parse_identity(text, "the backup")
    return store_identity(str(identity), comment="imported", passphrase=passphrase, demo=demo)


# -- the study side: committing a public key ----------------------------------------------
@dataclass(frozen=True)
class KeyInit:
    """What ``keys init`` did."""

    person: str
    recipient: str
    path: Path
    protected: bool
    replaced: str | None
    commit: str | None


def init_key(study: Study, *, passphrase: str | None, replace: bool = False) -> KeyInit:
    """Make a key for the acting person and commit its public half to their record."""
    from prosper_coop.core.records import get

    people = get("person")
    actor = study.actor()
    current = study.load(people, actor).age_recipient
    if current and not replace:
        here = find(current) is not None
        raise ConflictError(
            f"{actor} already has a key"
            + (" on this computer" if here else " (but it is not on this computer)"),
            "See it with: prosper-coop keys show. "
            + (
                "Nothing was changed."
                if here
                else "Restore your backup with: prosper-coop keys import FILE, or make a new "
                "key with: prosper-coop keys init --replace"
            ),
        )
    created = generate(
        comment=f"{actor} in {study.settings.short_title or study.settings.title}",
        passphrase=passphrase,
    )
    try:
        with study.change("keys", "add public key", actor) as change:
            person = study.load(people, actor)
            person.age_recipient = created.recipient
            change.save(person)
    except BaseException:
        created.path.unlink(missing_ok=True)
        _UNLOCKED.pop(created.recipient, None)
        raise
    return KeyInit(actor, created.recipient, created.path, created.protected, current, change.sha)
