"""Task rules: IDs, owners, dependencies and cycles, status changes, one commit each."""

from __future__ import annotations

import datetime as dt

import pytest

from prosper_coop.core.errors import ConflictError, InvalidInputError, NotFoundError
from prosper_coop.core.study import Study
from prosper_coop.tasks import ops, query, workpackages
from prosper_coop.tasks.index import TaskIndex
from tests.helpers import git, head
from tests.tasks.example_tasks import next_task_id, open_due_between, status_counts

TODAY = dt.date(2026, 11, 26)


def test_add_numbers_tasks_and_commits_once(example_study: Study) -> None:
    before = head(example_study)
    new_id = next_task_id(example_study)  # one past the highest task on disk
    result = ops.add_task(
        example_study,
        "WP3",
        "Draft site 4 report",
        today=TODAY,
        owner="AC-03",
        due=dt.date(2027, 1, 10),
        depends=["T-0014,T-0011"],
        tags=["analysis"],
        note="Use the site 1 report as a model",
    )
    task = result.task
    assert task.id == new_id
    assert task.depends == ["T-0014", "T-0011"]
    assert task.notes[0].by == "CO-01"
    assert result.warnings == []
    log = git(example_study, "log", "--format=%an|%s", f"{before}..HEAD")
    assert log == f'CO-01|task: add {new_id} "Draft site 4 report" ({new_id})\n'
    assert (example_study.root / "tasks" / "00" / f"{new_id}.yaml").is_file()


def test_add_warns_about_dates_outside_the_work_package(example_study: Study) -> None:
    result = ops.add_task(
        example_study, "WP3", "Late extra visit", today=TODAY, due=dt.date(2028, 1, 1)
    )
    assert any("after WP3 ends" in w for w in result.warnings)
    result = ops.add_task(
        example_study, "WP5", "Early planning", today=TODAY, due=dt.date(2026, 11, 1)
    )
    assert any("before WP5 starts" in w for w in result.warnings)
    assert any("already passed" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"wp": "WP9"}, NotFoundError, "work package WP9 not found"),
        ({"owner": "CR-77"}, NotFoundError, "no person CR-77"),
        ({"depends": ["T-0999"]}, NotFoundError, "there is no task T-0999"),
        ({"depends": ["T-12x"]}, InvalidInputError, "does not look right"),
        ({"tags": ["Not A Tag!"]}, InvalidInputError, "tags"),
        ({"title": "   "}, InvalidInputError, "title"),
    ],
)
def test_add_refuses_bad_input_and_changes_nothing(
    example_study: Study, kwargs: dict, error: type, words: str
) -> None:
    before = head(example_study)
    args = {"wp": "WP3", "title": "A task", **kwargs}
    with pytest.raises(error) as caught:
        ops.add_task(example_study, args.pop("wp"), args.pop("title"), today=TODAY, **args)
    assert words in str(caught.value)
    assert caught.value.hint
    assert head(example_study) == before
    assert git(example_study, "status", "--porcelain") == ""


def test_cycles_are_refused_with_the_cycle_spelled_out(example_study: Study) -> None:
    before = head(example_study)
    with pytest.raises(ConflictError) as caught:
        ops.edit_task(example_study, "T-0002", today=TODAY, add_depends=["T-0005"])
    assert "T-0002 -> T-0005 -> T-0003 -> T-0002" in str(caught.value)
    with pytest.raises(InvalidInputError, match="cannot depend on itself"):
        ops.edit_task(example_study, "T-0002", today=TODAY, add_depends=["T-0002"])
    assert head(example_study) == before


def test_find_cycle() -> None:
    graph = {"A": ["B"], "B": ["C"], "C": ["A"], "D": []}
    assert ops.find_cycle(graph, "A") == ["A", "B", "C", "A"]
    assert ops.find_cycle(graph, "D") is None


