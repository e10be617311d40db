"""Atomic file writes: a reader or a crash never sees a half-written file."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

MAX_TEMP_ATTEMPTS = 1000


def atomic_write(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` via a temporary file, fsync and rename.

    If anything fails the original file (if any) is untouched and the temporary
    file is removed. ``mode`` sets permissions (e.g. ``0o600`` for private files)
    before any data is written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _new_temp_file(path)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        elif path.exists():
            os.fchmod(fd, path.stat().st_mode & 0o777)
        else:
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            fd = -1
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException:
        if fd != -1:
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def _new_temp_file(path: Path) -> tuple[int, Path]:
    """Create a new, empty, private temporary file beside ``path`` (never an existing one).

    Like ``tempfile.mkstemp``, without importing ``tempfile`` (and ``shutil`` and
    ``random``) on every command that writes.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for attempt in range(MAX_TEMP_ATTEMPTS):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{attempt}.tmp")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:  # left by a process that had the same number
            continue
    raise FileExistsError(f"no free temporary file name beside {path}")


def remove_stale_temp_files(folder: Path) -> list[str]:
    """Remove the temporary files that killed atomic writes left in ``folder``; their names.

    Only files named as :func:`atomic_write` names them (``.NAME.<pid>.<n>.tmp``)
    whose process is no longer running are removed; links are never followed.
    """
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(".") and name.endswith(".tmp")) or entry.is_symlink():
            continue
        parts = name[: -len(".tmp")].rsplit(".", 2)
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            continue
        if _process_running(int(parts[1])):
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)  # noqa: PTH108
            removed.append(name)
    return removed


def _process_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def atomic_write_text(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write UTF-8 text atomically (see :func:`atomic_write`)."""
    atomic_write(path, text.encode("utf-8"), mode=mode)


def write_named_file(path: Path, text: str, *, mode: int | None = None) -> Path:
    """Write a file a person named (an export, a backup) atomically; return where it went.

    Only a regular file is written or replaced: a folder, a device or anything else
    already at ``path`` is refused, and a place that cannot be written gives a calm
    error instead of a traceback.
    """
    from prosper_coop.core.errors import InvalidInputError, UserError

    target = path.expanduser()
    try:
        if not target.name or target.is_dir():
            raise InvalidInputError(
                f"{path} is a folder, not a file", "Give a file name, e.g. --output tasks.csv"
            )
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise InvalidInputError(
                f"{path} is not a regular file, so it was not replaced",
                "Give the name of a new or ordinary file.",
            )
        atomic_write_text(target, text, mode=mode)
    except OSError as exc:
        raise UserError(
            f"cannot write {path}: {exc.strerror or exc}",
            "Nothing was written. Check that the folder exists and that you may write "
            "there, or choose another place.",
        ) from None
    return target


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (best effort; not all platforms allow it)."""
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


_UMASK: int | None = None


def _umask() -> int:
    global _UMASK
    if _UMASK is None:
        current = os.umask(0)
        os.umask(current)
        _UMASK = current
    return _UMASK


# The largest file a study reader takes (a record, protocol, template or setting).
MAX_READ_BYTES = 64 * 1024 * 1024


def link_hint(where: str) -> str:
    """What to do about a symbolic link found at ``where`` in a study."""
    return (
        f"Remove it (git rm --cached {where}, then delete the link), and put the real "
        "file there if one belongs there."
    )


def read_regular_file(path: Path | str, where: str, *, limit: int = MAX_READ_BYTES) -> bytes:
    """The bytes of ``path``, refusing a symbolic link, a non-regular file or a huge file.

    The file is opened with ``O_NOFOLLOW`` (a link at ``path`` is never followed,
    even if it appears after a check) and checked on the open descriptor, so a
    device or a FIFO is never read from. ``where`` names the file in messages
    (its path relative to the study). Raises :class:`ValidationError`, or
    ``FileNotFoundError`` when there is no such file.
    """
    import stat

    from prosper_coop.core.errors import ValidationError

    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if Path(path).is_symlink():
            raise symlink_error(where) from None
        raise ValidationError(
            f"{where} cannot be read ({exc.strerror or exc})",
            "Check the file's permissions, or restore it with: git checkout -- " + where,
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValidationError(
                f"{where} is not an ordinary file",
                "prosper-coop reads only ordinary files in a study. Remove it and put the "
                "real file there, if one belongs there.",
            )
        if info.st_size > limit:
            raise ValidationError(
                f"{where} is too large to read ({info.st_size} bytes; the limit is {limit})",
                "Check that this is the file you meant; a record is a few kilobytes.",
            )
        # A regular file gives all it has in one read; a second one only if it grew.
        first = os.read(fd, info.st_size + 1)
        if len(first) <= info.st_size:
            return first
        chunks: list[bytes] = [first]
        size = len(first)
        while size <= limit:
            chunk = os.read(fd, min(1024 * 1024, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise ValidationError(f"{where} grew too large to read (the limit is {limit} bytes)")
        return b"".join(chunks)
    finally:
        os.close(fd)


def symlink_error(where: str) -> Exception:  # a ValidationError (core.errors)
    """The error for a symbolic link found where a study file belongs."""
    from prosper_coop.core.errors import ValidationError

    return ValidationError(
        f"{where} is a symbolic link; prosper-coop does not follow links in a study",
        link_hint(where),
    )
