"""Durable intents: what a stopped command left is finished or undone by the next command.

The states here are the ones a killed ``Change`` leaves (see tests/crash for the
harness that really kills the tool at every git call); each is built on disk
with real git, then the study is opened again.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from prosper_coop.core import journal
from prosper_coop.core.errors import BusyError
from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from tests.helpers import git, head

TASK = get("task")
T14 = "tasks/00/T-0014.yaml"


def _begin_change(study: Study, paths: dict[str, str], message: str = "task: edit (T-0014)") -> str:
    old = head(study)
    journal.write_intent(
        study.root, {"kind": "change", "head": old, "message": message, "paths": paths}
    )
    return old


def _reopen(study: Study) -> tuple[Study, list[str]]:
    told: list[str] = []
    again = Study.open(study.root, actor="CO-01", notify=told.append)
    return again, told


def test_a_change_stopped_before_its_commit_is_undone(example_study: Study) -> None:
    original = (example_study.root / T14).read_bytes()
    old = _begin_change(example_study, {T14: journal.AS_COMMITTED, "tasks/00/T-0099.yaml": "head"})
    (example_study.root / T14).write_text("title: half written\n")
    (example_study.root / "tasks/00/T-0099.yaml").write_text("id: T-0099\n")
    (example_study.root / "tasks/00/.T-0014.yaml.4242.0.tmp").write_text("partial")
    git(example_study, "add", "--", T14, "tasks/00/T-0099.yaml")

    _, told = _reopen(example_study)

    assert head(example_study) == old
    assert (example_study.root / T14).read_bytes() == original
    assert not (example_study.root / "tasks/00/T-0099.yaml").exists()
    assert not (example_study.root / "tasks/00/.T-0014.yaml.4242.0.tmp").exists()
    assert git(example_study, "status", "--porcelain", "--untracked-files=all").strip() == ""
    assert not journal.intent_path(example_study.root).exists()
    assert len(told) == 1
    assert "stopped before it finished (task: edit (T-0014))" in told[0]
    assert "Nothing from it was saved" in told[0]


def test_a_change_stopped_after_its_commit_is_finished(example_study: Study) -> None:
    task = example_study.load(TASK, "T-0014")
    task.title = "Changed on the way"
    old = head(example_study)
    with example_study.change("task", "edit", "T-0014") as change:
        change.save(task)
    new = head(example_study)
    committed = (example_study.root / T14).read_bytes()
    # The state a kill right after git moved the branch leaves: old file and index.
    git(example_study, "reset", "-q", "--soft", old)
    git(example_study, "reset", "-q", "--", T14)
    git(example_study, "checkout", "-q", "--", T14)
    git(example_study, "update-ref", "HEAD", new)
    journal.write_intent(
        example_study.root,
        {"kind": "change", "head": old, "message": "task: edit (T-0014)", "paths": {T14: "head"}},
    )
    assert (example_study.root / T14).read_bytes() != committed

    again, told = _reopen(example_study)

    assert head(again) == new
    assert (example_study.root / T14).read_bytes() == committed
    assert git(example_study, "status", "--porcelain", "--untracked-files=all").strip() == ""
    assert "just after its change was saved" in told[0]
    assert new[:7] in told[0]


def test_a_hand_edit_a_stopped_save_would_have_committed_is_kept(example_study: Study) -> None:
    """``save`` may overwrite unsaved edits: recovery puts the edited copy back, not git's."""
    target = example_study.root / T14
    target.write_text(target.read_text().replace("Site 4", "Site 5"))
    edited = target.read_bytes()
    (sha,) = example_study.repo.save_blobs([T14])
    _begin_change(example_study, {T14: journal.BLOB + sha}, "save: hand edit (T-0014)")
    git(example_study, "add", "--", T14)

    _reopen(example_study)

    assert target.read_bytes() == edited
    assert git(example_study, "diff", "--cached", "--name-only").strip() == ""
    assert git(example_study, "status", "--porcelain").strip() == f"M {T14}"


def test_a_stale_git_lock_of_a_stopped_change_is_removed(example_study: Study) -> None:
    _begin_change(example_study, {T14: "head"})
    lock = example_study.root / ".git/index.lock"
    lock.write_text("")

    _, told = _reopen(example_study)

    assert not lock.exists()
    assert any("index.lock" in message for message in told)
    with example_study.change("task", "note") as change:
        change.write_text("notes.txt", "x\n")
    assert change.sha is not None


