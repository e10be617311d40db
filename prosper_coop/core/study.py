"""The study workspace: paths, loading, saving and committing records.

A :class:`Study` is handed to every domain function. Changes go through
:meth:`Study.change`, a transaction that takes the study lock, writes files
atomically, checks nothing sensitive leaks, and makes exactly one commit; if
anything fails, every file it touched is put back as it was.

Who acts and what day it is are given when the study is opened
(``Study.open(path, actor="CO-01", today=date)``); only the command line reads
them from settings and the environment (:func:`localconfig.local_actor`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from prosper_coop.core import clock, ids
from prosper_coop.core.errors import (
    BusyError,
    ConflictError,
    NoActorError,
    NotAStudyError,
    NotFoundError,
    UserError,
    ValidationError,
)
from prosper_coop.core.fsutil import atomic_write, read_regular_file

if TYPE_CHECKING:
    from pydantic import BaseModel

    from prosper_coop.core.git import StudyRepo
    from prosper_coop.core.models import StudySettings
    from prosper_coop.core.records import RecordType

M = TypeVar("M", bound="BaseModel")

STUDY_FILE = "study.yaml"
# The fields of study.yaml (models.StudySettings, which a test keeps these in step
# with), for reading who is acting without importing pydantic.
STUDY_FIELDS = frozenset(
    {
        "schema_version",
        "uid",
        "title",
        "short_title",
        "created",
        "iras_id",
        "ethics_committee",
        "ethics_reference",
        "sponsor",
        "funder",
        "award",
        "funder_acknowledgement",
        "funder_disclaimer",
        "doi",
        "registration",
        "default_actor",
        "readability",
        "involvement",
        "recruitment",
    }
)
STUDY_REQUIRED = frozenset({"uid", "title", "created"})
STUDY_UID = re.compile(r"[0-9a-f]{32}")
LOCK_NAME = "prosper-coop.lock"
DEFAULT_LOCK_TIMEOUT = 5.0
LOCK_POLL_SECONDS = 0.02
# Marks a copy kept by sync beside a file changed on two computers (merging.SIDECAR_MARK).
SIDECAR_MARK = ".conflict-"


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding a ``study.yaml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / STUDY_FILE).is_file():
            return folder
    return None


def start_folder(location: str | Path | None = None) -> Path:
    """Where to look for a study: ``location``, else ``PROSPER_COOP_STUDY``, else here."""
    return Path(location) if location else Path(os.environ.get("PROSPER_COOP_STUDY") or Path.cwd())


def validation_error(exc: Any, where: str, text: str) -> ValidationError:
    """Turn a pydantic ValidationError into ours, naming file, line and field in plain words."""
    from prosper_coop.core import yamlio
    from prosper_coop.core.validation import field_of, plain_problem

    problems = exc.errors(include_url=False)
    first = problems[0]
    loc = tuple(first.get("loc", ()))
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return ValidationError(
        f"{field_of(first)}: {plain_problem(first)}{more}",
        "Fix the field shown, then run: prosper-coop doctor",
        file=where,
        line=yamlio.line_of(text, loc),
    )


def parse_model(model: type[M], text: str, where: str) -> M:
    """Parse YAML text into ``model``, raising errors that name file:line: field."""
    return parse_model_and_data(model, text, where)[0]


def parse_model_and_data(model: type[M], text: str, where: str) -> tuple[M, dict[str, Any]]:
    """Like :func:`parse_model`, also returning the mapping as YAML read it.

    Validated strictly, as the published JSON Schemas say (see core/validation.py).
    """
    from pydantic import ValidationError as PydanticError

    from prosper_coop.core import yamlio
    from prosper_coop.core.validation import validate_strictly

    data = yamlio.loads(text, where)
    if not isinstance(data, dict):
        raise ValidationError(
            "the file should hold a mapping of fields (key: value lines)",
            "See the expected fields with: prosper-coop schema",
            file=where,
            line=1,
        )
    try:
        return validate_strictly(model, data, where), data
    except PydanticError as exc:
        raise validation_error(exc, where, text) from None


# Values a record file leaves out (with None).
EMPTY: tuple[Any, ...] = ("", [], {})


def canonical_data(fields: dict[str, Any]) -> dict[str, Any]:
    """A record's fields as its file holds them: in the order given, empty values left out.

    Unresolved sync conflicts go last, where they stand out.
    """
    cleaned = {
        key: value for key, value in fields.items() if value is not None and value not in EMPTY
    }
    if "conflicts" in cleaned:
        cleaned["conflicts"] = cleaned.pop("conflicts")
    return cleaned


def record_data(record: BaseModel) -> dict[str, Any]:
    """The canonical data of a validated record (model field order)."""
    return canonical_data(record.model_dump(mode="python", exclude_none=True))


def to_yaml(record: BaseModel) -> str:
    """A record in the canonical YAML form: model field order, empty values left out."""
    from prosper_coop.core import yamlio

    return yamlio.dumps(record_data(record))


class Acting(NamedTuple):
    """Who acts in a study, and where that was decided (for messages)."""

    person: str
    source: str  # e.g. "PROSPER_COOP_AS", named in "you are acting as X (from ...)"
    hint: str  # what to do when ``person`` is not in the study


# Decides who acts when a change first needs it (the command line's is
# localconfig.local_actor: PROSPER_COOP_AS, then whoami, then the study's default).
ActorResolver = Callable[["Study"], Acting]

EXPLICIT_ACTOR_HINT = (
    'Open the study as a person in it, e.g. Study.open(path, actor="CO-01") '
    "(list people with: prosper-coop people list)"
)


class Study:
    """A study workspace on disk, and who is acting in it on which day.

    ``actor`` is the study ID of the person making changes (``"CO-01"``), or a
    function deciding it when a change first needs it; with neither, the study
    can be read but a change raises :class:`NoActorError`. ``today`` is the date
    changes are recorded on; without it, the clock's (see :meth:`today`).
    """

    def __init__(
        self,
        root: str | Path,
        *,
        actor: str | ActorResolver | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        self._actor = actor
        self._today = today
        # What recovering from a stopped command did (see :meth:`recover`), in words.
        self.recovered: list[str] = []
        self.notify: Callable[[str], None] | None = None

    # -- finding -------------------------------------------------------------
    @classmethod
    def open(
        cls,
        location: str | Path | None = None,
        *,
        actor: str | ActorResolver | None = None,
        today: dt.date | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> Study:
        """Open the study at ``location`` (or the one containing the current folder).

        ``actor`` and ``today`` are as for :class:`Study`, e.g.
        ``Study.open(path, actor="CO-01", today=datetime.date(2026, 3, 2))``.
        If a command was stopped half-way in it, that is finished or undone first
        (:meth:`recover`); ``notify`` is told what was done, in plain words.
        """
        start = start_folder(location)
        root = find_root(start)
        if root is None:
            raise NotAStudyError(
                f"{start} is not inside a prosper-coop study",
                "Run this inside a study folder, pass --study DIR, "
                "or create one with: prosper-coop init DIR",
            )
        study = cls(root, actor=actor, today=today)
        study.notify = notify
        study.recover()
        return study

    # -- a command stopped half-way ------------------------------------------
    def recover(self, *, locked: bool = False) -> list[str]:
        """Finish or undo a change that a stopped command left half-done; what was done.

        Cheap when there is nothing to do (one file check). Waits for nobody: if
        another command holds the study lock, it is still running and is left to
        finish (``locked`` means the caller holds the lock already).
        """
        from prosper_coop.core import journal

        if not journal.pending(self.root):
            return []
        if locked:
            said = journal.recover(self.root, self.repo)
        else:
            try:
                with self.lock(timeout=0):
                    said = journal.recover(self.root, self.repo)
            except BusyError:
                return []
        self.recovered += said
        if self.notify is not None:
            for message in said:
                self.notify(message)
        return said

    # -- what day it is ------------------------------------------------------
    def today(self) -> dt.date:
        """The date changes are recorded on: the ``today`` given, else the clock's."""
        return self._today if self._today is not None else clock.today()

    def now(self) -> dt.datetime:
        """The current time (UTC, to the second), on :meth:`today`'s date."""
        moment = clock.now()
        if self._today is not None:
            day = self._today
            moment = moment.replace(year=day.year, month=day.month, day=day.day)
        return moment

    # -- paths ---------------------------------------------------------------
    def rel(self, path: Path) -> str:
        """``path`` relative to the study root, with forward slashes.

        A link at ``path`` itself is named, not followed (its folder is resolved).
        """
        named = path.parent.resolve() / path.name if path.is_symlink() else path.resolve()
        return named.relative_to(self.root).as_posix()

    def path_of(self, rtype: RecordType, record_id: str) -> Path:
        """Where the record ``record_id`` of type ``rtype`` lives."""
        ids.check_pattern(record_id, rtype.pattern, f"{rtype.name} ID", rtype.example)
        folder = self.root / rtype.folder
        if rtype.sharded:
            number = ids.number_of(record_id) or 0
            folder = folder / f"{number // 100:02d}"
        path = folder / f"{record_id}{rtype.suffix}"
        # Belt and braces: the pattern already forbids separators and dots.
        if not path.resolve().is_relative_to(self.root):
            raise ValidationError(f"{record_id!r} would name a file outside the study")
        return path

    def record_files(self, rtype: RecordType) -> list[Path]:
        """Every record file of ``rtype`` (sorted).

        Sensitive records are ``.age`` files, directly in the folder or in one
        sub-folder per person (``checkins/CR-01/CI-0001.age``). Copies that sync
        kept beside a record changed on two computers (``CI-0001.conflict-<hash>.age``)
        are not records and are left out.
        """
        from prosper_coop.core.fsutil import symlink_error

        folder = self.root / rtype.folder
        if folder.is_symlink():
            raise symlink_error(rtype.folder)
        if not folder.is_dir():
            return []
        suffix = rtype.suffix
        pattern = f"*/*{suffix}" if rtype.sharded or rtype.sensitive else f"*{suffix}"
        files = list(folder.glob(pattern))
        if rtype.sharded or rtype.sensitive:
            files += list(folder.glob(f"*{suffix}"))
        files = [p for p in files if SIDECAR_MARK not in p.name]
        for sub_folder in {p.parent for p in files} - {folder}:
            if sub_folder.is_symlink():  # a linked sub-folder
                raise symlink_error(f"{rtype.folder}/{sub_folder.name}")
        return sorted(files, key=lambda p: (ids.number_of(p.stem) or 0, p.stem))

    # -- settings --------------------------------------------------------------
    @cached_property
    def settings(self) -> StudySettings:
        """The validated ``study.yaml``."""
        from prosper_coop.core import yamlio
        from prosper_coop.core.models import StudySettings

        path = self.root / STUDY_FILE
        text = yamlio.decode(read_regular_file(path, STUDY_FILE), STUDY_FILE)
        return parse_model(StudySettings, text, STUDY_FILE)

    @cached_property
    def repo(self) -> StudyRepo:
        """The git repository behind the study."""
        from prosper_coop.core.git import StudyRepo

        return StudyRepo(self.root)

    # -- reading -------------------------------------------------------------
    def read_file(self, path: Path, model: type[M]) -> M:
        """Load one record file, checking that its file name matches its ID."""
        return self.read_file_and_data(path, model)[0]

    def read_file_and_data(
        self, path: Path, model: type[M], where: str | None = None
    ) -> tuple[M, dict[str, Any]]:
        """Like :meth:`read_file`, also returning the mapping as YAML read it.

        ``where`` is the path relative to the study, when the caller knows it.
        """
        from prosper_coop.core import yamlio

        where = where or self.rel(path)
        text = yamlio.decode(read_regular_file(path, where), where)
        record, data = parse_model_and_data(model, text, where)
        record_id = getattr(record, "id", None)
        if record_id is not None and record_id != path.stem:
            raise ValidationError(
                f"id: the record says {record_id!r} but the file is named {path.name!r}",
                f"Make them agree: rename the file to {record_id}.yaml or fix the id line.",
                file=where,
                line=yamlio.line_of(text, ("id",)),
            )
        return record, data

    def exists(self, rtype: RecordType, record_id: str) -> bool:
        """Whether a record with this ID exists."""
        return self.path_of(rtype, record_id).is_file()

    def load(self, rtype: RecordType, record_id: str) -> Any:
        """Load one record, or raise a NotFoundError that says how to list them."""
        path = self.path_of(rtype, record_id)
        if not path.is_file():
            raise NotFoundError(
                f"{rtype.name} {record_id} not found",
                f"List them with: prosper-coop {_list_command(rtype)}",
            )
        return self.read_file(path, rtype.model)

    def load_all(self, rtype: RecordType) -> list[Any]:
        """Load every record of a type (raises on the first invalid one)."""
        return [self.read_file(path, rtype.model) for path in self.record_files(rtype)]

    def next_id(self, rtype: RecordType) -> str:
        """The next free sequential ID for ``rtype`` (``T-0043`` after ``T-0042``)."""
        highest = 0
        for path in self.record_files(rtype):
            number = ids.number_of(path.stem)
            if number is not None and rtype.pattern.fullmatch(path.stem):
                highest = max(highest, number)
        return rtype.format_id(highest + 1)

    # -- who is acting -------------------------------------------------------
    def actor(self, *, must_exist: bool = True) -> str:
        """The study ID of the person making changes.

        The ``actor`` the study was opened with (a resolver is asked each time);
        raises :class:`NoActorError` when there is none, and NotFoundError when
        ``must_exist`` and that person is not in the study.
        """
        from prosper_coop.core.records import get

        acting = self.acting()
        people = get("person")
        ids.check_pattern(acting.person, people.pattern, "person ID", people.example)
        if must_exist and not self.exists(people, acting.person):
            raise NotFoundError(
                f"you are acting as {acting.person} (from {acting.source}), "
                "who is not in this study",
                acting.hint,
            )
        return acting.person

    def acting(self) -> Acting:
        """Who acts and where that was decided, not yet checked against the study."""
        if self._actor is None:
            raise NoActorError(
                "no one is acting in this study: it was opened without an actor",
                'Say who makes changes: Study.open(path, actor="CO-01") '
                "(the study ID of a person in the study)",
            )
        if isinstance(self._actor, str):
            return Acting(self._actor, "the actor= argument", EXPLICIT_ACTOR_HINT)
        return self._actor(self)

    def signing_key(self, person: str) -> Path:
        """The private key ``person`` signs this study's commits with on this computer.

        Made by ``prosper-coop join`` (or ``init``); without it nothing can be
        recorded in their name here, and :class:`NotJoinedError` says how to join.
        """
        from prosper_coop.core import configdir
        from prosper_coop.core.errors import NotJoinedError

        uid, _default = self.uid_and_default_actor()
        path = configdir.signing_key_path(uid, person)
        if not path.is_file() or path.is_symlink():
            raise NotJoinedError(
                f"{person} has not joined this study on this computer, so nothing can be "
                f"recorded in their name here",
                configdir.JOIN_HINT,
            )
        return path

    def uid_and_default_actor(self) -> tuple[str, str | None]:
        """``uid`` and ``default_actor`` from ``study.yaml``, without pydantic if possible.

        Importing pydantic and building the settings validator cost most of a write
        command's start-up, so a plain file is read directly. Anything unusual
        (not a mapping, a field that is unknown or missing, a value of the wrong
        form, a YAML or encoding problem) goes through :attr:`settings`, which
        reports it exactly as before.
        """
        if "settings" not in self.__dict__:  # not validated yet in this process
            plain = self._plain_identity()
            if plain is not None:
                return plain
        return self.settings.uid, self.settings.default_actor

    def _plain_identity(self) -> tuple[str, str | None] | None:
        from prosper_coop.core import yamlio

        try:
            text = yamlio.decode(read_regular_file(self.root / STUDY_FILE, STUDY_FILE), STUDY_FILE)
            data = yamlio.loads(text, STUDY_FILE)
        except (OSError, UserError):
            return None
        if not isinstance(data, dict) or not STUDY_REQUIRED <= data.keys() <= STUDY_FIELDS:
            return None
        uid = data["uid"]
        default_actor = data.get("default_actor")
        if not isinstance(uid, str) or not STUDY_UID.fullmatch(uid):
            return None
        if default_actor is not None and not (
            isinstance(default_actor, str)
            and default_actor.isascii()
            and ids.PERSON_ID.fullmatch(default_actor)
        ):
            return None
        return uid, default_actor

    # -- changing ------------------------------------------------------------
    def lock(self, timeout: float | None = None) -> contextlib.AbstractContextManager[Any]:
        """The study's writer lock (waits briefly, then raises BusyError).

        ``timeout`` (else ``PROSPER_COOP_LOCK_TIMEOUT``, else 5) is in seconds; a
        negative one waits as long as it takes. Not re-entrant: a second ``lock()``
        while the first is held waits like any other writer.
        """
        git_dir = self.root / ".git"
        lock_dir = git_dir if git_dir.is_dir() else self.root / ".prosper"
        lock_dir.mkdir(exist_ok=True)
        if timeout is None:
            timeout = float(os.environ.get("PROSPER_COOP_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT))
        try:
            import fcntl  # noqa: F401 - only to learn whether flock exists here
        except ImportError:  # Windows
            return _held_with_filelock(lock_dir / LOCK_NAME, timeout)
        return _held_with_flock(lock_dir / LOCK_NAME, timeout)

    def change(self, area: str, what: str, record_ids: str | list[str] = "") -> Change:
        """Start a one-commit change, e.g. ``with study.change("task", "done T-1", "T-1")``."""
        return Change(self, area, what, record_ids)


def _busy() -> BusyError:
    return BusyError(
        "another prosper-coop command is changing this study right now",
        "Wait for it to finish, then try again. Nothing was changed.",
    )


def _unlockable(path: Path, exc: OSError) -> UserError:
    return UserError(
        f"could not lock the study to change it ({path.name}: {exc.strerror or exc})",
        "Check that the study folder is writable and on a drive that supports file "
        "locks (some network drives do not). Nothing was changed.",
    )


@contextlib.contextmanager
def _held_with_flock(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (the kind filelock takes on POSIX).

    Imports nothing heavy (filelock pulls in asyncio). The lock belongs to this
    open file, so it is released when the file is closed, also if the process dies.
    """
    import fcntl
    import time

    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _unlockable(path, exc) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | (fcntl.LOCK_NB if timeout >= 0 else 0))
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _busy() from None
                time.sleep(LOCK_POLL_SECONDS)
            except OSError as exc:  # e.g. a network drive without file locks
                raise _unlockable(path, exc) from None
        try:
            yield
        finally:
            with contextlib.suppress(OSError):  # closing the file releases it anyway
                fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def _held_with_filelock(path: Path, timeout: float) -> Iterator[None]:
    """The same lock through filelock, where ``fcntl`` does not exist (Windows)."""
    from filelock import FileLock, Timeout

    file_lock = FileLock(str(path), timeout=timeout)
    try:
        file_lock.acquire()
    except Timeout:
        raise _busy() from None
    try:
        yield
    finally:
        file_lock.release()


def _list_command(rtype: RecordType) -> str:
    return {
        "person": "people list",
        "workpackage": "wp list",
        "theme": "findings list",
        "recommendation": "rec list",
        "involvement": "involve list",
        "render": "render --list",
        "alert": "wellbeing alerts",
        "checkin": "wellbeing alerts",
        "reflection": "reflect list",
        "incident": "distress show ID",
        "checklist": "checklist status",
        "target": "recruit status",
        "survey": "survey status",
    }.get(rtype.name, f"{rtype.name} list")


class Change:
    """One change to a study, committed as exactly one git commit.

    Files are buffered until the block ends without error; then the lock is
    already held, edits not yet saved are refused, files are checked by the
    guard, an intent is made durable, and the files are written atomically,
    staged and committed. On any failure, or a kill at any instant, every touched
    file is restored and the index reset for those paths (by this process, or by
    the next command from the intent), unless the commit was made.
    """

    def __init__(self, study: Study, area: str, what: str, record_ids: str | list[str]) -> None:
        self.study = study
        self.area = area
        self.what = what
        given = [record_ids] if isinstance(record_ids, str) else list(record_ids)
        self.record_ids = [record_id for record_id in given if record_id]
        self.author: str | None = None
        self.signing_key: Path | None = None
        self.sha: str | None = None
        self._pending: dict[str, bytes | None] = {}
        self._lock: contextlib.AbstractContextManager[Any] | None = None
        self.allow_unsaved: set[str] = set()

    # -- buffering -------------------------------------------------------------
    def save(self, record: BaseModel, rtype: RecordType | None = None) -> Path:
        """Queue ``record`` to be written (in canonical YAML)."""
        from prosper_coop.core.records import RECORD_TYPES

        if rtype is None:
            rtype = next(t for t in RECORD_TYPES if t.is_model_of(record))
        path = self.study.path_of(rtype, getattr(record, "id"))  # noqa: B009
        self._pending[self.study.rel(path)] = to_yaml(record).encode("utf-8")
        return path

    def write_bytes(self, rel_path: str, data: bytes) -> None:
        """Queue a file (relative to the study root) to be written."""
        self._check_rel(rel_path)
        self._pending[rel_path] = data

    def write_text(self, rel_path: str, text: str) -> None:
        """Queue a UTF-8 text file to be written."""
        self.write_bytes(rel_path, text.encode("utf-8"))

    def delete(self, rel_path: str) -> None:
        """Queue a file to be removed."""
        self._check_rel(rel_path)
        self._pending[rel_path] = None

    def _check_rel(self, rel_path: str) -> None:
        target = (self.study.root / rel_path).resolve()
        if Path(rel_path).is_absolute() or not target.is_relative_to(self.study.root):
            raise ValidationError(f"{rel_path!r} is outside the study")

    @property
    def message(self) -> str:
        """The commit message: ``<area>: <what> (<record ids>)``."""
        named = [record_id for record_id in self.record_ids if record_id]
        suffix = f" ({', '.join(named)})" if named else ""
        return f"{self.area}: {self.what}{suffix}"

    # -- context manager -----------------------------------------------------
    def __enter__(self) -> Change:
        self._lock = self.study.lock()
        self._lock.__enter__()
        try:
            # A change stopped half-way by an earlier command is finished or undone first.
            self.study.recover(locked=True)
            if self.author is None:
                self.author = self.study.actor()
            self.signing_key = self.study.signing_key(self.author)  # joined here, or stop
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._lock is not None
        try:
            if exc_type is None and self._pending:
                self.commit()
        finally:
            self._lock.__exit__(None, None, None)

    def commit(self) -> None:
        """Write, check and commit the queued files, as a transaction that survives a kill.

        Files whose content would not change are left out; when nothing would
        change, no commit is made (``sha`` stays ``None``). Before any file is
        touched, an intent naming every file and how to put it back is written to
        disk (:mod:`prosper_coop.core.journal`); the commit point is git's atomic
        move of the branch. If this process fails, or is killed at any instant,
        this process (or else the next command) puts every file back as it was,
        or brings them up to date with the commit if the branch had moved.
        """
        from prosper_coop.core import journal

        repo = self.study.repo
        # Every study has a first commit (init makes it), so any difference from git
        # here is a hand edit that is not saved yet.
        status = repo.status(self._pending)
        unsaved = status.changed
        # A file needs committing if git's copy differs from what will be on disk.
        paths = sorted(p for p in self._pending if p in unsaved or self._differs_on_disk(p))
        if not paths:
            return
        clashing = [p for p in paths if p in unsaved and p not in self.allow_unsaved]
        if clashing:
            raise ConflictError(
                f"{clashing[0]} has changes that are not saved yet",
                "Save them first with: prosper-coop save -m 'what you changed' "
                "(or undo them with: git checkout -- FILE). Nothing was changed.",
            )
        self._check_guard()
        journal.refuse_foreign_git_lock(self.study.root)
        before = self._how_to_put_back(paths, unsaved)
        root = self.study.root
        journal.write_intent(
            root, {"kind": "change", "head": status.head, "message": self.message, "paths": before}
        )
        try:
            for rel_path in paths:
                target = root / rel_path
                data = self._pending[rel_path]
                if data is None:
                    target.unlink(missing_ok=True)
                else:
                    atomic_write(target, data)
            repo.add(paths)
            # HEAD cannot have moved under the lock unless by hand; commit then refuses.
            assert self.author is not None and self.signing_key is not None  # set on entering
            self.sha = repo.commit(
                self.message, self.author, paths, head=status.head, signing_key=self.signing_key
            )
        except BaseException:
            # Put things back now, exactly as the next command would after a kill.
            with contextlib.suppress(UserError, OSError):
                journal.recover(root, repo, stopped=False)
            raise
        journal.clear_intent(root)

    def _how_to_put_back(self, paths: list[str], unsaved: dict[str, str]) -> dict[str, str]:
        """Each path's state before the change: as committed, absent, or a saved copy.

        Only files this change may overwrite although they hold edits not saved yet
        (``allow_unsaved``: ``save``, re-rendered outputs) need a copy; it is kept
        in git's object store, never committed.
        """
        from prosper_coop.core import journal

        specs = dict.fromkeys(paths, journal.AS_COMMITTED)
        edited = [p for p in paths if p in unsaved and (self.study.root / p).is_file()]
        for rel_path in paths:
            if rel_path in unsaved and rel_path not in edited:
                specs[rel_path] = journal.ABSENT
        for rel_path, sha in zip(edited, self.study.repo.save_blobs(edited), strict=True):
            specs[rel_path] = journal.BLOB + sha
        return specs

    def _differs_on_disk(self, rel_path: str) -> bool:
        target = self.study.root / rel_path
        data = self._pending[rel_path]
        if data is None:
            return target.exists()
        return not target.is_file() or target.read_bytes() != data

    def _check_guard(self) -> None:
        from prosper_coop.core import guard

        folders = guard.sensitive_folders()
        for rel_path, data in self._pending.items():
            if data is None:
                continue
            leak = guard.check_blob(rel_path, data, folders)
            if leak is not None:
                raise ValidationError(
                    f"refusing to commit {leak.path}: {leak.problem}",
                    "This is a safety check; nothing was written.",
                )


@dataclass
class StudyContent:
    """Records and files a new study starts with (filled by examples)."""

    today: dt.date
    records: list[BaseModel] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)

    def add(self, *records: BaseModel) -> None:
        """Add records to the new study."""
        self.records.extend(records)
