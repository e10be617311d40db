"""``prosper-coop task ...`` from the command line."""

from __future__ import annotations

import csv
import io
import json

import pytest

from prosper_coop.core.errors import ExitCode
from prosper_coop.core.study import Study
from tests.helpers import git, state
from tests.tasks.example_tasks import next_task_id, status_counts, task_count


def _run(cli, study: Study, *args: str):
    return cli("--study", str(study.root), "task", *args)


def test_every_task_command_runs_as_a_console_script(example_study: Study, run_cli, sealed_env):
    root = str(example_study.root)

    def ok(*args: str) -> str:
        result = run_cli("--study", root, "task", *args)
        assert result.returncode == 0, result.stderr
        return result.stdout

    new_id = next_task_id(example_study)  # one past the highest task on disk
    assert (
        ok(
            "add",
            "WP3",
            "Plan site 4 visit",
            "--owner",
            "AC-03",
            "--due",
            "2026-12-10",
            "--depends",
            "T-0010",
            "--tag",
            "sites",
        ).strip()
        == new_id
    )
    assert json.loads(ok("list", "--wp", "WP3", "--status", "todo", "--json"))[-1]["id"] == new_id
    assert "T-0024" in ok("mine")
    assert "Plan site 4 visit" in ok("show", new_id)
    ok("edit", new_id, "--due", "2026-12-12")
    ok("start", new_id)
    ok("block", new_id, "--reason", "Waiting for the site to confirm")
    ok("reopen", new_id)
    ok("assign", new_id, "AC-04")
    ok("note", new_id, "Site confirmed by phone")
    ok("done", new_id)
    assert f"doing ({status_counts(example_study)['doing']})" in ok("board")
    assert "today 2026-11-26" in ok("timeline")
    assert ok("timeline", "--mermaid").startswith("gantt\n")
    exported = ok("export", "--format", "csv")
    assert exported.startswith("id,wp,title,")
    (sealed_env / "t.csv").write_text(exported, encoding="utf-8")
    result = run_cli("--study", root, "task", "import", str(sealed_env / "t.csv"))
    assert result.returncode == 0, result.stderr
    assert "Nothing to change" in result.stderr
    subjects = git(example_study, "log", "--format=%s").splitlines()
    assert subjects[0] == f'task: done {new_id} "Plan site 4 visit" ({new_id})'
    assert len(subjects) == 9  # the study, then one commit per change
    assert subjects[-1].startswith("study: create example study")
    assert git(example_study, "status", "--porcelain") == ""


