"""People: adding under pseudonymous IDs, editing, onboarding state and offboarding."""

from __future__ import annotations

import datetime as dt

import pytest

from prosper_coop.core.errors import ConflictError, InvalidInputError, NotFoundError
from prosper_coop.core.models import PersonStatus, Role
from prosper_coop.core.records import get
from prosper_coop.people import checklists
from prosper_coop.people import team as people
from prosper_coop.people.checklists import Evidence
from prosper_coop.tasks.models import TaskStatus
from tests.helpers import assert_unchanged, clean_head, commit_subjects
from tests.people.helpers import add_work


def test_add_chooses_the_next_id_for_the_first_role(empty_study) -> None:
    study = empty_study
    first = people.add_person(study, roles=["co-researcher"], alias="Co-researcher A")
    second = people.add_person(study, roles=["Co-Researcher"], alias="Co-researcher  B")
    lead = people.add_person(
        study, roles=["ppi-lead", "academic"], alias="PPI lead", joined=dt.date(2026, 1, 5)
    )
    coordinator = people.add_person(study, roles=["coordinator"], alias="Deputy coordinator")
    assert [first.id, second.id, lead.id, coordinator.id] == ["CR-01", "CR-02", "PPI-01", "CO-02"]
    assert second.alias == "Co-researcher B"
    assert lead.roles == [Role.PPI_LEAD, Role.ACADEMIC]
    saved = study.load(get("person"), "PPI-01")
    assert saved.joined == dt.date(2026, 1, 5)
    assert commit_subjects(study)[0] == "people: add CO-02 as coordinator (CO-02)"
    text = (study.root / "people" / "CR-02.yaml").read_text()
    assert text == (
        "id: CR-02\nalias: Co-researcher B\nroles:\n- co-researcher\nstatus: active\n"
        "joined: 2026-11-26\n"
    )


def test_every_role_has_a_prefix_matching_the_person_id_pattern(empty_study) -> None:
    for role in Role:
        person_id = people.next_person_id(empty_study, role)
        people.check_person_id(person_id)


def test_add_refuses_bad_input_and_changes_nothing(empty_study) -> None:
    study = empty_study
    people.add_person(study, roles=["academic"], alias="Academic", person_id="AC-07")
    head = clean_head(study)
    with pytest.raises(InvalidInputError, match="there is no role 'researcher'") as caught:
        people.add_person(study, roles=["researcher"], alias="X")
    assert "co-researcher" in (caught.value.hint or "")
    with pytest.raises(ConflictError, match="AC-07 is already in the study"):
        people.add_person(study, roles=["academic"], alias="X", person_id="AC-07")
    with pytest.raises(InvalidInputError, match="does not look right"):
        people.add_person(study, roles=["academic"], alias="X", person_id="ac-7")
    with pytest.raises(InvalidInputError, match="is not allowed"):
        people.add_person(study, roles=["academic"], alias="X", person_id="../CR-01")
    with pytest.raises(InvalidInputError, match="alias is empty"):
        people.add_person(study, roles=["academic"], alias="   ")
    with pytest.raises(InvalidInputError, match="at least one role"):
        people.add_person(study, roles=[], alias="X")
    assert_unchanged(study, head)
    assert people.next_person_id(study, Role.ACADEMIC) == "AC-08"


def test_list_filters_by_role_and_status(example_study) -> None:
    found = people.list_people(example_study, role="co-researcher")
    assert [p.id for p in found] == ["CR-01", "CR-02", "CR-03", "CR-04", "CR-05", "CR-06"]
    left = people.list_people(example_study, status="left")
    assert [p.id for p in left] == ["CR-06"]
    with pytest.raises(InvalidInputError, match="no status 'gone'"):
        people.list_people(example_study, status="gone")


def test_edit_roles_alias_and_notes(empty_study) -> None:
    study = empty_study
    people.add_person(study, roles=["co-researcher"], alias="Co-researcher A")
    edited = people.edit_person(
        study,
        "CR-01",
        alias="Co-researcher Alpha",
        add_roles=["co-applicant"],
        notes="Prefers mornings",
    )
    assert edited.roles == [Role.CO_RESEARCHER, Role.CO_APPLICANT]
    assert commit_subjects(study)[0] == "people: edit roles, alias, notes (CR-01)"
    head = clean_head(study)
    with pytest.raises(InvalidInputError, match="nothing to change"):
        people.edit_person(study, "CR-01")
    with pytest.raises(ConflictError, match="already has the role co-applicant"):
        people.edit_person(study, "CR-01", add_roles=["co-applicant"])
    with pytest.raises(NotFoundError, match="does not have the role academic"):
        people.edit_person(study, "CR-01", remove_roles=["academic"])
    with pytest.raises(InvalidInputError, match="left with no role"):
        people.edit_person(study, "CR-01", remove_roles=["co-researcher", "co-applicant"])
    with pytest.raises(InvalidInputError, match="already has those values"):
        people.edit_person(study, "CR-01", alias="Co-researcher Alpha")
    with pytest.raises(NotFoundError, match="person CR-09 not found"):
        people.edit_person(study, "CR-09", alias="X")
    assert_unchanged(study, head)


