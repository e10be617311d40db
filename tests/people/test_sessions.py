"""Sessions: planned with their safeguarding checklist, started only when it is complete,
closed with a debrief offered to every facilitator."""

from __future__ import annotations

import datetime as dt

import pytest

from prosper_coop.core.errors import ConflictError, InvalidInputError, NotFoundError
from prosper_coop.core.records import get
from prosper_coop.core.study import Study
from prosper_coop.crypto.sealed import Keyring
from prosper_coop.people import checklists, sessions
from prosper_coop.people import team as people
from prosper_coop.people.checklists import Evidence
from prosper_coop.people.models import DebriefChoice, SessionStatus
from tests.helpers import assert_unchanged, clean_head, commit_subjects
from tests.people.helpers import add_work, join, ready_to_facilitate

DAY = dt.date(2026, 11, 29)


@pytest.fixture
def study(empty_study):
    people.add_person(empty_study, roles=["co-researcher"], alias="Co-researcher A")
    people.add_person(empty_study, roles=["academic"], alias="Academic")
    people.add_person(
        empty_study, roles=["safeguarding-lead"], alias="Safeguarding lead", person_id="SG-01"
    )
    join(empty_study, "SG-01")
    add_work(empty_study)
    return empty_study


def as_safeguarding_lead(study) -> Study:
    """The study as SG-01, who ticks safeguarding items (protocols/permissions.yaml)."""
    return Study(study.root, actor="SG-01")


def complete_safeguarding(study, run_id: str) -> None:
    definition = checklists.get_definition(study, "safeguarding-pre-session")
    for item in definition.items:
        checklists.tick(as_safeguarding_lead(study), run_id, item.id, Evidence(note="SG-01"))


def test_add_plans_the_session_and_starts_its_safeguarding_checklist(study) -> None:
    added = sessions.add(
        study,
        session_type="interview",
        date=DAY,
        facilitators=["CR-01,AC-01"],
        wp="WP1",
        title="Paired interview",
    )
    assert added.session.id == "S-0001"
    assert added.session.facilitators == ["CR-01", "AC-01"]
    assert [(r.id, r.definition, r.subject) for r in added.runs] == [
        ("C-0001", "safeguarding-pre-session", "S-0001")
    ]
    assert commit_subjects(study)[0] == "session: add interview on 2026-11-29 (S-0001, C-0001)"
    text = (study.root / "sessions" / "S-0001.yaml").read_text()
    assert "type: interview\ndate: 2026-11-29\ntitle: Paired interview\nwp: WP1\n" in text


def test_start_is_refused_until_safeguarding_is_complete(study) -> None:
    sessions.add(study, session_type="focus-group", date=DAY, facilitators=["CR-01"])
    checklists.tick(as_safeguarding_lead(study), "C-0001", "helplines-ready", Evidence())
    head = clean_head(study)
    with pytest.raises(sessions.NotReadyError) as caught:
        sessions.start(study, "S-0001")
    message = caught.value.message
    assert "cannot start until its safeguarding checklist is complete" in message
    assert "dsl-reachable, distress-protocol-reviewed, confidentiality-limits" in message
    assert "helplines-ready" not in message
    assert caught.value.hint == "Complete it with: prosper-coop checklist run C-0001"
    assert_unchanged(study, head)
    complete_safeguarding_rest(study)
    with pytest.raises(sessions.FacilitatorsNotReadyError, match="CR-01 has not finished"):
        sessions.start(study, "S-0001")  # and its facilitator is ready
    ready_to_facilitate(study, "CR-01")
    started = sessions.start(study, "S-0001")
    assert started.session.status == SessionStatus.STARTED and started.readiness.ready
    assert started.warnings == [
        "session S-0001 was planned for 2026-11-29 (3 day(s) from now), not today. If the day "
        "has changed, make sure the participants and the safeguarding lead know, and that the "
        "safeguarding checklist still holds for today."
    ]
    assert commit_subjects(study)[0] == "session: start (S-0001)"


def complete_safeguarding_rest(study) -> None:
    definition = checklists.get_definition(study, "safeguarding-pre-session")
    run = checklists.load_run(study, "C-0001")
    for item in definition.items:
        if run.tick_for(item.id) is None:
            checklists.tick(as_safeguarding_lead(study), "C-0001", item.id, Evidence(note="SG-01"))


def test_start_without_any_checklist_says_how_to_start_one(study) -> None:
    added = sessions.add(study, session_type="workshop", date=DAY, facilitators=["AC-01"])
    # Someone deleted the run by hand and saved: the session still cannot start.
    with study.change("test", "remove run", []) as change:
        change.delete(f"checklists/{added.runs[0].id}.yaml")
    with pytest.raises(sessions.NotReadyError) as caught:
        sessions.start(study, "S-0001")
    assert "checklist start safeguarding-pre-session --for S-0001" in (caught.value.hint or "")