def test_add_prints_the_new_id_and_warnings(example_study: Study, cli) -> None:
    new_id = next_task_id(example_study)
    result = _run(cli, example_study, "add", "WP5", "Book a venue", "--due", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{new_id}\n"
    assert f"Added {new_id} to WP5." in result.stderr
    assert "before WP5 starts" in result.stderr


def test_list_table_and_filters(example_study: Study, cli) -> None:
    result = _run(cli, example_study, "list", "--wp", "WP3", "--status", "todo")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "WP", "Status", "Owner", "Due", "Title"]
    assert lines[2].startswith("T-0014  WP3")
    assert "waits on T-0012,T-0013…" in lines[3]
    assert lines[-1] == "2 task(s)"
    result = _run(cli, example_study, "list", "--overdue", "--sort", "due", "--json")
    assert [t["id"] for t in json.loads(result.stdout)] == ["T-0024", "T-0012", "T-0013", "T-0020"]
    count = task_count(example_study)
    result = _run(cli, example_study, "list", "--limit", "3")
    assert result.stdout.splitlines()[-1] == f"{count} task(s) (showing 3 of {count})"
    result = _run(cli, example_study, "list", "--tag", "nothing-like-this")
    assert result.exit_code == 0
    assert "No tasks match." in result.stderr
    data = json.loads(_run(cli, example_study, "list", "--json").stdout)
    assert len(data) == count
    assert set(data[0]) >= {"id", "wp", "title", "status", "owner", "due", "depends", "notes"}


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("list", "--wp", "WP9"), ExitCode.NOT_FOUND, "work package WP9 not found"),
        (("list", "--status", "finished"), ExitCode.USAGE, "no task status"),
        (("list", "--owner", "CR-42"), ExitCode.NOT_FOUND, "no person CR-42"),
        (("list", "--due-before", "soon"), ExitCode.USAGE, "is not a date"),
        (("list", "--sort", "colour"), ExitCode.USAGE, "cannot sort"),
        (("add", "WP9", "Title"), ExitCode.NOT_FOUND, "WP9 not found"),
        (("add", "WP3", "Title", "--owner", "CR-42"), ExitCode.NOT_FOUND, "people add"),
        (("add", "WP3", "Title", "--due", "31/12/2026"), ExitCode.USAGE, "is not a date"),
        (("add", "WP3", "Title", "--depends", "T-0999"), ExitCode.NOT_FOUND, "no task T-0999"),
        (("edit", "T-0001", "--add-depends", "T-0005"), ExitCode.CONFLICT, "T-0001 -> T-0005"),
        (("edit", "T-0999", "--title", "x"), ExitCode.NOT_FOUND, "task T-0999 not found"),
        (("show", "T-0999"), ExitCode.NOT_FOUND, "task list"),
        (("show", "42x"), ExitCode.USAGE, "T-0042"),
        (("done", "T-0015"), ExitCode.CONFLICT, "--force"),
        (("done", "T-0001"), ExitCode.CONFLICT, "already done"),
        (("block", "T-0014", "--reason", ""), ExitCode.USAGE, "say why"),
        (("reopen", "T-0014"), ExitCode.CONFLICT, "not done or blocked"),
        (("assign", "T-0014", "CR-42"), ExitCode.NOT_FOUND, "no person CR-42"),
        (("note", "T-0014", "  "), ExitCode.USAGE, "empty"),
        (("export", "--format", "xlsx"), ExitCode.USAGE, "unknown format"),
        (("import", "missing.csv"), ExitCode.USAGE, "no file"),
        (("timeline", "--wp", "WP9"), ExitCode.NOT_FOUND, "WP9"),
        (("board", "--owner", "CR-42"), ExitCode.NOT_FOUND, "CR-42"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    example_study: Study, cli, args: tuple[str, ...], code: ExitCode, words: str
) -> None:
    before = state(example_study)
    result = _run(cli, example_study, *args)
    assert result.exit_code == code, result.output
    assert "Error:" in result.stderr
    assert words in result.stderr
    assert state(example_study) == before


def test_done_force_and_show(example_study: Study, cli) -> None:
    result = _run(
        cli, example_study, "done", "T-0015", "--force", "--note", "Agreed at team meeting"
    )
    assert result.exit_code == 0, result.output
    assert "Warning: marked done although" in result.stderr
    shown = _run(cli, example_study, "show", "T-0015")
    assert shown.exit_code == 0, shown.output
    assert "Status:" in shown.stdout and "done" in shown.stdout
    assert "Agreed at team meeting" in shown.stdout
    assert "task: done T-0015" in shown.stdout
    data = json.loads(_run(cli, example_study, "show", "T-0015", "--json").stdout)
    assert data["history"][0]["subject"].startswith("task: done T-0015")
    assert data["blocked_by"] == ["T-0012", "T-0013", "T-0014"]


