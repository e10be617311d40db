"""A derived cache of every task, so reading 10,000 tasks does not parse 10,000 YAML files.

The YAML files under ``tasks/`` are the source of truth. The index lives in
``.prosper/task-index.marshal`` (git-ignored, never committed) and holds, per task
file, the file's ``(mtime_ns, size)`` when it was read and a plain tuple row of the
task's fields (plus its UTF-8 JSON form, ready for ``--json``).

Every read re-validates the cache by ``stat``-ing each task file (about 20 ms for
10,000 files): files whose stat changed are parsed again (a hand edit, a ``git
pull``), files that are gone are dropped, new files are added. A file modified
within :data:`RACY_NS` of being read is stored as "check again next time", so an
edit in the same clock tick can never be missed (git calls this "racy git").
Commands that write tasks refresh the rows they wrote straight after the commit.
Delete the cache at any time: it is rebuilt on the next command. A cache written by
other code (another version, or a changed task model: a field added to every record,
say) is rebuilt too, so its rows always have the shape the models give today.

This module imports no pydantic and no YAML on the fast path: rows are plain
tuples, dates are ISO strings (which sort like dates).
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from prosper_coop import ids
from prosper_coop.errors import UserError

if TYPE_CHECKING:
    from prosper_coop.models import Task
    from prosper_coop.study import Study

FORMAT = 2
CACHE_DIR = ".prosper"
CACHE_NAME = "task-index.marshal"
TASKS_FOLDER = "tasks"
RACY_NS = 3_000_000_000
NOT_TRUSTED = -1

# The ID shapes, kept here so reads need not import the pydantic models
# (tests check they equal ``models.TASK_ID`` and ``models.WP_ID``).
TASK_ID = ids.TASK_ID
WP_ID = ids.WP_ID
PERSON_ID = ids.PERSON_ID


class TaskRow(NamedTuple):
    """One task as the index holds it: plain values, dates as ISO strings."""

    id: str
    wp: str
    title: str
    status: str
    owner: str | None
    due: str | None
    depends: tuple[str, ...]
    tags: tuple[str, ...]
    blocked_reason: str
    created: str
    done_on: str | None
    notes: int
    json: bytes
    path: str
    # The file holds exactly its record's canonical form (see ``canonical_fields``).
    canonical: bool

    @property
    def number(self) -> int:
        """The task's sequence number (``T-0042`` -> 42)."""
        return int(self.id[2:])


def row_of(task: Task, rel_path: str, *, canonical: bool = True) -> TaskRow:
    """The index row for a validated task record (``canonical``: its file is in canonical form)."""
    import json

    return TaskRow(
        id=task.id,
        wp=task.wp,
        title=task.title,
        status=str(task.status),
        owner=task.owner,
        due=task.due.isoformat() if task.due else None,
        depends=tuple(task.depends),
        tags=tuple(task.tags),
        blocked_reason=task.blocked_reason,
        created=task.created.isoformat(),
        done_on=task.done_on.isoformat() if task.done_on else None,
        notes=len(task.notes),
        json=json.dumps(task.model_dump(mode="json"), ensure_ascii=False).encode("utf-8"),
        path=rel_path,
        canonical=canonical,
    )


def _number(task_id: str) -> int:
    digits = task_id[2:]
    return int(digits) if digits.isdigit() else 0


# One cache entry: (mtime_ns, size, row tuple).
Entry = tuple[int, int, tuple[Any, ...]]