def test_leave_reassigns_tasks_and_starts_offboarding_in_one_commit(empty_study) -> None:
    study = empty_study
    people.add_person(study, roles=["co-researcher"], alias="Co-researcher A")
    people.add_person(study, roles=["co-researcher"], alias="Co-researcher B")
    tasks = add_work(study, owner="CR-01", tasks=2)
    before = len(commit_subjects(study))
    result = people.leave(study, "CR-01", reassign_to="CR-02")
    assert len(commit_subjects(study)) == before + 1
    assert commit_subjects(study)[0] == "people: leave (CR-01, T-0001, T-0002, C-0001)"
    assert result.reassigned == tasks and result.offboarding_run == "C-0001"
    person = study.load(get("person"), "CR-01")
    assert person.status == PersonStatus.LEFT and person.left == dt.date(2026, 11, 26)
    for task_id in tasks:
        task = study.load(get("task"), task_id)
        assert task.owner == "CR-02"
        assert task.notes[-1].text == "Reassigned from CR-01 to CR-02 when CR-01 left."
    run = checklists.load_run(study, "C-0001")
    assert (run.definition, run.subject) == ("offboarding", "CR-01")
    # The offboarding checklist can still be worked through after they left.
    checklists.tick(study, "C-0001", "final-payment", Evidence())


def test_leave_can_close_tasks_instead(empty_study) -> None:
    study = empty_study
    people.add_person(study, roles=["academic"], alias="Academic", joined=dt.date(2026, 1, 1))
    add_work(study, owner="AC-01", tasks=1)
    result = people.leave(study, "AC-01", close_tasks=True, left=dt.date(2026, 11, 20))
    assert result.closed == ["T-0001"]
    task = study.load(get("task"), "T-0001")
    assert task.status == TaskStatus.DONE and task.done_on == dt.date(2026, 11, 20)
    assert "Closed when AC-01 left" in task.notes[-1].text


def test_leave_refuses_without_a_choice_and_changes_nothing(empty_study) -> None:
    study = empty_study
    people.add_person(study, roles=["co-researcher"], alias="Co-researcher A")
    people.add_person(study, roles=["co-researcher"], alias="Co-researcher B")
    add_work(study, owner="CR-01", tasks=1)
    people.leave(study, "CR-02")
    head = clean_head(study)
    with pytest.raises(ConflictError, match="CR-01 has 1 open task") as caught:
        people.leave(study, "CR-01")
    assert "--reassign-to" in (caught.value.hint or "")
    with pytest.raises(ConflictError, match="CR-02 has left the study, so cannot take over"):
        people.leave(study, "CR-01", reassign_to="CR-02")
    with pytest.raises(InvalidInputError, match="not both"):
        people.leave(study, "CR-01", reassign_to="CO-01", close_tasks=True)
    with pytest.raises(ConflictError, match="CR-02 already left the study on 2026-11-26"):
        people.leave(study, "CR-02")
    with pytest.raises(NotFoundError, match="person CR-05 not found"):
        people.leave(study, "CR-05")
    with pytest.raises(InvalidInputError, match="before CR-01 joined"):
        people.leave(study, "CR-01", close_tasks=True, left=dt.date(2020, 1, 1))
    assert_unchanged(study, head)


def test_onboarding_gaps_and_start_onboarding(empty_study) -> None:
    study = empty_study
    people.add_person(study, roles=["co-researcher"], alias="Co-researcher A")
    summary = people.summary(study, "CR-01")
    assert summary.onboarding_missing["onboarding-co-researcher"][0] == "role-description"
    started = people.start_onboarding(study, "CR-01")
    assert started.created and started.run.id == "C-0001"
    again = people.start_onboarding(study, "CR-01")
    assert not again.created and again.run.id == "C-0001"
    with pytest.raises(NotFoundError, match="no onboarding checklist is meant for the roles"):
        people.start_onboarding(study, "CO-01")
