"""The kill harness: run a command, kill it at its Nth git call, check the study.

A small shell script stands in for git (first on ``PATH``, and named by
``GIT_PYTHON_GIT_EXECUTABLE``, which ``prosper_coop/core/git.py`` honours). It
counts git calls in a counter file under ``flock`` and, at call number N, kills
the tool's whole process group with SIGKILL, either before running git
(``before``) or after the real git has finished but before the tool sees its
result (``after``: the ref may have moved while the tool dies); ``holding-index-lock``
leaves ``.git/index.lock`` as a git killed mid-write does. The tool runs in
its own session (``start_new_session=True``), so the group is the tool, its git
children and any merge driver they start, and nothing else.

The harness can also kill the group itself: after a delay, or the moment a
temporary file of an atomic write appears (a write caught half-way).

After a kill, the next command (``status``, run with the real git) must find the
study in its old state or in its new committed state: :func:`check_after_kill`
lists what it finds wrong, as plain sentences for the report.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import TODAY

# Resolved before any test puts the wrapper first on PATH.
REAL_GIT = shutil.which("git") or "/usr/bin/git"
# The tool under test: the installed console script, or another build of it (to take
# figures for an older version, e.g. one extracted with ``git archive``).
TOOL = Path(os.environ.get("PROSPER_COOP_CRASH_TOOL") or Path(sys.executable).parent / "prosper-coop")
MODES = ("before", "after")
TOOL_TIMEOUT = 120
GROUP_GONE_TIMEOUT = 10.0
# Files under .git that may stay: the study's writer lock is a flock on a file kept for good.
LASTING_GIT_FILES = {".git/prosper-coop.lock"}
# Folder of the transaction journal (durable intents); empty once every change is settled.
INTENT_DIR = ".git/prosper-coop"
# Temporary files of atomic writes (``.T-0042.yaml.<pid>.0.tmp``) and any other.
TEMP_FILE = re.compile(r"\.tmp$")
DROPPED_ENV_PREFIXES = ("GIT_", "PROSPER_COOP_")

WRAPPER = r"""#!/bin/sh
# git stand-in for the kill harness: count this call; at call $CRASH_KILL_AT kill
# the whole process group (the tool and its children), before or after real git.
counter="$CRASH_COUNTER"
exec 9>>"$counter.lock"
flock 9
n=$(( $(cat "$counter" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$counter"
printf '%s\t%s\n' "$n" "$*" >> "$counter.calls"
exec 9>&-
if [ "$n" = "${CRASH_KILL_AT:-0}" ]; then
    if [ "$CRASH_MODE" = after ]; then
        "$CRASH_REAL_GIT" "$@"
    elif [ "$CRASH_MODE" = holding-index-lock ]; then
        # as git killed while writing the index: its new index left under index.lock
        cp .git/index .git/index.lock
    fi
    echo "$n $CRASH_MODE" > "$counter.killed"
    kill -s KILL 0
    exit 137
fi
exec "$CRASH_REAL_GIT" "$@"
"""


# -- the commands under test ---------------------------------------------------------------
@dataclass(frozen=True)
class Command:
    """One mutating command line with valid arguments against the PROSPER example study.

    ``args`` may hold ``{trial}`` (the trial folder). It runs in ``cwd`` (relative to the
    trial folder) as ``actor``, with ``stdin`` as its input. ``prepare`` makes its start
    state once per session from a copy of the example (a hand edit, a remote, a conflict).
    ``creates`` names the folder a command makes (``init``, ``clone``) instead of
    changing the study. ``steps``: several changes, one commit each (ticks of a walk;
    sync's renumbering, then its merge), so a kill may leave some of them made, each
    whole, and re-running it makes the rest. ``shared``: it also pushes, so the remote
    must end at HEAD.
    """

    name: str
    args: tuple[str, ...]
    actor: str = "CO-01"
    stdin: str = ""
    prepare: Callable[[Path], None] | None = None
    cwd: str = "study"
    creates: str | None = None
    steps: bool = False
    shared: bool = False
    label: str = ""

    @property
    def key(self) -> str:
        """A short unique name for test ids and the report."""
        return self.label or self.name

    def argv(self, trial: Path) -> list[str]:
        """The arguments, with ``{trial}`` filled in."""
        return [arg.replace("{trial}", str(trial)) for arg in self.args]

    @property
    def study_dir(self) -> str:
        """The folder (relative to the trial) whose state is checked."""
        return self.creates or "study"


# -- running the tool ----------------------------------------------------------------------
@dataclass
class Run:
    """What one run of the tool did."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    git_calls: list[str]
    killed: bool


def tool_env(trial: Path, actor: str, *, wrapper: bool = False) -> dict[str, str]:
    """The environment of a run in ``trial``: its own HOME and keys, a fixed today, real or counted git."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED_ENV_PREFIXES)}
    home = trial / "home"
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig-none"),
        GIT_CONFIG_NOSYSTEM="1",
        PROSPER_COOP_CONFIG_DIR=str(trial / "config"),
        PROSPER_COOP_TODAY=TODAY,
        PROSPER_COOP_AS=actor,
        PROSPER_COOP_LOCK_TIMEOUT="5",
        NO_COLOR="1",
        COLUMNS="100",
        TERM="dumb",
        EDITOR="false",
        VISUAL="false",
    )
    if wrapper:
        bin_dir = trial / "crash-bin"
        env.update(
            PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
            GIT_PYTHON_GIT_EXECUTABLE=str(bin_dir / "git"),
            CRASH_COUNTER=str(trial / "crash-count"),
            CRASH_REAL_GIT=REAL_GIT,
        )
    return env


def install_wrapper(trial: Path) -> None:
    """Put the counting git stand-in in ``trial/crash-bin/git``."""
    bin_dir = trial / "crash-bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "git"
    script.write_text(WRAPPER)
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def run_tool(
    trial: Path,
    args: Sequence[str],
    *,
    actor: str = "CO-01",
    cwd: str = "study",
    stdin: str = "",
    kill_at: int | None = None,
    mode: str = "before",
    kill_after: float | None = None,
    kill_on_temp: Sequence[Path] = (),
    counted: bool = False,
) -> Run:
    """Run ``prosper-coop ARGS`` in its own process group and wait until all of it is gone.

    ``kill_at``: the wrapper kills the group at that git call (``mode`` before/after).
    ``kill_after``: the harness kills the group after that many seconds.
    ``kill_on_temp``: the harness kills the group as soon as a temporary file shows up
    in one of these folders (a write caught between creating its temporary file and
    renaming it into place). ``counted``: git calls go through the wrapper (always so
    when a kill is asked for).
    """
    wrapper = counted or kill_at is not None or kill_after is not None or bool(kill_on_temp)
    env = tool_env(trial, actor, wrapper=wrapper)
    counter = trial / "crash-count"
    if wrapper:
        install_wrapper(trial)
        for suffix in ("", ".calls", ".killed", ".lock"):
            Path(f"{counter}{suffix}").unlink(missing_ok=True)
        if kill_at is not None:
            env.update(CRASH_KILL_AT=str(kill_at), CRASH_MODE=mode)
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(TOOL), *args],
        cwd=trial / cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    killed_by_timer = False
    watcher = _TempWatcher(proc, kill_on_temp) if kill_on_temp else None
    try:
        if kill_after is not None:
            try:
                out, err = proc.communicate(stdin.encode(), timeout=kill_after)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                killed_by_timer = True
                out, err = proc.communicate(timeout=TOOL_TIMEOUT)
        else:
            out, err = proc.communicate(stdin.encode(), timeout=TOOL_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    seconds = time.monotonic() - started
    if watcher is not None:
        killed_by_timer = watcher.stop()
    _wait_group_gone(proc.pid)
    calls_file = Path(f"{counter}.calls")
    calls = calls_file.read_text().splitlines() if wrapper and calls_file.exists() else []
    killed = killed_by_timer or Path(f"{counter}.killed").exists()
    return Run(
        proc.returncode,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        seconds,
        calls,
        killed,
    )


class _TempWatcher:
    """Kills a process group the moment a temporary file appears in given folders."""

    def __init__(self, proc: subprocess.Popen[bytes], folders: Sequence[Path]) -> None:
        import threading

        self.proc = proc
        self.folders = list(folders)
        self.done = threading.Event()
        self.fired = False
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.done.is_set() and self.proc.returncode is None:
            for folder in self.folders:
                try:
                    names = [entry.name for entry in os.scandir(folder)]
                except OSError:
                    continue
                if any(TEMP_FILE.search(name) for name in names):
                    if self.proc.returncode is None:
                        os.killpg(self.proc.pid, signal.SIGKILL)
                        self.fired = True
                    return

    def stop(self) -> bool:
        """Stop watching; whether it killed the group."""
        self.done.set()
        self.thread.join()
        return self.fired


def _wait_group_gone(pgid: int) -> None:
    """Wait until no live process of the group is left.

    Killed git children are orphans until init reaps them, which may take a while here,
    so zombies are not waited for: they hold no files and run nothing.
    """
    deadline = time.monotonic() + GROUP_GONE_TIMEOUT
    while _live_in_group(pgid) and time.monotonic() < deadline:
        time.sleep(0.01)


def _live_in_group(pgid: int) -> bool:
    """Whether a process of group ``pgid`` is still running (not a zombie), from /proc."""
    try:
        entries = list(Path("/proc").iterdir())
    except OSError:
        return False
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # after the command name: state, ppid, pgrp
        if int(fields[2]) == pgid and fields[0] not in (b"Z", b"X"):
            return True
    return False


def git(root: Path, *args: str, check: bool = True) -> str:
    """Real git (never the wrapper) in ``root``."""
    done = subprocess.run(
        [REAL_GIT, *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**tool_env(root.parent, "CO-01"), "GIT_OPTIONAL_LOCKS": "0"},
    )
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed in {root}: {done.stderr}")
    return done.stdout


def head_of(root: Path) -> str | None:
    """The commit HEAD points at, or None (no repository or no commit yet)."""
    if not (root / ".git").exists():
        return None
    out = subprocess.run(
        [REAL_GIT, "rev-parse", "--verify", "-q", "HEAD^{commit}"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() or None


def copy_tree(source: Path, target: Path) -> None:
    """A full copy (symlinks kept as symlinks)."""
    shutil.copytree(source, target, symlinks=True)


# -- what a finished change looks like -----------------------------------------------------
@dataclass(frozen=True)
class WorkTree:
    """What git says is not committed: ``git status`` and the diff against HEAD.

    Clean for most start states; the hand edits for ``save``.
    """

    status: str
    diff: str

    @staticmethod
    def of(root: Path) -> WorkTree:
        """The uncommitted state of ``root`` now."""
        status = git(root, "status", "--porcelain=v1", "--untracked-files=all", "--ignored=no")
        return WorkTree(status, git(root, "diff", "HEAD", "--binary"))

    def shown(self) -> str:
        """Its status lines, shortened for the report."""
        lines = self.status.splitlines()
        if not lines:
            return "clean"
        return "; ".join(lines[:6]) + (f"; ... ({len(lines)} in all)" if len(lines) > 6 else "")


@dataclass
class Reference:
    """What the command does when nothing kills it: its commits and changed files."""

    git_calls: int
    calls: list[str]
    seconds: float
    subjects: list[str]
    changed: list[str]
    before: WorkTree
    after: WorkTree


def new_commits(root: Path, old: str | None) -> list[str]:
    """Subjects of the commits after ``old`` (oldest first; all of them when ``old`` is None)."""
    spec = [f"{old}..HEAD"] if old else ["HEAD"]
    return git(root, "log", "--reverse", "--topo-order", "--format=%s", *spec).splitlines()


# Names drawn at random on purpose (an alert's resolution must not point at its alert),
# so two runs of the same command name them differently: compared by their shape.
RANDOM_NAMES = re.compile(r"AR-[0-9a-f]{16}")


def changed_files(root: Path, old: str | None) -> list[str]:
    """``STATUS<TAB>PATH`` of each file that differs between ``old`` and HEAD."""
    if old is None:
        listed = git(root, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    else:
        listed = git(root, "diff", "--name-status", "--no-renames", old, "HEAD").splitlines()
    return sorted(RANDOM_NAMES.sub("AR-<random>", line) for line in listed)


def measure(command: Command, template: Path, trial: Path) -> Reference:
    """Run ``command`` once on a fresh copy, counting its git calls; it must succeed."""
    shutil.rmtree(trial, ignore_errors=True)  # a failed earlier try
    old = prepare_trial(command, template, trial)
    root = trial / command.study_dir
    before = WorkTree.of(root) if old else WorkTree("", "")
    run = run_tool(
        trial, command.argv(trial), actor=command.actor, cwd=command.cwd,
        stdin=command.stdin, counted=True,
    )  # fmt: skip
    if run.returncode != 0:
        raise AssertionError(
            f"{command.key}: the command failed without any kill (exit {run.returncode}); "
            f"fix its arguments in tests/crash/commands.py.\n{run.stdout}\n{run.stderr}"
        )
    if command.shared and not _remote_matches(trial, root):
        raise AssertionError(f"{command.key}: without any kill, the remote did not end at HEAD")
    return Reference(
        git_calls=len(run.git_calls),
        calls=run.git_calls,
        seconds=run.seconds,
        subjects=new_commits(root, old),
        changed=changed_files(root, old),
        before=before,
        after=WorkTree.of(root),
    )


# -- the invariants after a kill -----------------------------------------------------------
@dataclass
class Verdict:
    """What a trial found: the problems (empty when the study held) and what was seen."""

    problems: list[str] = field(default_factory=list)
    state: str = ""
    recovery: str = ""

    @property
    def held(self) -> bool:
        """Whether every invariant held."""
        return not self.problems


def stray_files(root: Path) -> list[str]:
    """Left-behind temporary files, git locks and journal entries in a study."""
    found: list[str] = []
    if not root.exists():
        return found
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(".git/"):
            if rel in LASTING_GIT_FILES:
                continue
            in_journal = rel.startswith(INTENT_DIR + "/") and path.is_file()
            if path.name.endswith(".lock") or in_journal:
                found.append(rel)
            continue
        if TEMP_FILE.search(path.name):
            found.append(rel)
    return sorted(found)


def temp_files(folder: Path) -> list[str]:
    """Temporary files anywhere under ``folder`` (a key folder, an output folder)."""
    if not folder.exists():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if TEMP_FILE.search(p.name))


def check_after_kill(
    command: Command, trial: Path, old: str | None, reference: Reference
) -> Verdict:
    """Run the next command and check every invariant; return what does not hold."""
    verdict = Verdict()
    problems = verdict.problems
    root = trial / command.study_dir
    creates_nothing_yet = command.creates is not None and head_of(root) is None

    if creates_nothing_yet:
        verdict.state = "old (nothing made)"
        # The next command still runs (it finds no study there, exit 3) and tidies the
        # user's config folder as every command does.
        run_tool(trial, ["status"], actor=command.actor, cwd=".")
    else:
        after = run_tool(trial, ["status"], actor=command.actor, cwd=command.study_dir)
        verdict.recovery = after.stderr.strip()
        if after.returncode != 0:
            problems.append(
                f"the next command (status) exited {after.returncode}: {_first_lines(after.stderr)}"
            )
        problems += _committed_state(command, root, old, reference, verdict)
        expected = reference.before if verdict.state == "old" else reference.after
        problems += _clean_tree(root, expected)
        doctor = run_tool(trial, ["doctor"], actor=command.actor, cwd=command.study_dir)
        if doctor.returncode != 0:
            problems.append(
                f"doctor exited {doctor.returncode}: {_first_lines(doctor.stdout + doctor.stderr)}"
            )
    problems += [
        f"temporary file left in the user's config folder: {name}"
        for name in temp_files(trial / "config")
    ]

    if verdict.state.startswith("old") or verdict.state.startswith("partial"):
        problems += _rerun_completes(command, trial, root, old, reference)
    elif command.shared and not problems:
        problems += _sync_finishes(command, trial, root)
    verdict.problems = list(dict.fromkeys(problems))  # a file left behind is said once
    return verdict


def _committed_state(
    command: Command, root: Path, old: str | None, reference: Reference, verdict: Verdict
) -> list[str]:
    problems: list[str] = []
    head = head_of(root)
    branch = subprocess.run(
        [REAL_GIT, "symbolic-ref", "-q", "HEAD"], cwd=root, capture_output=True, text=True,
        check=False,
    ).stdout.strip()  # fmt: skip
    if branch != "refs/heads/main":
        problems.append(f"HEAD is not on main (symbolic-ref says {branch or 'detached'})")
    if old is not None and head != old:
        ancestor = subprocess.run(
            [REAL_GIT, "merge-base", "--is-ancestor", old, "HEAD"], cwd=root, check=False,
            capture_output=True,
        ).returncode == 0  # fmt: skip
        if not ancestor:
            verdict.state = "lost"
            return [f"HEAD {head} no longer contains the old commit {old}"]
    made = new_commits(root, old) if head else []
    if not made:
        verdict.state = "old"
    elif sorted(made) == sorted(reference.subjects):
        verdict.state = "new"
        changed = changed_files(root, old)
        if changed != reference.changed:
            problems.append(
                "HEAD has the command's commit but not its whole effect: files "
                f"{_diff(changed, reference.changed)}"
            )
    elif command.steps and _some_of(made, reference.subjects):
        verdict.state = f"partial ({len(made)} of {len(reference.subjects)} commits)"
    else:
        verdict.state = "other"
        problems.append(f"commits after the old HEAD are {made}, expected none or {reference.subjects}")
    return problems


def _clean_tree(root: Path, expected: WorkTree) -> list[str]:
    """The uncommitted state is the expected one (clean, or the start's hand edits), and
    no lock, temporary file or intent is left."""
    problems: list[str] = []
    now = WorkTree.of(root)
    if now.status != expected.status:
        problems.append(f"git status is {now.shown()} (expected {expected.shown()})")
    elif now.diff != expected.diff:
        problems.append(f"uncommitted files differ from what they were: {now.shown()}")
    problems += [f"left behind: {name}" for name in stray_files(root)]
    return problems


def _rerun_completes(
    command: Command, trial: Path, root: Path, old: str | None, reference: Reference
) -> list[str]:
    """Re-running the command (no kill) must succeed and make the whole change."""
    rerun = run_tool(trial, command.argv(trial), actor=command.actor, cwd=command.cwd, stdin=command.stdin)
    if rerun.returncode != 0:
        return [f"re-running it exited {rerun.returncode}: {_first_lines(rerun.stderr)}"]
    made = new_commits(root, old) if head_of(root) else []
    same = sorted(made) == sorted(reference.subjects)
    if not same and command.steps:
        # Resumed, the last step may word its subject differently ("merge 2 change(s) from
        # origin" without ", after renumbering ...", said by the step before): the same
        # steps, changing the same files, is the same change.
        same = sorted(map(_gist, made)) == sorted(map(_gist, reference.subjects)) and (
            changed_files(root, old) == reference.changed
        )
    if not same:
        return [f"re-running it left commits {made}, expected {reference.subjects}"]
    problems = _clean_tree(root, reference.after)
    if command.shared and not _remote_matches(trial, root):
        problems.append("after re-running sync the remote is not at HEAD")
    return problems


def _sync_finishes(command: Command, trial: Path, root: Path) -> list[str]:
    """After a sync whose merge is committed, the next sync pushes it."""
    again = run_tool(trial, ["sync"], actor=command.actor, cwd=command.study_dir)
    if again.returncode != 0:
        return [f"the next sync exited {again.returncode}: {_first_lines(again.stderr)}"]
    if not _remote_matches(trial, root):
        return ["after the next sync the remote is not at HEAD"]
    return []


def _remote_matches(trial: Path, root: Path) -> bool:
    remote = trial / "remote.git"
    if not remote.exists():
        return False
    remote_head = subprocess.run(
        [REAL_GIT, "rev-parse", "main"], cwd=remote, capture_output=True, text=True, check=False
    ).stdout.strip()
    return remote_head == head_of(root)


def _gist(subject: str) -> str:
    """A commit subject without its record ids and any second clause."""
    return re.split(r",| \(", subject, maxsplit=1)[0]


def _some_of(made: list[str], expected: list[str]) -> bool:
    """Whether ``made`` is some of the ``expected`` commits (each at most once)."""
    left = list(expected)
    for subject in made:
        if subject not in left:
            return False
        left.remove(subject)
    return True


def _diff(seen: list[str], expected: list[str]) -> str:
    missing = sorted(set(expected) - set(seen))
    extra = sorted(set(seen) - set(expected))
    return f"missing {missing}, unexpected {extra}"


def _first_lines(text: str, count: int = 3) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[:count])


# -- one trial -----------------------------------------------------------------------------
@dataclass
class Outcome:
    """One kill trial: where it was killed and what the study looked like after."""

    command: str
    point: str
    killed: bool
    verdict: Verdict
    call: str = ""

    def line(self) -> str:
        """One line for the report."""
        where = f" at `{self.call}`" if self.call else ""
        state = f" [{self.verdict.state}]" if self.verdict.state else ""
        return f"{self.command} {self.point}{where}{state}: " + "; ".join(self.verdict.problems)


def prepare_trial(command: Command, template: Path, trial: Path) -> str | None:
    """Copy the command's start state into ``trial``; return the old HEAD of the checked folder.

    A study with a remote is pointed at the copy's own remote, never the template's.
    """
    copy_tree(template, trial)
    study = trial / "study"
    if (study / ".git").exists() and git(study, "remote").strip():
        remote = trial / "remote.git"
        assert remote.is_dir(), f"{template} has a remote outside it"
        git(study, "remote", "set-url", "origin", str(remote))
    return head_of(trial / command.study_dir)


def kill_trial(
    command: Command, template: Path, trial: Path, reference: Reference, n: int, mode: str
) -> Outcome:
    """Kill ``command`` at its ``n``th git call (``mode`` before/after) and check the study."""
    old = prepare_trial(command, template, trial)
    run = run_tool(
        trial, command.argv(trial), actor=command.actor, cwd=command.cwd, stdin=command.stdin,
        kill_at=n, mode=mode,
    )  # fmt: skip
    call = run.git_calls[n - 1].split("\t", 1)[-1] if len(run.git_calls) >= n else ""
    verdict = check_after_kill(command, trial, old, reference)
    return Outcome(command.key, f"N={n} {mode}", run.killed, verdict, _short(call))


def timed_trial(
    command: Command, template: Path, trial: Path, reference: Reference, delay: float
) -> Outcome:
    """Kill ``command`` ``delay`` seconds after it starts and check the study."""
    old = prepare_trial(command, template, trial)
    run = run_tool(
        trial, command.argv(trial), actor=command.actor, cwd=command.cwd, stdin=command.stdin,
        kill_after=delay,
    )  # fmt: skip
    last = run.git_calls[-1].split("\t", 1)[-1] if run.git_calls and run.killed else ""
    verdict = check_after_kill(command, trial, old, reference)
    point = f"t={delay:.3f}s (after {len(run.git_calls)} git calls)"
    return Outcome(command.key, point, run.killed, verdict, _short(last))


def write_trial(command: Command, template: Path, trial: Path, reference: Reference) -> Outcome:
    """Kill ``command`` while it writes its first file (its temporary file exists) and check."""
    old = prepare_trial(command, template, trial)
    root = trial / command.study_dir
    folders = {root / Path(line.split("\t", 1)[-1]).parent for line in reference.changed}
    folders |= {trial / "config", trial / "config" / "keys"}
    run = run_tool(
        trial, command.argv(trial), actor=command.actor, cwd=command.cwd, stdin=command.stdin,
        kill_on_temp=sorted(folders),
    )  # fmt: skip
    verdict = check_after_kill(command, trial, old, reference)
    point = f"writing a file (after {len(run.git_calls)} git calls)"
    return Outcome(command.key, point, run.killed, verdict)


def _short(call: str, width: int = 70) -> str:
    return call if len(call) <= width else call[: width - 3] + "..."


# -- start states ----------------------------------------------------------------------------
class Templates:
    """Start states, made once (per test process) under ``base``: the example, and each
    command's prepared copy of it. Trials copy them."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.example: Path | None = None
        self.prepared: dict[str, Path] = {}

    def for_command(self, command: Command) -> Path:
        """The folder a trial of ``command`` starts from (``study/``, ``config/``...)."""
        if self.example is None:
            self.example = build_example(self.base / "example")
        if command.prepare is None:
            return self.example
        name = command.prepare.__name__
        if name not in self.prepared:
            folder = self.base / f"prepared-{name}"
            shutil.rmtree(folder, ignore_errors=True)  # a failed earlier try
            copy_tree(self.example, folder)
            command.prepare(folder)
            self.prepared[name] = folder
        return self.prepared[name]


def build_example(folder: Path) -> Path:
    """``prosper-coop init study --example prosper`` in ``folder``, with its own keys folder."""
    shutil.rmtree(folder, ignore_errors=True)  # a failed earlier try
    (folder / "home").mkdir(parents=True)
    run = run_tool(folder, ["init", "study", "--example", "prosper", "--quiet"], cwd=".")
    assert run.returncode == 0, f"the example study could not be made: {run.stderr}"
    return folder
