"""Durable intents: a command stopped at any instant is finished or undone by the next one.

Before a change touches the work tree or git's index, it writes an *intent*
(``.git/prosper-coop/intent.json``, written atomically and flushed to disk)
saying what it is about to do and how to put things back. The commit point is
git's atomic update of the branch. The intent is removed once the change is
whole. If the process is killed in between (a power cut, a closed laptop, a
``kill -9``), the intent is still there, and the next command of any kind runs
:func:`recover` under the study lock first:

- **change** (:class:`~prosper_coop.core.study.Change`): if the branch has not
  moved, every file the change named is put back as it was and unstaged (the
  change never happened); if the branch holds the change's commit, the files are
  brought up to date with it (the change happened). Either way the study ends in
  a committed state, and says which.
- **sync** (:func:`intent`, used by ``sync``): any half-done merge is abandoned
  and the work tree and index put back to the branch's last commit (``sync``
  refuses to start with unsaved changes, so nothing of the user's is there), and
  files ``sync`` had begun to create are removed.

Lock files git leaves when it is killed (``index.lock``, a branch's ``.lock``)
are removed only when an intent shows they are ours and no running program
holds them open; a git lock with no intent of ours may be a ``git commit`` by
hand, running its hooks, so it is never removed (:func:`refuse_foreign_git_lock`).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from prosper_coop.core.errors import BusyError, UserError
from prosper_coop.core.fsutil import atomic_write

if TYPE_CHECKING:
    from prosper_coop.core.git import StudyRepo

JOURNAL_DIR = "prosper-coop"
INTENT_FILE = "intent.json"
# Git's own lock files that a killed git leaves behind (relative to .git).
GIT_LOCKS = ("index.lock", "HEAD.lock", "packed-refs.lock", "ORIG_HEAD.lock", "config.lock")
MAX_REF_LOCKS = 1000
# A lock nobody holds open is looked at twice, this far apart, before it is removed
# (git closes a lock file a moment before renaming it into place).
SETTLE_SECONDS = 0.05
# What a path held before a change: as in the branch's commit, absent, or a saved blob.
AS_COMMITTED = "head"
ABSENT = "absent"
BLOB = "blob:"
MAX_INTENT_BYTES = 16 * 1024 * 1024


def intent_path(root: Path) -> Path:
    """Where a study's intent is kept (inside ``.git``, never committed or synced)."""
    return root / ".git" / JOURNAL_DIR / INTENT_FILE


def pending(root: Path) -> bool:
    """Whether a stopped command left an intent for :func:`recover` (cheap)."""
    return (root / ".git" / JOURNAL_DIR / INTENT_FILE).exists()


def write_intent(root: Path, data: dict[str, Any]) -> None:
    """Record an intent durably (atomic write, flushed) before the change begins."""
    record = {"pid": os.getpid(), "started": time.time(), **data}
    atomic_write(intent_path(root), json.dumps(record, sort_keys=True).encode("utf-8"))


def clear_intent(root: Path) -> None:
    """Remove the intent: the change is whole."""
    path = intent_path(root)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    _sync_folder(path.parent)


def read_intent(root: Path) -> dict[str, Any] | None:
    """The intent left in ``root``, or ``None``; an unreadable one counts as empty."""
    path = intent_path(root)
    try:
        if path.is_symlink() or path.stat().st_size > MAX_INTENT_BYTES:
            return {}
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class Intent:
    """An intent for work that is not one :class:`~prosper_coop.core.study.Change` (``sync``).

    Use it under the study lock, around everything that touches the work tree or
    the index::

        with journal.intent(root, "sync", head=sha) as sync_intent:
            sync_intent.created(["people/CR-09.conflict-1a2b.yaml"])  # before writing it
            ...

    Leaving the block normally removes the intent. Leaving it with an exception
    runs the same recovery a later command would, at once.
    """

    def __init__(self, root: Path, kind: str, data: dict[str, Any]) -> None:
        self.root = root
        self.data: dict[str, Any] = {"kind": kind, "created": [], **data}

    def created(self, paths: Iterable[str]) -> None:
        """Note files about to be created that git does not track yet (call before writing)."""
        new = [path for path in paths if path not in self.data["created"]]
        if new:
            self.data["created"] = [*self.data["created"], *new]
            write_intent(self.root, self.data)

    def __enter__(self) -> Intent:
        write_intent(self.root, self.data)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            from prosper_coop.core.git import StudyRepo

            with contextlib.suppress(UserError, OSError):
                recover(self.root, StudyRepo(self.root), stopped=False)
                return
        else:
            clear_intent(self.root)


