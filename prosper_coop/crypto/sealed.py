"""Sensitive records: who may read them, and how they are encrypted and read back.

A sensitive record is the canonical YAML of its model, encrypted with age
(ASCII-armoured) to every current reader the study's ``wellbeing/recipients.yaml``
names who has a key. Records that belong to one person live in that person's
sub-folder (``checkins/CR-01/CI-0001.age``) so they can be found, rekeyed and
erased without being read; the words inside stay unreadable without a key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from prosper_coop.core import ids
from prosper_coop.core.errors import KeyProblemError, NotFoundError, ValidationError
from prosper_coop.crypto.keys import AskPassphrase

if TYPE_CHECKING:
    from pydantic import BaseModel

    from prosper_coop.core.models import Person
    from prosper_coop.core.records import RecordType
    from prosper_coop.core.study import Change, Study
    from prosper_coop.crypto.policy import ReaderPolicy

M = TypeVar("M", bound="BaseModel")

# Record types kept in one sub-folder per person.
PER_PERSON = ("checkin", "reflection", "alert")
# Record types whose ID is the person's ID (plans/CR-01.age).
PERSON_KEYED = ("plan", "identity")
ROLE_WORDS = {
    "coordinator": ("the study coordinator", "the study coordinators"),
    "co-researcher": ("a co-researcher", "the co-researchers"),
    "co-applicant": ("the co-applicant", "the co-applicants"),
    "academic": ("an academic on the team", "the academics on the team"),
    "safeguarding-lead": ("the safeguarding lead", "the safeguarding leads"),
    "wellbeing-lead": ("the wellbeing lead", "the wellbeing leads"),
    "ppi-lead": ("the PPI lead", "the PPI leads"),
}


@dataclass(frozen=True)
class Readers:
    """Who a record will be encrypted to, and who is left out for want of a key."""

    kind: str
    owner: str | None
    people: tuple[str, ...]
    recipients: tuple[str, ...]
    roles: tuple[str, ...]
    without_key: tuple[str, ...] = ()
    empty_roles: tuple[str, ...] = ()
    owner_without_key: bool = False

    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def describe(self, actor: str | None = None) -> str:
        """Plain words: ``you and the wellbeing lead (WB-01)``."""
        parts: list[str] = []
        if self.owner and self.owner in self.people:
            parts.append("you" if self.owner == actor else self.owner)
        for label, members in self.groups:
            others = [m for m in members if m != self.owner]
            if others:
                parts.append(f"{label} ({', '.join(others)})")
        return _join(parts) if parts else "nobody yet"


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def policy(study: Study) -> ReaderPolicy:
    """The study's reader policy (``wellbeing/recipients.yaml``) as its history verifies it.

    A hand edit that no one allowed to change it has signed (adding a reader, say)
    does not count: the verified version is used, and ``doctor`` reports the edit.
    """
    from prosper_coop.core import yamlio
    from prosper_coop.crypto.policy import parse_reader_policy, reader_policy
    from prosper_coop.trust.state import trusted_file

    rel_path = "wellbeing/recipients.yaml"
    on_disk = study.root / rel_path
    verified = trusted_file(study, rel_path)
    if verified is not None and (
        not on_disk.is_file() or on_disk.is_symlink() or on_disk.read_bytes() != verified
    ):
        data = yamlio.loads(yamlio.decode(verified, rel_path), rel_path)
        if isinstance(data, dict):
            return parse_reader_policy(data, rel_path)
    return reader_policy(study.root)


def people_of(study: Study) -> list[Person]:
    """Every person record as its signed history verifies it (roles and keys that count).

    A role someone gave themself, or a key someone swapped into a record, is not
    here until someone allowed to make that change has signed it.
    """
    from prosper_coop.trust.state import trusted_people

    return list(trusted_people(study).values())


def readers_for(
    study: Study | None,
    kind: str,
    owner: str | None,
    people: Iterable[Person] | None = None,
    reader_policy: ReaderPolicy | None = None,
) -> Readers:
    """The readers of a record of ``kind`` belonging to ``owner``, by the current policy.

    Every active holder of a reading role who has a key is included, and the owner
    (when the policy says ``person``) even after they have left. Public keys are
    checked here, so a broken one stops the write with a clear message.
    """
    from prosper_coop.crypto.keys import parse_recipient

    if study is None and (reader_policy is None or people is None):
        raise ValueError("without a study, give both people and reader_policy")
    rules = reader_policy or policy(study)  # type: ignore[arg-type]
    everyone = list(people) if people is not None else people_of(study)  # type: ignore[arg-type]
    roles = rules.roles(kind)
    chosen: list[Person] = []
    without: list[str] = []
    owner_without_key = False
    for person in everyone:
        wanted = person.status == "active" and any(str(r) in roles for r in person.roles)
        if rules.includes_person(kind) and person.id == owner:
            wanted = True
            owner_without_key = not person.age_recipient
        if not wanted:
            continue
        if person.age_recipient:
            chosen.append(person)
        elif person.id != owner:
            without.append(person.id)
    for person in chosen:
        parse_recipient(person.age_recipient or "", person.id)
    groups: list[tuple[str, tuple[str, ...]]] = []
    for token in rules.tokens(kind):
        if token == "person":
            continue
        token_roles = rules.groups.get(token, (token,))
        members = tuple(
            p.id
            for p in chosen
            if p.id != owner
            and p.status == "active"
            and any(str(r) in token_roles for r in p.roles)
        )
        if token in rules.groups:
            label = "the " + token.replace("-", " ")
        else:
            label = ROLE_WORDS.get(token, (token, token))[1 if len(members) > 1 else 0]
        groups.append((label, members))
    empty = tuple(
        role
        for role in roles
        if not any(str(role) in map(str, p.roles) and p.id != owner for p in chosen)
    )
    return Readers(
        kind=kind,
        owner=owner,
        people=tuple(p.id for p in chosen),
        recipients=tuple(dict.fromkeys(p.age_recipient or "" for p in chosen)),
        roles=roles,
        without_key=tuple(without),
        empty_roles=empty,
        owner_without_key=owner_without_key,
        groups=tuple(groups),
    )


# Plaintext is padded to these steps before it is encrypted, so that the size of a
# file tells nothing about what it says (an alert from a check-in without one, a
# short note from a long one): 1 KiB steps up to 4 KiB, then 4 KiB steps.
PAD_STEP = 1024
PAD_LARGE_FROM = 4096
PAD_LARGE_STEP = 4096
PAD_BYTE = b"\n"


def padded_size(length: int) -> int:
    """The size ``length`` bytes of plaintext are padded to (see :func:`pad`)."""
    step = PAD_STEP if length < PAD_LARGE_FROM else PAD_LARGE_STEP
    return max(step, -(-length // step) * step)


def pad(plaintext: bytes) -> bytes:
    """``plaintext`` with trailing newlines up to the next size step (:func:`padded_size`).

    Every sealed record is YAML, where trailing newlines mean nothing, so a padded
    record reads exactly as the unpadded one (with prosper-coop or with ``age -d``).
    """
    return plaintext + PAD_BYTE * (padded_size(len(plaintext)) - len(plaintext))


def unpad(plaintext: bytes) -> bytes:
    """``plaintext`` without the padding :func:`pad` added (one final newline is kept)."""
    stripped = plaintext.rstrip(PAD_BYTE)
    return stripped + PAD_BYTE if stripped != plaintext else plaintext


# The age format (rage, behind pyrage) adds one random "grease" stanza of up to ~200
# bytes to each file's header. Files are filled out with trailing newlines after the
# armour (which age and pyrage ignore) to the size they would have with the largest
# grease allowed here, so the size depends only on the padded length and the number
# of readers. A file whose grease came out larger is encrypted again.
GREASE_ALLOWANCE = 320
_AGE_HEADER_LINE = 22  # "age-encryption.org/v1\n"
_X25519_STANZA = 98  # "-> X25519 <43>\n<43>\n"
_MAC_LINE = 48  # "--- <43>\n"
_NONCE = 16
_CHUNK, _TAG = 64 * 1024, 16
_ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----\n"
_ARMOR_END = b"-----END AGE ENCRYPTED FILE-----\n"


def sealed_size(padded_length: int, recipients: int) -> int:
    """The size of every sealed file of ``padded_length`` plaintext bytes for ``recipients``."""
    chunks = max(1, -(-padded_length // _CHUNK))
    binary = (
        _AGE_HEADER_LINE
        + _X25519_STANZA * recipients
        + GREASE_ALLOWANCE
        + _MAC_LINE
        + _NONCE
        + padded_length
        + _TAG * chunks
    )
    text = -(-binary // 3) * 4
    return len(_ARMOR_BEGIN) + text + -(-text // 64) + len(_ARMOR_END)


def seal(plaintext: bytes, readers: Readers) -> bytes:
    """Encrypt ``plaintext`` (padded, armoured age) to every reader, or refuse if there are none.

    The padding (:func:`pad`, then :func:`sealed_size`) makes the size of the file
    depend only on the size step of the plaintext and the number of readers: an
    alert and a "no alert", or a short note and a longer one, give files of exactly
    the same size.
    """
    import pyrage

    from prosper_coop.crypto.keys import parse_recipient

    if not readers.recipients:
        raise KeyProblemError(
            "nobody who may read this has set up a key yet, so it cannot be stored safely",
            "Nothing was saved. Ask the "
            + (_join([ROLE_WORDS.get(r, (r, r))[0] for r in readers.roles]) or "study coordinator")
            + " to run: prosper-coop keys init",
        )
    recipients = [parse_recipient(r) for r in readers.recipients]
    padded = pad(plaintext)
    size = sealed_size(len(padded), len(recipients))
    for _attempt in range(8):
        data: bytes = pyrage.encrypt(padded, recipients, armored=True)
        if len(data) <= size:
            return data + b"\n" * (size - len(data))
    return data  # never seen: the grease was larger eight times over; the size then varies


# -- where records live ---------------------------------------------------------------------
def rel_path(rtype: RecordType, record_id: str, owner: str | None) -> str:
    """The file of a sensitive record, relative to the study root."""
    from prosper_coop.core.models import PERSON_ID

    ids.check_pattern(record_id, rtype.pattern, f"{rtype.name} ID", rtype.example)
    if rtype.name in PER_PERSON:
        if owner is None:
            raise ValidationError(f"a {rtype.name} must belong to someone")
        ids.check_pattern(owner, PERSON_ID, "person ID", "CR-01")
        return f"{rtype.folder}/{owner}/{record_id}.age"
    return f"{rtype.folder}/{record_id}.age"


def owner_of(rtype: RecordType, path: Path) -> str | None:
    """The person a sensitive record file belongs to, read from where it is."""
    from prosper_coop.core.models import PERSON_ID

    if rtype.name in PER_PERSON:
        return path.parent.name if PERSON_ID.fullmatch(path.parent.name) else None
    if rtype.name in PERSON_KEYED:
        return path.stem
    return None


def renumbered_path(rtype: RecordType, rel: str, plan: dict[str, str]) -> str | None:
    """Where the file ``rel`` (or a spare copy kept by sync) goes when its person is renumbered.

    ``None`` when the file belongs to nobody in ``plan``, or is not where a record of
    ``rtype`` belongs (such a file is left alone).
    """
    from prosper_coop.core.errors import UserError
    from prosper_coop.core.study import SIDECAR_MARK

    folder, _, name = rel.rpartition("/")
    record_name, mark, spare = name.partition(SIDECAR_MARK)
    ending = f"{mark}{spare}" if mark else rtype.suffix
    if not (spare if mark else name).endswith(rtype.suffix):
        return None
    record_name = record_name if mark else name.removesuffix(rtype.suffix)
    owner = owner_of(rtype, Path(folder) / f"{record_name}{rtype.suffix}")
    if owner is None or owner not in plan:
        return None
    new_id = plan[owner] if rtype.name in PERSON_KEYED else record_name
    try:
        if rel_path(rtype, record_name, owner).removesuffix(rtype.suffix) + ending != rel:
            return None
        return rel_path(rtype, new_id, plan[owner]).removesuffix(rtype.suffix) + ending
    except UserError:
        return None


def find(study: Study, rtype: RecordType, record_id: str, owner: str | None = None) -> Path:
    """The file of one sensitive record, or a NotFoundError saying how to list them.

    ``owner``'s folder is looked in first: two people may each have a check-in with
    the same ID (made on two computers before a sync renumbered one of the people).
    """
    found = find_all(study, rtype, record_id, owner)
    if not found:
        raise NotFoundError(f"{rtype.name} {record_id} not found", _list_hint(rtype))
    return found[0]


def find_all(
    study: Study, rtype: RecordType, record_id: str, owner: str | None = None
) -> list[Path]:
    """Every file of a sensitive record with this ID, ``owner``'s first (see :func:`find`)."""
    ids.check_pattern(record_id, rtype.pattern, f"{rtype.name} ID", rtype.example)
    folder = study.root / rtype.folder
    first = [folder / owner / f"{record_id}.age"] if owner and rtype.name in PER_PERSON else []
    candidates = (*first, folder / f"{record_id}.age", *sorted(folder.glob(f"*/{record_id}.age")))
    found: list[Path] = []
    for candidate in candidates:
        if candidate.is_file() and candidate not in found:
            found.append(candidate)
    return found