class TaskIndex:
    """Every task in a study, validated against the files on disk when loaded."""

    def __init__(self, study: Study, rows: list[TaskRow]) -> None:
        self.study = study
        self.rows = rows
        self._by_id: dict[str, TaskRow] | None = None

    # -- loading ---------------------------------------------------------------------
    @classmethod
    def load(cls, study: Study) -> TaskIndex:
        """The tasks of ``study``: cached rows, re-checked against every task file.

        Raises the first invalid task file's error (file:line: field: problem),
        after saving what could be indexed.
        """
        enabled = gc.isenabled()
        gc.disable()  # tens of thousands of small tuples: the cyclic GC only slows this
        try:
            cached = _read_cache(study.root)
            entries, rows, stats, problem = _refresh(study, cached)
        finally:
            if enabled:
                gc.enable()
        if stats.changed:
            _write_cache(study.root, entries, stats.parsed_paths)
        if problem is not None:
            raise problem
        return cls(study, rows)

    @property
    def by_id(self) -> dict[str, TaskRow]:
        """Rows keyed by task ID."""
        if self._by_id is None:
            self._by_id = {row.id: row for row in self.rows}
        return self._by_id

    def get(self, task_id: str) -> TaskRow | None:
        """The row of ``task_id``, if there is such a task."""
        return self.by_id.get(task_id)

    def highest_number(self) -> int:
        """The largest task number in use (0 when there are none)."""
        return max((row.number for row in self.rows), default=0)

    def done_ids(self) -> set[str]:
        """IDs of tasks that are done."""
        return {row.id for row in self.rows if row.status == "done"}

    def graph(self) -> dict[str, tuple[str, ...]]:
        """Task ID -> the tasks it depends on."""
        return {row.id: row.depends for row in self.rows}

    def dependents(self, task_id: str) -> list[str]:
        """Tasks that depend on ``task_id``."""
        return [row.id for row in self.rows if task_id in row.depends]

    # -- keeping it right after a write ---------------------------------------------
    @staticmethod
    def written(study: Study, tasks: Iterable[Task], deleted: Iterable[str] = ()) -> None:
        """Refresh the cache for tasks a command just committed (or deleted by ID).

        Best effort: if the cache cannot be written the next read rebuilds it.
        """
        from prosper_coop.records import get

        rtype = get("task")
        rows = []
        for task in tasks:
            rows.append(row_of(task, study.rel(study.path_of(rtype, task.id))))
        gone = [study.rel(study.path_of(rtype, task_id)) for task_id in deleted]
        TaskIndex.store(study, rows, gone)

    @staticmethod
    def store(study: Study, rows: Iterable[TaskRow], gone: Iterable[str] = ()) -> None:
        """Put rows a command has just written (each matching its file) into the cache."""
        entries = _read_cache(study.root) or {}
        added = False
        for row in rows:
            rel = row.path
            try:
                stat = (study.root / rel).stat()
            except OSError:
                entries.pop(rel, None)
                continue
            added = added or rel not in entries
            entries[rel] = (stat.st_mtime_ns, stat.st_size, tuple(row))
        for rel in gone:
            entries.pop(rel, None)
        if added:  # reads rely on the cache being in ID order
            entries = dict(sorted(entries.items(), key=lambda item: _sort_key(item[1][2])))
        # Rows we just wrote are known to match their files: trusted at once, so
        # the next read does not have to parse them (and import pydantic) again.
        _write_cache(study.root, entries)


class _Stats:
    def __init__(self) -> None:
        self.changed = False
        self.parsed_paths: set[str] = set()


def cache_path(root: Path) -> Path:
    """Where the cache of ``root`` lives."""
    return root / CACHE_DIR / CACHE_NAME


def _code_key() -> str:
    """What the cached rows were built by: the version and the task model's source file.

    Rows hold each task's JSON form, so a model change (a new field on every record)
    must not be served from rows built before it, even within one version number.
    One ``stat`` per process: the fast path still imports no pydantic.
    """
    global _CODE_KEY
    if _CODE_KEY is None:
        from prosper_coop import __version__

        try:
            stat = (Path(__file__).resolve().parent.parent / "models.py").stat()
        except OSError:
            _CODE_KEY = __version__
        else:
            _CODE_KEY = f"{__version__}+{stat.st_size}.{stat.st_mtime_ns}"
    return _CODE_KEY


_CODE_KEY: str | None = None


