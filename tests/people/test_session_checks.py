"""Starting a session checks its facilitators, and debriefs say nothing to peers.

``session start`` refuses while a facilitator has not finished onboarding or has
no consent on record (the safeguarding lead or the coordinator may go ahead,
giving a reason that is kept), and warns when the session was planned for
another day. What each facilitator chose about a debrief is encrypted for them
and the wellbeing lead, and closing looks the same in git whatever they chose.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from prosper_coop.core.errors import ExitCode
from prosper_coop.core.records import get
from prosper_coop.people import checklists, consent, sessions
from prosper_coop.people import team as people
from prosper_coop.people.checklists import Evidence
from prosper_coop.people.models import DebriefChoice, SessionStatus
from prosper_coop.people.models import WithdrawalScope as Scope
from tests.helpers import (
    act_as,
    age_shape,
    assert_unchanged,
    clean_head,
    commit_subjects,
    git,
)
from tests.people.helpers import add_work, join, ready_to_facilitate

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def study(empty_study, monkeypatch):
    """CO-01; CR-01 (co-researcher) and AC-01 (academic), both joined; SG-01 and WB-01 (joined);
    WP1; and interview S-0001 today, facilitated by CR-01 and AC-01, safeguarded."""
    act_as(monkeypatch, "CO-01")
    people.add_person(empty_study, roles=["co-researcher"], alias="Co-researcher A")
    people.add_person(empty_study, roles=["academic"], alias="Academic")
    people.add_person(empty_study, roles=["safeguarding-lead"], alias="Safeguarding lead")
    people.add_person(empty_study, roles=["wellbeing-lead"], alias="Wellbeing lead")
    add_work(empty_study)
    for person_id in ("CR-01", "AC-01", "SG-01", "WB-01"):
        join(empty_study, person_id)
    plan(empty_study, monkeypatch, TODAY)
    return empty_study


def plan(study, monkeypatch, day: dt.date) -> str:
    """Plan an interview on ``day`` (as CO-01) and complete its safeguarding checklist
    (as the safeguarding lead); return its ID."""
    act_as(monkeypatch, "CO-01")
    added = sessions.add(
        study, session_type="interview", date=day, facilitators=["CR-01", "AC-01"], wp="WP1"
    )
    act_as(monkeypatch, "SG-01")
    definition = checklists.get_definition(study, "safeguarding-pre-session")
    for item in definition.items:
        checklists.tick(study, added.runs[0].id, item.id, Evidence(note="checked"))
    act_as(monkeypatch, "CO-01")
    return added.session.id


def test_a_facilitator_not_onboarded_and_without_consent_stops_the_start(
    study, cli, monkeypatch
) -> None:
    head = clean_head(study)
    result = cli("--study", str(study.root), "session", "start", "S-0001")
    assert result.exit_code == ExitCode.CONFLICT, result.output
    message = " ".join(result.stderr.split())
    assert message.startswith(
        "Error: session S-0001 cannot start yet: CR-01 has not finished onboarding "
        "(onboarding-co-researcher: role-description, "
    )
    assert "; CR-01 has no consent on record (consent-co-researcher)" in message
    assert "AC-01" not in message  # no onboarding or consent form is meant for academics
    assert "prosper-coop onboard CR-01" in message
    assert "prosper-coop consent record CR-01 --form consent-co-researcher" in message
    assert 'prosper-coop session start S-0001 --override "why"' in message
    assert_unchanged(study, head)
    ready_to_facilitate(study, "CR-01")
    started = sessions.start(study, "S-0001")
    assert started.session.status == SessionStatus.STARTED
    assert started.session.started_despite is None and started.warnings == []
    assert commit_subjects(study)[0] == "session: start (S-0001)"


def test_withdrawn_consent_stops_it_too(study) -> None:
    ready_to_facilitate(study, "CR-01")
    consent.withdraw(study, "CR-01", scope=str(Scope.FUTURE), wp="WP1")
    with pytest.raises(sessions.FacilitatorsNotReadyError, match="CR-01 withdrew their consent"):
        sessions.start(study, "S-0001")


def test_only_the_safeguarding_lead_or_coordinator_may_go_ahead(study, cli, monkeypatch) -> None:
    root = str(study.root)
    people.add_person(study, roles=["co-researcher"], alias="Co-researcher B")
    join(study, "CR-02")
    head = clean_head(study)
    act_as(monkeypatch, "CR-02")  # not a facilitator, nor a lead: may not manage the session
    refused = cli("--study", root, "session", "start", "S-0001")
    assert refused.exit_code == ExitCode.NOT_PERMITTED, refused.output
    assert "(you are CR-02)" in refused.stderr
    act_as(monkeypatch, "CR-01")  # the facilitator who is not ready cannot decide for themself
    refused = cli("--study", root, "session", "start", "S-0001", "--override", "trained Friday")
    assert refused.exit_code == ExitCode.NOT_PERMITTED, refused.output
    assert " ".join(refused.stderr.split()).startswith(
        "Error: only the safeguarding lead or the coordinator can start a session when a "
        "facilitator is not ready (you are CR-01) Ask CO-01 or SG-01 to decide"
    )
    assert_unchanged(study, head)
    act_as(monkeypatch, "SG-01")
    started = cli(
        "--study", root, "session", "start", "S-0001",
        "--override", "Training moved to Friday; CR-01 is paired with AC-01 throughout",
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    assert "Warning: started although a facilitator was not ready (CR-01 has not" in " ".join(
        started.stderr.split()
    )
    session = study.load(get("session"), "S-0001")
    assert session.status == SessionStatus.STARTED and session.started_despite is not None
    assert session.started_despite.by == "SG-01"
    assert session.started_despite.reason.startswith("Training moved to Friday")
    assert [gap.split(" (")[0] for gap in session.started_despite.gaps] == [
        "CR-01 has not finished onboarding",
        "CR-01 has no consent on record",
    ]
    assert git(study, "log", "-1", "--format=%an|%s").strip() == (
        "SG-01|session: start although a facilitator was not ready (S-0001)"
    )


def test_a_start_on_another_day_warns(study, cli, monkeypatch) -> None:
    ready_to_facilitate(study, "CR-01")
    later = plan(study, monkeypatch, TODAY + dt.timedelta(days=3))
    result = cli("--study", str(study.root), "session", "start", later)
    assert result.exit_code == 0, result.output
    assert (
        f"Warning: session {later} was planned for 2026-11-29 (3 day(s) from now), not today. "
        "If the day has changed, make sure the participants and the safeguarding lead know, "
        "and that the safeguarding checklist still holds for today."
    ) in " ".join(result.stderr.split())
    on_the_day = cli("--study", str(study.root), "session", "start", "S-0001")
    assert on_the_day.exit_code == 0 and "Warning" not in on_the_day.stderr


def test_debrief_choices_are_sealed_and_closing_looks_the_same_whatever_they_chose(
    study, cli, monkeypatch
) -> None:
    """Two sessions closed with opposite choices: the same files, commit and task; the
    choices readable only by each facilitator and the wellbeing lead."""
    ready_to_facilitate(study, "CR-01")
    second = plan(study, monkeypatch, TODAY)
    root = str(study.root)
    for session_id, choice in (("S-0001", "later"), (second, "declined")):
        assert cli("--study", root, "session", "start", session_id).exit_code == 0
        closed = cli(
            "--study", root, "session", "close", session_id,
            "--debrief", f"CR-01={choice}", "--debrief", "AC-01=declined",
        )  # fmt: skip
        assert closed.exit_code == 0, closed.output

    def peer_view(session_id: str, commit: str) -> tuple[str, str, str, list[tuple[int, int]]]:
        def same(text: str) -> str:
            return re.sub(r"T-\d{4}", "T", text.replace(session_id, "S"))

        subject = same(git(study, "show", "-s", "--format=%an %s", commit))
        changed = git(study, "show", "--name-status", "--format=", commit)
        task_path = next(p for p in changed.split() if p.startswith("tasks/"))
        task = study.read_file(study.root / task_path, get("task").model)
        files = same(changed)
        session = study.load(get("session"), session_id)
        shapes = [age_shape(d.choice_sealed.encode("ascii")) for d in session.debriefs]
        return (
            subject + files,
            same(task.title) + f"|{task.owner}|{task.tags}",
            ",".join(d.facilitator for d in session.debriefs),
            shapes,
        )

    first_commit, second_commit = git(
        study, "log", "--format=%H", "--grep=^session: close", "--reverse"
    ).split()
    assert peer_view("S-0001", first_commit) == peer_view(second, second_commit)
    assert peer_view("S-0001", first_commit)[1] == (
        "Debriefs after session S: check in with its facilitators and offer any debrief "
        "chosen for later|WB-01|['debrief', 'support']"
    )
    text = (study.root / "sessions" / "S-0001.yaml").read_text()
    assert "later" not in text and "declined" not in text and "choice:" not in text
    shared = git(study, "log", "-p", "-3")
    assert "choice: later" not in shared and "CR-01=" not in shared

    for viewer, expected in (("CR-01", {"CR-01": "later"}), ("WB-01", {"CR-01": "later",
                             "AC-01": "declined"}), ("AC-01", {"AC-01": "declined"})):  # fmt: skip
        act_as(monkeypatch, viewer)
        shown = json.loads(cli("--study", root, "session", "show", "S-0001", "--json").stdout)
        readable = {d["facilitator"]: d["choice"] for d in shown["debriefs"] if d["choice"]}
        assert readable == expected, viewer
    act_as(monkeypatch, "SG-01")
    shown = cli("--study", root, "session", "show", "S-0001")
    assert (
        "Debrief offered to CR-01 on 2026-11-26 by CO-01: their choice is kept for them and "
        "the wellbeing lead"
    ) in " ".join(shown.stdout.split())


def test_closing_records_choices_in_python(study) -> None:
    ready_to_facilitate(study, "CR-01")
    sessions.start(study, "S-0001")
    closed = sessions.close(
        study, "S-0001", {"CR-01": DebriefChoice.NOW, "AC-01": DebriefChoice.LATER}
    )
    assert [(d.facilitator, d.choice, d.offered_by) for d in closed.debriefs] == [
        ("CR-01", None, "CO-01"),
        ("AC-01", None, "CO-01"),
    ]
    assert all(d.choice_sealed.startswith("-----BEGIN AGE ENCRYPTED FILE-----") for d in
               closed.debriefs)  # fmt: skip
