"""Git operations for a study, through gitpython (imported only when needed).

All commits are made with git's own commands (``repo.git``), which are much
faster than gitpython's index API on large studies, with the acting person's
study ID as author and committer, so no global git identity is needed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from prosper_coop.errors import GitError

if TYPE_CHECKING:
    import git

EMAIL_DOMAIN = "prosper-coop.invalid"
MANY_PATHS = 200


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
        try:
            self.run("rev-parse", "--verify", "-q", "HEAD")
        except GitError:
            return False
        return True

    def changed_paths(self, paths: Iterable[str] | None = None) -> dict[str, str]:
        """Paths with uncommitted changes (staged, unstaged or untracked) -> status code."""
        args = ["status", "--porcelain=v1", "-z", "--untracked-files=all"]
        path_list = list(paths) if paths is not None else []
        if path_list:
            args += ["--", *sorted(_top_folders(path_list))]
        output = self.run(*args)
        changed: dict[str, str] = {}
        entries = output.split("\0")
        index = 0
        while index < len(entries):
            entry = entries[index]
            index += 1
            if len(entry) < 4:
                continue
            code, name = entry[:2], entry[3:]
            if code[0] in "RC":  # renames carry the old name as the next entry
                index += 1
            changed[name] = code
        if path_list:
            wanted = set(path_list)
            changed = {name: code for name, code in changed.items() if name in wanted}
        return changed

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

    def commit(self, message: str, author: str, paths: Sequence[str] | None = None) -> str:
        """Commit (only ``paths`` when given) as ``author``; return the new sha."""
        args = ["commit", "--no-verify", "-q", "-m", message]
        env = identity_env(author)
        if paths is None:
            self.run(*args, env=env)
        else:
            self._with_paths(args, paths, env=env)
        return self.run("rev-parse", "HEAD").strip()

    def _with_paths(
        self, args: list[str], paths: Sequence[str], env: dict[str, str] | None = None
    ) -> None:
        if len(paths) > MANY_PATHS:
            self.run(*args, "--pathspec-from-file=-", env=env, stdin="\n".join(paths) + "\n")
        else:
            self.run(*args, "--", *paths, env=env)

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
