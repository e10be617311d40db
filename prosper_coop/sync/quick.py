"""The quick answer to ``prosper-coop sync`` when there is nothing to do.

Run before the full command line is loaded (see :mod:`prosper_coop.cli.launch`),
with ``os``, ``sys`` and the light background-git helpers of
:mod:`prosper_coop.core.git` only, so it costs little more than the git commands
it runs. It asks the remote for its branch tip while ``git status`` looks for
unsaved edits, and reads the local refs itself meanwhile. If the remote, the
last fetched copy of it and the local branch are the same commit, nothing is
unsaved and no stopped command left work to repair (:mod:`prosper_coop.core.journal`),
there is nothing to fetch, merge or push. In every
other case it steps aside and the full ``sync`` runs.
"""

from __future__ import annotations

import os
import sys

from prosper_coop.core.git import can_start_in_background, start_ls_remote, start_status

DRIVER_NAMES = ("prosper-coop", "prosper-coop-age")
UP_TO_DATE = "Up to date with {url}: nothing came in, nothing went out."
# A stopped command's intent (prosper_coop.core.journal): the full sync tidies it up first.
INTENT = ("prosper-coop", "intent.json")


def drivers_configured(git_config: str) -> bool:
    """Whether the text of ``.git/config`` names this interpreter's merge drivers."""
    return all(f'[merge "{name}"]' in git_config for name in DRIVER_NAMES) and (
        sys.executable in git_config
    )


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:  # noqa: PTH123 - no pathlib here (start-up time)
            return handle.read()
    except OSError:
        return None


def _study_root() -> str | None:
    folder = os.path.abspath(os.environ.get("PROSPER_COOP_STUDY") or os.getcwd())  # noqa: PTH100, PTH109
    while True:
        if os.path.isfile(os.path.join(folder, "study.yaml")):  # noqa: PTH113, PTH118
            return folder
        parent = os.path.dirname(folder)  # noqa: PTH120
        if parent == folder:
            return None
        folder = parent


def _remote_url(git_config: str) -> str | None:
    in_origin = False
    for raw in git_config.splitlines():
        line = raw.strip()
        if line.startswith("["):
            in_origin = line == '[remote "origin"]'
        elif in_origin and line.startswith("url"):
            key, _, value = line.partition("=")
            if key.strip() == "url":
                return value.strip()
    return None


def _ref(git_dir: str, name: str) -> str | None:
    loose = _read(os.path.join(git_dir, name))  # noqa: PTH118
    if loose is not None:
        return loose.strip()
    for line in (_read(os.path.join(git_dir, "packed-refs")) or "").splitlines():  # noqa: PTH118
        sha, _, ref = line.partition(" ")
        if ref == name:
            return sha
    return None


def _local_git_dir(url: str) -> str | None:
    """The git folder of a remote that is a repository on this computer, if it is one.

    Its branch tip is then read from its files, as git's own local transport
    does, instead of starting ``git ls-remote``.
    """
    if not os.path.isabs(url):  # noqa: PTH117 - URLs and relative paths: ask git
        return None
    for candidate in (url, os.path.join(url, ".git")):  # noqa: PTH118
        if os.path.isfile(os.path.join(candidate, "HEAD")) and os.path.isdir(  # noqa: PTH112, PTH113, PTH118
            os.path.join(candidate, "refs")  # noqa: PTH118
        ):
            return candidate
    return None


def nothing_to_do() -> bool:
    """If the study is already in step with its remote, say so and return True."""
    if not can_start_in_background():
        return False
    root = _study_root()
    if root is None:
        return False
    git_dir = os.path.join(root, ".git")  # noqa: PTH118
    config = _read(os.path.join(git_dir, "config"))  # noqa: PTH118
    head = (_read(os.path.join(git_dir, "HEAD")) or "").strip()  # noqa: PTH118
    if config is None or not head.startswith("ref: refs/heads/"):
        return False
    url = _remote_url(config)
    branch = head.removeprefix("ref: refs/heads/")
    if url is None or url.startswith('"') or not drivers_configured(config):
        return False
    status = start_status(root)
    remote_dir = _local_git_dir(url)
    remote = None
    if remote_dir is None:
        remote = start_ls_remote(root, "origin", f"refs/heads/{branch}")
    attributes = _read(os.path.join(root, ".gitattributes")) or ""  # noqa: PTH118
    local = _ref(git_dir, f"refs/heads/{branch}")
    tracking = _ref(git_dir, f"refs/remotes/origin/{branch}")
    status_code, unsaved = status.wait()
    if remote is not None:
        remote_code, tips = remote.wait()
        tip = tips.decode("ascii", errors="replace").split()[:1]
    else:
        assert remote_dir is not None
        remote_code, tip = 0, [_ref(remote_dir, f"refs/heads/{branch}") or "-"]
    return (
        status_code == 0
        and remote_code == 0
        and not unsaved
        and local is not None
        and local == tracking
        and tip == [local]
        and all(f"merge={name}" in attributes for name in DRIVER_NAMES)
        and not os.path.exists(os.path.join(git_dir, "MERGE_HEAD"))  # noqa: PTH110, PTH118
        and not os.path.exists(os.path.join(git_dir, *INTENT))  # noqa: PTH110, PTH118
        # A command stopped half-way: the full sync opens the study, which repairs it.
        and not os.path.exists(os.path.join(git_dir, "prosper-coop", "intent.json"))  # noqa: PTH110, PTH118
        and _say_up_to_date(url)
    )


def _say_up_to_date(url: str) -> bool:
    sys.stderr.write(UP_TO_DATE.format(url=url) + "\n")
    return True