def test_done_with_open_dependencies_needs_force(example_study: Study) -> None:
    before = head(example_study)
    with pytest.raises(ConflictError) as caught:
        ops.set_status(example_study, "T-0015", "done", today=TODAY)
    assert "T-0012, T-0013, T-0014" in str(caught.value)
    assert "--force" in (caught.value.hint or "")
    assert head(example_study) == before
    result = ops.set_status(example_study, "T-0015", "done", today=TODAY, force=True)
    assert (result.status, result.done_on) == ("done", TODAY)
    saved = ops.load_task(example_study, "T-0015")
    assert (saved.status, saved.done_on) == ("done", TODAY)
    assert result.warnings
    subject = git(example_study, "log", "-1", "--format=%s")
    assert subject.strip() == 'task: done T-0015 "Draft cross-case analysis" (T-0015)'


def test_status_changes(example_study: Study) -> None:
    task = ops.set_status(example_study, "T-0014", "start", today=TODAY)
    assert task.status == "doing"
    assert ops.load_task(example_study, "T-0014").status == "doing"
    with pytest.raises(ConflictError, match="already started"):
        ops.set_status(example_study, "T-0014", "start", today=TODAY)
    with pytest.raises(InvalidInputError, match="say why"):
        ops.set_status(example_study, "T-0014", "block", today=TODAY, reason=" ")
    task = ops.set_status(
        example_study, "T-0014", "block", today=TODAY, reason="Site closed for refurbishment"
    )
    assert (task.status, task.blocked_reason) == ("blocked", "Site closed for refurbishment")
    task = ops.set_status(example_study, "T-0014", "reopen", today=TODAY)
    assert (task.status, task.blocked_reason) == ("todo", "")
    with pytest.raises(ConflictError, match="not done or blocked"):
        ops.set_status(example_study, "T-0014", "reopen", today=TODAY)
    task = ops.set_status(example_study, "T-0011", "reopen", today=TODAY)
    assert (task.status, task.done_on) == ("todo", None)
    saved = ops.load_task(example_study, "T-0011")
    assert (saved.status, saved.done_on, saved.blocked_reason) == ("todo", None, "")
    with pytest.raises(ConflictError, match="already done"):
        ops.set_status(example_study, "T-0001", "done", today=TODAY)


def test_assign_and_note(example_study: Study) -> None:
    assert ops.assign(example_study, "T-0021", "CR-05").task.owner == "CR-05"
    assert ops.assign(example_study, "T-0021", None).task.owner is None
    with pytest.raises(NotFoundError, match="no person CR-66") as caught:
        ops.assign(example_study, "T-0021", "CR-66")
    assert "prosper-coop people add" in (caught.value.hint or "")
    task = ops.add_note(example_study, "T-0021", "  Moved to the new year  ").task
    assert task.notes[-1].text == "Moved to the new year"
    with pytest.raises(InvalidInputError, match="empty"):
        ops.add_note(example_study, "T-0021", "   ")
    with pytest.raises(NotFoundError, match="task T-0999 not found"):
        ops.add_note(example_study, "T-0999", "hello")


def test_edit_fields(example_study: Study) -> None:
    task = ops.edit_task(
        example_study,
        "T-0021",
        today=TODAY,
        title="Paired interviews: batch 2 (online)",
        due=None,
        owner="CR-04",
        add_tags=["online"],
        remove_tags=["safeguarding"],
        remove_depends=["T-0020"],
    ).task
    assert task.title == "Paired interviews: batch 2 (online)"
    assert task.due is None
    assert task.owner == "CR-04"
    assert task.tags == ["fieldwork", "online"]
    assert task.depends == []
    with pytest.raises(InvalidInputError, match="already has those values"):
        ops.edit_task(example_study, "T-0021", today=TODAY, owner="CR-04")


def test_show_has_dependencies_and_history(example_study: Study) -> None:
    ops.set_status(example_study, "T-0013", "start", today=TODAY)
    data = ops.show_task(example_study, "T-0015", today=TODAY)
    assert data["blocked_by"] == ["T-0012", "T-0013", "T-0014"]
    assert data["blocks"] == ["T-0025"]
    data = ops.show_task(example_study, "T-0013", today=TODAY)
    assert data["days_late"] == 5
    assert [note["by"] for note in data["notes"]] == ["AC-04", "AC-04"]
    subjects = [h["subject"] for h in data["history"]]
    assert subjects[0].startswith("task: start T-0013")
    assert subjects[-1].startswith("study: create example study")


