"""A derived cache of every task, so reading 10,000 tasks does not parse 10,000 YAML files.

The YAML files under ``tasks/`` are the source of truth. The index lives in
``.prosper/task-index/`` (git-ignored, never committed), one file per task folder
of 100 (``00.marshal`` for ``tasks/00/``), and holds, per task file, the file's
``(mtime_ns, size)`` when it was read and a plain tuple row of the task's fields
(plus its UTF-8 JSON form, ready for ``--json``). A command that changes one task
reads and rewrites one small file, not the whole index.

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

from prosper_coop.core import ids
from prosper_coop.core.errors import UserError

if TYPE_CHECKING:
    from prosper_coop.core.study import Study
    from prosper_coop.tasks.models import Task

FORMAT = 3
CACHE_DIR = ".prosper"
CACHE_NAME = "task-index"
LEGACY_CACHE = "task-index.marshal"  # the single-file cache of earlier versions
TOP = "top"  # the cache file for task files directly in tasks/
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
PATH = TaskRow._fields.index("path")


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
            rows, problem = _refresh(study)
        finally:
            if enabled:
                gc.freeze()  # the rows live as long as the command: never scan them
                gc.enable()
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
        from prosper_coop.core.records import get

        rtype = get("task")
        rows = []
        for task in tasks:
            rows.append(row_of(task, study.rel(study.path_of(rtype, task.id))))
        gone = [study.rel(study.path_of(rtype, task_id)) for task_id in deleted]
        TaskIndex.store(study, rows, gone)

    @staticmethod
    def store(study: Study, rows: Iterable[TaskRow], gone: Iterable[str] = ()) -> None:
        """Put rows a command has just written (each matching its file) into the cache.

        ``gone`` names task files (relative paths) the command deleted.
        """
        changes: dict[str, dict[str, Entry | None]] = {}
        for row in rows:
            rel = row.path
            try:
                stat = (study.root / rel).stat()
            except OSError:
                changes.setdefault(_shard_of(rel), {})[rel] = None
                continue
            fresh: Entry = (stat.st_mtime_ns, stat.st_size, tuple(row))
            changes.setdefault(_shard_of(rel), {})[rel] = fresh
        for rel in gone:
            changes.setdefault(_shard_of(rel), {})[rel] = None
        for shard, changed in changes.items():
            entries = _read_shard(study.root, shard) or {}
            added = False
            for rel, change in changed.items():
                if change is None:
                    entries.pop(rel, None)
                else:
                    added = added or rel not in entries
                    entries[rel] = change
            if added:  # reads rely on each file being in ID order
                entries = _in_id_order(entries)
            # Rows we just wrote are known to match their files: trusted at once, so
            # the next read does not have to parse them (and import pydantic) again.
            _write_shard(study.root, shard, entries)


def cache_path(root: Path) -> Path:
    """The folder of ``root``'s task cache (delete it at any time)."""
    return root / CACHE_DIR / CACHE_NAME


def drop_cache(root: Path) -> None:
    """Delete ``root``'s task cache; the next command rebuilds it."""
    import shutil

    shutil.rmtree(cache_path(root), ignore_errors=True)
    with contextlib.suppress(OSError):
        (root / CACHE_DIR / LEGACY_CACHE).unlink(missing_ok=True)


def _shard_of(rel: str) -> str:
    """The cache file a task file belongs to: its folder (``tasks/04/x`` -> ``04``)."""
    parts = rel.split("/")
    return parts[1] if len(parts) == 3 else TOP


def _shard_order(shard: str) -> tuple[int, str]:
    return (int(shard), shard) if shard.isdigit() else (-1, shard)


def _code_key() -> str:
    """What the cached rows were built by: the version and the task model's source file.

    Rows hold each task's JSON form, so a model change (a new field on every record)
    must not be served from rows built before it, even within one version number.
    One ``stat`` per process: the fast path still imports no pydantic.
    """
    global _CODE_KEY
    if _CODE_KEY is None:
        from prosper_coop.core.version import __version__

        try:
            stat = (Path(__file__).resolve().parent / "models.py").stat()
        except OSError:
            _CODE_KEY = __version__
        else:
            _CODE_KEY = f"{__version__}+{stat.st_size}.{stat.st_mtime_ns}"
    return _CODE_KEY


_CODE_KEY: str | None = None


# One cache file on disk: (FORMAT, code key, signature, rows). The signature maps
# each task file's name to the (mtime_ns, size) its row was made from; rows are
# the row tuples in ID order. A folder is unchanged when the stat of its files
# equals the signature: one dict comparison, no per-file Python work.
Signature = dict[str, tuple[int, int]]


