"""Every git call of prosper-coop: the git command line, and gitpython where speed does not matter.

**The git command line** runs nearly everything: status, staging, commits, the
audit log, and every step of ``sync`` and ``clone`` (fetch, merge, push,
ls-remote, rev-parse...), each a short ``git`` process (:func:`_git`). Starting
one costs a few milliseconds, importing gitpython about 70, and a write command
such as ``task done`` needs only a handful of git calls. Commits are made as the
acting person (:func:`identity_env`), so no global git identity is needed. The
usual commit of a write command (only its own files staged) is made with git's
plumbing (``write-tree``, ``commit-tree``, ``update-ref``), about half the cost
of ``git commit -- PATHS`` (which builds a temporary index) for the same commit,
branch move and reflog entry; anything unusual falls back to ``git commit``.

**gitpython** (imported only inside :meth:`StudyRepo.init` and
:attr:`StudyRepo.repo`) is kept for two rare calls whose start-up cost does not
matter: creating a repository (:meth:`StudyRepo.init`, once per study) and
reading staged files as bytes for the pre-commit check, ``doctor --staged``
(:meth:`StudyRepo.staged_bytes`).

**The quick no-op ``sync`` check** (:mod:`prosper_coop.sync.quick`) starts its two
git commands in the background with ``os.posix_spawnp`` (:func:`start_status`,
:func:`start_ls_remote`) and reads refs itself meanwhile. For its sake this
module imports only ``os``, ``stat`` and ``sys`` when loaded (not ``subprocess``,
``dataclasses``, ``typing`` or the project's errors, which together would cost
more than the check's git commands); everything else is imported inside the
function that needs it.

Every git run gets the C locale, so the messages some callers read are in
English, and uses ``GIT_PYTHON_GIT_EXECUTABLE`` as the program when it is set
(as gitpython does). Failures become :class:`~prosper_coop.core.errors.GitError`.
"""

from __future__ import annotations

import os
import stat
import sys

# typing.TYPE_CHECKING without importing typing (see the module docstring).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    import git

    from prosper_coop.core.errors import GitError

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
C_LOCALE = {"LANGUAGE": "C", "LC_ALL": "C"}
REMOTE_CHECK_SECONDS = 60
CLONE_SECONDS = 600
NOT_A_REPOSITORY_HINT = "A study is made with: prosper-coop init DIR"
UNCHANGED_HINT = "The study was left as it was. Check `git status` in the study folder."


def identity_env(person_id: str) -> dict[str, str]:
    """Environment that makes ``person_id`` the author and committer."""
    email = f"{person_id}@{EMAIL_DOMAIN}"
    return {
        "GIT_AUTHOR_NAME": person_id,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": person_id,
        "GIT_COMMITTER_EMAIL": email,
    }


def signing_env(key: Path | None) -> dict[str, str]:
    """Environment that makes git sign with the SSH key at ``key`` (git's own SSH signing).

    Given as ``GIT_CONFIG_*`` variables, so nothing is written to the study's git
    config; ``None`` signs nothing.
    """
    if key is None:
        return {}
    return {
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": "gpg.format",
        "GIT_CONFIG_VALUE_0": "ssh",
        "GIT_CONFIG_KEY_1": "user.signingKey",
        "GIT_CONFIG_VALUE_1": str(key),
    }


