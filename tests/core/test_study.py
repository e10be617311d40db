"""The study object: paths, validation, one-commit changes, the lock and rollback."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from prosper_coop.core.errors import (
    BusyError,
    ConflictError,
    GitError,
    InvalidInputError,
    NotAStudyError,
    UserError,
    ValidationError,
)
from prosper_coop.core.git import StudyRepo
from prosper_coop.core.localconfig import local_actor
from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from prosper_coop.tasks.models import Task
from tests.helpers import git

TASK = get("task")


@pytest.mark.parametrize(
    "bad_id", ["../x", "/etc/passwd", "T-0001/../../x", "..", "T-00 01", "T-0001.yaml", ""]
)
def test_ids_cannot_name_paths_outside_the_study(empty_study: Study, bad_id: str) -> None:
    with pytest.raises(InvalidInputError):
        empty_study.path_of(TASK, bad_id)


def test_task_files_are_sharded_by_hundreds(empty_study: Study) -> None:
    assert empty_study.rel(empty_study.path_of(TASK, "T-0042")) == "tasks/00/T-0042.yaml"
    assert empty_study.rel(empty_study.path_of(TASK, "T-1234")) == "tasks/12/T-1234.yaml"


def test_outside_a_study(tmp_path: Path) -> None:
    with pytest.raises(NotAStudyError, match="not inside a prosper-coop study"):
        Study.open(tmp_path)


def test_file_name_and_id_must_agree(example_study: Study) -> None:
    path = example_study.path_of(TASK, "T-0001")
    path.write_text(path.read_text().replace("id: T-0001", "id: T-0002"))
    with pytest.raises(ValidationError) as caught:
        example_study.load(TASK, "T-0001")
    assert caught.value.file == "tasks/00/T-0001.yaml"
    assert caught.value.line == 1
    assert "file is named" in caught.value.message


def test_wrong_type_names_field_and_line(example_study: Study) -> None:
    path = example_study.path_of(TASK, "T-0003")
    path.write_text(path.read_text().replace("status: done", "status: finished"))
    with pytest.raises(ValidationError) as caught:
        example_study.load(TASK, "T-0003")
    line = path.read_text().splitlines().index("status: finished") + 1
    assert caught.value.message.startswith("status: ")
    assert str(caught.value).endswith(f"(tasks/00/T-0003.yaml:{line})")


def test_unknown_field_is_an_error(example_study: Study) -> None:
    path = example_study.path_of(TASK, "T-0003")
    path.write_text(path.read_text() + "colour: red\n")
    with pytest.raises(ValidationError, match="colour: unknown field") as caught:
        example_study.load(TASK, "T-0003")
    assert caught.value.line == len(path.read_text().splitlines())


def _new_task(study: Study, title: str = "Pilot the topic guide") -> Task:
    return Task(id=study.next_id(TASK), wp="WP1", title=title, owner="CO-01", created="2026-11-26")  # type: ignore[arg-type]


def test_a_change_is_exactly_one_commit(example_study: Study) -> None:
    before = git(example_study, "rev-list", "--count", "HEAD")
    task = _new_task(example_study)
    highest = max(int(p.stem[2:]) for p in (example_study.root / "tasks").glob("*/T-*.yaml"))
    assert task.id == f"T-{highest + 1:04d}"
    with example_study.change("task", f'add {task.id} "{task.title}"', task.id) as change:
        change.save(task)
    assert int(git(example_study, "rev-list", "--count", "HEAD")) == int(before) + 1
    assert git(example_study, "log", "-1", "--format=%an|%ae|%s").strip() == (
        f'CO-01|CO-01@prosper-coop.invalid|task: add {task.id} "Pilot the topic guide" ({task.id})'
    )
    assert git(example_study, "status", "--porcelain") == ""
    assert example_study.load(TASK, task.id) == task


def test_canonical_file_form(empty_study: Study) -> None:
    task = Task(
        id="T-0001",
        wp="WP1",
        title="Site 3: arrange access",
        status="blocked",  # type: ignore[arg-type]
        owner="CO-01",
        due="2026-11-21",
        depends=["T-0010"],
        tags=["sites"],  # type: ignore[arg-type]
        blocked_reason="Waiting for the commissioner.",
        created="2026-10-22",  # type: ignore[arg-type]
        done_on="2026-11-21",  # type: ignore[arg-type]
        notes=[{"at": "2026-11-14T10:30:00+00:00", "by": "CO-01", "text": "Line one\nline two"}],  # type: ignore[list-item]
    )
    with empty_study.change("task", "add", "T-0001") as change:
        change.save(task)
    text = empty_study.path_of(TASK, "T-0001").read_text()
    assert text == textwrap.dedent("""\
        id: T-0001
        wp: WP1
        title: 'Site 3: arrange access'
        status: blocked
        owner: CO-01
        due: 2026-11-21
        depends:
        - T-0010
        tags:
        - sites
        blocked_reason: Waiting for the commissioner.
        created: 2026-10-22
        done_on: 2026-11-21
        notes:
        - at: 2026-11-14T10:30:00+00:00
          by: CO-01
          text: |-
            Line one
            line two
        """)
    assert empty_study.load(TASK, "T-0001") == task


def test_unsaved_hand_edit_to_the_same_file_is_refused(example_study: Study) -> None:
    path = example_study.path_of(TASK, "T-0014")
    path.write_text(path.read_text().replace("todo", "doing"))
    head = git(example_study, "rev-parse", "HEAD")
    task = example_study.load(TASK, "T-0014")
    task.title = "Renamed"
    with (
        pytest.raises(ConflictError, match="not saved yet"),
        example_study.change("task", "edit T-0014", "T-0014") as change,
    ):
        change.save(task)
    assert git(example_study, "rev-parse", "HEAD") == head
    assert "status: doing" in path.read_text() and "Renamed" not in path.read_text()


def test_other_hand_edits_are_left_alone(example_study: Study) -> None:
    other = example_study.path_of(TASK, "T-0014")
    other.write_text(other.read_text().replace("todo", "doing"))
    task = _new_task(example_study)
    with example_study.change("task", "add", task.id) as change:
        change.save(task)
    assert git(example_study, "show", "--name-only", "--format=", "HEAD").split() == [
        f"tasks/00/{task.id}.yaml"
    ]
    assert git(example_study, "status", "--porcelain").strip() == "M tasks/00/T-0014.yaml"


def test_failed_commit_restores_every_file(
    example_study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = example_study.path_of(TASK, "T-0014")
    original = path.read_bytes()
    head = git(example_study, "rev-parse", "HEAD")

    def failing_commit(
        self: StudyRepo,
        message: str,
        author: str,
        paths: list[str] | None = None,
        *,
        head: str | None = None,
        signing_key: object = None,
    ) -> str:
        raise GitError("git commit failed: simulated")

    monkeypatch.setattr(StudyRepo, "commit", failing_commit)
    tasks_before = len(list((example_study.root / "tasks").glob("*/*.yaml")))
    task = example_study.load(TASK, "T-0014")
    task.title = "Changed"
    with pytest.raises(GitError), example_study.change("task", "edit", "T-0014") as change:
        change.save(task)
        change.save(_new_task(example_study))
    assert path.read_bytes() == original
    assert not example_study.path_of(TASK, example_study.next_id(TASK)).exists()
    assert len(list((example_study.root / "tasks").glob("*/*.yaml"))) == tasks_before
    assert git(example_study, "rev-parse", "HEAD") == head
    assert git(example_study, "status", "--porcelain") == ""


def test_second_writer_waits_then_fails_clearly(example_study: Study) -> None:
    lock_path = example_study.root / ".git" / "prosper-coop.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys, time
            from filelock import FileLock
            with FileLock({str(lock_path)!r}):
                print("locked", flush=True)
                time.sleep(30)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.perf_counter()
        with (
            pytest.raises(BusyError, match="another prosper-coop command"),
            example_study.change("task", "add", "T-new") as change,
        ):
            change.save(_new_task(example_study))
        assert 0.9 <= time.perf_counter() - started < 5
    finally:
        holder.kill()
        holder.wait()
    assert git(example_study, "status", "--porcelain") == ""
    with example_study.change("task", "add", "T-new") as change:  # free again
        change.save(_new_task(example_study))


def test_guard_refuses_plaintext_in_sensitive_folders(example_study: Study) -> None:
    import pyrage

    head = git(example_study, "rev-parse", "HEAD")
    with (
        pytest.raises(ValidationError, match="must be encrypted"),
        example_study.change("checkin", "add", "CI-0099") as change,
    ):
        change.write_text("checkins/CR-01/CI-0099.age", "distress: 9 MARKER-PLAINTEXT")
    assert git(example_study, "rev-parse", "HEAD") == head
    assert not (example_study.root / "checkins" / "CR-01" / "CI-0099.age").exists()
    recipient = pyrage.x25519.Identity.generate().to_public()
    sealed = pyrage.encrypt(b"distress: 9", [recipient])
    with example_study.change("checkin", "add", "CI-0099") as change:
        change.write_bytes("checkins/CR-01/CI-0099.age", sealed)
    assert "CI-0099" in git(example_study, "log", "-1", "--format=%s")


def test_a_change_that_changes_nothing_makes_no_commit(example_study: Study) -> None:
    head = git(example_study, "rev-parse", "HEAD")
    task = example_study.load(TASK, "T-0014")
    with example_study.change("task", "edit T-0014", "T-0014") as change:
        change.save(task)
    assert change.sha is None
    assert git(example_study, "rev-parse", "HEAD") == head


# -- who is acting, without pydantic -------------------------------------------------
WRITE_PATH_SCRIPT = """
import json, sys
from collections.abc import Callable
from pathlib import Path
from prosper_coop.core.localconfig import local_actor
from prosper_coop.core.study import Study