def _load_shard(root: Path, shard: str) -> tuple[Signature, list[tuple[Any, ...]]] | None:
    """One cache file as stored, or None when missing, unreadable or from other code."""
    try:
        data = (cache_path(root) / f"{shard}.marshal").read_bytes()
        loaded = marshal.loads(data)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if (
        not isinstance(loaded, tuple)
        or len(loaded) != 4
        or loaded[0] != FORMAT
        or loaded[1] != _code_key()
        or not isinstance(loaded[2], dict)
        or not isinstance(loaded[3], list)
    ):
        return None
    return loaded[2], loaded[3]


def _read_shard(root: Path, shard: str) -> dict[str, Entry] | None:
    """One cache file's entries (path -> (mtime_ns, size, row)), in ID order."""
    stored = _load_shard(root, shard)
    if stored is None:
        return None
    signature, rows = stored
    entries: dict[str, Entry] = {}
    for row in rows:
        rel = row[PATH]
        stat = signature.get(_name(rel))
        if stat is not None:  # always there, unless the file was damaged
            entries[rel] = (stat[0], stat[1], row)
    return entries


def _write_shard(
    root: Path, shard: str, entries: dict[str, Entry], parsed: Iterable[str] = ()
) -> None:
    """Save one cache file (``entries`` in ID order) atomically; a failure costs a rebuild.

    Rows just made by parsing a file (``parsed``) modified in the last
    :data:`RACY_NS` are stored as "check again": an edit in the same clock tick
    could leave the same stat. Every other entry keeps the trust it was given
    when it was recorded (rows a command wrote itself are trusted at once).
    """
    now = time.time_ns()
    racy = {rel for rel in parsed if rel in entries and now - entries[rel][0] < RACY_NS}
    signature: Signature = {
        _name(rel): (NOT_TRUSTED if rel in racy else mtime, size)
        for rel, (mtime, size, _) in entries.items()
    }
    rows = [entry[2] for entry in entries.values()]
    folder = cache_path(root)
    target = folder / f"{shard}.marshal"
    temp = folder / f".{shard}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # No fsync: the cache is derived, and a torn file only means a rebuild.
        temp.write_bytes(marshal.dumps((FORMAT, _code_key(), signature, rows)))
        temp.replace(target)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()


def _name(rel: str) -> str:
    return rel.rpartition("/")[2]


def _drop_shards(root: Path, keep: Iterable[str], *, legacy: bool) -> None:
    """Remove cache files of task folders that are gone (and the old single file)."""
    folder = cache_path(root)
    wanted = {f"{shard}.marshal" for shard in keep}
    with contextlib.suppress(OSError):
        if legacy:
            (root / CACHE_DIR / LEGACY_CACHE).unlink(missing_ok=True)
        for path in folder.iterdir():
            if path.name.endswith(".marshal") and path.name not in wanted:
                path.unlink(missing_ok=True)


def _task_folders(folder: Path) -> tuple[list[str], list[str]]:
    """The task folders of 100 (by number) and the task files directly in ``tasks/``."""
    shards: list[str] = []
    top: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return shards, top
    for entry in entries:
        name = entry.name
        if name.startswith(".") or entry.is_symlink():
            continue  # a link is never followed (doctor reports it)
        if entry.is_dir(follow_symlinks=False):
            shards.append(name)
        elif name.endswith(".yaml"):
            top.append(name)
    shards.sort(key=_shard_order)
    return shards, top


def _signature(folder: str, names: list[str] | None = None) -> Signature:
    """(mtime_ns, size) of each task file in ``folder`` (or of ``names`` in it)."""
    if names is None:
        # Plain string paths and os functions: this runs for every task file on every read.
        listing = os.listdir(folder)  # noqa: PTH208
        names = [name for name in listing if name.endswith(".yaml") and name[0] != "."]
    prefix = folder + "/"
    try:
        stats = list(map(os.lstat, [prefix + name for name in names]))
    except FileNotFoundError:  # a file went away meanwhile (a checkout): one by one
        found: Signature = {}
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                stat = os.lstat(prefix + name)
                found[name] = (stat.st_mtime_ns, stat.st_size)
        return found
    return dict(zip(names, [(stat.st_mtime_ns, stat.st_size) for stat in stats], strict=True))


