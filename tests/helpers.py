"""Helpers every test may use: real git in a study, and what changed.

Plain functions (fixtures live in conftest.py, which tests never import from).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from prosper_coop.core.study import Study

# The "today" every test runs on (PROSPER_COOP_TODAY), so the example's dates are stable.
TODAY = "2026-11-26"


def git(
    study: Study | Path, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> str:
    """Run real git in a study (or any folder) and return its output."""
    root = study.root if isinstance(study, Study) else study
    return subprocess.run(
        ["git", *args],
        cwd=root,
        check=check,
        capture_output=True,
        text=True,
        env={**os.environ, **env} if env else None,
    ).stdout


def head(study: Study | Path) -> str:
    """The commit HEAD points at."""
    return git(study, "rev-parse", "HEAD").strip()


def state(study: Study | Path) -> tuple[str, str]:
    """HEAD and ``git status --porcelain``: equal before and after means nothing changed."""
    return head(study), git(study, "status", "--porcelain")


def clean_head(study: Study) -> str:
    """HEAD of the study, after checking the working tree is clean."""
    assert git(study, "status", "--porcelain") == ""
    return head(study)


def assert_unchanged(study: Study, before: str) -> None:
    """Nothing was committed since ``before`` and nothing was left behind."""
    assert git(study, "status", "--porcelain") == ""
    assert head(study) == before


def commit_subjects(study: Study) -> list[str]:
    """Commit subjects, newest first."""
    return git(study, "log", "--format=%s").splitlines()


def last_author(study: Study) -> str:
    """Author of the newest commit."""
    return git(study, "log", "-1", "--format=%an").strip()


def all_objects(study: Study) -> bytes:
    """Every object in the repository (blobs, trees, commits), as raw bytes."""
    listing = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch"],
        cwd=study.root,
        check=True,
        capture_output=True,
        input=b"",
    )
    return listing.stdout


def act_as(monkeypatch: pytest.MonkeyPatch, person: str) -> None:
    """Run the next commands as ``person`` (and forget the last person's unlocked key)."""
    from prosper_coop.crypto import keys

    keys.forget_unlocked()
    monkeypatch.setenv("PROSPER_COOP_AS", person)


def last_commit(study: Study) -> str:
    """The newest commit: author, e-mail, committer, subject, body and changed files."""
    return git(study, "log", "-1", "--format=%an|%ae|%cn|%s|%b", "--name-status")


def run_python(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run ``code`` in a fresh Python with this test's environment; return what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def modules_loaded_by(statements: str) -> set[str]:
    """The modules a fresh Python has loaded after running ``statements``."""
    import ast

    code = f"import sys\n{statements}\nprint(sorted(sys.modules))\n"
    return set(ast.literal_eval(run_python(code)))


ARGV_SHIM = """#!/bin/sh
# Log this git run's arguments and those of the process that started it, then run git.
{ printf 'git'; for a in "$@"; do printf '\\037%s' "$a"; done; printf '\\036'
  printf 'parent\\037'; tr '\\000' '\\037' < /proc/$PPID/cmdline; printf '\\036'; } >> "$ARGV_LOG"
exec "$REAL_GIT" "$@"
"""


def argv_recorder(folder: Path) -> tuple[dict[str, str], Path]:
    """An environment in which every ``git`` a command starts logs its argv, and its parent's.

    Returns the environment (``PATH`` first finds a logging ``git``) and the log,
    read back with :func:`recorded_argv`. The parent's argv is what ``ps`` shows
    for the command itself.
    """
    import shutil

    shims = folder / "argv-shims"
    shims.mkdir()
    shim = shims / "git"
    shim.write_text(ARGV_SHIM)
    shim.chmod(0o755)
    log = folder / "argv.log"
    real_git = shutil.which("git")
    assert real_git is not None
    env = {
        "PATH": f"{shims}{os.pathsep}{os.environ['PATH']}",
        "REAL_GIT": real_git,
        "ARGV_LOG": str(log),
    }
    return env, log


def recorded_argv(log: Path) -> list[list[str]]:
    """Every argv logged by :func:`argv_recorder`'s ``git``: git's own, then its parent's."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return [entry.split("\x1f") for entry in text.split("\x1e") if entry]


def age_shape(blob: bytes) -> tuple[int, int]:
    """What anyone can tell of an armoured age file without a key: how many readers it has
    (its X25519 stanzas) and the size of what is encrypted. (age adds a stanza of random
    length to every header, so whole files differ by a few bytes whatever they hold.)"""
    import base64

    body = b"".join(line for line in blob.splitlines() if not line.startswith(b"-----"))
    binary = base64.b64decode(body)
    header_end = binary.index(b"\n", binary.index(b"\n--- ") + 1) + 1
    return binary.count(b"\n-> X25519 "), len(binary) - header_end


def join_here(study: Study, person: str) -> None:
    """``person`` joins the study on this (test) computer, as ``prosper-coop join`` would.

    Who acts here stays as it was: joining remembers the new person, so the earlier
    ``whoami`` is put back.
    """
    from prosper_coop.core import localconfig
    from prosper_coop.people.joining import join

    uid = study.settings.uid
    before = localconfig.study_settings(uid).get("whoami")
    join(study, person)
    if before is not None:
        localconfig.set_study_setting(uid, "whoami", before)
