"""Issue 14, items 5, 6, 8 and 9: a change killed at any instant is never left half-done.

Each mutating command is killed at every git call it makes (before git runs, and
after git has finished but before the tool sees the result), while it writes a file
(its temporary file exists), and at random times; after each kill the next command
must find the study in its old or its new committed state (see
``tests/crash/harness.py`` for every invariant checked).

The normal suite kills a sample of commands at every git call and while writing;
``make soak`` does so for every mutating command, and kills at 12 random times.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import typer

from tests.crash import summary
from tests.crash.commands import BY_KEY, EVERY_CALL_SAMPLE, MUTATING, READ_ONLY, SAMPLE
from tests.crash.harness import (
    MODES,
    Command,
    Outcome,
    Reference,
    Templates,
    git,
    head_of,
    kill_trial,
    prepare_trial,
    run_tool,
    timed_trial,
    write_trial,
)

RANDOM_KILLS = 12
RANDOM_BATCHES = 2
KEEP_FAILED_TRIALS = 3


def command_paths() -> set[str]:
    """Every command of the real Typer tree, as the words typed (``"task done"``).

    A group that runs on its own (``reflect`` writes a reflection) counts as a command too.
    """
    from prosper_coop.cli.app import app

    found: set[str] = set()

    def walk(command: Any, words: tuple[str, ...]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            found.add(" ".join(words))
            return
        if words and getattr(command, "invoke_without_command", False):
            found.add(" ".join(words))
        for name, sub in subcommands.items():
            walk(sub, (*words, name))

    walk(typer.main.get_command(app), ())
    return found


def test_every_command_is_in_the_kill_table_or_read_only() -> None:
    paths = command_paths()
    mutating = {command.name for command in MUTATING}
    assert not mutating & READ_ONLY, "a command is listed both as mutating and read-only"
    unlisted = sorted(paths - mutating - READ_ONLY)
    assert not unlisted, (
        f"commands neither in MUTATING nor READ_ONLY (tests/crash/commands.py): {unlisted}"
    )
    gone = sorted((mutating | READ_ONLY) - paths)
    assert not gone, f"tests/crash/commands.py lists commands that no longer exist: {gone}"
    assert len({command.key for command in MUTATING}) == len(MUTATING)


@pytest.mark.slow
def test_the_wrapper_kills_the_whole_group_before_or_after_git(
    templates: Templates, tmp_path: Path
) -> None:
    """The harness itself: ``before`` stops git from running, ``after`` lets it finish."""
    command = BY_KEY["task done"]
    template = templates.for_command(command)
    counted = tmp_path / "counted"
    old = prepare_trial(command, template, counted)
    run = run_tool(counted, command.argv(counted), counted=True)
    assert run.returncode == 0, run.stderr
    assert "T-0012" in run.stdout + run.stderr  # it says what it did
    last = len(run.git_calls)
    assert run.git_calls[-1].split("\t")[1].startswith("update-ref"), run.git_calls

    before = tmp_path / "before"
    prepare_trial(command, template, before)
    killed = run_tool(before, command.argv(before), kill_at=last, mode="before")
    assert killed.killed and killed.returncode == -9
    assert head_of(before / "study") == old  # update-ref never ran

    after = tmp_path / "after"
    prepare_trial(command, template, after)
    killed = run_tool(after, command.argv(after), kill_at=last, mode="after")
    assert killed.killed and killed.returncode == -9
    assert "T-0012" not in killed.stdout + killed.stderr  # it died before saying so
    moved = git(after / "study", "log", "-1", "--format=%s")
    assert moved.startswith("task: done T-0012"), moved  # but the ref had moved


# Git commands that only read: killing the tool just *after* one of these finishes
# leaves the study exactly as killing it just *before* that call does (git changed
# nothing in between, and the tool did nothing but wait), so ``after`` trials skip
# them. ``status`` is not here: it may rewrite the index to refresh it.
READ_ONLY_GIT = frozenset({
    "rev-parse", "cat-file", "ls-files", "ls-tree", "log", "show", "rev-list",
    "for-each-ref", "merge-base", "show-ref", "verify-commit", "check-ignore",
    "check-attr", "var", "version", "name-rev", "diff", "diff-tree", "grep",
})  # fmt: skip
GIT_OPTIONS_WITH_VALUES = {"-c", "-C", "--git-dir", "--work-tree", "--namespace"}


def git_subcommand(call: str) -> str:
    """The git sub-command of a recorded call (``-c x=y rev-parse HEAD`` -> rev-parse)."""
    words = call.split("\t", 1)[-1].split()
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in GIT_OPTIONS_WITH_VALUES:
            skip = True
        elif not word.startswith("-"):
            return word
    return ""


def kill_points(reference: Reference, mode: str) -> list[int]:
    """The git calls to kill at: all of them before git runs; after git, those that write."""
    points = range(1, reference.git_calls + 1)
    if mode != "after" or len(reference.calls) != reference.git_calls:
        return list(points)
    return [n for n in points if git_subcommand(reference.calls[n - 1]) not in READ_ONLY_GIT]


def sweep(
    command: Command, template: Path, reference: Reference, base: Path, mode: str
) -> list[Outcome]:
    """Kill at every git call in turn (see :func:`kill_points`), each trial in its own
    folder (the first few that fail are kept for a look)."""
    outcomes: list[Outcome] = []
    kept = 0
    for n in kill_points(reference, mode):
        folder = base / f"n{n}"
        outcome = kill_trial(command, template, folder, reference, n, mode)
        outcomes.append(outcome)
        if outcome.verdict.held or kept >= KEEP_FAILED_TRIALS:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            kept += 1
    return outcomes


def report(request: pytest.FixtureRequest, command: str, kind: str, outcomes: list[Outcome]) -> None:
    """Record held/tried for the summary, and fail listing every trial that did not hold."""
    killed = [outcome for outcome in outcomes if outcome.killed]
    held = sum(outcome.verdict.held for outcome in killed)
    summary.record(request.node, command, kind, len(killed), held, len(outcomes) - len(killed))
    failed = [outcome for outcome in outcomes if not outcome.verdict.held]
    if failed:
        pytest.fail(
            f"{len(failed)} of {len(outcomes)} kill trials did not hold "
            f"({held}/{len(killed)} held):\n" + "\n".join(f"  {o.line()}" for o in failed),
            pytrace=False,
        )
    assert killed, f"{command}: no trial was killed"


def kill_every_git_call(
    key: str,
    mode: str,
    templates: Templates,
    references: Callable[[Command], Reference],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    command = BY_KEY[key]
    template = templates.for_command(command)
    reference = references(command)
    if reference.git_calls == 0:
        # Nothing to kill at a git call (config-only commands): the random-time kills cover it.
        summary.record(request.node, command.key, mode, 0, 0, 0)
        assert reference.subjects == []
        return
    if not kill_points(reference, mode):
        # Every git call of this command only reads (doctor --fix writes its files
        # itself): killing after one is killing before the next, which the before
        # trials do; its file writes are killed by the while-writing trials.
        summary.record(request.node, command.key, mode, 0, 0, 0)
        assert mode == "after" and reference.git_calls > 0
        return
    outcomes = sweep(command, template, reference, tmp_path, mode)
    report(request, command.key, mode, outcomes)


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("key", EVERY_CALL_SAMPLE)
def test_a_sample_of_commands_killed_at_every_git_call(
    key: str, mode: str, templates: Templates, references: Any, tmp_path: Path, request: Any
) -> None:
    kill_every_git_call(key, mode, templates, references, tmp_path, request)


@pytest.mark.soak
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("key", [command.key for command in MUTATING])
def test_every_command_killed_at_every_git_call(
    key: str, mode: str, templates: Templates, references: Any, tmp_path: Path, request: Any
) -> None:
    kill_every_git_call(key, mode, templates, references, tmp_path, request)


def kill_while_writing(
    keys: Sequence[str], templates: Templates, references: Any, tmp_path: Path, request: Any
) -> None:
    """Kill each command the moment its first temporary file exists, and check the study."""
    failed: list[Outcome] = []
    for key in keys:
        command = BY_KEY[key]
        reference: Reference = references(command)
        folder = tmp_path / key.replace(" ", "-")
        outcome = write_trial(command, templates.for_command(command), folder, reference)
        killed = int(outcome.killed)
        held = killed * int(outcome.verdict.held)
        summary.record(request.node, command.key, "write", killed, held, 1 - killed)
        if outcome.verdict.held:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            failed.append(outcome)
    if failed:
        pytest.fail(
            f"{len(failed)} kills while writing did not hold:\n"
            + "\n".join(f"  {o.line()}" for o in failed),
            pytrace=False,
        )


@pytest.mark.slow
def test_a_sample_of_commands_killed_while_writing_a_file(
    templates: Templates, references: Any, tmp_path: Path, request: Any
) -> None:
    kill_while_writing(SAMPLE, templates, references, tmp_path, request)


@pytest.mark.soak
@pytest.mark.parametrize("part", range(2))
def test_every_command_killed_while_writing_a_file(
    part: int, templates: Templates, references: Any, tmp_path: Path, request: Any
) -> None:
    keys = [command.key for command in MUTATING][part::2]
    kill_while_writing(keys, templates, references, tmp_path, request)


def random_kills(batch: int) -> list[tuple[Command, float]]:
    """This batch's seeded random (command, fraction of its running time) pairs."""
    chooser = random.Random(f"issue-14-random-kills-{batch}")
    count = RANDOM_KILLS // RANDOM_BATCHES
    return [(chooser.choice(MUTATING), chooser.random()) for _ in range(count)]


