"""``prosper-coop calendar``: an iCalendar file (RFC 5545) of sessions, milestones and due
tasks, read back with the icalendar parser; stable UIDs; nothing sensitive in events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import icalendar
import pytest

from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from tests.helpers import act_as


def export(cli: Any, study: Study, tmp_path: Path, *args: str, name: str = "study.ics") -> bytes:
    target = tmp_path / name
    result = cli("--study", str(study.root), "calendar", "--out", str(target), *args)
    assert result.exit_code == 0, result.output
    return target.read_bytes()


def vevents(data: bytes) -> list[Any]:
    calendar = icalendar.Calendar.from_ical(data)
    return list(calendar.walk("VEVENT"))


def expected(study: Study, person: str | None = None, wp: str | None = None) -> set[str]:
    """The record IDs a calendar should hold, worked out from the records themselves."""
    uid = study.settings.uid
    ids = set()
    for session in study.load_all(get("session")):
        if (wp is None or session.wp == wp) and (person is None or person in session.facilitators):
            ids.add(f"session-{session.id}@{uid}.prosper-coop")
    for package in study.load_all(get("workpackage")):
        if (wp is None or package.id == wp) and (person is None or package.lead == person):
            for milestone in package.milestones:
                if milestone.done is None:
                    ids.add(f"milestone-{package.id}-{milestone.id}@{uid}.prosper-coop")
    for task in study.load_all(get("task")):
        if task.due is None or str(task.status) == "done":
            continue
        if (wp is None or task.wp == wp) and (person is None or task.owner == person):
            ids.add(f"task-{task.id}@{uid}.prosper-coop")
    return ids


def test_the_calendar_holds_every_session_open_milestone_and_due_task(
    example_study: Study, cli: Any, tmp_path: Path
) -> None:
    data = export(cli, example_study, tmp_path)
    events = vevents(data)
    uids = [str(event["UID"]) for event in events]
    assert len(uids) == len(set(uids))  # one event per record
    assert set(uids) == expected(example_study)
    assert {str(e["UID"]).split("-")[0] for e in events} == {"session", "milestone", "task"}
    for event in events:
        start = event.decoded("DTSTART")
        assert event.decoded("DTEND") > start  # all-day events end the next day
        assert "DTSTAMP" in event and str(event["SUMMARY"]).strip()
    # RFC 5545: CRLF line endings, content lines folded at 75 octets.
    lines = data.split(b"\r\n")
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)
    assert lines[0] == b"BEGIN:VCALENDAR" and b"VERSION:2.0" in lines


def test_a_newer_file_updates_the_same_events(
    example_study: Study, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {str(e["UID"]): e for e in vevents(export(cli, example_study, tmp_path))}
    task = next(t for t in example_study.load_all(get("task")) if t.due and str(t.status) != "done")
    result = cli("--study", str(example_study.root), "task", "edit", task.id, "--title", "Moved on")
    assert result.exit_code == 0, result.output
    after = {str(e["UID"]): e for e in vevents(export(cli, example_study, tmp_path, name="2.ics"))}
    assert set(after) == set(before)  # same UIDs: a re-import updates, never duplicates
    changed = f"task-{task.id}@{example_study.settings.uid}.prosper-coop"
    assert "Moved on" in str(after[changed]["SUMMARY"])
    assert "Moved on" not in str(before[changed]["SUMMARY"])


def test_mine_and_wp_choose_the_events(
    example_study: Study, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    act_as(monkeypatch, "CR-01")
    mine = {str(e["UID"]) for e in vevents(export(cli, example_study, tmp_path, "--mine"))}
    assert mine == expected(example_study, person="CR-01")
    assert mine  # CR-01 facilitates sessions or owns tasks in the example
    everything = {str(e["UID"]) for e in vevents(export(cli, example_study, tmp_path, name="a"))}
    assert mine < everything
    wp3 = {
        str(e["UID"])
        for e in vevents(export(cli, example_study, tmp_path, "--wp", "wp3", name="b"))
    }
    assert wp3 == expected(example_study, wp="WP3") and wp3 < everything


def test_no_sensitive_or_personal_text_reaches_an_event(
    example_study: Study, cli: Any, tmp_path: Path
) -> None:
    marker = "MARKER-not-for-calendars-7f3a"
    session = example_study.load_all(get("session"))[0]
    task = next(t for t in example_study.load_all(get("task")) if t.due and str(t.status) != "done")
    with example_study.change("sessions", "marker", session.id) as change:
        session.title = f"Interview with {marker}"
        session.notes = f"notes {marker}"
        change.save(session)
    result = cli(
        "--study", str(example_study.root), "task", "note", task.id, f"private-ish {marker}"
    )
    assert result.exit_code == 0, result.output
    data = export(cli, example_study, tmp_path)
    assert marker.encode() not in data
    people = {p.alias for p in example_study.load_all(get("person"))}
    text = data.decode()
    assert not [alias for alias in people if alias and alias in text]


def test_the_calendar_prints_when_no_file_is_named(example_study: Study, cli: Any) -> None:
    result = cli("--study", str(example_study.root), "calendar", "--wp", "WP3")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("BEGIN:VCALENDAR")
    assert vevents(result.output.encode())


def test_task_export_as_ics_points_to_the_calendar(example_study: Study, cli: Any) -> None:
    result = cli("--study", str(example_study.root), "task", "export", "--format", "ics")
    assert result.exit_code == 2, result.output
    assert "prosper-coop calendar" in result.output
