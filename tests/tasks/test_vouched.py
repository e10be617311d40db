"""Status changes without the model: only where the index vouches, and byte for byte the same.

``task start/done/block/reopen`` change a task file with YAML alone when the
index holds a trusted row whose stat matches the file and the file is in
canonical form. These tests prove that path writes exactly what the model path
writes, and that everything it cannot vouch for goes through the model.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prosper_coop.core import ids, yamlio
from prosper_coop.core.errors import ConflictError
from prosper_coop.core.localconfig import local_actor
from prosper_coop.core.study import Study, canonical_data, record_data, to_yaml
from prosper_coop.tasks import index as task_index
from prosper_coop.tasks import ops
from prosper_coop.tasks.index import TaskIndex, Voucher, drop_cache, same_data
from prosper_coop.tasks.models import Task
from tests.helpers import git, last_commit

TODAY = dt.date(2026, 11, 26)
HOUR_AGO = 3600


def _settle(study: Study) -> None:
    """Make every task file an hour old and build the index, so the cache trusts them."""
    past = time.time() - HOUR_AGO
    for path in (study.root / "tasks").rglob("*.yaml"):
        os.utime(path, (past, past))
    TaskIndex.load(study)


def _model_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each task read through the model (ops.load_task)."""
    reads: list[str] = []
    original = ops.load_task

    def spy(study: Study, task_id: str) -> Task:
        reads.append(task_id)
        return original(study, task_id)

    monkeypatch.setattr(ops, "load_task", spy)
    return reads


STEPS: list[tuple[str, str, dict[str, Any]]] = [
    ("T-0014", "start", {}),
    ("T-0014", "block", {"reason": "  Site closed for refurbishment "}),
    ("T-0014", "reopen", {}),
    ("T-0015", "done", {"force": True}),
    ("T-0011", "reopen", {}),
    ("T-0011", "done", {}),
    ("T-0014", "done", {}),
]


def test_without_the_model_writes_what_the_model_writes(
    example_study: Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    twin = Study(
        Path(shutil.copytree(example_study.root, tmp_path / "twin", symlinks=True)),
        actor=local_actor,
    )
    _settle(example_study)
    reads = _model_reads(monkeypatch)
    for task_id, action, options in STEPS:
        reads.clear()
        quick = ops.set_status(example_study, task_id, action, today=TODAY, **options)
        assert reads == [], f"{action} {task_id} read the model"
        drop_cache(twin.root)  # the twin cannot vouch for anything
        slow = ops.set_status(twin, task_id, action, today=TODAY, **options)
        assert reads, f"{action} {task_id} on the twin did not use the model"
        assert {**vars(quick), "commit": None} == {**vars(slow), "commit": None}
        rel = f"tasks/00/{task_id}.yaml"
        assert (example_study.root / rel).read_bytes() == (twin.root / rel).read_bytes()
        assert last_commit(example_study) == last_commit(twin)
    # The rows the quick path stored equal rows made by reading every file again.
    drop_cache(twin.root)
    assert TaskIndex.load(example_study).rows == TaskIndex.load(twin).rows
    assert git(example_study, "status", "--porcelain") == ""


def test_refusals_are_the_same_and_change_nothing(
    example_study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    _settle(example_study)
    reads = _model_reads(monkeypatch)
    head = git(example_study, "rev-parse", "HEAD")
    with pytest.raises(ConflictError) as quick:
        ops.set_status(example_study, "T-0015", "done", today=TODAY)
    assert reads == []
    drop_cache(example_study.root)
    with pytest.raises(ConflictError) as slow:
        ops.set_status(example_study, "T-0015", "done", today=TODAY)
    assert reads[0] == "T-0015"  # then its dependencies, each through the model
    assert (str(quick.value), quick.value.hint) == (str(slow.value), slow.value.hint)
    assert "T-0012, T-0013, T-0014" in str(quick.value)
    assert git(example_study, "rev-parse", "HEAD") == head


def test_a_file_changed_since_it_was_indexed_is_read_through_the_model(
    example_study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    _settle(example_study)
    path = example_study.root / "tasks" / "00" / "T-0014.yaml"
    # Committed behind the tool's back (as a pull would): the cached row is now stale.
    path.write_text(path.read_text().replace("owner: AC-03", "owner: CR-01", 1))
    _commit_by_hand(example_study)
    reads = _model_reads(monkeypatch)
    ops.set_status(example_study, "T-0014", "start", today=TODAY)
    assert reads == ["T-0014"]
    assert "owner: CR-01" in path.read_text()
    assert "status: doing" in path.read_text()


def test_a_file_not_in_canonical_form_is_read_through_the_model(
    example_study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = example_study.root / "tasks" / "00" / "T-0014.yaml"
    text = path.read_text()
    assert "\ndue: 20" in text
    # A quoted date and a comment: valid, but not what the tool writes.
    edited = text.replace("\ndue: ", "\n# moved by the coordinator\ndue: ", 1)
    for variant in (_quote_due(text), edited):
        path.write_text(variant)
        _commit_by_hand(example_study)
        _settle(example_study)
        row = TaskIndex.load(example_study).get("T-0014")
        assert row is not None
        reads = _model_reads(monkeypatch)
        ops.set_status(example_study, "T-0014", "block", today=TODAY, reason="Waiting")
        assert reads == ["T-0014"]
        assert path.read_text() == to_yaml(ops.load_task(example_study, "T-0014"))
        ops.set_status(example_study, "T-0014", "reopen", today=TODAY)
    # The quoted date is not the model's value, so its row was never marked canonical.
    path.write_text(_quote_due(path.read_text()))
    _commit_by_hand(example_study)
    _settle(example_study)
    row = TaskIndex.load(example_study).get("T-0014")
    assert row is not None and row.canonical is False


def _commit_by_hand(study: Study) -> None:
    git(study, "-c", "user.name=CO-01", "-c", "user.email=co@x.invalid", "commit", "-qam", "edit")


def _quote_due(text: str) -> str:
    lines = [
        f"due: '{line[5:]}'" if line.startswith("due: ") else line for line in text.splitlines()
    ]
    return "\n".join(lines) + "\n"


def test_a_note_goes_through_the_model(
    example_study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    _settle(example_study)
    reads = _model_reads(monkeypatch)
    ops.set_status(example_study, "T-0014", "start", today=TODAY, note="Booked the first visit")
    assert reads == ["T-0014"]
    assert ops.load_task(example_study, "T-0014").notes[-1].text == "Booked the first visit"


def test_recent_and_racy_files_are_not_vouched_for(example_study: Study) -> None:
    TaskIndex.load(example_study)  # files written moments ago: "check again" entries
    assert Voucher(example_study).get("T-0014") is None
    _settle(example_study)
    assert Voucher(example_study).get("T-0014") is not None
    path = example_study.root / "tasks" / "00" / "T-0014.yaml"
    path.write_text(path.read_text() + "\n")  # a hand edit: the stat no longer matches
    assert Voucher(example_study).get("T-0014") is None
    assert Voucher(example_study).get("T-9999") is None
    assert Voucher(example_study).get("not-an-id") is None


# -- the property behind it: YAML alone gives the model's canonical data ---------------
_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=30
)
_DATES = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))
_PEOPLE = st.from_regex(ids.PERSON_ID, fullmatch=True)
_TASK_REFS = st.from_regex(ids.TASK_ID, fullmatch=True)
_TAGS = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,8}", fullmatch=True)
_MOMENTS = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1), timezones=st.just(dt.UTC)
).map(lambda moment: moment.replace(microsecond=0))