study = Study(Path(sys.argv[1]), actor=local_actor)
actor = study.actor()
with study.change("test", "write a note") as change:
    change.write_text("notes/hello.txt", "hello\\n")
heavy = sorted(
    {name.split(".")[0] for name in sys.modules} & {"pydantic", "filelock", "asyncio", "git"}
)
print(json.dumps({"actor": actor, "sha": change.sha, "heavy": heavy}))
"""


def _run_write_path(study: Study) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", WRITE_PATH_SCRIPT, str(study.root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_actor_and_a_change_import_neither_pydantic_nor_filelock(example_study: Study) -> None:
    """A fresh process: the study layer of a write command stays light."""
    result = _run_write_path(example_study)
    assert result["actor"] == "CO-01"
    assert result["heavy"] == []
    assert result["sha"] == git(example_study, "rev-parse", "HEAD").strip()
    assert git(example_study, "log", "-1", "--format=%an %s").strip() == (
        "CO-01 test: write a note"
    )


def test_actor_reads_whoami_without_pydantic_and_never_the_default(
    example_study: Study,
) -> None:
    from prosper_coop.core import localconfig

    settings = example_study.root / "study.yaml"
    settings.write_text(_with_default_actor(settings.read_text(), "CR-02"))
    # whoami (set by init for the person who made the study) wins; the default never acts.
    assert _run_write_path(example_study)["actor"] == "CO-01"
    localconfig.set_study_setting(example_study.settings.uid, "whoami", "CR-03")
    assert _run_write_path(example_study) | {"sha": None} == {
        "actor": "CR-03",
        "sha": None,
        "heavy": [],
    }


def _with_default_actor(text: str, value: str) -> str:
    """study.yaml text with its ``default_actor`` line set to ``value`` (written as is)."""
    kept = [line for line in text.splitlines() if not line.startswith("default_actor:")]
    return "\n".join([*kept, f"default_actor: {value}", ""])


def test_study_fields_known_to_actor_are_those_of_the_model() -> None:
    from prosper_coop.core.models import StudySettings
    from prosper_coop.core.study import STUDY_FIELDS, STUDY_REQUIRED

    assert set(StudySettings.model_fields) == STUDY_FIELDS
    required = {name for name, field in StudySettings.model_fields.items() if field.is_required()}
    assert required == STUDY_REQUIRED


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda text: text + "colour: red\n", "colour: unknown field"),
        (lambda text: text.replace("uid: ", "uid: X"), 'uid: "X'),
        (
            lambda text: _with_default_actor(text, "co-1"),
            'default_actor: "co-1" is not in the expected form, e.g. CR-01',
        ),
        (lambda text: _with_default_actor(text, "12"), "default_actor: 12 is not text"),
        (
            lambda text: _with_default_actor(text, "[CO-01]"),
            "default_actor: this should be text, not a list",
        ),
        (lambda text: _with_default_actor(text, "'CO-01 '"), 'default_actor: "CO-01 " is not'),
        (lambda text: "\n".join(line for line in text.splitlines() if "uid" not in line), "uid"),
        (lambda text: text + "title: [unclosed\n", "this file is not valid YAML"),
        (lambda _text: "- just\n- a list\n", "should hold a mapping"),
        (lambda text: text + "x: &anchor 1\n", "anchors and aliases"),
    ],
)
def test_a_broken_study_yaml_gives_the_same_error_as_before(
    example_study: Study, edit: Callable[[str], str], expected: str
) -> None:
    path = example_study.root / "study.yaml"
    path.write_text(edit(path.read_text()))
    with pytest.raises(ValidationError) as from_actor:
        Study(example_study.root, actor=local_actor).actor()
    with pytest.raises(ValidationError) as from_settings:
        _ = Study(example_study.root).settings
    assert expected in from_actor.value.message
    for attribute in ("message", "hint", "file", "line"):
        assert getattr(from_actor.value, attribute) == getattr(from_settings.value, attribute)
    assert str(from_actor.value).endswith(f"(study.yaml:{from_actor.value.line})")


def test_a_broken_study_yaml_names_file_and_line(example_study: Study) -> None:
    path = example_study.root / "study.yaml"
    path.write_text(_with_default_actor(path.read_text(), "Coordinator"))
    with pytest.raises(ValidationError) as caught:
        Study(example_study.root, actor=local_actor).actor()
    assert caught.value.file == "study.yaml"
    assert caught.value.line == len(path.read_text().splitlines())
    assert caught.value.message.startswith('default_actor: "Coordinator" is not in the expected')


def test_actor_as_env_needs_no_study_yaml_at_all(example_study: Study, monkeypatch) -> None:
    (example_study.root / "study.yaml").write_text("not: [valid\n")
    monkeypatch.setenv("PROSPER_COOP_AS", "CR-02")
    assert Study(example_study.root, actor=local_actor).actor() == "CR-02"


# -- the writer lock -----------------------------------------------------------------
HOLD_LOCK_SCRIPT = """
import sys, time
from collections.abc import Callable
from pathlib import Path
from prosper_coop.core.study import Study