def intent(root: Path, kind: str, **data: Any) -> Intent:
    """An :class:`Intent` of ``kind`` (``"sync"``) with ``data`` (e.g. ``head=sha``)."""
    return Intent(root, kind, data)


# -- recovering ------------------------------------------------------------------------


def recover(root: Path, repo: StudyRepo, *, stopped: bool = True) -> list[str]:
    """Finish or undo whatever a stopped command left; what was done, in plain words.

    Call it holding the study lock (so the command that wrote the intent is known
    to have stopped). Does nothing, and says nothing, when there is no intent.
    ``stopped=False`` is for a change that failed in this very process: its git
    commands have all ended, so any git lock file is someone else's and stays.
    """
    data = read_intent(root)
    if data is None:
        return []
    said = clear_stale_git_locks(root) if stopped else []
    kind = data.get("kind")
    if kind == "change":
        said.append(_recover_change(root, repo, data))
    elif kind == "sync":
        said.append(_recover_sync(root, repo, data))
    else:
        said.append(
            "A note left by an earlier prosper-coop command could not be read; it was "
            "removed. Check the study with: prosper-coop doctor"
        )
    _remove_temp_files(root, _paths_of(data))
    clear_intent(root)
    return said


def refuse_foreign_git_lock(root: Path) -> None:
    """Before a change: a git index lock with no intent of ours belongs to someone else.

    It may be a ``git commit`` running its hooks by hand right now, so it is never
    removed; say so clearly (instead of git's raw text when staging fails).
    """
    lock = root / ".git" / "index.lock"
    if lock.exists():
        raise BusyError(
            "git is busy in this study: .git/index.lock is there, so another git "
            "command is running (or one run by hand was stopped)",
            "Wait for it to finish, then try again. If no git command is running, "
            f"remove the file: rm {lock}. Nothing was changed.",
        )


def _paths_of(data: dict[str, Any]) -> list[str]:
    paths = data.get("paths")
    named = list(paths) if isinstance(paths, dict) else []
    created = data.get("created")
    if isinstance(created, list):
        named += [path for path in created if isinstance(path, str)]
    return [path for path in named if _safe_rel(path)]


