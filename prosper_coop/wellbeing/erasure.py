"""Erasure records: whose sensitive records were erased, so that they stay erased.

``people erase CR-02`` removes the person's identity, wellbeing plan, check-ins,
reflections and alert files, and in the same commit writes a small plain file,
``erased/CR-02.yaml``, that names only the study ID (never a name; who erased
and when are in the commit). Another computer may still hold those records, or
change them before it hears of the erasure (``keys rekey`` re-encrypting the
check-ins). A lead's resolution of one of their alerts has a random name, so it can
be found only by a key that reads it: ``keys rekey alert``, run by a wellbeing
lead, removes those of erased people. When ``sync`` merges, it reads the
erasure records and removes every file of an erased person that the merge
would keep, so the erasure wins on every computer; ``doctor`` reports any such
file found in the study (a copy that came back), with the command that removes it.

The file's text is the same wherever it is written, so two computers erasing
the same person never clash over it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from prosper_coop.core.checks import Loaded, Problem
from prosper_coop.core.ids import PERSON_ID

if TYPE_CHECKING:
    from prosper_coop.core.git import StudyRepo
    from prosper_coop.core.study import Study

FOLDER = "erased"
TEXT = """\
# The sensitive records of this person were erased (prosper-coop people erase).
# Sync removes any copy that comes back from another computer; doctor reports one.
person: {person}
"""
# The record types an erasure removes (incidents are kept: safeguarding records
# have their own retention duties). Alerts an older version kept in plain text
# (alerts/A-0001.yaml) are removed by person too.
ERASED_TYPES = ("identity", "plan", "checkin", "reflection", "alert")


def record_path(person: str) -> str:
    """Where the erasure record of ``person`` lives (``erased/CR-02.yaml``)."""
    return f"{FOLDER}/{person}.yaml"


def record_text(person: str) -> str:
    """The erasure record of ``person``: their study ID only."""
    return TEXT.format(person=person)


def _person_of(name: str) -> str | None:
    stem = name.removesuffix(".yaml")
    return stem if name.endswith(".yaml") and PERSON_ID.fullmatch(stem) else None


def erased_people(root: Path) -> set[str]:
    """The study IDs whose records were erased, from the erasure records in the study folder."""
    folder = root / FOLDER
    if folder.is_symlink() or not folder.is_dir():
        return set()
    found = set()
    for path in folder.iterdir():
        person = _person_of(path.name)
        if person is not None and path.is_file() and not path.is_symlink():
            found.add(person)
    return found


def erased_in(repo: StudyRepo, commit: str) -> set[str]:
    """The study IDs with an erasure record in ``commit``."""
    names = (path.rsplit("/", 1)[-1] for path in repo.files_in_tree(commit, FOLDER))
    return {person for name in names if (person := _person_of(name)) is not None}


def person_files(study: Study, person: str) -> list[str]:
    """Every file an erasure of ``person`` removes: sensitive records, spare copies, alerts.

    Found by where they live, never by decrypting them: everything in the person's
    folders (``checkins/CR-02/``, ``reflections/CR-02/``, ``alerts/CR-02/``), their
    plan and identity files (and copies kept beside them by sync), and alerts about
    them that an older version kept in plain text.
    """
    from prosper_coop.core.errors import UserError
    from prosper_coop.core.records import get
    from prosper_coop.core.study import SIDECAR_MARK
    from prosper_coop.crypto import sealed

    found: list[str] = []
    for name in ERASED_TYPES:
        rtype = get(name)
        folder = study.root / rtype.folder
        if folder.is_symlink() or not folder.is_dir():
            continue
        if name in sealed.PER_PERSON:
            own = folder / person
            if own.is_dir() and not own.is_symlink():
                found += [study.rel(p) for p in sorted(own.rglob("*")) if not p.is_dir()]
        else:
            candidates = [folder / f"{person}{rtype.suffix}"]
            candidates += sorted(folder.glob(f"{person}{SIDECAR_MARK}*"))
            found += [study.rel(p) for p in candidates if p.is_file() or p.is_symlink()]
    from prosper_coop.core import yamlio
    from prosper_coop.core.fsutil import read_regular_file

    for rel in plain_alert_files(study):
        try:
            data = yamlio.loads(yamlio.decode(read_regular_file(study.root / rel, rel), rel), rel)
        except UserError:
            continue  # doctor reports an unreadable file on its own
        if isinstance(data, dict) and data.get("person") == person:
            found.append(rel)
    return found


def plain_alert_files(study: Study) -> list[str]:
    """Alerts an older version kept in plain text (``alerts/A-0001.yaml``), relative paths."""
    from prosper_coop.core.records import get

    folder = study.root / get("alert").folder
    if folder.is_symlink() or not folder.is_dir():
        return []
    return sorted(
        study.rel(path)
        for path in folder.glob("A-*.yaml")
        if path.is_file() and not path.is_symlink()
    )


def check_erased(loaded: Loaded) -> Iterator[Problem]:
    """Doctor: a file of a person whose records were erased has come back (an error)."""
    study = loaded.study
    for person in sorted(erased_people(study.root)):
        for rel in person_files(study, person):
            yield Problem(
                rel,
                None,
                "(file)",
                f"this belongs to {person}, whose sensitive records were erased "
                f"({record_path(person)}), yet it is in the study again (a copy from before "
                f"the erasure came back). Remove it again with: "
                f"prosper-coop people erase {person} --yes",
            )
