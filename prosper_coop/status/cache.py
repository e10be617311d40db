"""A derived cache of the ``status`` dashboard, so a repeated ``status`` is instant.

The dashboard is computed from the study's files, today's date and who is looking
(each person is shown their own view: :mod:`prosper_coop.status.viewer`). We key
the cached result on a fingerprint of exactly those: the path, size, mtime and
inode of every file in the study (except ``.git/`` and ``.prosper/``), the commit
HEAD points at (roles count as the signed history verifies them), today, and
everything that decides who is looking: ``PROSPER_COOP_AS``, the content of the
local settings file (``whoami``) and the people who joined on this computer (their
signing keys). Any hand edit, ``git pull``, new or deleted file, or another person
looking changes the fingerprint, so the next ``status`` recomputes: one person's
view is never shown to another. The cache lives in ``.prosper/`` (git-ignored),
holds only the data ``status --json`` prints (never sensitive content: of alerts,
only the counts and ages of those the viewer's own key opened; of check-ins, only
the date of the viewer's own last one), is never the source of truth, and may be
deleted at any time. Keys added to or removed from this computer change the
fingerprint too (what the viewer's key opens depends on them).

This module imports nothing heavy, so a cache hit needs no YAML and no pydantic.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

CACHE_DIR = ".prosper"
CACHE_FILE = "status-cache.json"
FORMAT = 3
SKIP_DIRS = {".git", CACHE_DIR}
# A file changed this recently may change again within the same clock tick
# without its mtime moving ("racy git"): then we do not store the result.
RACY_SECONDS = 2.0


def fingerprint(root: Path, today: str) -> tuple[str, float]:
    """A digest of every file's identity in the study, plus the newest mtime seen."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{FORMAT}|{today}\n".encode())
    _add_viewer(digest)
    _add_head(digest, root)
    newest = 0.0
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in SKIP_DIRS:
                        stack.append(Path(entry.path))
                    continue
                info = entry.stat(follow_symlinks=False)
                newest = max(newest, info.st_mtime)
                digest.update(
                    f"{entry.path}|{info.st_size}|{info.st_mtime_ns}|{info.st_ino}\n".encode()
                )
    return digest.hexdigest(), newest


def _add_viewer(digest: Any) -> None:
    """Everything that decides who is looking (see :func:`prosper_coop.status.viewer.identify`)."""
    from prosper_coop.core.configdir import SIGNING_FOLDER, config_dir

    folder = config_dir()
    digest.update(f"as|{os.environ.get('PROSPER_COOP_AS', '')}\n".encode())
    try:  # whoami: its content, not only its size and time
        digest.update(b"settings|" + (folder / "settings.yaml").read_bytes() + b"\n")
    except OSError:
        digest.update(b"settings|missing\n")
    _add_file(digest, folder / "keys", "keys")
    signing = folder / "keys" / SIGNING_FOLDER
    with contextlib.suppress(OSError):
        for study_folder in sorted(os.scandir(signing), key=lambda e: e.name):
            with contextlib.suppress(OSError):
                joined = sorted(entry.name for entry in os.scandir(study_folder.path))
                digest.update(f"joined|{study_folder.name}|{'|'.join(joined)}\n".encode())


def _add_head(digest: Any, root: Path) -> None:
    """The commit HEAD points at, read from ``.git`` (no git run; enough to see it move)."""
    git_dir = root / ".git"
    try:
        head = (git_dir / "HEAD").read_bytes().strip()
        digest.update(b"head|" + head + b"\n")
        if head.startswith(b"ref: "):
            ref = git_dir / head[5:].decode("ascii", errors="replace")
            digest.update(b"ref|" + ref.read_bytes().strip() + b"\n")
    except OSError:
        _add_file(digest, git_dir / "packed-refs", "packed-refs")


def _add_file(digest: Any, path: Path, label: str) -> None:
    try:
        info = path.stat()
    except FileNotFoundError:
        digest.update(f"{label}|missing\n".encode())
        return
    digest.update(f"{label}|{info.st_size}|{info.st_mtime_ns}\n".encode())


def lookup(root: Path, key: str) -> Any | None:
    """The cached dashboard for ``key``, or None."""
    try:
        stored = json.loads((root / CACHE_DIR / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != key:
        return None
    return stored.get("data")


def store(root: Path, key: str, newest_mtime: float, data: Any) -> None:
    """Remember ``data`` for ``key`` (best effort: a cache must never break a command)."""
    if time.time() - newest_mtime < RACY_SECONDS:
        return
    from prosper_coop.core.fsutil import atomic_write_text

    with contextlib.suppress(OSError):
        atomic_write_text(root / CACHE_DIR / CACHE_FILE, json.dumps({"key": key, "data": data}))
