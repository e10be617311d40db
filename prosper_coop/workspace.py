"""Creating a study: the folder layout, git repository, hook and first commit."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import uuid
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from prosper_coop.core import clock, localconfig
from prosper_coop.core.defaults import DEFAULT_FOLDERS, defaults_root
from prosper_coop.core.errors import ConflictError, InvalidInputError, NotFoundError, UserError
from prosper_coop.core.fsutil import atomic_write, atomic_write_text
from prosper_coop.core.study import STUDY_FILE, Study, StudyContent, find_root, to_yaml

if TYPE_CHECKING:
    pass

# A study being made by ``init`` (``.NAME.prosper-init-PID``), beside its folder.
STAGING_PREFIX = ".{name}.prosper-init-"
GITIGNORE = """\
# prosper-coop: never commit these
.prosper/
*.tmp
.*.tmp
# Decrypted copies of sensitive records must never be committed
*.plain
*.decrypted
"""

README = """\
# {title}

This folder is a prosper-coop study workspace: every change is a git commit,
and `git log` is the audit trail. Start with `prosper-coop status`.
Sensitive records are encrypted; never copy decrypted text into this folder.
"""


DEFAULT_COORDINATOR = "CO-01"
DEFAULT_COORDINATOR_ALIAS = "Study coordinator"


@dataclass(frozen=True)
class StudyDetails:
    """What a new study says about itself: its consent forms show these.

    Empty means "not known yet": the study's forms then keep a blank such as
    ``[IRAS ID]``, which ``status`` lists until it is filled in. ``coordinator``
    is the study ID of the person who runs the study (and makes it), with a
    pseudonymous ``coordinator_alias``.
    """

    title: str = ""
    short_title: str = ""
    iras_id: str = ""
    ethics_committee: str = ""
    ethics_reference: str = ""
    sponsor: str = ""
    funder: str = ""
    award: str = ""
    coordinator: str = DEFAULT_COORDINATOR
    coordinator_alias: str = DEFAULT_COORDINATOR_ALIAS


# How each detail is named in a message, and what fits it.
DETAIL_NAMES = {
    "title": "the study title",
    "short_title": "the short name",
    "iras_id": "the IRAS ID",
    "ethics_committee": "the research ethics committee",
    "ethics_reference": "the ethics (REC) reference",
    "sponsor": "the sponsor",
    "funder": "the funder",
    "award": "the award",
    "coordinator": "the coordinator's study ID",
    "coordinator_alias": "the coordinator's alias",
}
WHAT_FITS = {
    "title": "one line of 1 to 500 characters",
    "short_title": "one line of at most 40 characters, such as the study's acronym",
    "iras_id": "a number of 4 to 10 digits, such as 314159",
    "coordinator": "a study ID such as CO-01 (2 to 4 capital letters, a dash, 2 or 3 digits)",
    "coordinator_alias": "a pseudonymous label of 1 to 500 characters on one line, "
    "never a real name",
}
ONE_LINE = "one line of at most 200 characters"


def detail_problem(name: str, value: str) -> str | None:
    """What would fit the detail ``name`` when ``value`` does not, else None.

    ``name`` is a field of :class:`StudyDetails`; the value is taken stripped.
    """
    from prosper_coop.core import ids
    from prosper_coop.core.models import StudySettings

    value = value.strip()
    fits = WHAT_FITS.get(name, ONE_LINE)
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        return fits
    if name == "coordinator":
        return None if ids.PERSON_ID.fullmatch(value) else fits
    if name == "coordinator_alias":
        return None if 0 < len(value) <= 500 else fits
    if name not in ("title", "short_title") and len(value) > 200:
        return fits
    try:
        StudySettings(
            **{"uid": "0" * 32, "title": "-", "created": dt.date(2000, 1, 1), name: value}
        )
    except Exception:  # pydantic.ValidationError
        return fits
    return None


def check_details(details: StudyDetails) -> StudyDetails:
    """``details`` stripped, or an InvalidInputError naming the first that does not fit."""
    cleaned = {}
    for field in fields(details):
        value = str(getattr(details, field.name)).strip() or str(field.default)
        problem = detail_problem(field.name, value) if value else None
        if problem is not None:
            raise InvalidInputError(
                f"{DETAIL_NAMES[field.name]} {value!r} does not fit: it should be {problem}",
                "Nothing was made. Give it again in that form.",
            )
        cleaned[field.name] = value
    return StudyDetails(**cleaned)


def check_target(target: str | Path) -> Path:
    """``target`` as a path, if a new study can be made there (missing, or an empty
    folder that is not a study); else a ConflictError saying why."""
    target = Path(target).expanduser()
    if target.exists():
        if not target.is_dir():
            raise ConflictError(f"{target} is a file, not a folder", "Choose another name.")
        if find_root(target) == target.resolve():
            raise ConflictError(
                f"{target} is already a study",
                f"See it with: prosper-coop --study {target} status",
            )
        if any(target.iterdir()):
            raise ConflictError(
                f"{target} is not empty and is not a study",
                "Choose a new or empty folder, e.g.: prosper-coop init my-study",
            )
    return target


def create_study(
    target: str | Path,
    *,
    title: str | None = None,
    details: StudyDetails | None = None,
    example: str | None = None,
    actor: str | None = None,
    today: dt.date | None = None,
) -> Study:
    """Create a study in ``target`` and make its first commit; return it.

    ``target`` may be missing or empty. The study is built beside it and moved
    into place whole, so a failure, or a kill at any instant, leaves no half-made
    study.
    ``details`` are what the study says about itself (title, IRAS ID, sponsor,
    ethics approval, funder, who the coordinator is); its consent forms are filled
    in with them. ``title`` is a shorter way to give only the title.
    ``example`` fills it with an example study (``"prosper"``), which brings its
    own team. ``actor`` is who creates it (a person the new study holds), else
    the study's coordinator (its ``default_actor``, else the coordinator of the
    details, CO-01 unless said); ``today`` is its creation date, else the
    clock's. The study returned is opened with the ``actor`` and ``today`` given,
    so without an actor it can be read but not changed.
    """
    from prosper_coop.core.git import StudyRepo, install_hook
    from prosper_coop.core.models import Person, Role, StudySettings
    from prosper_coop.core.records import RECORD_TYPES
    from prosper_coop.examples import catalogue
    from prosper_coop.sync.engine import configure_drivers, write_gitattributes

    target = check_target(target)
    builder = catalogue.get(example) if example else None
    details = check_details(details or StudyDetails())
    if builder is not None and (
        details.coordinator != DEFAULT_COORDINATOR
        or details.coordinator_alias != DEFAULT_COORDINATOR_ALIAS
    ):
        raise InvalidInputError(
            "an example study comes with its own team, so its coordinator cannot be chosen",
            "Leave the coordinator out, or make a study of your own without an example.",
        )
    created_on = today or clock.today()
    content = StudyContent(today=created_on)
    if builder is not None:
        settings = builder.settings(created_on)
        builder.build(content)
    else:
        settings = {}
    settings.update(
        {
            field.name: getattr(details, field.name)
            for field in fields(details)
            if field.name not in ("coordinator", "coordinator_alias")
            and getattr(details, field.name)
        }
    )
    study_title = title or settings.get("title") or target.resolve().name
    try:
        study_settings = StudySettings(
            uid=uuid.uuid4().hex,
            title=study_title,
            created=created_on,
            **{key: value for key, value in settings.items() if key != "title"},
        )
    except Exception as exc:  # pydantic.ValidationError
        raise InvalidInputError(f"the study title is not usable: {exc}") from None
    if not any(isinstance(rec, Person) for rec in content.records):
        content.add(
            Person(
                id=details.coordinator,
                alias=details.coordinator_alias,
                roles=[Role.COORDINATOR],
                joined=created_on,
            )
        )
    author = actor or study_settings.default_actor or details.coordinator
    people = [rec.id for rec in content.records if isinstance(rec, Person)]
    if actor is not None and actor not in people:
        raise NotFoundError(
            f"{actor} cannot create the study: the new study has no such person",
            f"Choose one of {', '.join(people)}, or leave the actor out "
            "to create it as its coordinator.",
        )
    # Built beside the target and moved into place whole, so that a kill at any
    # instant leaves either no study or a complete one with its first commit.
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(target)
    staging = target.parent / f"{STAGING_PREFIX.format(name=target.name)}{os.getpid()}"
    try:
        staging.mkdir()
        root = staging.resolve()
        repo = StudyRepo.init(root)
        study = Study(root, actor=actor, today=today)
        atomic_write_text(root / STUDY_FILE, to_yaml(study_settings))
        atomic_write_text(root / ".gitignore", GITIGNORE)
        write_gitattributes(root)  # field-by-field merging on sync
        atomic_write_text(root / "README.md", README.format(title=study_title))
        for rtype in RECORD_TYPES:
            atomic_write(root / rtype.folder / ".gitkeep", b"")
        source = defaults_root()
        for name in DEFAULT_FOLDERS:
            shutil.copytree(
                source / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        _join_founders(study_settings.uid, content, author, example=builder is not None)
        by_model = {rtype.model: rtype for rtype in RECORD_TYPES}
        for record in content.records:
            rtype = by_model[type(record)]
            atomic_write_text(study.path_of(rtype, record.id), to_yaml(record))  # type: ignore[attr-defined]
        for rel_path, text in content.files.items():
            atomic_write_text(root / rel_path, text)
        _fill_study_details(root, study_settings.model_dump())
        install_hook(root)
        configure_drivers(root)
        repo.stage_everything()
        what = "create example study" if builder else "create study"
        label = study_settings.short_title or study_title
        if len(label) > 60:
            label = label[:57].rstrip() + "..."
        repo.commit(
            f'study: {what} "{label}" (study)',
            author,
            signing_key=localconfig.signing_key_path(study_settings.uid, author),
        )
        _move_into_place(staging, target)
        localconfig.set_study_setting(study_settings.uid, "whoami", author)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        _forget_founders(study_settings.uid)
        if isinstance(exc, UserError):
            raise
        if isinstance(exc, OSError):
            raise UserError(
                f"could not create the study in {target}: {exc.strerror}",
                "Check the folder is writable and there is free disk space.",
            ) from None
        raise
    return Study(target.resolve(), actor=actor, today=today)


def _fill_study_details(root: Path, details: dict[str, object]) -> None:
    """Fill the ``{study.title}`` fields of the study's protocols with its own details."""
    from prosper_coop.people.forms import FIELD, fill_study_details

    for path in sorted((root / "protocols").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if FIELD.search(text):
            atomic_write_text(path, fill_study_details(text, details))


def _move_into_place(staging: Path, target: Path) -> None:
    """Rename the finished study onto ``target`` (missing, or an empty folder)."""
    if target.is_dir():
        target.rmdir()  # empty (checked above); rename onto it is not portable
    staging.rename(target)
    with contextlib.suppress(OSError):
        descriptor = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _join_founders(uid: str, content: StudyContent, author: str, *, example: bool) -> None:
    """Whoever creates the study joins it on this computer, so its first commit is signed.

    That commit is the study's root of trust: the history is verified from it. The
    creator gets a signing key (and an age key, so records can be encrypted to them);
    in an example study every person gets a (demo) signing key on this computer.
    """
    from prosper_coop.core.models import Person
    from prosper_coop.crypto import keys
    from prosper_coop.people.joining import give_signing_keys

    people = [rec for rec in content.records if isinstance(rec, Person)]
    founders = [p for p in people if example or p.id == author]
    comment = "in the example study (demo key)" if example else "founder of the study"
    give_signing_keys(uid, founders, comment=comment)
    creator = next(p for p in people if p.id == author)
    if not creator.age_recipient:
        creator.age_recipient = keys.generate(
            comment=f"{author} in a new study", demo=example
        ).recipient


def _forget_founders(uid: str) -> None:
    """Remove the keys made for a study that was not created after all."""
    from prosper_coop.core.configdir import signing_key_dir

    shutil.rmtree(signing_key_dir(uid), ignore_errors=True)


def _remove_stale_staging(target: Path) -> None:
    """Remove half-built studies that a stopped ``init`` of ``target`` left beside it."""
    prefix = STAGING_PREFIX.format(name=target.name)
    for leftover in target.parent.glob(f"{prefix}*"):
        pid = leftover.name.removeprefix(prefix)
        if pid.isdigit() and not _running(int(pid)) and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