def test_queries(example_study: Study) -> None:
    def ids(**kwargs) -> list[str]:
        sort = kwargs.pop("sort", "id")
        listing = query.list_tasks(
            example_study, query.TaskFilter(**kwargs), today=TODAY, sort=sort
        )
        return [row.id for row in listing.rows]

    assert ids(wp="WP3", statuses=("todo",)) == ["T-0014", "T-0015"]
    assert ids(overdue=True, sort="due") == ["T-0024", "T-0012", "T-0013", "T-0020"]
    assert ids(owner="CR-02") == ["T-0020"]
    assert ids(tags=("ppi",)) == ["T-0026"]
    assert ids(due_before=dt.date(2025, 7, 1)) == ["T-0001"]
    assert ids(blocked_by_dependencies=True, wp="WP5") == ["T-0025", "T-0026", "T-0027"]
    assert ids(text="SURVEY", open_only=True) == []
    with pytest.raises(InvalidInputError, match="no task status"):
        ids(statuses=("finished",))
    with pytest.raises(InvalidInputError, match="cannot sort"):
        ids(sort="colour")
    board = query.board(example_study, query.TaskFilter(wp="WP4"), today=TODAY, per_column=2)
    # Counted from the WP4 task files (other features add follow-up tasks to WP4).
    assert board.counts == status_counts(example_study, wp="WP4")
    assert board.counts["done"] > 2
    assert len(board.columns["done"]) == 2


def test_progress_and_attention(example_study: Study) -> None:
    rows = {row["id"]: row for row in workpackages.progress(example_study, today=TODAY)}
    assert (rows["WP3"]["done"], rows["WP3"]["tasks"], rows["WP3"]["percent"]) == (2, 6, 33)
    assert rows["WP3"]["overdue"] == 2
    assert rows["WP3"]["next_milestone"]["title"] == "Case study fieldwork complete"
    data = query.attention(example_study, today=TODAY)
    due_this_week = [t["id"] for t in data["due_this_week"]]
    assert due_this_week == open_due_between(example_study, TODAY, TODAY + dt.timedelta(days=7))
    assert [i for i in due_this_week if i in ("T-0022", "T-0023")] == ["T-0022", "T-0023"]
    assert [t["id"] for t in data["blocked"]] == ["T-0013"]
    assert data["waiting_on_dependencies"] == 6


def test_index_is_used_for_next_id_after_deleting_the_cache(example_study: Study) -> None:
    from prosper_coop.tasks.index import drop_cache

    drop_cache(example_study.root)
    new_id = next_task_id(example_study)
    assert ops.add_task(example_study, "WP5", "One more", today=TODAY).task.id == new_id
    assert TaskIndex.load(example_study).highest_number() == int(new_id[2:])


def test_delete_refuses_while_others_depend_on_it(example_study: Study) -> None:
    dependents = TaskIndex.load(example_study).dependents("T-0014")
    assert dependents
    before = head(example_study)
    with pytest.raises(ConflictError) as caught:
        ops.delete_task(example_study, "T-0014")
    assert dependents[0] in str(caught.value)
    assert "--remove-depends T-0014" in (caught.value.hint or "")
    assert head(example_study) == before
    assert (example_study.root / "tasks" / "00" / "T-0014.yaml").is_file()


