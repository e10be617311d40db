"""Issue 14, item 6: a git lock left by a killed run is cleared; one a live process holds is not."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from prosper_coop.core.errors import ExitCode
from tests.crash.commands import BY_KEY
from tests.crash.harness import Templates, git, head_of, prepare_trial, run_tool

HOLD_OPEN = """
import sys, time
with open(sys.argv[1], "ab") as lock:
    print("holding", flush=True)
    time.sleep(120)
"""
COMMAND = BY_KEY["task done"]

pytestmark = pytest.mark.slow  # each test starts several processes


def killed_holding_the_index_lock(templates: Templates, trial: Path) -> str | None:
    """``task done`` killed at its ``git add`` with git's index lock left behind; the old HEAD."""
    template = templates.for_command(COMMAND)
    counted = trial.parent / f"{trial.name}-counted"
    prepare_trial(COMMAND, template, counted)
    calls = run_tool(counted, COMMAND.argv(counted), counted=True).git_calls
    add = next(i for i, call in enumerate(calls, 1) if call.split("\t")[1].startswith("add "))
    old = prepare_trial(COMMAND, template, trial)
    killed = run_tool(trial, COMMAND.argv(trial), kill_at=add, mode="holding-index-lock")
    assert killed.killed and killed.returncode == -9
    assert (trial / "study/.git/index.lock").is_file()
    return old


@contextmanager
def held_open(path: Path) -> Iterator[subprocess.Popen[str]]:
    """A live process that keeps ``path`` open while the block runs."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        yield holder
        assert holder.poll() is None, "the process holding the lock was stopped"
    finally:
        holder.kill()
        holder.wait()


def test_a_stale_index_lock_from_a_killed_run_is_cleared_by_the_next_write(
    templates: Templates, tmp_path: Path
) -> None:
    trial = tmp_path / "trial"
    old = killed_holding_the_index_lock(templates, trial)
    study = trial / "study"

    done = run_tool(trial, COMMAND.argv(trial))

    assert done.returncode == 0, done.stderr
    said = done.stderr
    assert "index.lock" in said and re.search(r"clear|remov", said, re.I), said
    assert "Traceback" not in said
    assert not (study / ".git/index.lock").exists()
    assert git(study, "log", "-1", "--format=%s").startswith("task: done T-0012")
    assert git(study, "rev-parse", "HEAD~1").strip() == old
    assert git(study, "status", "--porcelain") == ""


@pytest.mark.parametrize("left_by", ["a killed run of ours", "git run by hand"])
def test_an_index_lock_held_open_by_a_live_process_is_left_alone(
    left_by: str, templates: Templates, tmp_path: Path
) -> None:
    trial = tmp_path / "trial"
    study = trial / "study"
    lock = study / ".git/index.lock"
    if left_by == "a killed run of ours":
        old = killed_holding_the_index_lock(templates, trial)
    else:
        old = prepare_trial(COMMAND, templates.for_command(COMMAND), trial)
        lock.write_bytes((study / ".git/index").read_bytes())
    content = lock.read_bytes()

    with held_open(lock):
        busy = run_tool(trial, COMMAND.argv(trial))

    assert busy.returncode == ExitCode.BUSY, (busy.returncode, busy.stderr)
    assert busy.stderr.startswith("Error: "), busy.stderr
    assert "index.lock" in busy.stderr, busy.stderr
    assert "Traceback" not in busy.stderr and "something unexpected" not in busy.stderr
    assert lock.read_bytes() == content
    assert head_of(study) == old
    assert not git(study, "diff", "--cached", "--name-only", "HEAD")  # nothing newly staged