def test_edit_clears_due_and_owner(example_study: Study, cli) -> None:
    result = _run(
        cli,
        example_study,
        "edit",
        "T-0021",
        "--due",
        "none",
        "--owner",
        "none",
        "--depends",
        "none",
        "--tag",
        "online",
        "--remove-tag",
        "safeguarding",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(_run(cli, example_study, "show", "T-0021", "--json").stdout)
    assert (data["due"], data["owner"], data["depends"]) == (None, None, [])
    assert data["tags"] == ["fieldwork", "online"]


def test_mine_uses_the_acting_person(example_study: Study, cli, monkeypatch) -> None:
    monkeypatch.setenv("PROSPER_COOP_AS", "CR-02")
    result = _run(cli, example_study, "mine", "--json")
    assert [t["id"] for t in json.loads(result.stdout)] == ["T-0020"]
    # In your own list a passed date is said gently, with the choice of more time or help.
    result = _run(cli, example_study, "mine")
    assert "2026-11-23 (date passed)" in result.stdout
    assert "overdue" not in result.stdout + result.stderr
    assert "dates can move" in result.stderr
    assert "more time or some help" in result.stderr
    monkeypatch.setenv("PROSPER_COOP_AS", "CR-04")
    result = _run(cli, example_study, "mine")
    assert "T-0023" in result.stdout and "date" not in result.stderr
    monkeypatch.setenv("PROSPER_COOP_AS", "CR-05")
    result = _run(cli, example_study, "mine")
    assert result.exit_code == 0
    assert "CR-05 has no open tasks right now." in result.stderr


def test_board_json(example_study: Study, cli) -> None:
    data = json.loads(_run(cli, example_study, "board", "--wp", "WP4", "--json").stdout)
    # Counted from the WP4 task files (other features add follow-up tasks to WP4).
    assert data["counts"] == status_counts(example_study, wp="WP4")
    assert [t["id"] for t in data["columns"]["doing"]] == ["T-0024", "T-0020"]


def test_timeline_terminal_json_and_mermaid(example_study: Study, cli) -> None:
    result = _run(cli, example_study, "timeline", "--days", "7")
    assert result.exit_code == 0, result.output
    assert "WP3 In-depth case studie" in result.stdout
    assert "T-0022" in result.stdout and "T-0014" not in result.stdout
    data = json.loads(_run(cli, example_study, "timeline", "--json").stdout)
    assert [w["id"] for w in data["work_packages"]] == ["WP1", "WP2", "WP3", "WP4", "WP5"]
    mermaid = _run(cli, example_study, "timeline", "--mermaid", "--wp", "WP3").stdout
    lines = mermaid.splitlines()
    assert lines[:3] == ["gantt", "    title PROSPER", "    dateFormat YYYY-MM-DD"]
    assert "    section WP3 In-depth case studies in four areas of England" in lines
    assert any(
        line.strip().startswith("T-0012 Site 2") and ":crit, t0012," in line for line in lines
    )
    assert any(":milestone, done, wp3m1, " in line for line in lines)
    # Colons in titles would break the chart: they are replaced.
    assert all(line.count(":") <= 1 for line in lines[5:])
    no_tasks = _run(cli, example_study, "timeline", "--mermaid", "--no-tasks").stdout
    assert "T-0012" not in no_tasks


def test_export_to_file_and_import_round_trip(example_study: Study, cli, sealed_env) -> None:
    target = sealed_env / "out.csv"
    result = _run(cli, example_study, "export", "-o", str(target))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    count = task_count(example_study)
    assert len(rows) == count
    assert rows[13]["id"] == "T-0014"
    rows[13]["title"] = "Site 4: interviews with managers"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    result = _run(cli, example_study, "import", str(target))
    assert result.exit_code == 0, result.output
    assert f"0 added, 1 updated, {count - 1} unchanged" in result.stderr
    assert git(example_study, "log", "-1", "--format=%s").strip() == (
        "task: import 1 task(s) from out.csv (T-0014)"
    )
    json_out = json.loads(_run(cli, example_study, "export", "--format", "json").stdout)
    assert json_out[13]["title"] == "Site 4: interviews with managers"


def test_import_bad_row_reports_row_and_changes_nothing(example_study: Study, cli, sealed_env):
    path = sealed_env / "bad.csv"
    path.write_text("wp,title,due\nWP3,Fine,2026-12-01\nWP3,Bad,someday\n", encoding="utf-8")
    before = state(example_study)
    result = _run(cli, example_study, "import", str(path))
    assert result.exit_code == ExitCode.INVALID
    assert "Error: row 3: due: 'someday' is not a date" in result.stderr
    assert "Nothing was imported" in result.stderr
    assert state(example_study) == before


def test_help_lists_every_command_with_an_example() -> None:
    from prosper_coop.cli.task import app

    for command in app.registered_commands:
        assert command.callback is not None
        doc = command.callback.__doc__ or ""
        assert "Example: prosper-coop task" in doc, command.name


def test_the_coordinator_guide_shows_every_command() -> None:
    from pathlib import Path

    from prosper_coop.cli import task, wp

    guide = Path(__file__).resolve().parents[2] / "docs" / "guides" / "coordinator.md"
    text = guide.read_text(encoding="utf-8")
    for app, noun in ((task.app, "task"), (wp.app, "wp")):
        for command in app.registered_commands:
            name = command.name or command.callback.__name__  # type: ignore[union-attr]
            assert f"prosper-coop {noun} {name}" in text, name
    assert "prosper-coop wp milestone add" in text
    assert "prosper-coop wp milestone done" in text


def test_delete_asks_or_needs_yes_and_keeps_history(example_study: Study, cli) -> None:
    before = state(example_study)
    # Not a terminal and no --yes: nothing is deleted, and the hint says what to add.
    result = _run(cli, example_study, "delete", "T-0021")
    assert result.exit_code == ExitCode.USAGE
    assert "--yes" in result.stderr
    assert state(example_study) == before
    result = _run(cli, example_study, "delete", "14", "--yes")  # others depend on T-0014
    assert result.exit_code == ExitCode.CONFLICT
    assert "--force" in result.stderr
    assert state(example_study) == before
    result = _run(cli, example_study, "delete", "14", "--yes", "--force")
    assert result.exit_code == 0, result.output
    assert "Deleted T-0014" in result.stderr
    assert "No longer waiting on it: T-0015" in result.stderr
    assert "T-0014" not in {
        t["id"] for t in json.loads(_run(cli, example_study, "list", "--json").stdout)
    }
    subject = git(example_study, "log", "-1", "--format=%s").strip()
    assert subject.startswith('task: delete T-0014 "')


def test_short_task_ids_are_named_in_full(example_study: Study, cli) -> None:
    result = _run(cli, example_study, "start", "14")
    assert result.exit_code == 0, result.output
    assert "Started T-0014." in result.stderr
    result = _run(cli, example_study, "note", "t-14", "Booked the first visit")
    assert "Added a note to T-0014." in result.stderr
    result = _run(cli, example_study, "assign", "T14", "CR-01")
    assert "T-0014 is now with CR-01." in result.stderr


def test_undo_from_the_command_line(example_study: Study, cli) -> None:
    result = _run(cli, example_study, "undo")
    assert result.exit_code == ExitCode.CONFLICT
    assert "not a task change" in result.stderr
    assert _run(cli, example_study, "done", "T-0014").exit_code == 0
    result = _run(cli, example_study, "undo")
    assert result.exit_code == 0, result.output
    assert (
        'Undid: task: done T-0014 "Site 4: interviews with service staff" (T-0014)' in result.stderr
    )
    assert "To redo it" in result.stderr
    listed = json.loads(_run(cli, example_study, "list", "--json").stdout)
    assert next(t for t in listed if t["id"] == "T-0014")["status"] == "todo"


def test_timeline_shows_the_soonest_due_tasks_and_how_to_see_them_all(
    example_study: Study, cli
) -> None:
    full = json.loads(_run(cli, example_study, "timeline", "--json").stdout)["due_tasks"]
    assert len(full) > 2
    result = _run(cli, example_study, "timeline", "--limit", "2")
    assert result.exit_code == 0, result.output
    shown = [t["id"] for t in full[:2]]
    assert all(task_id in result.stdout for task_id in shown)
    assert full[2]["id"] not in result.stdout
    assert f"(the first 2 of {len(full)})" in result.stdout
    hint = "See them all with: prosper-coop task list --open --due-before 2026-12-27 --sort due"
    assert hint in result.stderr
    listed = json.loads(
        _run(cli, example_study, "list", "--open", "--due-before", "2026-12-27", "--json").stdout
    )
    assert sorted(t["id"] for t in listed if t["due"]) == sorted(t["id"] for t in full)
    everything = _run(cli, example_study, "timeline")
    assert "See them all" not in everything.stderr