def git_reason(stderr: str) -> str:
    """The line of git's error output that says what went wrong (its first ``fatal:``)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                return line.removeprefix(prefix)
    return lines[-1] if lines else ""


# Plain classes, not dataclasses: importing dataclasses would slow the quick sync
# check down (see the module docstring).
class Status:
    """What ``git status`` says: uncommitted paths and the commit HEAD points at."""

    __slots__ = ("changed", "head")

    def __init__(self, changed: dict[str, str], head: str | None) -> None:
        self.changed = changed  # path -> two-letter code, as in ``git status --short``
        self.head = head  # None before the first commit


class Commit:
    """One entry of the audit trail."""

    __slots__ = ("author", "date", "files", "sha", "subject")

    def __init__(
        self, sha: str, author: str, date: str, subject: str, files: tuple[str, ...] = ()
    ) -> None:
        self.sha = sha
        self.author = author
        self.date = date
        self.subject = subject
        self.files = files


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
                raise _error(
                    f"{self.root} is not a git repository", NOT_A_REPOSITORY_HINT
                ) from None
        return self._repo

    def _run(self, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
        """Run ``git ARGS`` in the study; raise :class:`GitError` on failure.

        A plain subprocess (not gitpython) so that commands which only commit do
        not pay for importing gitpython (tens of milliseconds on every ``task done``).
        """
        if not (self.root / ".git").exists():
            raise _error(f"{self.root} is not a git repository", NOT_A_REPOSITORY_HINT)
        data = stdin.encode("utf-8") if stdin is not None else None
        done = _git(args, cwd=self.root, env=env, stdin=data)
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", errors="replace").strip()
            raise _error(f"git {args[0]} failed: {detail or done.returncode}", UNCHANGED_HINT)
        return _text(done.stdout)

    @staticmethod
    def init(root: Path) -> StudyRepo:
        """Create a new repository with ``main`` as its branch."""
        import git

        git.Repo.init(root, initial_branch="main")
        return StudyRepo(root)

    def has_head(self) -> bool:
        """Whether the repository has at least one commit."""
        return self.commit_id("HEAD") is not None

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
        # A reader never takes git's optional index lock, so a stopped one leaves none.
        output = self._run(*args, env={**(env or {}), "GIT_OPTIONAL_LOCKS": "0"})
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
        signing_key: Path | None = None,
    ) -> str:
        """Commit (only ``paths`` when given) as ``author``; return the new sha.

        ``head`` is HEAD's commit when the caller already read it under the study
        lock (it saves asking git again); if HEAD has moved since, nothing is
        committed and :class:`GitError` is raised. With ``signing_key`` (the path of
        the author's private SSH key) git signs the commit.
        """
        if paths:
            made = self._commit_staged_paths(message, author, paths, head, signing_key)
            if made is not None:
                return made
        args = ["commit", "--no-verify", "-q", "-m", message]
        if signing_key is not None:
            args.insert(1, "-S")
        env = {**identity_env(author), **signing_env(signing_key)}
        if paths is None:
            self._run(*args, env=env)
        else:
            self._with_paths(args, paths, env=env)
        return self._run("rev-parse", "HEAD").strip()

    def _commit_staged_paths(
        self,
        message: str,
        author: str,
        paths: Sequence[str],
        head: str | None,
        signing_key: Path | None = None,
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
        parent = head or self.commit_id("HEAD")
        if parent is None:
            return None
        staged = self._run("diff-index", "--cached", "--name-only", "-z", parent, "--")
        differing = {name for name in staged.split("\0") if name}
        if not differing or not differing <= set(paths):
            return None
        env = {**identity_env(author), **signing_env(signing_key)}
        tree = self._run("write-tree").strip()
        sign = ["-S"] if signing_key is not None else []
        made = self._run("commit-tree", *sign, tree, "-p", parent, "-m", message, env=env).strip()
        # With the old value, update-ref refuses if HEAD moved since it was read.
        self._run("update-ref", "-m", f"commit: {message}", "HEAD", made, parent, env=env)
        self._pack_if_many_loose_objects()
        return made

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
            import contextlib

            from prosper_coop.core.errors import GitError

            # The commit is made: like git commit, never fail it for housekeeping.
            with contextlib.suppress(GitError):
                self._run("maintenance", "run", "--auto", "--quiet")

    def _with_paths(
        self, args: list[str], paths: Sequence[str], env: dict[str, str] | None = None
    ) -> None:
        # File names are names, not patterns: "T-[1].yaml" must not match "T-1.yaml".
        literal = {**(env or {}), "GIT_LITERAL_PATHSPECS": "1"}
        if len(paths) > MANY_PATHS:
            self._run(*args, "--pathspec-from-file=-", env=literal, stdin="\n".join(paths) + "\n")
        else:
            self._run(*args, "--", *paths, env=literal)

    def staged_paths(self) -> list[str]:
        """Paths added or modified in the index (not deletions)."""
        output = self._run("diff", "--cached", "--name-only", "--diff-filter=ACMR", "-z")
        return [name for name in output.split("\0") if name]

    def staged_modes(self) -> dict[str, str]:
        """Path -> git mode (``100644``, ``120000`` for a link...) of each staged file.

        Files added, modified or changed in type (a file made a link); not deletions.
        """
        output = self._run("diff", "--cached", "--raw", "-z", "--no-renames", "--diff-filter=ACMT")
        fields = output.split("\0")
        modes: dict[str, str] = {}
        for meta, path in zip(fields[0::2], fields[1::2], strict=False):
            if meta.startswith(":") and path:
                modes[path] = meta[1:].split(" ")[1]
        return modes

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
        output = self._run(*args)
        commits = []
        for chunk in output.split("\x1e"):
            if not chunk.strip():
                continue
            header, _, rest = chunk.partition("\n")
            sha, author, date, subject = header.split("\x1f", 3)
            files = tuple(line for line in rest.splitlines() if line.strip())
            commits.append(Commit(sha, author, date, subject, files))
        return commits

    # -- reading commits and trees -------------------------------------------------------
    def commit_id(self, ref: str) -> str | None:
        """The commit ``ref`` names (a branch, ``HEAD``, a sha), or ``None`` if it names none."""
        from prosper_coop.core.errors import GitError

        try:
            return self._run("rev-parse", "--verify", "-q", f"{ref}^{{commit}}").strip() or None
        except GitError:
            return None

    def head_commit(self) -> str | None:
        """HEAD's commit, read from ``.git`` directly when it is a plain branch (no git run).

        Anything unusual (a detached HEAD, a packed or symbolic ref, a linked work tree)
        is left to :meth:`commit_id`, which asks git.
        """
        git_dir = self.root / ".git"
        try:
            head = (git_dir / "HEAD").read_text("ascii").strip()
            if head.startswith("ref: refs/heads/"):
                sha = (git_dir / head[5:]).read_text("ascii").strip()
                if len(sha) == 40 and all(c in "0123456789abcdef" for c in sha):
                    return sha
        except (OSError, UnicodeDecodeError):
            pass
        return self.commit_id("HEAD")

    def object_ids(self, *names: str) -> list[str]:
        """The object ids of ``names`` such as ``COMMIT:PATH`` (``git rev-parse``)."""
        return self._run("rev-parse", *names).split()

    def head_parents(self) -> list[str]:
        """The parents of HEAD (none for the first commit, two for a merge)."""
        return self._run("log", "-1", "--format=%P").split()

    def commits_before(self, commit: str, paths: Sequence[str]) -> list[str]:
        """Commits up to and including ``commit`` that touched any of ``paths``."""
        return self._run("log", "--format=%H", commit, "--", *paths).split()

    def stage_everything(self) -> None:
        """Stage every file in the work tree (a new study's first commit)."""
        self._run("add", "-A")

    def remote_names(self) -> list[str]:
        """The names of the remotes (``origin`` for a study that syncs)."""
        return self._run("remote").split()

    def current_branch(self) -> str | None:
        """The branch HEAD is on, or ``None`` in 'detached HEAD' state."""
        done = _git(["symbolic-ref", "--short", "-q", "HEAD"], cwd=self.root)
        return _text(done.stdout).strip() or None

    def merge_base(self, one: str, other: str) -> str | None:
        """The best common ancestor of two commits, or ``None`` when they share no history."""
        done = _git(["merge-base", one, other], cwd=self.root)
        return _text(done.stdout).strip() or None

    def is_ancestor(self, older: str, newer: str) -> bool:
        """Whether commit ``older`` is in the history of commit ``newer``."""
        return _git(["merge-base", "--is-ancestor", older, newer], cwd=self.root).returncode == 0

    def files_changed(self, old: str, new: str) -> list[tuple[str, str]]:
        """(status letter, path) of each file that differs between two commits (no renames)."""
        output = self._run("diff", "--name-status", "--no-renames", "-z", old, new)
        parts = [part for part in output.split("\0") if part]
        return list(zip(parts[0::2], parts[1::2], strict=False))

    def files_added(self, old: str, new: str) -> set[str]:
        """Paths added between two commits (a rename counts as an addition)."""
        output = self._run("diff", "--name-only", "--no-renames", "--diff-filter=A", "-z", old, new)
        return {path for path in output.split("\0") if path}

    def file_text(self, commit: str, path: str) -> str:
        """The text of ``path`` as committed in ``commit``."""
        return self._run("show", f"{commit}:{path}")

    def files_in_tree(self, commit: str, folder: str) -> list[str]:
        """Every file path under ``folder`` in ``commit``."""
        output = self._run("ls-tree", "-r", "--name-only", "-z", commit, "--", folder)
        return [name for name in output.split("\0") if name]

    def tracked_files(self, pattern: str) -> list[str]:
        """Committed or staged paths that match the glob ``pattern`` (``git ls-files``)."""
        output = self._run("ls-files", "-z", "--", pattern)
        return [path for path in output.split("\0") if path]

    # -- remotes ---------------------------------------------------------------------------
    def config_value(self, key: str) -> str | None:
        """The value of ``key`` in the git config, or ``None`` when it is not set."""
        done = _git(["config", "--get", key], cwd=self.root)
        return _text(done.stdout).strip() or None

    def set_config(self, key: str, value: str) -> None:
        """Set ``key`` to ``value`` in this repository's own git config (``.git/config``)."""
        self._run("config", key, value)

    def add_remote(self, name: str, url: str) -> None:
        """Add the remote ``name`` at ``url``."""
        self._run("remote", "add", name, url)

    def set_remote_url(self, name: str, url: str) -> None:
        """Point the existing remote ``name`` at ``url``."""
        self._run("remote", "set-url", name, url)

    def remote_reachable(self, url: str) -> tuple[bool, str]:
        """Whether the repository at ``url`` answers (``git ls-remote``), and git's reason if not.

        Waits at most :data:`REMOTE_CHECK_SECONDS` (then ``subprocess.TimeoutExpired``).
        """
        done = _git(["ls-remote", "--heads", url], cwd=self.root, timeout=REMOTE_CHECK_SECONDS)
        stderr = done.stderr.decode("utf-8", errors="replace")
        detail = git_reason(stderr) if done.returncode and stderr else ""
        return done.returncode == 0, detail

    def remote_branches(self, remote: str) -> list[str]:
        """The branches of ``remote`` as last fetched (not its ``HEAD`` pointer)."""
        refs = f"refs/remotes/{remote}/"
        done = _git(["for-each-ref", "--format=%(refname:strip=3)", refs], cwd=self.root)
        return [name for name in _text(done.stdout).split() if name != "HEAD"]

    def fetch(self, remote: str, refspec: str) -> None:
        """Fetch ``refspec`` from ``remote``, without tags."""
        self._run("fetch", "--quiet", "--no-tags", remote, refspec)

    def push(self, remote: str, refspec: str) -> None:
        """Push ``refspec`` to ``remote``."""
        self._run("push", "--quiet", remote, refspec)

    def check_out_tracking(self, remote: str, branch: str) -> None:
        """Check out ``branch`` as a copy of ``remote``'s, tracking it (best effort)."""
        _git(["checkout", "-q", "-B", branch, "--track", f"{remote}/{branch}"], cwd=self.root)

    # -- merging ---------------------------------------------------------------------------
    def fast_forward(self, commit: str) -> None:
        """Move the branch forward to ``commit``, which must contain it."""
        self._run("merge", "--ff-only", "-q", commit)

    def merge_without_commit(self, commit: str, env: dict[str, str]) -> None:
        """Merge ``commit`` into the work tree and index, leaving the merge commit to make.

        Always a real merge (``--no-ff``), renames not followed; ``env`` is given to
        git and to the merge drivers it runs. Raises :class:`GitError` when git
        reports a problem, which may leave the merge under way (``MERGE_HEAD``).
        """
        self._run("merge", "--no-ff", "--no-commit", "-q", "-X", "no-renames", commit, env=env)

    def unmerged_stages(self) -> dict[str, set[str]]:
        """Path -> index stages (``1`` base, ``2`` ours, ``3`` theirs) of unmerged files."""
        stages: dict[str, set[str]] = {}
        for entry in self._run("ls-files", "-u", "-z").split("\0"):
            if entry:
                meta, _, path = entry.partition("\t")
                stages.setdefault(path, set()).add(meta.split()[-1])
        return stages

    def abort_merge(self) -> None:
        """Undo the merge under way, back to the state before it."""
        self._run("merge", "--abort")

    def reset_hard(self) -> None:
        """Put the work tree and index back to HEAD's commit (tracked files only)."""
        self._run("reset", "-q", "--hard", "HEAD")

    # -- recovering from a stopped command (prosper_coop.core.journal) ---------------------
    def save_blobs(self, paths: Sequence[str]) -> list[str]:
        """Store the work-tree files ``paths`` in git's object store, as they are; their ids.

        Nothing is staged or committed: the objects only keep a copy that a stopped
        command's recovery can put back.
        """
        if not paths:
            return []
        return self._run("hash-object", "-w", "--no-filters", "--", *paths).split()

    def blobs_in(self, commit: str, paths: Sequence[str]) -> dict[str, str]:
        """Path -> blob id of each of ``paths`` that ``commit`` holds as a file."""
        found: dict[str, str] = {}
        for start in range(0, len(paths), MANY_PATHS):
            chunk = paths[start : start + MANY_PATHS]
            output = self._run(
                "ls-tree", "-z", commit, "--", *chunk, env={"GIT_LITERAL_PATHSPECS": "1"}
            )
            for entry in output.split("\0"):
                if not entry:
                    continue
                meta, _, path = entry.partition("\t")
                mode, kind, sha = meta.split()
                if kind == "blob" and mode != "120000":
                    found[path] = sha
        return found

    def blob_bytes(self, sha: str) -> bytes:
        """The content of the blob ``sha``."""
        done = _git(["cat-file", "blob", sha], cwd=self.root)
        if done.returncode != 0:
            raise _error(f"git cat-file failed: {_text(done.stderr).strip()}", UNCHANGED_HINT)
        return done.stdout

    def subject_and_parents(self, commit: str) -> tuple[str, list[str]]:
        """The first line of ``commit``'s message, and its parents."""
        output = self._run("log", "-1", "--format=%P%n%s", commit, "--")
        parents, _, subject = output.partition("\n")
        return subject.rstrip("\n"), parents.split()

    # -- reading files as committed, never through the work tree -------------------------
    def tree_files(self, commit: str, paths: Sequence[str]) -> list[tuple[str, str, int, str]]:
        """(mode, object id, size, path) of every entry under ``paths`` in ``commit``.

        Reads git's tree, not the work tree, so a symbolic link is reported as one
        (mode ``120000``) and never followed; the caller decides what to refuse.
        Sub-folders are listed file by file; ``size`` is -1 for entries that are not
        files (a submodule). Paths that ``commit`` does not hold are left out.
        """
        if not paths:
            return []
        output = self._run(
            "ls-tree", "-r", "-l", "-z", commit, "--", *paths, env={"GIT_LITERAL_PATHSPECS": "1"}
        )
        entries: list[tuple[str, str, int, str]] = []
        for entry in output.split("\0"):
            if not entry:
                continue
            meta, _, path = entry.partition("\t")
            mode, _kind, sha, size = meta.split()
            entries.append((mode, sha, int(size) if size.isdigit() else -1, path))
        return entries

    def read_blobs(self, shas: Sequence[str]) -> dict[str, bytes]:
        """The content of each blob in ``shas``, read in one ``git cat-file --batch``."""
        return self._read_objects(shas, b"blob")

    def read_commits(self, shas: Sequence[str]) -> dict[str, bytes]:
        """Each commit object in ``shas`` as git stores it (signature included), in one batch."""
        return self._read_objects(shas, b"commit")

    def raw_log(self, *args: str) -> bytes:
        """``git log ARGS`` as raw bytes (for formats with NUL separators)."""
        done = _git(["log", *args], cwd=self.root)
        if done.returncode != 0:
            raise _error(f"git log failed: {_text(done.stderr).strip()}", UNCHANGED_HINT)
        return done.stdout

    def file_bytes_or_none(self, commit: str, path: str) -> bytes | None:
        """``path`` as committed in ``commit``, or None when it has no such file."""
        done = _git(["cat-file", "blob", f"{commit}:{path}"], cwd=self.root)
        return done.stdout if done.returncode == 0 else None

    def _read_objects(self, shas: Sequence[str], kind: bytes) -> dict[str, bytes]:
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        listing = "".join(f"{sha}\n" for sha in wanted).encode()
        done = _git(["cat-file", "--batch"], cwd=self.root, stdin=listing)
        if done.returncode != 0:
            raise _error(f"git cat-file failed: {_text(done.stderr).strip()}", UNCHANGED_HINT)
        data = done.stdout
        found: dict[str, bytes] = {}
        position = 0
        for sha in wanted:
            end = data.index(b"\n", position)
            header = data[position:end].split()
            if len(header) != 3 or header[1] != kind:
                raise _error(f"git has no file {sha[:12]}", UNCHANGED_HINT)
            size = int(header[2])
            found[sha] = data[end + 1 : end + 1 + size]
            position = end + 1 + size + 1
        return found

    # -- for sync ----------------------------------------------------------------------------
    def last_change_time(self, commit: str, path: str) -> int:
        """When ``path`` last changed up to ``commit`` (committer time, seconds; 0 if never)."""
        stamp = self._run("log", "-1", "--format=%ct", commit, "--", path).strip()
        return int(stamp) if stamp.isdigit() else 0


def clone(url: str, target: Path) -> None:
    """Clone the repository at ``url`` into ``target``; :class:`GitError` if git cannot.

    The error message is ``git clone failed: REASON``. Waits at most
    :data:`CLONE_SECONDS` (then ``subprocess.TimeoutExpired``).
    """
    done = _git(["clone", "--quiet", "--", url, str(target)], cwd=None, timeout=CLONE_SECONDS)
    if done.returncode != 0:
        reason = git_reason(done.stderr.decode("utf-8", errors="replace")) or "unknown problem"
        raise _error(f"git clone failed: {reason}", "Check the address, then try again.")


# -- for git's merge drivers, which git runs in the top folder of the work tree -----------
def last_change(commit: str, path: str, fmt: str) -> str:
    """``git log -1 --format=FMT``: the last commit up to ``commit`` that changed ``path``.

    Run in the current folder; ``""`` when git cannot say.
    """
    done = _git(["log", "-1", f"--format={fmt}", commit, "--", path], cwd=None)
    return _text(done.stdout).strip() if done.returncode == 0 else ""


def merge_file(ours: Path, base: Path, theirs: Path) -> bytes | None:
    """git's own line merge of three files; ``None`` when the same lines changed on both sides."""
    done = _git(["merge-file", "-p", "-q", str(ours), str(base), str(theirs)], cwd=None)
    return done.stdout if done.returncode == 0 else None


# -- for the quick no-op sync check: git in the background, without subprocess ------------
class RunningGit:
    """A git command started in the background; :meth:`wait` gives its exit code and output."""

    __slots__ = ("_pid", "_stdout")

    def __init__(self, pid: int, stdout: int) -> None:
        self._pid = pid
        self._stdout = stdout

    def wait(self) -> tuple[int, bytes]:
        """Read all its output, wait for it to end, and return (exit code, output)."""
        chunks = []
        while chunk := os.read(self._stdout, 65536):
            chunks.append(chunk)
        os.close(self._stdout)
        _, status = os.waitpid(self._pid, 0)
        return os.waitstatus_to_exitcode(status), b"".join(chunks)


def can_start_in_background() -> bool:
    """Whether this system can start git in the background (``os.posix_spawnp``)."""
    return hasattr(os, "posix_spawnp")


def start_status(root: str) -> RunningGit:
    """Start ``git status --porcelain -z`` in ``root`` (an untracked folder is one entry)."""
    args = ["--no-optional-locks", "-C", root, "status", "--porcelain", "-z"]
    return _start([*args, "--untracked-files=normal"])


def start_ls_remote(root: str, remote: str, ref: str) -> RunningGit:
    """Start ``git ls-remote`` in ``root``: the commit ``ref`` names on ``remote``."""
    return _start(["-C", root, "ls-remote", remote, ref])


def _start(args: list[str]) -> RunningGit:
    """Start ``git ARGS`` with its output on a pipe and its errors discarded."""
    read_end, write_end = os.pipe()
    actions = [
        (os.POSIX_SPAWN_DUP2, write_end, 1),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_CLOSE, read_end),
    ]
    env = {**os.environ, **C_LOCALE}
    pid = os.posix_spawnp(_git_program(), ["git", *args], env, file_actions=actions)
    os.close(write_end)
    return RunningGit(pid, read_end)


# -- running git -------------------------------------------------------------------------
def _git(
    args: Sequence[str],
    *,
    cwd: Path | None,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git ARGS`` in ``cwd`` (the current folder if ``None``) and return what it did.

    The caller judges the exit code. ``env`` is added to the environment. A git
    that cannot be started raises :class:`GitError`.
    """
    import subprocess

    try:
        return subprocess.run(
            [_git_program(), *args],
            cwd=cwd,
            env={**os.environ, **C_LOCALE, **(env or {})},
            input=stdin,
            capture_output=True,
            check=False,
            timeout=timeout,
        )
    except OSError as exc:
        raise _error(
            f"git could not be run: {exc.strerror}",
            "Install git (https://git-scm.com) and try again. Nothing was changed.",
        ) from None


def _text(output: bytes) -> str:
    return output.decode("utf-8", errors="surrogateescape")


def _error(message: str, hint: str) -> GitError:
    from prosper_coop.core.errors import GitError

    return GitError(message, hint)


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
    from prosper_coop.core.fsutil import atomic_write_text

    hook = root / ".git" / "hooks" / "pre-commit"
    atomic_write_text(hook, HOOK.format(python=sys.executable))
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return hook