def _list_hint(rtype: RecordType) -> str:
    return {
        "reflection": "List your reflections with: prosper-coop reflect list",
        "checkin": "List alerts with: prosper-coop wellbeing alerts",
        "alert": "List the alerts your key can read with: prosper-coop wellbeing alerts",
        "identity": "Add it with: prosper-coop people identity set ID",
        "plan": "Write it with: prosper-coop wellbeing plan",
    }.get(rtype.name, "Check the ID and try again.")


def files_of(study: Study, rtype: RecordType, owner: str | None = None) -> list[Path]:
    """Every file of a sensitive type (only ``owner``'s, when given)."""
    files = study.record_files(rtype)
    if owner is not None:
        files = [p for p in files if owner_of(rtype, p) == owner]
    return files


def sidecars_of(study: Study, rtype: RecordType, owner: str) -> list[Path]:
    """Spare copies ``sync`` kept beside ``owner``'s records (``NAME.conflict-<hash>.age``)."""
    from prosper_coop.core.study import SIDECAR_MARK

    folder = study.root / rtype.folder
    if rtype.name in PER_PERSON:
        candidates = (folder / owner).glob(f"*{SIDECAR_MARK}*.age")
    elif rtype.name in PERSON_KEYED:
        candidates = folder.glob(f"{owner}{SIDECAR_MARK}*.age")
    else:
        return []
    return sorted(path for path in candidates if path.is_file())


