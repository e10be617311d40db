"""Dashboard sections and doctor checks for people, checklists, consent and sessions,
and the PROSPER example's share of them."""

from __future__ import annotations

import datetime as dt

from prosper_coop import doctor
from prosper_coop.core import yamlio
from prosper_coop.core.records import get
from prosper_coop.people import checklists
from prosper_coop.people import team as people
from prosper_coop.people.checklists import Evidence, RunState
from prosper_coop.status import dashboard
from tests.helpers import git

TODAY = dt.date(2026, 11, 26)


def test_example_dashboard_sections(example_study) -> None:
    data = dashboard.build(example_study, TODAY)
    assert [(r["person"], r["run"]) for r in data["onboarding"]["not_onboarded"]] == [
        ("CR-05", "C-0006")
    ]
    assert "wellbeing-plan" in data["onboarding"]["not_onboarded"][0]["missing"]
    assert [(r["run"], r["subject"]) for r in data["open_checklists"]["open"]] == [
        ("C-0022", "S-0002"),
        ("C-0024", "S-0004"),
        ("C-0025", "P-0005"),  # a participant recruited three days ago, not yet consented
    ]
    assert [
        (r["subject"], r["agreed_version"], r["current_version"])
        for r in data["reconsent"]["needing_reconsent"]
    ] == [("CR-03", 1, 2), ("CR-04", 1, 2)]
    due = data["sessions"]["not_safeguarded"]
    assert [(r["session"], r["days_away"]) for r in due] == [("S-0002", 3)]
    assert due[0]["missing"]["safeguarding-pre-session"] == [
        "distress-protocol-reviewed",
        "online-leaving-plan",
        "lone-working",
        "debrief-scheduled",
    ]


def test_example_records_are_valid_and_consistent(example_study) -> None:
    problems = [p for p in doctor.check_study(example_study) if p.severity == "error"]
    assert problems == []
    views = checklists.status(example_study)
    states = {v.run.id: v.state for v in views}
    withdrawn = [v.run for v in views if v.state == RunState.WITHDRAWN]
    assert [r.subject for r in withdrawn] == ["P-0003"]
    for task_id in withdrawn[0].withdrawal.tasks:
        task = example_study.load(get("task"), task_id)
        assert task.wp == "WP4" and "P-0003" in task.title
    assert RunState.UNKNOWN not in states.values()
    cr06 = example_study.load(get("person"), "CR-06")
    assert cr06.status == "left"
    credit = {p.id: p.credit for p in people.load_people(example_study) if p.credit}
    assert (credit["CR-01"].style, credit["CR-01"].display) == ("pseudonym", "Rowan")
    assert credit["CR-06"].style == "group"
    assert "CR-05" not in credit  # not asked yet: counted in the group


def test_dashboard_follows_changes(empty_study) -> None:
    study = empty_study
    people.add_person(study, roles=["co-researcher"], alias="Co-researcher A")
    data = dashboard.build(study, TODAY)
    row = data["onboarding"]["not_onboarded"][0]
    assert (row["person"], row["run"]) == ("CR-01", None)
    assert len(row["missing"]) == 11
    checklists.start(study, "offboarding", "CR-01")
    data = dashboard.build(study, TODAY)
    assert [r["checklist"] for r in data["open_checklists"]["open"]] == ["offboarding"]
    checklists.tick(study, "C-0001", "exit-conversation", Evidence())
    data = dashboard.build(study, TODAY)
    assert data["open_checklists"]["open"][0]["progress"] == "1/6"


def test_doctor_flags_unknown_facilitators(example_study) -> None:
    path = example_study.root / "sessions" / "S-0002.yaml"
    path.write_text(path.read_text().replace("- CR-02", "- CR-09"))
    problems = [str(p) for p in doctor.check_study(example_study)]
    assert "sessions/S-0002.yaml:6: facilitators: unknown person CR-09" in problems


def test_hand_commit_of_a_bad_definition_is_stopped_by_the_hook(empty_study) -> None:
    path = empty_study.root / "protocols" / "checklists" / "offboarding.yaml"
    path.write_text(path.read_text().replace("version: 1", "version: 0"))
    git(empty_study, "add", "-A")
    problems = [str(p) for p in doctor.check_study(empty_study, staged=True)]
    assert any(p.startswith("protocols/checklists/offboarding.yaml:4: version") for p in problems)


def test_repeated_values_are_written_out_in_full() -> None:
    day = dt.date(2026, 1, 2)
    text = yamlio.dumps({"a": day, "b": [day, day]})
    assert "&" not in text and "*" not in text
    assert yamlio.loads(text, "x") == {"a": day, "b": [day, day]}


def test_status_shows_the_people_sections(example_study, cli) -> None:
    result = cli("--study", str(example_study.root), "status")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Not fully onboarded (1)" in text
    # Two sessions' safeguarding, and P-0005's consent (recruited, not yet consented).
    assert "Open consent, safeguarding and offboarding checklists (3)" in text
    assert "Needing re-consent (2)" in text
    assert "Sessions in the next 14 days without complete safeguarding (1)" in text