def _read_cache(root: Path) -> dict[str, Entry] | None:
    """The cached entries, or None when missing, unreadable or from other code."""
    try:
        data = cache_path(root).read_bytes()
        loaded = marshal.loads(data)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if (
        not isinstance(loaded, tuple)
        or len(loaded) != 3
        or loaded[0] != FORMAT
        or loaded[1] != _code_key()
        or not isinstance(loaded[2], dict)
    ):
        return None
    entries: dict[str, Entry] = loaded[2]
    return entries


def _write_cache(root: Path, entries: dict[str, Entry], parsed: Iterable[str] = ()) -> None:
    """Save the cache atomically; a failure only costs a rebuild later.

    Rows just made by parsing a file (``parsed``) modified in the last
    :data:`RACY_NS` are stored as "check again": an edit in the same clock tick
    could leave the same stat. Every other entry keeps the trust it was given
    when it was recorded (rows a command wrote itself are trusted at once).
    """
    now = time.time_ns()
    safe = dict(entries)
    for rel in parsed:
        entry = safe.get(rel)
        if entry is not None and now - entry[0] < RACY_NS:
            safe[rel] = (NOT_TRUSTED, entry[1], entry[2])
    target = cache_path(root)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(exist_ok=True)
        # No fsync: the cache is derived, and a torn file only means a rebuild.
        temp.write_bytes(marshal.dumps((FORMAT, _code_key(), safe)))
        temp.replace(target)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()


def _task_files(folder: Path) -> list[tuple[str, os.stat_result]]:
    """(path relative to the study, stat) of every task file, shards included."""
    found: list[tuple[str, os.stat_result]] = []
    try:
        top = list(os.scandir(folder))
    except FileNotFoundError:
        return found
    for entry in top:
        name = entry.name
        if name.startswith("."):
            continue
        if entry.is_dir():
            prefix = f"{TASKS_FOLDER}/{name}/"
            for inner in os.scandir(entry.path):
                inner_name = inner.name
                if inner_name.endswith(".yaml") and not inner_name.startswith("."):
                    try:
                        found.append((prefix + inner_name, inner.stat()))
                    except FileNotFoundError:
                        continue
        elif name.endswith(".yaml"):
            try:
                found.append((f"{TASKS_FOLDER}/{name}", entry.stat()))
            except FileNotFoundError:
                continue
    return found


def _refresh(
    study: Study, cached: dict[str, Entry] | None
) -> tuple[dict[str, Entry], list[TaskRow], _Stats, UserError | None]:
    """Check every task file against the cache; parse the ones that changed."""
    stats = _Stats()
    old = cached or {}
    files = _task_files(study.root / TASKS_FOLDER)
    stale: set[str] = set()
    get_old = old.get
    for rel, stat in files:
        entry = get_old(rel)
        if entry is None or entry[0] != stat.st_mtime_ns or entry[1] != stat.st_size:
            stale.add(rel)
    if cached is not None and not stale and len(files) == len(old):
        # The common case: nothing changed, and the cache is stored in ID order.
        return old, [TaskRow._make(entry[2]) for entry in old.values()], stats, None
    stats.changed = True
    entries: dict[str, Entry] = {}
    problem: UserError | None = None
    seen_ids: set[str] = set()
    for rel, stat in files:
        if rel in stale:
            try:
                row = _parse(study, rel)
            except UserError as exc:
                problem = problem or exc
                continue
            stats.parsed_paths.add(rel)
            entry = (stat.st_mtime_ns, stat.st_size, tuple(row))
        else:
            entry = old[rel]
        task_id = entry[2][0]
        if task_id in seen_ids:  # the same ID in two places: doctor reports it
            continue
        seen_ids.add(task_id)
        entries[rel] = entry
    ordered = dict(sorted(entries.items(), key=lambda item: _sort_key(item[1][2])))
    rows = [TaskRow._make(entry[2]) for entry in ordered.values()]
    return ordered, rows, stats, problem


def _sort_key(row: tuple[Any, ...]) -> tuple[int, str]:
    task_id: str = row[0]
    return (_number(task_id), task_id)


