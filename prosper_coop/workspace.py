"""Creating a study: the folder layout, git repository, hook and first commit."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import uuid
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


def create_study(
    target: str | Path,
    *,
    title: str | None = None,
    example: str | None = None,
    actor: str | None = None,
    today: dt.date | None = None,
) -> Study:
    """Create a study in ``target`` and make its first commit; return it.

    ``target`` may be missing or empty. The study is built beside it and moved
    into place whole, so a failure, or a kill at any instant, leaves no half-made
    study.
    ``example`` fills it with an example study (``"prosper"``). ``actor`` is who
    creates it (a person the new study holds), else the coordinator every study
    starts with (its ``default_actor``, else CO-01); ``today`` is its creation
    date, else the clock's. The study returned is opened with the ``actor`` and
    ``today`` given, so without an actor it can be read but not changed.
    """
    from prosper_coop.core.git import StudyRepo, install_hook
    from prosper_coop.core.models import Person, Role, StudySettings
    from prosper_coop.core.records import RECORD_TYPES
    from prosper_coop.examples import catalogue
    from prosper_coop.sync.engine import configure_drivers, write_gitattributes

    target = Path(target).expanduser()
    builder = catalogue.get(example) if example else None
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
    created_on = today or clock.today()
    content = StudyContent(today=created_on)
    if builder is not None:
        settings = builder.settings(created_on)
        builder.build(content)
    else:
        settings = {}
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
                id="CO-01", alias="Study coordinator", roles=[Role.COORDINATOR], joined=created_on
            )
        )
    author = actor or study_settings.default_actor or "CO-01"
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
    shutil.rmtree(localconfig.signing_key_path(uid, "x").parent, ignore_errors=True)


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
