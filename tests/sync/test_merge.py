"""The three-way merge rules and the two git merge drivers, on real files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from prosper_coop.sync import merge as merging
from prosper_coop.sync.merge import DriverContext, merge_data

AGE = b"age-encryption.org/v1\n"


def test_scalar_changed_on_one_side_takes_that_side() -> None:
    result = merge_data({"a": 1, "b": 1}, {"a": 2, "b": 1}, {"a": 1, "b": 3})
    assert result.data == {"a": 2, "b": 3}
    assert result.conflicts == []


def test_scalar_changed_on_both_sides_keeps_mine_and_records_both() -> None:
    result = merge_data({"status": "todo"}, {"status": "doing"}, {"status": "done"})
    assert result.data == {"status": "doing"}
    assert [(c.field, c.mine, c.theirs) for c in result.conflicts] == [("status", "doing", "done")]


def test_same_change_on_both_sides_is_not_a_conflict() -> None:
    result = merge_data({"status": "todo"}, {"status": "done"}, {"status": "done"})
    assert result.data == {"status": "done"} and not result.conflicts


def test_lists_merge_as_three_way_sets() -> None:
    base = {"tags": ["a", "b", "c"]}
    ours = {"tags": ["a", "c", "mine"]}  # removed b, added mine
    theirs = {"tags": ["a", "b", "theirs"]}  # removed c, added theirs
    assert merge_data(base, ours, theirs).data == {"tags": ["a", "mine", "theirs"]}


def test_list_emptied_on_one_side_is_left_out_like_the_canonical_form() -> None:
    assert merge_data({"tags": ["a"]}, {}, {"tags": ["a"]}).data == {}
    assert merge_data({}, {"tags": ["x"]}, {}).data == {"tags": ["x"]}


def test_dated_notes_from_both_sides_are_united_in_time_order() -> None:
    n1 = {"at": dt.datetime(2026, 1, 1, 9), "by": "CR-01", "text": "first"}
    n2 = {"at": dt.datetime(2026, 1, 1, 10), "by": "CR-02", "text": "second"}
    n3 = {"at": dt.datetime(2026, 1, 1, 11), "by": "CR-03", "text": "third"}
    merged = merge_data({"notes": [n1]}, {"notes": [n1, n3]}, {"notes": [n1, n2]})
    assert merged.data["notes"] == [n1, n2, n3]


def test_items_with_ids_merge_field_by_field() -> None:
    m1 = {"id": "M1", "title": "Half way", "due": dt.date(2026, 6, 1)}
    base = {"milestones": [m1]}
    ours = {"milestones": [{**m1, "title": "Mid-point review"}]}
    theirs = {"milestones": [{**m1, "due": dt.date(2026, 7, 1)}, {"id": "M2", "title": "End"}]}
    merged = merge_data(base, ours, theirs)
    assert merged.data["milestones"] == [
        {"id": "M1", "title": "Mid-point review", "due": dt.date(2026, 7, 1)},
        {"id": "M2", "title": "End"},
    ]
    clash = merge_data(base, ours, {"milestones": [{**m1, "title": "Midway"}]})
    assert [c.field for c in clash.conflicts] == ["milestones[M1].title"]


def test_nested_mapping_conflict_names_the_dotted_field() -> None:
    base = {"credit": {"style": "group", "display": ""}}
    ours = {"credit": {"style": "initials", "display": "A.B."}}
    theirs = {"credit": {"style": "none", "display": ""}}
    merged = merge_data(base, ours, theirs)
    assert merged.data["credit"] == {"style": "initials", "display": "A.B."}
    assert [c.field for c in merged.conflicts] == ["credit.style"]


def test_recorded_conflicts_are_united_and_the_same_clash_is_recorded_once() -> None:
    old = {"field": "title", "mine": "x", "theirs": "y", "at": dt.datetime(2026, 1, 1)}
    merged = merge_data({}, {"conflicts": [old]}, {})
    assert merged.data["conflicts"] == [old]
    data = {"conflicts": [old]}
    merging.add_conflicts(data, [merging.FieldConflict("title", "y", "x")], "CR-01", "CR-02")
    assert len(data["conflicts"]) == 1  # the same pair seen from the other side
    # ...and a resolution on one side (conflict removed) is respected.
    assert "conflicts" not in merge_data({"conflicts": [old]}, {}, {"conflicts": [old]}).data


def _write(tmp_path: Path, base: str, ours: str, theirs: str) -> tuple[Path, Path, Path]:
    paths = []
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1], paths[2]


TASK = """\
id: T-0001
wp: WP1
title: Draft topic guide
status: {status}
created: 2026-11-01
"""


def test_yaml_driver_records_conflict_in_the_record_never_markers(tmp_path: Path) -> None:
    base, ours, theirs = _write(
        tmp_path,
        TASK.format(status="todo"),
        TASK.format(status="doing"),
        TASK.format(status="done"),
    )
    ctx = DriverContext(path="tasks/00/T-0001.yaml", git_dir=tmp_path)
    assert merging.yaml_driver(base, ours, theirs, ctx) == 0
    text = ours.read_text()
    assert "<<<<<<<" not in text and ">>>>>>>" not in text
    data = yaml.safe_load(text)
    assert data["status"] == "doing"
    assert data["conflicts"][0]["field"] == "status"
    assert (data["conflicts"][0]["mine"], data["conflicts"][0]["theirs"]) == ("doing", "done")


def test_yaml_driver_keeps_ours_whole_when_merged_fields_do_not_fit(tmp_path: Path) -> None:
    wp = "id: WP1\ntitle: Interviews\nstart: {start}\nend: {end}\n"
    base, ours, theirs = _write(
        tmp_path,
        wp.format(start="2026-01-01", end="2026-06-01"),
        wp.format(start="2026-05-01", end="2026-06-01"),  # start moved later
        wp.format(start="2026-01-01", end="2026-03-01"),  # end moved earlier: end < start
    )
    ctx = DriverContext(path="workpackages/WP1.yaml", git_dir=tmp_path)
    assert merging.yaml_driver(base, ours, theirs, ctx) == 0
    data = yaml.safe_load(ours.read_text())
    assert (str(data["start"]), str(data["end"])) == ("2026-05-01", "2026-06-01")
    assert {c["field"]: str(c["theirs"]) for c in data["conflicts"]} == {"end": "2026-03-01"}


def test_yaml_driver_merges_other_files_by_line_and_keeps_a_clash_beside(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "git").mkdir()
    middle = "x: 0\ny: 0\nz: 0\n"
    base, ours, theirs = _write(
        tmp_path, f"a: 1\n{middle}b: 1\n", f"a: 2\n{middle}b: 1\n", f"a: 1\n{middle}b: 3\n"
    )
    ctx = DriverContext(path="protocols/distress.yaml", git_dir=tmp_path / "git")
    assert merging.yaml_driver(base, ours, theirs, ctx) == 0
    assert ours.read_text() == f"a: 2\n{middle}b: 3\n"
    base, ours, theirs = _write(tmp_path, "a: 1\n", "a: 2\n", "a: 3\n")
    assert merging.yaml_driver(base, ours, theirs, ctx) == 0
    assert ours.read_text() == "a: 2\n"
    (sidecar,) = (tmp_path / "git" / merging.SIDECARS_FILE).read_text().split()
    assert sidecar.startswith("protocols/distress.yaml.conflict-")
    assert (tmp_path / sidecar).read_text() == "a: 3\n"


def test_age_driver_newer_wins_and_the_other_is_kept_beside(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "git").mkdir()
    base, ours, theirs = (tmp_path / n for n in ("base", "ours", "theirs"))
    base.write_bytes(AGE + b"base")
    ours.write_bytes(AGE + b"older")
    theirs.write_bytes(AGE + b"newer")

    class Timed(DriverContext):
        def when(self, side: str) -> int:
            return {"ours": 100, "theirs": 200}[side]

    ctx = Timed(path="checkins/CI-0001.age", git_dir=tmp_path / "git")
    assert merging.age_driver(base, ours, theirs, ctx) == 0
    assert ours.read_bytes() == AGE + b"newer"
    (sidecar,) = (tmp_path / "git" / merging.SIDECARS_FILE).read_text().split()
    assert sidecar.startswith("checkins/CI-0001.conflict-") and sidecar.endswith(".age")
    assert (tmp_path / sidecar).read_bytes() == AGE + b"older"


def test_run_driver_refuses_unknown_kind_and_unreadable_input(tmp_path: Path) -> None:
    assert merging.run_driver("toml", "a", "b", "c", "x.toml") == 1
    assert merging.run_driver("yaml", str(tmp_path / "none"), "b", "c", "tasks/T-1.yaml") == 1


def test_two_conflicts_in_one_record_write_plain_yaml(tmp_path: Path) -> None:
    task = "id: T-0001\nwp: WP1\ntitle: {title}\nstatus: {status}\ncreated: 2026-11-01\n"
    base, ours, theirs = _write(
        tmp_path,
        task.format(title="Base", status="todo"),
        task.format(title="Mine", status="doing"),
        task.format(title="Theirs", status="done"),
    )
    ctx = DriverContext(path="tasks/00/T-0001.yaml", git_dir=tmp_path)
    assert merging.yaml_driver(base, ours, theirs, ctx) == 0
    text = ours.read_text()
    assert "&" not in text and "*" not in text  # no YAML anchors: study files refuse them
    assert [c["field"] for c in yaml.safe_load(text)["conflicts"]] == ["title", "status"]


def test_git_reason_picks_the_line_that_says_what_went_wrong() -> None:
    from prosper_coop.core.git import git_reason

    stderr = (
        "fatal: '/x/team.git' does not appear to be a git repository\n"
        "fatal: Could not read from remote repository.\n\n"
        "Please make sure you have the correct access rights\nand the repository exists.\n"
    )
    assert git_reason(stderr) == "'/x/team.git' does not appear to be a git repository"
    assert git_reason("something odd\n") == "something odd"
    assert git_reason("") == ""


# -- checklist ticks and fields that belong together (issue 14, item 12a) ----------------
RUN = """\
id: C-0022
definition: pre-session-safeguarding
version: 1
fingerprint: 0123456789abcdef
subject: S-0001
started: 2026-11-26T09:00:00Z
started_by: CO-01
"""


def _ticks(*items: tuple[str, str, int]) -> str:
    lines = ["ticks:"]
    for item, by, minute in items:
        lines += [f"- item: {item}", f"  by: {by}", f"  at: 2026-11-26T10:{minute:02d}:00Z"]
    return "\n".join(lines) + "\n"


def test_ticks_from_two_computers_merge_item_by_item_and_keep_both_who_and_when(
    tmp_path: Path,
) -> None:
    """A complete run stays complete: every tick from either side stands."""
    first = [("room", "CO-01", 1), ("exits", "CO-01", 2), ("helpline", "CO-01", 3)]
    ours_only = [("consent", "CR-01", 10), ("debrief", "CR-01", 11)]
    theirs_only = [("consent", "CR-02", 5), ("debrief", "CR-02", 6), ("buddy", "CR-02", 7)]
    theirs_only.append(("lead-on-call", "CR-02", 8))
    base, ours, theirs = _write(
        tmp_path,
        RUN + _ticks(*first),
        RUN + _ticks(*first, *ours_only),
        RUN + "completed: 2026-11-26T10:08:00Z\n" + _ticks(*first, *theirs_only),
    )
    ctx = DriverContext(path="checklists/C-0022.yaml", git_dir=tmp_path)
    assert merging.yaml_driver(base, ours, theirs, ctx) == 0
    data = yaml.safe_load(ours.read_text())
    assert "conflicts" not in data
    ticks = {tick["item"]: tick for tick in data["ticks"]}
    assert sorted(ticks) == sorted(["room", "exits", "helpline", "consent", "debrief", "buddy",
                                    "lead-on-call"])  # fmt: skip
    assert data["completed"] is not None  # the run is still complete (7 of 7)
    # Ticked on both computers: the first tick stands, the other's who and when are kept.
    consent = ticks["consent"]
    assert (consent["by"], consent["at"].minute) == ("CR-02", 5)
    assert [(t["by"], t["at"].minute) for t in consent["also_ticked"]] == [("CR-01", 10)]


def test_ticks_that_disagree_keep_mine_and_record_the_other_tick_as_one_conflict(
    tmp_path: Path,
) -> None:
    yes = "- item: consent\n  by: CR-01\n  at: 2026-11-26T10:00:00Z\n  answer: true\n"
    no = "- item: consent\n  by: CR-02\n  at: 2026-11-26T10:05:00Z\n  answer: false\n"
    base, ours, theirs = _write(tmp_path, RUN, RUN + "ticks:\n" + yes, RUN + "ticks:\n" + no)
    ctx = DriverContext(path="checklists/C-0022.yaml", git_dir=tmp_path)
    assert merging.yaml_driver(base, ours, theirs, ctx) == 0
    data = yaml.safe_load(ours.read_text())
    assert [(t["item"], t["answer"]) for t in data["ticks"]] == [("consent", True)]
    (clash,) = data["conflicts"]
    assert clash["field"] == "ticks[consent]"
    assert (clash["mine"]["answer"], clash["theirs"]["answer"]) == (True, False)
    assert clash["theirs"]["by"] == "CR-02"


def test_task_status_done_on_and_blocked_reason_merge_together(tmp_path: Path) -> None:
    """``done`` here and ``start`` there never leaves a task "doing" with a done date."""
    started = TASK.format(status="doing")
    done = TASK.format(status="done") + "done_on: 2027-04-02\n"
    for ours_text, theirs_text, kept in ((started, done, "doing"), (done, started, "done")):
        base, ours, theirs = _write(tmp_path, TASK.format(status="todo"), ours_text, theirs_text)
        ctx = DriverContext(path="tasks/00/T-0001.yaml", git_dir=tmp_path)
        assert merging.yaml_driver(base, ours, theirs, ctx) == 0
        data = yaml.safe_load(ours.read_text())
        assert data["status"] == kept
        assert ("done_on" in data) == (kept == "done")
        fields = {c["field"] for c in data["conflicts"]}
        assert "status" in fields
        if kept == "doing":  # the other side's done date is kept in the conflict
            assert {c["field"]: str(c["theirs"]) for c in data["conflicts"]}["done_on"] == (
                "2027-04-02"
            )


def test_fields_that_belong_together_changed_on_one_side_come_whole() -> None:
    base = {"status": "blocked", "blocked_reason": "Waiting for ethics"}
    ours = {"status": "blocked", "blocked_reason": "Waiting for ethics", "title": "New title"}
    theirs = {"status": "done", "done_on": dt.date(2027, 4, 2)}
    together = (("status", "done_on", "blocked_reason"),)
    merged = merge_data(base, ours, theirs, together)
    assert merged.data == {"status": "done", "title": "New title", "done_on": dt.date(2027, 4, 2)}
    assert merged.conflicts == []


def test_a_copy_kept_beside_is_named_in_the_syncs_intent_before_it_is_written(
    tmp_path: Path, monkeypatch
) -> None:
    """A sync killed inside git's merge leaves no spare copy for ``save`` to commit."""
    from prosper_coop.core import journal

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    with journal.intent(tmp_path, "sync", head="0" * 40):
        ctx = DriverContext(path="protocols/distress.yaml", git_dir=tmp_path / ".git")
        rel = ctx.keep_beside(b"a: 3\n", "")
        intent = journal.read_intent(tmp_path)
        assert intent is not None and intent["created"] == [rel]
        assert intent["kind"] == "sync" and intent["head"] == "0" * 40
    assert journal.read_intent(tmp_path) is None
