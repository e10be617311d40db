"""StudyRepo against real git: status of chosen paths, and commits made with plumbing.

A write command's commit is made with ``write-tree``/``commit-tree``/``update-ref``
when only its own files are staged, and with ``git commit -- PATHS`` otherwise.
These tests check, through real git output, that the two give the same commit.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from prosper_coop.core.errors import GitError
from prosper_coop.core.git import AUTO_GC_SAMPLE_LIMIT, MANY_PATHS, StudyRepo, identity_env
from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from tests.helpers import git

FIXED_DATES = {
    "GIT_AUTHOR_DATE": "2026-11-26T10:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-11-26T10:00:00+00:00",
}


def make_repo(root: Path) -> StudyRepo:
    """A repository on ``main`` with one commit holding a few files."""
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for rel, text in {
        "tasks/00/T-0001.yaml": "id: T-0001\n",
        "tasks/00/T-0002.yaml": "id: T-0002\n",
        "people/CO-01.yaml": "id: CO-01\n",
        "notes.txt": "notes\n",
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    repo = StudyRepo(root)
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "start", env=identity_env("CO-01"))
    return repo


def git_commands(trace: Path) -> list[str]:
    """The git commands run while ``GIT_TRACE`` wrote to ``trace`` (in order)."""
    commands = []
    for line in trace.read_text().splitlines():
        if "trace: built-in: git " in line:
            commands.append(line.split("trace: built-in: git ", 1)[1].split()[0])
    return commands


@pytest.fixture
def trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Record every git command run from now on (git's own GIT_TRACE)."""
    path = tmp_path / "git-trace.txt"
    path.touch()
    monkeypatch.setenv("GIT_TRACE", str(path))
    return path


def stage_edits(repo: StudyRepo) -> list[str]:
    """Change one file, add one in a new folder, delete one; stage them; return paths."""
    (repo.root / "tasks/00/T-0001.yaml").write_text("id: T-0001\nstatus: done\n")
    (repo.root / "tasks/01").mkdir()
    (repo.root / "tasks/01/T-0100.yaml").write_text("id: T-0100\n")
    (repo.root / "tasks/00/T-0002.yaml").unlink()
    paths = ["tasks/00/T-0001.yaml", "tasks/00/T-0002.yaml", "tasks/01/T-0100.yaml"]
    repo.add(paths)
    return paths


