"""Renumbered IDs inside encrypted records: a plain registry, applied when they are read.

When ``sync`` renumbers a record this computer made (a person ``CR-05`` that the
other computer also made becomes ``CR-06``), it rewrites the plain records itself,
but it cannot decrypt the encrypted ones. It moves them to the new person's place
(``plans/CR-05.age`` -> ``plans/CR-06.age``) and writes one small plain file per
renumbering, ``renumbered/<UTC time>-<hash>.yaml``, naming each encrypted file it
covers (its path, and a fingerprint of its encrypted bytes) and the IDs to read
differently in it (``{CR-05: CR-06}``). :class:`~prosper_coop.crypto.sealed.Keyring`
applies that mapping to the record's data before checking it.

The registry holds only paths, IDs and fingerprints of ciphertext: never anything
from inside a record. An entry matches only the exact encrypted bytes it was
written for, so once a record is written again (an edit, ``keys rekey``: it then
holds the new IDs itself) the entry simply stops applying, and an entry never
relabels a different version of a file that a merge put in its place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

FOLDER = "renumbered"
RecordId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
_HEADER = (
    "# Written by prosper-coop sync: encrypted records this computer made before a\n"
    "# renumbering still say the old IDs inside, and are read with the new ones.\n"
    "# Paths and IDs only, never record contents. Do not edit.\n"
)


def replace_ids(value: Any, mapping: dict[str, str]) -> Any:
    """``value`` with every string equal to an old ID replaced by the new one."""
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, list):
        return [replace_ids(item, mapping) for item in value]
    if isinstance(value, dict):
        return {key: replace_ids(item, mapping) for key, item in value.items()}
    return value


def compose(first: dict[str, str], then: dict[str, str]) -> dict[str, str]:
    """One mapping that reads like applying ``first`` and then ``then``.

    ``{CR-05: CR-06}`` then ``{CR-06: CR-07}`` is ``{CR-05: CR-07, CR-06: CR-07}``.
    """
    composed = {old: then.get(new, new) for old, new in first.items()}
    composed.update({old: new for old, new in then.items() if old not in first})
    return {old: new for old, new in composed.items() if old != new}


def fingerprint(data: bytes) -> str:
    """The fingerprint of an encrypted file's bytes (line endings do not count)."""
    return hashlib.sha256(data.replace(b"\r\n", b"\n").strip()).hexdigest()


class RelabelledFile(BaseModel):
    """One encrypted file and the IDs to read differently in it."""

    model_config = ConfigDict(extra="forbid")

    path: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9/._-]*\.age$")]
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    ids: dict[RecordId, RecordId]


class Renumbering(BaseModel):
    """One renumbering by sync: the IDs it changed and the encrypted files it covers."""

    model_config = ConfigDict(extra="forbid")

    renumbered: dict[RecordId, RecordId]
    files: list[RelabelledFile] = Field(default_factory=list)


def events(root: Path) -> list[tuple[str, Renumbering]]:
    """Every renumbering recorded in the study, oldest first: (path, parsed file)."""
    folder = root / FOLDER
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.yaml")):
        where = f"{FOLDER}/{path.name}"
        found.append((where, read_event(path, where)))
    return found


def read_event(path: Path, where: str) -> Renumbering:
    """One registry file, validated (errors name ``file:line: field``)."""
    from prosper_coop.core import yamlio
    from prosper_coop.core.fsutil import read_regular_file
    from prosper_coop.core.study import parse_model

    return parse_model(Renumbering, yamlio.decode(read_regular_file(path, where), where), where)


def registry(root: Path) -> dict[str, dict[str, str]]:
    """Fingerprint of an encrypted file -> the IDs to read differently in it.

    When two renumberings cover the same file, the later one wins (it holds both,
    composed).
    """
    table: dict[str, dict[str, str]] = {}
    for _, event in events(root):
        for entry in event.files:
            table[entry.sha256] = dict(entry.ids)
    return table


def relabel_text(text: str, mapping: dict[str, str], where: str) -> str:
    """Record YAML ``text`` with ``mapping`` applied (unchanged when nothing matches)."""
    from prosper_coop.core import yamlio

    if not mapping or not any(old in text for old in mapping):
        return text
    data = yamlio.loads(text, where)
    replaced = replace_ids(data, mapping)
    return text if replaced == data else yamlio.dumps(replaced)


def event_text(plan: dict[str, str], files: dict[str, tuple[str, dict[str, str]]]) -> str:
    """The registry file of one renumbering: ``files`` is path -> (fingerprint, IDs)."""
    from prosper_coop.core import yamlio

    event = Renumbering(
        renumbered=plan,
        files=[
            RelabelledFile(path=path, sha256=sha, ids=ids)
            for path, (sha, ids) in sorted(files.items())
        ],
    )
    return _HEADER + yamlio.dumps(event.model_dump())


def event_path(root: Path, text: str, now: dt.datetime | None = None) -> str:
    """A new registry file name, later in sort order than every earlier one."""
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    folder = root / FOLDER
    names = sorted(p.name for p in folder.glob("*.yaml")) if folder.is_dir() else []
    fmt = "%Y%m%dT%H%M%S%fZ"
    if names:
        try:
            last = dt.datetime.strptime(names[-1].split("-", 1)[0], fmt).replace(tzinfo=dt.UTC)
        except ValueError:
            last = None
        if last is not None and stamp <= last:
            stamp = last + dt.timedelta(microseconds=1)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{FOLDER}/{stamp.strftime(fmt)}-{digest}.yaml"