with Study(Path(sys.argv[1])).lock():
    print("locked", flush=True)
    time.sleep(30)
"""


def _hold_lock(study: Study) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK_SCRIPT, str(study.root)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_lock_held_by_another_process_times_out_with_a_clear_message(
    example_study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROSPER_COOP_LOCK_TIMEOUT", "0.4")
    holder = _hold_lock(example_study)
    try:
        head = git(example_study, "rev-parse", "HEAD")
        started = time.perf_counter()
        with pytest.raises(BusyError) as caught, example_study.change("task", "add") as change:
            change.write_text("notes/never.txt", "never\n")
        waited = time.perf_counter() - started
    finally:
        holder.kill()
        holder.wait()
    assert 0.4 <= waited < 3
    assert caught.value.message == "another prosper-coop command is changing this study right now"
    assert caught.value.hint == "Wait for it to finish, then try again. Nothing was changed."
    assert git(example_study, "rev-parse", "HEAD") == head
    assert not (example_study.root / "notes/never.txt").exists()


def test_lock_of_a_killed_process_is_free_again(example_study: Study) -> None:
    holder = _hold_lock(example_study)
    holder.kill()
    holder.wait()
    started = time.perf_counter()
    with example_study.lock(timeout=2):
        assert time.perf_counter() - started < 1


def test_lock_is_not_reentrant_and_is_released_after_use(example_study: Study) -> None:
    with example_study.lock(), pytest.raises(BusyError), example_study.lock(timeout=0):
        pass
    with example_study.lock(timeout=0):  # free again, also after the refusal
        pass


def test_a_waiting_writer_gets_the_lock_when_it_is_released(example_study: Study) -> None:
    holder = _hold_lock(example_study)
    try:
        with pytest.raises(BusyError):
            example_study.lock(timeout=0.1).__enter__()
    finally:
        holder.terminate()
    started = time.perf_counter()
    with example_study.lock(timeout=5):
        assert time.perf_counter() - started < 4
    holder.wait()


def test_a_lock_file_that_cannot_be_opened_is_a_clear_error(example_study: Study) -> None:
    (example_study.root / ".git" / "prosper-coop.lock").mkdir()
    with pytest.raises(UserError) as caught, example_study.change("task", "add") as change:
        change.write_text("notes/never.txt", "never\n")
    assert caught.value.message.startswith("could not lock the study to change it")
    assert "Nothing was changed." in (caught.value.hint or "")
    assert not (example_study.root / "notes/never.txt").exists()


def test_the_filelock_fallback_and_flock_exclude_each_other(example_study: Study) -> None:
    """Where fcntl is missing (Windows) filelock is used; on POSIX both take flock."""
    from prosper_coop.core.study import _held_with_filelock

    lock_file = example_study.root / ".git" / "prosper-coop.lock"
    with _held_with_filelock(lock_file, 1), pytest.raises(BusyError):
        example_study.lock(timeout=0.1).__enter__()
    with example_study.lock(), pytest.raises(BusyError, match="another prosper-coop command"):
        _held_with_filelock(lock_file, 0.1).__enter__()
    with _held_with_filelock(lock_file, 0):  # both released
        pass