def test_close_records_a_debrief_offered_to_each_facilitator(study) -> None:
    sessions.add(study, session_type="interview", date=DAY, facilitators=["CR-01", "AC-01"])
    complete_safeguarding(study, "C-0001")
    ready_to_facilitate(study, "CR-01")
    sessions.start(study, "S-0001")
    head = clean_head(study)
    with pytest.raises(InvalidInputError, match="missing: AC-01"):
        sessions.close(study, "S-0001", {"CR-01": DebriefChoice.NOW})
    with pytest.raises(NotFoundError, match="CO-01 did not facilitate session S-0001"):
        sessions.close(study, "S-0001", {"CO-01": DebriefChoice.NOW})
    assert_unchanged(study, head)
    closed = sessions.close(
        study, "S-0001", {"CR-01": DebriefChoice.LATER, "AC-01": DebriefChoice.DECLINED}
    )
    assert closed.status == SessionStatus.CLOSED
    assert [(d.facilitator, d.choice, d.offered_by) for d in closed.debriefs] == [
        ("CR-01", None, "CO-01"),
        ("AC-01", None, "CO-01"),
    ]
    # Kept encrypted; neither facilitator has a key nor is there a wellbeing lead, so
    # for now for the person who asked them (CO-01).
    chosen = sessions.read_choices(closed, Keyring(study))
    assert chosen == {"CR-01": DebriefChoice.LATER, "AC-01": DebriefChoice.DECLINED}
    assert commit_subjects(study)[0] == "session: close (S-0001, T-0001)"
    # A debrief chosen for later is not forgotten: one task, in the same commit, whatever
    # anyone chose (so that a peer cannot tell who chose what).
    follow_up = study.load(get("task"), "T-0001")
    assert follow_up.title == (
        "Debriefs after session S-0001: check in with its facilitators and offer any debrief "
        "chosen for later"
    )
    assert follow_up.tags == ["debrief", "support"]
    head = clean_head(study)
    with pytest.raises(ConflictError, match="already closed"):
        sessions.close(study, "S-0001", {})
    with pytest.raises(ConflictError, match="already closed"):
        sessions.start(study, "S-0001")
    assert_unchanged(study, head)


def test_bad_sessions_change_nothing(study) -> None:
    people.add_person(study, roles=["academic"], alias="Leaver")
    people.leave(study, "AC-02")
    head = clean_head(study)
    with pytest.raises(InvalidInputError, match="no session type 'chat'"):
        sessions.add(study, session_type="chat", date=DAY, facilitators=["CR-01"])
    with pytest.raises(NotFoundError, match="person CR-07 not found"):
        sessions.add(study, session_type="interview", date=DAY, facilitators=["CR-07"])
    with pytest.raises(ConflictError, match="AC-02 has left the study"):
        sessions.add(study, session_type="interview", date=DAY, facilitators=["AC-02"])
    with pytest.raises(NotFoundError, match="workpackage WP7 not found"):
        sessions.add(study, session_type="interview", date=DAY, facilitators=["CR-01"], wp="WP7")
    with pytest.raises(InvalidInputError, match="at least one facilitator"):
        sessions.add(study, session_type="interview", date=DAY, facilitators=[" "])
    with pytest.raises(NotFoundError, match="session S-0004 not found"):
        sessions.start(study, "S-0004")
    with pytest.raises(InvalidInputError, match="should look like PERSON=CHOICE"):
        sessions.parse_debriefs(["CR-01"])
    with pytest.raises(InvalidInputError, match="no debrief choice 'maybe'"):
        sessions.parse_debriefs(["CR-01=maybe"])
    assert_unchanged(study, head)
    sessions.add(study, session_type="interview", date=DAY, facilitators=["CR-01"])
    head = clean_head(study)
    with pytest.raises(ConflictError, match="has not started"):
        sessions.close(study, "S-0001", {"CR-01": DebriefChoice.NOW})
    assert_unchanged(study, head)


def test_list_filters_and_shows_readiness(study) -> None:
    sessions.add(study, session_type="interview", date=DAY, facilitators=["CR-01"], wp="WP1")
    sessions.add(study, session_type="workshop", date=DAY, facilitators=["AC-01"])
    complete_safeguarding(study, "C-0002")
    found = sessions.list_sessions(study)
    assert [(v.session.id, v.readiness.ready) for v in found] == [
        ("S-0001", False),
        ("S-0002", True),
    ]
    assert [v.session.id for v in sessions.list_sessions(study, wp="WP1")] == ["S-0001"]
    assert sessions.list_sessions(study, status="closed") == []
    with pytest.raises(InvalidInputError, match="no session status 'done'"):
        sessions.list_sessions(study, status="done")