def _safe_rel(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and ".." not in parts and ".git" not in parts


def _recover_change(root: Path, repo: StudyRepo, data: dict[str, Any]) -> str:
    what = str(data.get("message") or "a change")
    old = data.get("head")
    specs = data.get("paths") if isinstance(data.get("paths"), dict) else {}
    assert isinstance(specs, dict)
    paths = sorted(path for path in specs if _safe_rel(path))
    head = repo.commit_id("HEAD")
    if head is not None and head == old:
        _put_back(root, repo, old, {path: str(specs[path]) for path in paths})
        return (
            f"An earlier command was stopped before it finished ({what}). "
            "Nothing from it was saved, and its files are back as they were. "
            "You can run it again."
        )
    subject, parents = repo.subject_and_parents(head) if head else ("", [])
    if head is not None and old in parents and subject == what:
        _put_back(root, repo, head, dict.fromkeys(paths, AS_COMMITTED))
        return (
            f"An earlier command was stopped just after its change was saved ({what}, "
            f"commit {head[:7]}). Its files are now up to date; nothing was lost."
        )
    return (
        f"An earlier command was stopped ({what}) and the study has changed since. "
        "Its files were left as they are: check them with: git status, then "
        "prosper-coop doctor"
    )


def _put_back(root: Path, repo: StudyRepo, commit: str | None, specs: dict[str, str]) -> None:
    """Make each path's file what ``specs`` says (as in ``commit``, absent or a blob), unstaged."""
    committed = repo.blobs_in(commit, list(specs)) if commit else {}
    for path, spec in specs.items():
        target = root / path
        if spec.startswith(BLOB):
            content: bytes | None = repo.blob_bytes(spec.removeprefix(BLOB))
        elif spec == AS_COMMITTED and path in committed:
            content = repo.blob_bytes(committed[path])
        else:
            content = None
        if target.is_symlink() or (target.exists() and not target.is_file()):
            continue  # never write through a link or over a folder
        if content is None:
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
        elif not target.is_file() or target.read_bytes() != content:
            atomic_write(target, content)
    repo.unstage(list(specs))


def _recover_sync(root: Path, repo: StudyRepo, data: dict[str, Any]) -> str:
    repo.reset_hard()  # also ends a half-done merge
    created = [path for path in data.get("created") or [] if isinstance(path, str)]
    leftover = [path for path in created if _safe_rel(path)]
    untracked = repo.changed_paths(leftover) if leftover else {}
    for path in leftover:
        target = root / path
        if untracked.get(path) == "??" and (target.is_file() or target.is_symlink()):
            target.unlink()
    head = repo.commit_id("HEAD") or ""
    return (
        "An earlier sync was stopped before it finished. The study is as it was at its "
        f"last saved change (commit {head[:7]}); nothing was lost. "
        "Run prosper-coop sync again to share your changes."
    )


def _remove_temp_files(root: Path, paths: Iterable[str]) -> None:
    """Remove the temporary files an interrupted atomic write leaves beside ``paths``."""
    for path in paths:
        target = root / path
        folder = target.parent
        if folder.is_symlink() or not folder.is_dir():
            continue
        for leftover in folder.glob(f".{target.name}.*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()


# -- git's lock files ------------------------------------------------------------------


def clear_stale_git_locks(root: Path) -> list[str]:
    """Remove lock files git left in ``root/.git`` during one of our stopped changes.

    Call it only when an intent shows one of ours was stopped there (holding the
    study lock, so it is not running). A lock that a running program still holds
    open is never removed: that raises :class:`BusyError`. What was removed is
    returned in plain words.
    """
    git_dir = root / ".git"
    found = [git_dir / name for name in GIT_LOCKS if (git_dir / name).is_file()]
    found += _ref_locks(git_dir)
    said: list[str] = []
    for lock in found:
        if _held_open(lock) or not _settled(lock):
            raise _git_busy(lock)
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
        said.append(
            "Removed a lock file that an interrupted git command left behind "
            f"({lock.relative_to(root).as_posix()}); nothing else was changed."
        )
    return said


def _ref_locks(git_dir: Path) -> list[Path]:
    found: list[Path] = []
    refs = git_dir / "refs"
    for count, lock in enumerate(refs.rglob("*.lock")):
        if count >= MAX_REF_LOCKS:
            break
        if lock.is_file() and not lock.is_symlink():
            found.append(lock)
    return found


def _settled(lock: Path) -> bool:
    """Whether ``lock`` stays, unchanged and unopened, for a moment (git is not mid-rename)."""
    try:
        first = lock.stat()
    except FileNotFoundError:
        return True
    time.sleep(SETTLE_SECONDS)
    try:
        second = lock.stat()
    except FileNotFoundError:
        return True
    unchanged = (first.st_ino, first.st_size, first.st_mtime_ns) == (
        second.st_ino,
        second.st_size,
        second.st_mtime_ns,
    )
    return unchanged and not _held_open(lock)


def _held_open(path: Path) -> bool:
    """Whether any process we may look at has ``path`` open (``False`` without ``/proc``)."""
    proc = Path("/proc")
    if not (proc / "self" / "fd").is_dir():
        return False
    wanted = str(path.resolve())
    for entry in _process_folders(proc):
        try:
            links = list((entry / "fd").iterdir())
        except OSError:
            continue  # gone, or not ours to look at
        for link in links:
            try:
                if str(link.readlink()) == wanted:
                    return True
            except OSError:
                continue
    return False


def _process_folders(proc: Path) -> Iterator[Path]:
    with os.scandir(proc) as entries:
        for entry in entries:
            if entry.name.isdigit():
                yield Path(entry.path)


def _git_busy(lock: Path) -> BusyError:
    return BusyError(
        f"git is busy in this study: {lock.name} is in use by a running git program",
        "Wait for the other git command to finish, then try again. If none is running, "
        f"remove the file by hand: rm {lock}. Nothing was changed.",
    )


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


__all__ = [
    "Intent",
    "clear_intent",
    "clear_stale_git_locks",
    "intent",
    "pending",
    "read_intent",
    "recover",
    "refuse_foreign_git_lock",
    "write_intent",
]