def _parse(study: Study, rel: str) -> TaskRow:
    """Read one task file through the model (file:line errors on bad content)."""
    from prosper_coop.models import Task
    from prosper_coop.study import record_data

    task, data = study.read_file_and_data(study.root / rel, Task)
    return row_of(task, rel, canonical=same_data(data, record_data(task)))


def same_data(first: Any, second: Any) -> bool:
    """Equal values of the same types, and mappings with keys in the same order.

    Stricter than ``==``: a date written as a quoted string, or a title with spaces
    the model strips, is not the same as the validated value.
    """
    if isinstance(first, dict):
        return (
            isinstance(second, dict)
            and list(first) == list(second)
            and all(same_data(value, second[key]) for key, value in first.items())
        )
    if isinstance(first, list):
        return (
            isinstance(second, list)
            and len(first) == len(second)
            and all(map(same_data, first, second))
        )
    if isinstance(first, str):  # an enum member is the string it stands for
        return isinstance(second, str) and first == second
    return type(first) is type(second) and bool(first == second)


class Vouched(NamedTuple):
    """A task whose cached row still describes its file: the row and the file's stat."""

    row: TaskRow
    mtime_ns: int
    size: int


class Voucher:
    """Cached rows that still describe their task files exactly, looked up one by one.

    A row is vouched for when the cache holds a trusted entry (not "check again")
    whose stat matches the file's now: the file is byte for byte what was
    validated when the row was made. Tasks the cache cannot vouch for get None;
    callers read those through the model. Reads the cache once, then costs a
    ``stat`` per task: no parsing, no pydantic, no walk over every task file.
    """

    def __init__(self, study: Study) -> None:
        self.study = study
        self._entries: dict[str, Entry] | None = None

    def get(self, task_id: str) -> Vouched | None:
        """The vouched row of ``task_id``, or None."""
        from prosper_coop.records import get

        if not TASK_ID.fullmatch(task_id):
            return None
        if self._entries is None:
            self._entries = _read_cache(self.study.root) or {}
        path = self.study.path_of(get("task"), task_id)
        entry = self._entries.get(f"{TASKS_FOLDER}/{path.parent.name}/{path.name}")
        if entry is None or entry[0] == NOT_TRUSTED:
            return None
        try:
            stat = path.stat()
        except OSError:
            return None
        if (stat.st_mtime_ns, stat.st_size) != (entry[0], entry[1]):
            return None
        return Vouched(TaskRow._make(entry[2]), entry[0], entry[1])


def canonical_fields(study: Study, vouched: Vouched) -> dict[str, Any] | None:
    """Every field of a vouched task as its model gives them, read with YAML alone.

    Only for a file in canonical form (the row says so) and unchanged since it was
    vouched for (checked on the open file); None otherwise, and the caller reads
    the file through the model instead. Fields the file leaves out are None; the
    order is the model's (from the row's JSON form). Changing a field to another
    valid value and writing ``study.canonical_data`` of the result gives exactly
    the bytes the model path would write.
    """
    import json

    from prosper_coop import yamlio
    from prosper_coop.errors import UserError

    row = vouched.row
    if not row.canonical:
        return None
    try:
        with (study.root / row.path).open("rb") as handle:
            stat = os.fstat(handle.fileno())
            raw = handle.read()
    except OSError:
        return None
    if (stat.st_mtime_ns, stat.st_size) != (vouched.mtime_ns, vouched.size):
        return None
    from prosper_coop.study import canonical_data

    try:
        text = yamlio.decode(raw, row.path)
        data = yamlio.loads(text, row.path)
    except UserError:
        return None
    order = list(json.loads(row.json))
    if not isinstance(data, dict) or not set(data) <= set(order):
        return None
    fields = {key: data.get(key) for key in order}
    if yamlio.dumps(canonical_data(fields)) != text:  # belt and braces: the exact bytes
        return None
    return fields