def test_a_git_lock_held_open_by_a_running_program_is_never_removed(
    example_study: Study,
) -> None:
    _begin_change(example_study, {T14: "head"})
    lock = example_study.root / ".git/index.lock"
    lock.write_text("")
    holder = subprocess.Popen(
        [sys.executable, "-c", f"f = open({str(lock)!r}); import time; time.sleep(30)"]
    )
    try:
        deadline = time.monotonic() + 10
        while not journal._held_open(lock) and time.monotonic() < deadline:
            time.sleep(0.05)
        with pytest.raises(BusyError, match=r"index\.lock is in use") as caught:
            Study(example_study.root, actor="CO-01").change("task", "x").__enter__()
        assert caught.value.exit_code == 6
        assert lock.exists()
        assert journal.intent_path(example_study.root).exists()
        # A reader is not stopped by it, and leaves it alone.
        assert Study.open(example_study.root).load(TASK, "T-0014").id == "T-0014"
        assert lock.exists()
    finally:
        holder.kill()
        holder.wait()


def test_a_git_lock_with_no_intent_of_ours_is_refused_clearly(example_study: Study) -> None:
    """It may be a hand ``git commit`` running its hooks: never removed, clearly reported."""
    lock = example_study.root / ".git/index.lock"
    lock.write_text("")
    task = example_study.load(TASK, "T-0014")
    task.title = "Changed"
    with (
        pytest.raises(BusyError, match="git is busy") as caught,
        example_study.change("task", "edit", "T-0014") as change,
    ):
        change.save(task)
    assert caught.value.exit_code == 6
    assert "rm " in (caught.value.hint or "")
    assert lock.exists()
    assert git(example_study, "status", "--porcelain").strip() == ""


def test_a_stopped_sync_is_put_back_to_the_last_commit(example_study: Study) -> None:
    old = head(example_study)
    with journal.intent(example_study.root, "sync", head=old) as sync_intent:
        sync_intent.created(["people/CR-01.conflict-1a2b.yaml"])
    assert not journal.intent_path(example_study.root).exists()  # a whole sync leaves none

    journal.write_intent(
        example_study.root,
        {"kind": "sync", "head": old, "created": ["people/CR-01.conflict-1a2b.yaml"]},
    )
    (example_study.root / "people/CR-01.conflict-1a2b.yaml").write_text("id: CR-01\n")
    (example_study.root / T14).write_text("half merged\n")
    git(example_study, "add", "--", T14)
    (example_study.root / "keep-me.txt").write_text("not sync's\n")

    _, told = _reopen(example_study)

    assert head(example_study) == old
    assert not (example_study.root / "people/CR-01.conflict-1a2b.yaml").exists()
    assert (example_study.root / "keep-me.txt").exists()
    assert git(example_study, "status", "--porcelain").strip() == "?? keep-me.txt"
    assert "An earlier sync was stopped" in told[0]


def test_a_failed_sync_block_puts_things_back_at_once(example_study: Study) -> None:
    old = head(example_study)
    with pytest.raises(RuntimeError), journal.intent(example_study.root, "sync", head=old):
        (example_study.root / T14).write_text("half merged\n")
        raise RuntimeError("network went away")
    assert git(example_study, "status", "--porcelain").strip() == ""
    assert not journal.intent_path(example_study.root).exists()


def test_an_unreadable_intent_is_removed_with_a_word(example_study: Study) -> None:
    path = journal.intent_path(example_study.root)
    path.parent.mkdir(exist_ok=True)
    path.write_text("{not json")
    _, told = _reopen(example_study)
    assert not path.exists()
    assert "could not be read" in told[0]


def test_the_intent_names_no_path_outside_the_study(example_study: Study) -> None:
    outside = example_study.root.parent / "outside.txt"
    outside.write_text("keep\n")
    _begin_change(example_study, {"../outside.txt": "absent", ".git/config": "absent"})
    _reopen(example_study)
    assert outside.read_text() == "keep\n"
    assert (example_study.root / ".git/config").exists()


def test_a_reader_leaves_the_intent_of_a_running_change_alone(example_study: Study) -> None:
    _begin_change(example_study, {T14: "head"})
    with example_study.lock():
        assert Study.open(example_study.root).recovered == []
        assert journal.intent_path(example_study.root).exists()
    assert json.loads(journal.intent_path(example_study.root).read_text())["kind"] == "change"