def _refresh(study: Study) -> tuple[list[TaskRow], UserError | None]:
    """Every task's row: cached rows re-checked by stat, changed files parsed again.

    Cache files whose task files changed are rewritten; the first invalid task
    file's error is returned (after saving what could be indexed).
    """
    root = study.root
    tasks_folder = str(root / TASKS_FOLDER)
    shards, top = _task_folders(root / TASKS_FOLDER)
    problem: UserError | None = None
    rows: list[TaskRow] = []
    seen_ids: set[str] = set()
    rewritten = False  # a cache file was written: the old single-file cache can go
    in_order = True
    groups: list[tuple[str, str, list[str] | None]] = [(TOP, tasks_folder, top)] if top else []
    groups += [(shard, f"{tasks_folder}/{shard}", None) for shard in shards]
    for shard, folder, names in groups:
        signature = _signature(folder, names)
        stored = _load_shard(root, shard)
        if stored is not None and stored[0] == signature:
            shard_rows = stored[1]  # the common case: nothing changed in this folder
        else:
            entries, failed = _rebuild(study, shard, signature, stored)
            problem = problem or failed
            rewritten = True
            shard_rows = [entry[2] for entry in entries.values()]
        if rows and shard_rows and _sort_key(shard_rows[0]) < _sort_key(rows[-1]):
            in_order = False  # a task file in another task's folder
        for row in shard_rows:
            if row[0] in seen_ids:  # the same ID in two places: doctor reports it
                continue
            seen_ids.add(row[0])
            rows.append(TaskRow._make(row))
    _drop_shards(root, [group[0] for group in groups], legacy=rewritten)
    if not in_order:
        rows.sort(key=_sort_key)
    return rows, problem


def _rebuild(
    study: Study,
    shard: str,
    signature: Signature,
    stored: tuple[Signature, list[tuple[Any, ...]]] | None,
) -> tuple[dict[str, Entry], UserError | None]:
    """One folder's entries: unchanged rows kept, the other files parsed again; saved."""
    prefix = TASKS_FOLDER + "/" if shard == TOP else f"{TASKS_FOLDER}/{shard}/"
    old_signature, old_rows = stored or ({}, [])
    old = {_name(row[PATH]): row for row in old_rows}
    entries: dict[str, Entry] = {}
    parsed: list[str] = []
    problem: UserError | None = None
    seen_ids: set[str] = set()
    for name, (mtime, size) in signature.items():
        rel = prefix + name
        row = old.get(name)
        if row is None or old_signature.get(name) != (mtime, size):
            try:
                row = tuple(_parse(study, rel))
            except UserError as exc:
                problem = problem or exc
                continue
            parsed.append(rel)
        if row[0] in seen_ids:
            continue
        seen_ids.add(row[0])
        entries[rel] = (mtime, size, row)
    entries = _in_id_order(entries)
    _write_shard(study.root, shard, entries, parsed)
    return entries, problem


def _in_id_order(entries: dict[str, Entry]) -> dict[str, Entry]:
    return dict(sorted(entries.items(), key=lambda item: _sort_key(item[1][2])))


def _sort_key(row: tuple[Any, ...]) -> tuple[int, str]:
    task_id: str = row[0]
    return (_number(task_id), task_id)


def _parse(study: Study, rel: str) -> TaskRow:
    """Read one task file through the model (file:line errors on bad content)."""
    from prosper_coop.core.study import record_data
    from prosper_coop.tasks.models import Task

    task, data = study.read_file_and_data(study.root / rel, Task, rel)
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
        self._shards: dict[str, dict[str, Entry]] = {}

    def get(self, task_id: str) -> Vouched | None:
        """The vouched row of ``task_id``, or None."""
        from prosper_coop.core.records import get

        if not TASK_ID.fullmatch(task_id):
            return None
        path = self.study.path_of(get("task"), task_id)
        rel = f"{TASKS_FOLDER}/{path.parent.name}/{path.name}"
        shard = _shard_of(rel)
        if shard not in self._shards:
            self._shards[shard] = _read_shard(self.study.root, shard) or {}
        entry = self._shards[shard].get(rel)
        if entry is None or entry[0] == NOT_TRUSTED:
            return None
        try:
            stat = path.stat()
        except OSError:
            return None
        if (stat.st_mtime_ns, stat.st_size) != (entry[0], entry[1]):
            return None
        return Vouched(TaskRow._make(entry[2]), entry[0], entry[1])

    def fields(self, task_id: str) -> tuple[TaskRow, dict[str, Any]] | None:
        """The row and every field of a vouched task in canonical form, else None.

        See :func:`canonical_fields`: the caller may then change it without the model.
        """
        vouched = self.get(task_id)
        if vouched is None:
            return None
        fields = canonical_fields(self.study, vouched)
        return None if fields is None else (vouched.row, fields)


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

    from prosper_coop.core import yamlio
    from prosper_coop.core.errors import UserError

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
    from prosper_coop.core.study import canonical_data

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