def write(change: Change, rtype: RecordType, record: BaseModel, readers: Readers) -> str:
    """Queue ``record`` encrypted to ``readers``; return its path."""
    from prosper_coop.core.study import to_yaml

    path = rel_path(rtype, getattr(record, "id"), readers.owner)  # noqa: B009
    change.write_bytes(path, seal(to_yaml(record).encode("utf-8"), readers))
    return path


# -- reading -----------------------------------------------------------------------------
@dataclass
class Keyring:
    """The acting person's private key, unlocked on first use."""

    study: Study
    ask: AskPassphrase | None = None
    person: str = ""
    _identity: Any = field(default=None, repr=False)
    _relabels: dict[str, dict[str, str]] | None = field(default=None, repr=False)

    def identity(self) -> Any:
        """The unlocked identity of the acting person."""
        if self._identity is None:
            from prosper_coop.core.records import get
            from prosper_coop.crypto import keys

            self.person = self.person or self.study.actor()
            recipient = self.study.load(get("person"), self.person).age_recipient
            if not recipient:
                raise KeyProblemError(
                    f"{self.person} has no key yet, so encrypted records cannot be read",
                    "Make one with: prosper-coop keys init (then ask a lead to run: "
                    "prosper-coop keys rekey, so older records include you)",
                )
            self._identity = keys.unlock(recipient, self.ask)
        return self._identity

    def decrypt(self, data: bytes, where: str) -> bytes | None:
        """Decrypt ``data``; ``None`` when it was not encrypted to this key.

        A damaged file raises a :class:`ValidationError` naming it.
        """
        import pyrage

        identity = self.identity()
        try:
            plain: bytes = pyrage.decrypt(data, [identity])
        except pyrage.DecryptError as exc:
            if "no matching keys" in str(exc).lower():
                return None
            raise ValidationError(
                "this encrypted file is damaged and cannot be read",
                "Nothing was changed. Restore it from git (git log -- FILE) or a backup.",
                file=where,
            ) from None
        return plain

    def relabelling(self, data: bytes) -> dict[str, str]:
        """IDs renumbered by sync since this encrypted file was written (old -> new).

        Read from the plain registry in ``renumbered/`` (see :mod:`prosper_coop.crypto.renumbered`);
        a study without one costs a single check for the folder.
        """
        if self._relabels is None:
            from prosper_coop.crypto import renumbered as relabel

            self._relabels = {}
            if (self.study.root / relabel.FOLDER).is_dir():
                self._relabels = relabel.registry(self.study.root)
        if not self._relabels:
            return {}
        from prosper_coop.crypto.renumbered import fingerprint

        return self._relabels.get(fingerprint(data), {})

    def read(self, path: Path, model: type[M]) -> M | None:
        """Decrypt and parse one record file; ``None`` when your key cannot read it.

        IDs that sync renumbered after the record was written are read as the new
        ones (``CR-05`` -> ``CR-06``), as the registry in ``renumbered/`` says.
        """
        from prosper_coop.core import yamlio
        from prosper_coop.core.fsutil import read_regular_file
        from prosper_coop.core.study import SIDECAR_MARK, parse_model

        where = self.study.rel(path)
        data = read_regular_file(path, where)
        plain = self.decrypt(data, where)
        if plain is None:
            return None
        text = yamlio.decode(plain, where)
        mapping = self.relabelling(data)
        if mapping:
            from prosper_coop.crypto.renumbered import relabel_text

            text = relabel_text(text, mapping, where)
        record = parse_model(model, text, where)
        stem = path.stem.split(SIDECAR_MARK, 1)[0]  # a spare copy kept by sync
        if getattr(record, "id", stem) != stem:
            raise ValidationError(
                "the record inside does not match its file name", "Restore it from git.", file=where
            )
        return record

    def read_or_explain(self, path: Path, model: type[M], what: str) -> M:
        """Like :meth:`read`, but a record your key cannot open is a clear error."""
        record = self.read(path, model)
        if record is None:
            raise KeyProblemError(
                f"{what} was not encrypted to your key, so you cannot read it",
                "It is readable only by the people wellbeing/recipients.yaml names for this "
                "kind of record (a private reflection, only by the person who wrote it). "
                "If you have just taken on a role that should read it, such as a new lead, "
                "ask someone who can read it to run: prosper-coop keys rekey",
            )
        return record