_CONFLICT_VALUES = st.none() | _TEXT | _DATES | st.integers(-5, 5) | st.lists(_TAGS, max_size=2)


@st.composite
def _tasks(draw: st.DrawFn) -> Task:
    status = draw(st.sampled_from(["todo", "doing", "blocked", "done"]))
    return Task.model_validate(
        {
            "id": draw(_TASK_REFS),
            "wp": draw(st.from_regex(ids.WP_ID, fullmatch=True)),
            "title": draw(_TEXT.filter(lambda text: text.strip() != "")),
            "status": status,
            "owner": draw(st.none() | _PEOPLE),
            "due": draw(st.none() | _DATES),
            "depends": draw(st.lists(_TASK_REFS, max_size=3)),
            "tags": draw(st.lists(_TAGS, max_size=3)),
            "blocked_reason": draw(_TEXT),
            "created": draw(_DATES),
            "done_on": draw(st.none() | _DATES),
            "notes": draw(
                st.lists(
                    st.fixed_dictionaries({"at": _MOMENTS, "by": _PEOPLE, "text": _TEXT}),
                    max_size=2,
                )
            ),
            # Fields changed on two computers, as sync records them (written last).
            "conflicts": draw(
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "field": st.sampled_from(["title", "due", "status", "tags"]),
                            "mine": _CONFLICT_VALUES,
                            "theirs": _CONFLICT_VALUES,
                            "mine_by": st.just("") | _PEOPLE,
                            "theirs_by": st.just("") | _PEOPLE,
                            "at": _MOMENTS,
                        }
                    ),
                    max_size=2,
                )
            ),
        }
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    task=_tasks(),
    action=st.sampled_from(ops.ACTIONS),
    reason=_TEXT.filter(lambda text: text.strip() != ""),
)
def test_yaml_alone_reads_back_the_model_data_and_writes_the_same_bytes(
    task: Task, action: str, reason: str
) -> None:
    text = to_yaml(task)
    loaded = yamlio.loads(text, "tasks/00/T-0001.yaml")
    # What a command writes reads back, with YAML alone, as the model's own data.
    assert same_data(loaded, record_data(task))
    order = list(task.model_dump(mode="json"))
    fields = {key: loaded.get(key) for key in order}
    assert yamlio.dumps(canonical_data(fields)) == text
    updates = {
        "start": {"status": "doing", "blocked_reason": ""},
        "done": {"status": "done", "done_on": TODAY, "blocked_reason": ""},
        "block": {"status": "blocked", "blocked_reason": reason.strip()},
        "reopen": {"status": "todo", "done_on": None, "blocked_reason": ""},
    }[action]
    changed = task.model_copy(deep=True)
    for name, value in updates.items():
        setattr(changed, name, value)
    assert yamlio.dumps(canonical_data({**fields, **updates})) == to_yaml(changed)
    row = task_index.row_of(task, "tasks/00/T-0001.yaml")
    expected = task_index.row_of(changed, "tasks/00/T-0001.yaml")
    assert ops.changed_row(row, updates) == expected


def test_same_data_is_strict_about_types_and_order() -> None:
    assert same_data({"a": 1, "b": [dt.date(2026, 1, 1)]}, {"a": 1, "b": [dt.date(2026, 1, 1)]})
    assert not same_data({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert not same_data({"due": "2026-01-01"}, {"due": dt.date(2026, 1, 1)})
    assert not same_data({"at": dt.datetime(2026, 1, 1)}, {"at": dt.date(2026, 1, 1)})
    assert not same_data({"n": True}, {"n": 1})
    assert not same_data([1, 2], [1])