# -- committing ----------------------------------------------------------------------
def test_plumbing_commit_matches_git_commit_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trace: Path
) -> None:
    """Same files, same identity, same fixed time: the same commit, branch and reflog."""
    for name, value in FIXED_DATES.items():
        monkeypatch.setenv(name, value)
    plumbing = make_repo(tmp_path / "plumbing")
    porcelain_root = tmp_path / "porcelain"
    shutil.copytree(plumbing.root, porcelain_root)
    porcelain = StudyRepo(porcelain_root)
    hook = porcelain_root / ".git/hooks/post-commit"  # a hook git commit runs: no plumbing
    hook.write_text("#!/bin/sh\nexit 0\n")
    hook.chmod(0o755)
    message = "task: done T-0001, add T-0100, remove T-0002 (T-0001)"

    made = {}
    for repo in (plumbing, porcelain):
        paths = stage_edits(repo)
        trace.write_text("")
        made[repo.root.name] = repo.commit(message, "CR-02", paths)
        ran = git_commands(trace)
        if repo is plumbing:
            assert ran == ["rev-parse", "diff-index", "write-tree", "commit-tree", "update-ref"]
        else:
            assert "commit" in ran and "commit-tree" not in ran

    assert made["plumbing"] == made["porcelain"]
    for repo in (plumbing, porcelain):
        root = repo.root
        assert git(root, "rev-parse", "HEAD").strip() == made[root.name]
        assert git(root, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
        assert git(root, "log", "-1", "--format=%an <%ae> %cn <%ce> %s") == (
            f"CR-02 <CR-02@prosper-coop.invalid> CR-02 <CR-02@prosper-coop.invalid> {message}\n"
        )
        assert git(root, "show", "--name-status", "--format=", "HEAD").splitlines() == [
            "M\ttasks/00/T-0001.yaml",
            "D\ttasks/00/T-0002.yaml",
            "A\ttasks/01/T-0100.yaml",
        ]
        assert git(root, "status", "--porcelain") == ""
        for ref in ("HEAD", "main"):
            assert git(root, "log", "-g", "-1", "--format=%gs|%gn|%ge", ref) == (
                f"commit: {message}|CR-02|CR-02@prosper-coop.invalid\n"
            )
    for ref in ("HEAD", "refs/heads/main"):
        logs = [(root / ".git/logs" / ref).read_text() for root in (plumbing.root, porcelain_root)]
        assert logs[0] == logs[1]


def test_other_staged_work_stays_staged_and_out_of_the_commit(
    example_study: Study, trace: Path
) -> None:
    tasks = get("task")
    by_hand = example_study.path_of(tasks, "T-0014")
    by_hand.write_text(by_hand.read_text().replace("todo", "doing"))
    git(example_study, "add", example_study.rel(by_hand))
    task = example_study.load(tasks, "T-0003")
    task.title = "Renamed by the tool"
    trace.write_text("")
    with example_study.change("task", "edit T-0003", "T-0003") as change:
        change.save(task)

    ran = git_commands(trace)
    assert "commit" in ran and "commit-tree" not in ran
    assert git(example_study, "show", "--name-only", "--format=", "HEAD").split() == [
        "tasks/00/T-0003.yaml"
    ]
    assert git(example_study, "diff", "--cached", "--name-only").split() == ["tasks/00/T-0014.yaml"]
    assert git(example_study, "log", "-1", "--format=%s").strip() == "task: edit T-0003 (T-0003)"


def test_a_write_command_commits_with_few_git_processes(example_study: Study, trace: Path) -> None:
    """status, add, then plumbing; no rev-parse, no git commit."""
    tasks = get("task")
    task = example_study.load(tasks, "T-0014")
    task.title = "Renamed"
    trace.write_text("")
    with example_study.change("task", "edit T-0014", "T-0014") as change:
        change.save(task)

    assert git_commands(trace) == [
        "status",
        "add",
        "diff-index",
        "write-tree",
        "commit-tree",
        "update-ref",
    ]
    assert change.sha == git(example_study, "rev-parse", "HEAD").strip()
    assert git(example_study, "log", "-1", "--format=%an %cn %s").strip() == (
        "CO-01 CO-01 task: edit T-0014 (T-0014)"
    )
    assert git(example_study, "status", "--porcelain") == ""


def test_a_deleted_record_is_committed_as_a_deletion(example_study: Study, trace: Path) -> None:
    rel = example_study.rel(example_study.path_of(get("task"), "T-0014"))
    before = git(example_study, "rev-parse", "HEAD").strip()
    trace.write_text("")
    with example_study.change("task", "remove T-0014", "T-0014") as change:
        change.delete(rel)

    assert "commit-tree" in git_commands(trace)
    assert git(example_study, "rev-parse", "HEAD^").strip() == before
    assert git(example_study, "show", "--name-status", "--format=", "HEAD").split() == ["D", rel]
    assert git(example_study, "ls-tree", "-r", "--name-only", "HEAD", "--", rel) == ""
    assert not (example_study.root / rel).exists()
    assert git(example_study, "status", "--porcelain") == ""


def test_a_failed_plumbing_commit_restores_files_and_index(
    example_study: Study, trace: Path
) -> None:
    """update-ref fails (the branch is locked by another git): nothing changes."""
    tasks = get("task")
    path = example_study.path_of(tasks, "T-0014")
    original = path.read_bytes()
    head = git(example_study, "rev-parse", "HEAD")
    branch_lock = example_study.root / ".git/refs/heads/main.lock"
    branch_lock.write_text("")
    task = example_study.load(tasks, "T-0014")
    task.title = "Changed"
    new_rel = example_study.rel(example_study.path_of(tasks, example_study.next_id(tasks)))
    trace.write_text("")
    with pytest.raises(GitError, match="update-ref"), example_study.change("task", "edit") as ch:
        ch.save(task)
        ch.write_text(new_rel, "id: new\n")

    assert "commit-tree" in git_commands(trace)
    assert path.read_bytes() == original
    assert not (example_study.root / new_rel).exists()
    assert git(example_study, "rev-parse", "HEAD") == head
    assert git(example_study, "status", "--porcelain") == ""
    branch_lock.unlink()
    with example_study.change("task", "edit", "T-0014") as change:
        change.save(task)
    assert git(example_study, "rev-parse", "HEAD^") == head


@pytest.mark.parametrize(
    ("message", "subject"),
    [
        ("trailing space ", "trailing space"),
        ("two\nlines", "two lines"),
        ("tab\tinside", "tab\tinside"),
        ("carriage return\r", "carriage return"),
    ],
)
def test_messages_git_would_tidy_go_through_git_commit(
    tmp_path: Path, trace: Path, message: str, subject: str
) -> None:
    repo = make_repo(tmp_path / "repo")
    paths = stage_edits(repo)
    trace.write_text("")
    repo.commit(message, "CO-01", paths)
    assert "commit" in git_commands(trace)
    assert git(repo.root, "log", "-1", "--format=%s") == subject + "\n"


def test_nothing_staged_goes_to_git_commit_which_refuses(tmp_path: Path) -> None:
    """An empty commit is never made by plumbing; git commit decides, as before."""
    repo = make_repo(tmp_path / "repo")
    head = git(repo.root, "rev-parse", "HEAD")
    with pytest.raises(GitError, match="git commit failed"):
        repo.commit("task: nothing", "CO-01", ["notes.txt"])
    assert git(repo.root, "rev-parse", "HEAD") == head


def test_a_stale_head_makes_the_commit_refuse(tmp_path: Path) -> None:
    """If HEAD moved after it was read, update-ref refuses and the branch stays put."""
    repo = make_repo(tmp_path / "repo")
    read_earlier = repo.status().head
    (repo.root / "notes.txt").write_text("changed by hand\n")
    repo.add(["notes.txt"])
    git(repo.root, "commit", "-q", "-m", "by hand", env=identity_env("CO-01"))
    moved = git(repo.root, "rev-parse", "HEAD")
    (repo.root / "notes.txt").write_text("changed by the tool\n")
    repo.add(["notes.txt"])

    with pytest.raises(GitError, match="update-ref"):
        repo.commit("notes: edit", "CO-01", ["notes.txt"], head=read_earlier)
    assert git(repo.root, "rev-parse", "HEAD") == moved
    assert git(repo.root, "log", "-1", "--format=%s").strip() == "by hand"


def test_a_merge_in_progress_is_left_to_git_commit(tmp_path: Path, trace: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    head = git(repo.root, "rev-parse", "HEAD").strip()
    (repo.root / ".git/MERGE_HEAD").write_text(head + "\n")
    paths = stage_edits(repo)
    trace.write_text("")
    with pytest.raises(GitError, match="partial commit during a merge"):
        repo.commit("task: edit", "CO-01", paths)
    assert "commit-tree" not in git_commands(trace)
    assert git(repo.root, "rev-parse", "HEAD").strip() == head


def test_the_first_commit_is_left_to_git_commit(tmp_path: Path, trace: Path) -> None:
    root = tmp_path / "new"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "a.txt").write_text("a\n")
    repo = StudyRepo(root)
    repo.add(["a.txt"])
    sha = repo.commit("study: create", "CO-01", ["a.txt"])
    assert "commit" in git_commands(trace)
    assert git(root, "rev-parse", "HEAD").strip() == sha
    assert git(root, "log", "-g", "-1", "--format=%gs", "HEAD").strip() == (
        "commit (initial): study: create"
    )


def write_loose_blobs(root: Path, prefix: str, count: int) -> None:
    """Write ``count`` real loose blob objects whose names start with ``prefix``."""
    written = number = 0
    while written < count:
        number += 1
        body = f"filler {number}\n".encode()
        data = b"blob %d\0" % len(body) + body
        sha = hashlib.sha1(data).hexdigest()  # git names objects by SHA-1
        if sha.startswith(prefix):
            folder = root / ".git/objects" / prefix
            folder.mkdir(exist_ok=True)
            (folder / sha[2:]).write_bytes(zlib.compress(data))
            written += 1


def test_many_loose_objects_are_packed_as_git_commit_would(tmp_path: Path, trace: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    git(repo.root, "config", "gc.autoDetach", "false")
    write_loose_blobs(repo.root, "17", AUTO_GC_SAMPLE_LIMIT + 1)
    paths = stage_edits(repo)
    trace.write_text("")
    repo.commit("task: edit", "CO-01", paths)
    assert "commit-tree" in git_commands(trace)
    assert "maintenance" in git_commands(trace)
    packs = list((repo.root / ".git/objects/pack").glob("*.pack"))
    assert packs, "git gc --auto should have packed the reachable objects"
    assert git(repo.root, "fsck", "--no-dangling", "--no-progress") == ""


def test_few_loose_objects_cost_no_extra_git_call(tmp_path: Path, trace: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    # The commit itself writes 7 objects (2 blobs, 4 trees, 1 commit) that may land there.
    write_loose_blobs(repo.root, "17", AUTO_GC_SAMPLE_LIMIT - 7)
    paths = stage_edits(repo)
    trace.write_text("")
    repo.commit("task: edit", "CO-01", paths)
    assert git_commands(trace) == [
        "rev-parse",
        "diff-index",
        "write-tree",
        "commit-tree",
        "update-ref",
    ]


# -- status of chosen paths ------------------------------------------------------------
def messy_repo(root: Path) -> StudyRepo:
    """A repository with every kind of uncommitted change, in awkward file names."""
    repo = make_repo(root)
    files = {
        "tasks/00/T-[1].yaml": "glob characters\n",
        "tasks/00/T-1.yaml": "matched by the glob\n",
        "tasks/00/with space.yaml": "a space\n",
        "tasks/00/*.yaml": "a star\n",
    }
    for rel, text in files.items():
        (root / rel).write_text(text)
    repo.add(["tasks/00/T-[1].yaml", "tasks/00/*.yaml"])
    git(repo.root, "commit", "-q", "-m", "odd names", env=identity_env("CO-01"))
    (root / "tasks/00/T-[1].yaml").write_text("changed\n")  # modified, not staged
    (root / "tasks/00/*.yaml").write_text("staged\n")
    repo.add(["tasks/00/*.yaml"])
    (root / "people/CO-01.yaml").unlink()  # deleted, not staged
    git(root, "mv", "tasks/00/T-0002.yaml", "tasks/00/T-0009.yaml")  # staged rename
    (root / "new/deep").mkdir(parents=True)
    (root / "new/deep/file.yaml").write_text("untracked\n")  # in an untracked folder
    return repo


ASKED = [
    "tasks/00/T-[1].yaml",
    "tasks/00/*.yaml",
    "tasks/00/with space.yaml",
    "tasks/00/T-0002.yaml",
    "people/CO-01.yaml",
    "new/deep/file.yaml",
    "notes.txt",
    "missing/none.yaml",
]
EXPECTED = {
    "tasks/00/T-[1].yaml": " M",
    "tasks/00/*.yaml": "M ",
    "tasks/00/with space.yaml": "??",
    "tasks/00/T-0002.yaml": "D ",
    "people/CO-01.yaml": " D",
    "new/deep/file.yaml": "??",
}


def test_status_of_few_paths_asks_git_about_those_files_only(tmp_path: Path) -> None:
    repo = messy_repo(tmp_path / "repo")
    assert repo.changed_paths(ASKED) == EXPECTED


def test_status_of_many_paths_gives_the_same_answer(tmp_path: Path) -> None:
    repo = messy_repo(tmp_path / "repo")
    padding = [f"tasks/{n:02d}/T-{n:04d}.yaml" for n in range(MANY_PATHS + 1)]
    assert repo.changed_paths(ASKED + padding) == EXPECTED


def test_status_of_the_whole_study_pairs_renames(tmp_path: Path) -> None:
    repo = messy_repo(tmp_path / "repo")
    status = repo.status()
    assert status.changed == {
        "tasks/00/T-[1].yaml": " M",
        "tasks/00/*.yaml": "M ",
        "tasks/00/with space.yaml": "??",
        "tasks/00/T-1.yaml": "??",
        "tasks/00/T-0009.yaml": "R ",
        "people/CO-01.yaml": " D",
        "new/deep/file.yaml": "??",
    }
    assert status.head == git(repo.root, "rev-parse", "HEAD").strip()


def test_status_names_the_new_side_of_a_staged_rename_too(tmp_path: Path) -> None:
    repo = messy_repo(tmp_path / "repo")
    assert repo.changed_paths(["tasks/00/T-0009.yaml"]) == {"tasks/00/T-0009.yaml": "A "}


def test_status_before_the_first_commit(tmp_path: Path) -> None:
    root = tmp_path / "new"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "a.txt").write_text("a\n")
    status = StudyRepo(root).status(["a.txt"])
    assert status.changed == {"a.txt": "??"}
    assert status.head is None


def test_status_reports_unmerged_paths(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    env = identity_env("CO-01")
    git(repo.root, "checkout", "-q", "-b", "other")
    (repo.root / "notes.txt").write_text("theirs\n")
    git(repo.root, "commit", "-q", "-am", "theirs", env=env)
    git(repo.root, "checkout", "-q", "main")
    (repo.root / "notes.txt").write_text("mine\n")
    git(repo.root, "commit", "-q", "-am", "mine", env=env)
    with pytest.raises(subprocess.CalledProcessError):
        git(repo.root, "merge", "-q", "other", env=env)
    assert repo.changed_paths(["notes.txt"]) == {"notes.txt": "UU"}
    assert repo.changed_paths() == {"notes.txt": "UU"}


def test_git_trace_sees_the_commands(tmp_path: Path, trace: Path) -> None:
    """The tracing these tests rely on works (so an empty list means no git call)."""
    repo = make_repo(tmp_path / "repo")
    trace.write_text("")
    repo.has_head()
    assert git_commands(trace) == ["rev-parse"]
    assert os.environ["GIT_TRACE"] == str(trace)
