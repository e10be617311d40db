"""A derived cache of the ``status`` dashboard, so a repeated ``status`` is instant.

The dashboard is computed from the study's files, today's date and who is asking.
We key the cached result on a fingerprint of exactly those: the path, size,
mtime and inode of every file in the study (except ``.git/`` and ``.prosper/``),
today, ``PROSPER_COOP_AS`` and the local settings file. Any hand edit, ``git
pull``, new or deleted file changes the fingerprint, so the next ``status``
recomputes. The cache lives in ``.prosper/`` (git-ignored), holds only the data
``status --json`` prints (never sensitive content: of alerts, only the counts and
ages of those the viewer's own key opened), is never the source of truth, and may
be deleted at any time. Keys added to or removed from this computer change the
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
FORMAT = 2
SKIP_DIRS = {".git", CACHE_DIR}
# A file changed this recently may change again within the same clock tick
# without its mtime moving ("racy git"): then we do not store the result.
RACY_SECONDS = 2.0


def fingerprint(root: Path, today: str) -> tuple[str, float]:
    """A digest of every file's identity in the study, plus the newest mtime seen."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{FORMAT}|{today}|{os.environ.get('PROSPER_COOP_AS', '')}\n".encode())
    from prosper_coop.core.localconfig import config_dir

    _add_file(digest, config_dir() / "settings.yaml", "settings")
    _add_file(digest, config_dir() / "keys", "keys")
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