def test_delete_with_force_releases_dependents_in_one_commit(example_study: Study) -> None:
    dependents = TaskIndex.load(example_study).dependents("T-0014")
    before = head(example_study)
    result = ops.delete_task(example_study, "T-0014", force=True)
    assert result.released == dependents
    assert not (example_study.root / "tasks" / "00" / "T-0014.yaml").exists()
    for dependent in dependents:
        assert "T-0014" not in ops.load_task(example_study, dependent).depends
    log = git(example_study, "log", "--format=%an|%s", f"{before}..HEAD")
    assert log.count("\n") == 1
    assert log.startswith('CO-01|task: delete T-0014 "')
    # The index (refreshed by the command) equals a full re-read, and git keeps the history.
    index = TaskIndex.load(example_study)
    assert index.get("T-0014") is None
    assert all("T-0014" not in row.depends for row in index.rows)
    assert "status: todo" in git(example_study, "show", f"{before}:tasks/00/T-0014.yaml")
    with pytest.raises(NotFoundError):
        ops.delete_task(example_study, "T-0014")


def test_delete_a_task_nothing_depends_on(example_study: Study) -> None:
    new_id = ops.add_task(example_study, "WP5", "Made by mistake", today=TODAY).task.id
    result = ops.delete_task(example_study, new_id)
    assert (result.task_id, result.title, result.released) == (new_id, "Made by mistake", [])
    assert TaskIndex.load(example_study).get(new_id) is None
    assert git(example_study, "status", "--porcelain") == ""


@pytest.mark.parametrize("typed", ["T-0014", "14", "T14", "t-14", "t-0014", " 14 "])
def test_task_ids_can_be_typed_short(typed: str) -> None:
    assert query.check_task_id(typed) == "T-0014"


@pytest.mark.parametrize("typed", ["", "T-", "TT-14", "14a", "T-14-2", "-14", "task 14"])
def test_malformed_task_ids_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInputError, match="does not look right"):
        query.check_task_id(typed)


def test_commands_take_short_task_ids(example_study: Study) -> None:
    assert ops.set_status(example_study, "14", "start", today=TODAY).task_id == "T-0014"
    assert ops.load_task(example_study, "t-14").status == "doing"
    result = ops.add_task(
        example_study, "WP3", "Check transcripts", today=TODAY, depends=["14,T13"]
    )
    assert result.task.depends == ["T-0014", "T-0013"]
    edited = ops.edit_task(example_study, result.task.id, today=TODAY, remove_depends=["13"])
    assert edited.task.depends == ["T-0014"]
    assert ops.show_task(example_study, "15", today=TODAY)["id"] == "T-0015"


def test_undo_puts_back_the_latest_task_change_and_can_redo_it(example_study: Study) -> None:
    path = example_study.root / "tasks" / "00" / "T-0014.yaml"
    before = path.read_bytes()
    ops.set_status(example_study, "T-0014", "done", today=TODAY, note="All four visits booked")
    after = path.read_bytes()
    result = ops.undo_last(example_study)
    assert result.paths == ["tasks/00/T-0014.yaml"]
    assert path.read_bytes() == before
    subject = git(example_study, "log", "-1", "--format=%an|%s").strip()
    assert (
        subject == 'CO-01|task: undo done T-0014 "Site 4: interviews with service staff" (T-0014)'
    )
    assert TaskIndex.load(example_study).get("T-0014").status == "todo"  # type: ignore[union-attr]
    ops.undo_last(example_study)  # undoing the undo redoes the change
    assert path.read_bytes() == after
    assert git(example_study, "status", "--porcelain") == ""


def test_undo_of_an_added_task_removes_it(example_study: Study) -> None:
    new_id = ops.add_task(example_study, "WP5", "Made by mistake", today=TODAY).task.id
    ops.undo_last(example_study)
    assert TaskIndex.load(example_study).get(new_id) is None
    assert not list((example_study.root / "tasks").rglob(f"{new_id}.yaml"))


def test_undo_refuses_what_is_not_the_actors_latest_task_change(
    example_study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = head(example_study)
    with pytest.raises(ConflictError, match="not a task change"):
        ops.undo_last(example_study)  # the latest change made the example study
    ops.set_status(example_study, "T-0014", "start", today=TODAY)
    before = head(example_study)
    monkeypatch.setenv("PROSPER_COOP_AS", "AC-03")
    with pytest.raises(ConflictError, match="made by CO-01, not by you") as caught:
        ops.undo_last(example_study)
    assert "Ask CO-01" in (caught.value.hint or "")
    assert head(example_study) == before
