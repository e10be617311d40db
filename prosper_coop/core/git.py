"""Git operations for a study, through gitpython (imported only when needed).

All commits are made with git's own commands (``repo.git``), which are much
faster than gitpython's index API on large studies, with the acting person's
study ID as author and committer, so no global git identity is needed.

The usual commit of a write command (only its own files staged) is made with
git's plumbing (``write-tree``, ``commit-tree``, ``update-ref``), which is about
half the cost of ``git commit -- PATHS`` (that builds a temporary index) and
gives the same commit, branch move and reflog entry. Anything unusual falls
back to ``git commit``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from prosper_coop.core.errors import GitError
from prosper_coop.core.fsutil import atomic_write_text

if TYPE_CHECKING:
    import git

EMAIL_DOMAIN = "prosper-coop.invalid"
MANY_PATHS = 200
# States in which ``git commit -- PATHS`` refuses or behaves specially ("cannot do a
# partial commit during a merge"): plumbing must not commit past them.
OPERATION_HEADS = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD")
# Hooks that ``git commit --no-verify`` still runs; plumbing would skip them.
COMMIT_HOOKS = ("prepare-commit-msg", "post-commit")
# ``git commit`` lets git pack loose objects once one of the 256 object folders holds
# more than (gc.auto + 255) // 256 of them; gc.auto is 6700 unless configured.
AUTO_GC_SAMPLE_LIMIT = (6700 + 255) // 256


def identity_env(person_id: str) -> dict[str, str]:
    """Environment that makes ``person_id`` the author and committer."""
    email = f"{person_id}@{EMAIL_DOMAIN}"
    return {
        "GIT_AUTHOR_NAME": person_id,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": person_id,
        "GIT_COMMITTER_EMAIL": email,
    }


@dataclass(frozen=True)
class Status:
    """What ``git status`` says: uncommitted paths and the commit HEAD points at."""

    changed: dict[str, str]  # path -> two-letter code, as in ``git status --short``
    head: str | None  # None before the first commit


@dataclass(frozen=True)
class Commit:
    """One entry of the audit trail."""

    sha: str
    author: str
    date: str
    subject: str
    files: tuple[str, ...] = ()


class StudyRepo:
    """The git repository behind a study."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._repo: git.Repo | None = None

    @property
    def repo(self) -> git.Repo:
        """The gitpython repository (opened on first use)."""
        if self._repo is None:
            import git

            try:
                self._repo = git.Repo(self.root)
            except (git.InvalidGitRepositoryError, git.NoSuchPathError):
                raise GitError(
                    f"{self.root} is not a git repository",
                    "A study is made with: prosper-coop init DIR",
                ) from None
        return self._repo

    def run(self, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
        """Run ``git ARGS`` in the study; raise :class:`GitError` on failure.

        A plain subprocess (not gitpython) so that commands which only commit do
        not pay for importing gitpython (tens of milliseconds on every ``task done``).
        """
        import subprocess

        if not (self.root / ".git").exists():
            raise GitError(
                f"{self.root} is not a git repository",
                "A study is made with: prosper-coop init DIR",
            )
        full_env = {**os.environ, "LANGUAGE": "C", "LC_ALL": "C", **(env or {})}
        try:
            done = subprocess.run(
                [_git_program(), *args],
                cwd=self.root,
                env=full_env,
                input=stdin.encode("utf-8") if stdin is not None else None,
                capture_output=True,
                check=False,
            )
        except OSError as exc:
            raise GitError(
                f"git could not be run: {exc.strerror}",
                "Install git (https://git-scm.com) and try again. Nothing was changed.",
            ) from None
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", errors="replace").strip()
            raise GitError(
                f"git {args[0]} failed: {detail or done.returncode}",
                "The study was left as it was. Check `git status` in the study folder.",
            )
        return done.stdout.decode("utf-8", errors="surrogateescape")

    @staticmethod
    def init(root: Path) -> StudyRepo:
        """Create a new repository with ``main`` as its branch."""
        import git

        git.Repo.init(root, initial_branch="main")
        return StudyRepo(root)

    def has_head(self) -> bool:
        """Whether the repository has at least one commit."""
        return self._head() is not None

    def changed_paths(self, paths: Iterable[str] | None = None) -> dict[str, str]:
        """Paths with uncommitted changes (staged, unstaged or untracked) -> status code."""
        return self.status(paths).changed

    def status(self, paths: Iterable[str] | None = None) -> Status:
        """Uncommitted changes (only among ``paths`` when given) and HEAD's commit.

        Up to :data:`MANY_PATHS` paths are given to git exactly (git then looks at
        those files only); more are narrowed to their top folders. Renames are
        not paired up when paths are given, so both names of a staged rename are
        reported, whichever of them was asked for.
        """
        args = ["status", "--porcelain=v2", "-z", "--untracked-files=all"]
        args += ["--branch", "--no-ahead-behind"]
        wanted = set(paths) if paths is not None else set()
        env = None
        if wanted:
            narrowed = wanted if len(wanted) <= MANY_PATHS else _top_folders(wanted)
            args += ["--no-renames", "--", *sorted(narrowed)]
            env = {"GIT_LITERAL_PATHSPECS": "1"}  # file names are names, not patterns
        output = self.run(*args, env=env)
        changed: dict[str, str] = {}
        head: str | None = None
        entries = output.split("\0")
        index = 0
        while index < len(entries):
            entry = entries[index]
            index += 1
            kind = entry[:1]
            if entry.startswith("# branch.oid "):
                oid = entry.removeprefix("# branch.oid ")
                head = None if oid == "(initial)" else oid
            elif kind == "?":
                changed[entry[2:]] = "??"
            elif kind in ("1", "2", "u"):
                # ordinary, renamed (the old name follows) and unmerged entries
                fields = entry.split(" ", {"1": 8, "2": 9, "u": 10}[kind])
                changed[fields[-1]] = fields[1].replace(".", " ")
                if kind == "2":
                    index += 1
        if wanted:
            changed = {name: code for name, code in changed.items() if name in wanted}
        return Status(changed, head)

    def add(self, paths: Sequence[str]) -> None:
        """Stage ``paths`` (new, changed or deleted, even if already removed with git rm)."""
        present = [path for path in paths if (self.root / path).exists()]
        gone = [path for path in paths if not (self.root / path).exists()]
        if present:
            self._with_paths(["add", "-A"], present)
        if gone:
            self._with_paths(["rm", "-q", "--cached", "--ignore-unmatch"], gone)

    def unstage(self, paths: Sequence[str]) -> None:
        """Undo staging of ``paths`` (back to HEAD's version in the index)."""
        if not paths:
            return
        if self.has_head():
            self._with_paths(["reset", "-q"], paths)
        else:
            self._with_paths(["rm", "-q", "--cached", "--ignore-unmatch"], paths)

    def commit(
        self,
        message: str,
        author: str,
        paths: Sequence[str] | None = None,
        *,
        head: str | None = None,
    ) -> str:
        """Commit (only ``paths`` when given) as ``author``; return the new sha.

        ``head`` is HEAD's commit when the caller already read it under the study
        lock (it saves asking git again); if HEAD has moved since, nothing is
        committed and :class:`GitError` is raised.
        """
        if paths:
            made = self._commit_staged_paths(message, author, paths, head)
            if made is not None:
                return made
        args = ["commit", "--no-verify", "-q", "-m", message]
        env = identity_env(author)
        if paths is None:
            self.run(*args, env=env)
        else:
            self._with_paths(args, paths, env=env)
        return self.run("rev-parse", "HEAD").strip()

    def _commit_staged_paths(
        self, message: str, author: str, paths: Sequence[str], head: str | None
    ) -> str | None:
        """Commit the index with plumbing when it differs from HEAD only in ``paths``.

        That commit is the one ``git commit -- PATHS`` would make (same tree, parent,
        author, committer and message; the branch moves with the same reflog entry).
        Returns ``None``, having changed nothing, when ``git commit`` must do it:
        no commit yet, other staged changes, a merge or cherry-pick under way, a
        hook ``--no-verify`` does not skip, a message git would tidy, or nothing to
        commit.
        """
        git_dir = self.root / ".git"
        if (
            not message.isprintable()
            or message != message.rstrip()
            or not git_dir.is_dir()
            or any((git_dir / name).exists() for name in OPERATION_HEADS)
            or any(os.access(git_dir / "hooks" / name, os.X_OK) for name in COMMIT_HOOKS)
        ):
            return None
        parent = head or self._head()
        if parent is None:
            return None
        staged = self.run("diff-index", "--cached", "--name-only", "-z", parent, "--")
        differing = {name for name in staged.split("\0") if name}
        if not differing or not differing <= set(paths):
            return None
        env = identity_env(author)
        tree = self.run("write-tree").strip()
        made = self.run("commit-tree", tree, "-p", parent, "-m", message, env=env).strip()
        # With the old value, update-ref refuses if HEAD moved since it was read.
        self.run("update-ref", "-m", f"commit: {message}", "HEAD", made, parent, env=env)
        self._pack_if_many_loose_objects()
        return made

    def _head(self) -> str | None:
        """HEAD's commit, or ``None`` before the first commit."""
        try:
            return self.run("rev-parse", "--verify", "-q", "HEAD^{commit}").strip()
        except GitError:
            return None

    def _pack_if_many_loose_objects(self) -> None:
        """Let git pack loose objects when there are many, as ``git commit`` does.

        Counts one object folder the way git's own check does, so git is asked
        (``maintenance run --auto``, which applies the configured limits) only
        when it might have something to do.
        """
        try:
            loose = sum(len(p.name) == 38 for p in (self.root / ".git/objects/17").iterdir())
        except OSError:
            return
        if loose > AUTO_GC_SAMPLE_LIMIT:
            # The commit is made: like git commit, never fail it for housekeeping.
            with contextlib.suppress(GitError):
                self.run("maintenance", "run", "--auto", "--quiet")

    def _with_paths(
        self, args: list[str], paths: Sequence[str], env: dict[str, str] | None = None
    ) -> None:
        # File names are names, not patterns: "T-[1].yaml" must not match "T-1.yaml".
        literal = {**(env or {}), "GIT_LITERAL_PATHSPECS": "1"}
        if len(paths) > MANY_PATHS:
            self.run(*args, "--pathspec-from-file=-", env=literal, stdin="\n".join(paths) + "\n")
        else:
            self.run(*args, "--", *paths, env=literal)

    def staged_paths(self) -> list[str]:
        """Paths added or modified in the index (not deletions)."""
        output = self.run("diff", "--cached", "--name-only", "--diff-filter=ACMR", "-z")
        return [name for name in output.split("\0") if name]

    def staged_bytes(self, path: str) -> bytes:
        """The staged content of ``path``."""
        data: bytes = self.repo.git.execute(["git", "show", f":{path}"], stdout_as_string=False)
        return data

    def log(
        self,
        *,
        since: str | None = None,
        paths: Sequence[str] = (),
        limit: int | None = None,
        with_files: bool = False,
    ) -> list[Commit]:
        """Commits, newest first."""
        if not self.has_head():
            return []
        args = ["log", "--format=%x1e%H%x1f%an%x1f%aI%x1f%s"]
        if with_files:
            args.append("--name-only")
        if since:
            args.append(f"--since={since}")
        if limit:
            args.append(f"-n{limit}")
        if paths:
            args += ["--", *paths]
        output = self.run(*args)
        commits = []
        for chunk in output.split("\x1e"):
            if not chunk.strip():
                continue
            header, _, rest = chunk.partition("\n")
            sha, author, date, subject = header.split("\x1f", 3)
            files = tuple(line for line in rest.splitlines() if line.strip())
            commits.append(Commit(sha, author, date, subject, files))
        return commits


def _top_folders(paths: Iterable[str]) -> set[str]:
    """The first path component of each path (to keep pathspec lists short)."""
    return {path.split("/", 1)[0] for path in paths}


def _git_program() -> str:
    """The git program (``GIT_PYTHON_GIT_EXECUTABLE`` is honoured, as gitpython does)."""
    return os.environ.get("GIT_PYTHON_GIT_EXECUTABLE") or "git"


def hooks_dir(root: Path) -> Path:
    """The study's git hooks folder."""
    return root / ".git" / "hooks"


def git_available() -> bool:
    """Whether the ``git`` program can be found."""
    from shutil import which

    return which("git") is not None or bool(os.environ.get("GIT_PYTHON_GIT_EXECUTABLE"))


HOOK = """\
#!/bin/sh
# Installed by prosper-coop: checks hand-made commits (valid records, and no
# plaintext sensitive data) before git records them.
PYTHON="{python}"
if [ -x "$PYTHON" ]; then
    exec "$PYTHON" -m prosper_coop doctor --staged
elif command -v prosper-coop >/dev/null 2>&1; then
    exec prosper-coop doctor --staged
else
    echo "prosper-coop is not installed here, so this commit cannot be checked." >&2
    echo "Install it (pip install prosper-coop) or commit with the tool: prosper-coop save" >&2
    exit 1
fi
"""


def install_hook(root: Path) -> Path:
    """Install (or refresh) the pre-commit hook that runs ``doctor --staged``."""
    hook = root / ".git" / "hooks" / "pre-commit"
    atomic_write_text(hook, HOOK.format(python=sys.executable))
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return hook
