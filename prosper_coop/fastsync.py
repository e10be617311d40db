"""The quick answer to ``prosper-coop sync`` when there is nothing to do.

Run before the full command line is loaded (see :mod:`prosper_coop.cli.launch`),
with the standard library only. It asks the remote for its branch tip while
git checks for unsaved edits, in parallel; if the remote, the last fetched
copy of it and the local branch are the same commit and nothing is unsaved,
there is nothing to fetch, merge or push. In every other case it steps aside
and the full ``sync`` runs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

DRIVER_NAMES = ("prosper-coop", "prosper-coop-age")
UP_TO_DATE = "Up to date with {url}: nothing came in, nothing went out."


def drivers_configured(git_config: str) -> bool:
    """Whether the text of ``.git/config`` names this interpreter's merge drivers."""
    return all(f'[merge "{name}"]' in git_config for name in DRIVER_NAMES) and (
        sys.executable in git_config
    )


def _study_root() -> Path | None:
    start = Path(os.environ.get("PROSPER_COOP_STUDY") or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "study.yaml").is_file():
            return folder
    return None


def _remote_url(git_config: str) -> str | None:
    section = re.search(r'^\[remote "origin"\]\s*$(.*?)(?=^\[|\Z)', git_config, re.M | re.S)
    if section is None:
        return None
    url = re.search(r"^\s*url\s*=\s*(.+?)\s*$", section.group(1), re.M)
    return url.group(1) if url else None


def nothing_to_do() -> bool:
    """If the study is already in step with its remote, say so and return True."""
    root = _study_root()
    if root is None:
        return False
    git_dir = root / ".git"
    try:
        config = (git_dir / "config").read_text(encoding="utf-8")
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        attributes = (root / ".gitattributes").read_text(encoding="utf-8")
    except OSError:
        return False
    url = _remote_url(config)
    if (
        url is None
        or url.startswith('"')
        or not head.startswith("ref: refs/heads/")
        or not drivers_configured(config)
        or not all(f"merge={name}" in attributes for name in DRIVER_NAMES)
        or (git_dir / "MERGE_HEAD").exists()
    ):
        return False
    branch = head.removeprefix("ref: refs/heads/")
    pipe, quiet = subprocess.PIPE, subprocess.DEVNULL
    remote = subprocess.Popen(
        ["git", "ls-remote", "origin", f"refs/heads/{branch}"], cwd=root, stdout=pipe, stderr=quiet
    )
    status = subprocess.Popen(
        ["git", "status", "--porcelain", "-z", "--untracked-files=all"],
        cwd=root,
        stdout=pipe,
        stderr=quiet,
    )
    local = subprocess.run(
        ["git", "rev-parse", "HEAD", f"refs/remotes/origin/{branch}"],
        cwd=root,
        stdout=pipe,
        stderr=quiet,
        check=False,
    )
    status_out, _ = status.communicate()
    remote_out, _ = remote.communicate()
    shas = local.stdout.decode().split()
    tip = remote_out.decode().split()[:1]
    if status.returncode or remote.returncode or local.returncode or status_out:
        return False
    if len(shas) != 2 or shas[0] != shas[1] or tip != shas[:1]:
        return False
    sys.stderr.write(UP_TO_DATE.format(url=url) + "\n")
    return True