@pytest.mark.soak
@pytest.mark.parametrize("batch", range(RANDOM_BATCHES))
def test_commands_killed_at_random_times(
    batch: int, templates: Templates, references: Any, tmp_path: Path, request: Any
) -> None:
    failed: list[Outcome] = []
    for index, (command, fraction) in enumerate(random_kills(batch)):
        template = templates.for_command(command)
        reference: Reference = references(command)
        folder = tmp_path / f"r{index}"
        outcome = timed_trial(command, template, folder, reference, fraction * reference.seconds)
        killed = int(outcome.killed)
        held = killed * int(outcome.verdict.held)
        summary.record(request.node, command.key, "random", killed, held, 1 - killed)
        if outcome.verdict.held:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            failed.append(outcome)
    if failed:
        pytest.fail(
            f"{len(failed)} random-time kills did not hold:\n"
            + "\n".join(f"  {o.line()}" for o in failed),
            pytrace=False,
        )


def test_after_trials_skip_only_calls_that_read() -> None:
    """``after`` kills skip a call only when git reads and writes nothing there."""
    calls = [
        "1\trev-parse --show-toplevel",
        "2\t-c core.quotepath=false status --porcelain",
        "3\t-C /x cat-file --batch-check",
        "4\tcommit-tree abc -p def -m x",
        "5\tupdate-ref refs/heads/main abc def",
    ]
    reference = Reference(5, calls, 0.1, [], [], *([None] * 2))  # type: ignore[arg-type]
    assert git_subcommand(calls[1]) == "status" and git_subcommand(calls[2]) == "cat-file"
    assert kill_points(reference, "before") == [1, 2, 3, 4, 5]
    assert kill_points(reference, "after") == [2, 4, 5]
