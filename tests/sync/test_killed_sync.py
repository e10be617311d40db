"""A sync killed while renumbering or merging leaves nothing half-done for ``save``.

Real processes: ``prosper-coop sync`` is killed (SIGKILL, its whole process group)
at chosen git calls by the kill harness's git stand-in (tests/crash/harness.py),
between writing the renumbered records and committing the merge (issue 14,
item 7). The next command must find the study at its old commit or at a new one,
so ``save`` has nothing to commit, and the next ``sync`` finishes the job.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.crash.harness import git, head_of, run_tool
from tests.sync import helpers
from tests.sync.helpers import add_task, make_team

# Real git processes, many of them: see the slow marker in pyproject.toml.
pytestmark = pytest.mark.slow

# (the start of the git call, before or after it runs): inside renumbering and merging.
# The kill harness (make soak) tries every git call of sync; these are the telling ones.
KILL_POINTS = [
    ("add -A -- tasks/00/T-0002.yaml", "before"),  # renumbered files written, none staged
    ("rm -q --cached", "after"),  # the whole renumbering staged, not committed
    ("merge --no-ff", "after"),  # the merge in the index and work tree, not committed
]


def diverged(base: Path) -> Path:
    """A remote, ``other`` (pushed T-0001) and ``study`` (its own T-0001, not shared)."""
    _, (other, study) = make_team(base, ("other", "study"))
    add_task(other, "From other")
    helpers.sync.sync(other)
    add_task(study, "From study")
    return base


def copy_trial(template: Path, trial: Path) -> None:
    """A copy of the three repositories, each pointing at the copied remote, and the keys
    of the people who made them (a trial's own config folder, as the harness runs it)."""
    shutil.copytree(template, trial, symlinks=True)
    shutil.copytree(Path(os.environ["PROSPER_COOP_CONFIG_DIR"]), trial / "config")
    for clone in ("other", "study"):
        git(trial / clone, "remote", "set-url", "origin", str(trial / "remote.git"))


def call_number(calls: list[str], start: str) -> int:
    """The number of the first git call (as the stand-in logs it) that begins with ``start``."""
    for line in calls:
        number, _, args = line.partition("\t")
        if args.startswith(start):
            return int(number)
    raise AssertionError(f"sync made no git call starting {start!r}: {calls}")


def test_killed_sync_never_leaves_a_half_renumbering_for_save(sealed_env: Path) -> None:
    template = diverged(sealed_env / "template")
    reference = sealed_env / "reference"
    copy_trial(template, reference)
    done = run_tool(reference, ["sync"], counted=True)
    assert done.returncode == 0, done.stderr
    assert "T-0001 was renumbered to T-0002" in done.stderr

    for index, (start, mode) in enumerate(KILL_POINTS):
        trial = sealed_env / f"trial-{index}"
        copy_trial(template, trial)
        study = trial / "study"
        old = head_of(study)
        killed = run_tool(trial, ["sync"], kill_at=call_number(done.git_calls, start), mode=mode)
        assert killed.killed, (start, mode, killed.stderr)

        saved = run_tool(trial, ["save", "-m", "after the kill"])
        where = f"killed {mode} '{start}'"
        assert saved.returncode == 0, (where, saved.stdout, saved.stderr)
        subjects = git(study, "log", "--format=%s", f"{old}..HEAD").splitlines()
        assert "after the kill" not in "\n".join(subjects), (where, subjects)
        assert all(s.startswith("sync: ") for s in subjects), (where, subjects)
        assert git(study, "status", "--porcelain", "--untracked-files=all") == "", where
        assert not (study / ".git" / "MERGE_HEAD").exists(), where
        if not subjects:  # undone: the record is back under its old ID
            assert (study / "tasks/00/T-0001.yaml").is_file(), where
            assert "sync was stopped" in saved.stderr, (where, saved.stderr)

        for clone in ("study", "other"):
            again = run_tool(trial, ["sync"], cwd=clone)
            assert again.returncode == 0, (where, clone, again.stderr)
        assert head_of(study) == head_of(trial / "other"), where
        titles = sorted(
            line.removeprefix("title: ")
            for path in sorted((study / "tasks").rglob("T-*.yaml"))
            for line in path.read_text().splitlines()
            if line.startswith("title: ")
        )
        assert titles == ["From other", "From study"], (where, titles)
