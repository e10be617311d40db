"""The checklist engine: definitions, runs, ticks, versions and their states."""

from __future__ import annotations

import datetime as dt

import pytest

from prosper_coop import doctor
from prosper_coop.core.defaults import default_path
from prosper_coop.core.errors import (
    ConflictError,
    ExitCode,
    InvalidInputError,
    NotFoundError,
    ValidationError,
)
from prosper_coop.core.records import get
from prosper_coop.people import checklists
from prosper_coop.people import team as people
from prosper_coop.people.checklists import Evidence, RunState, parse_definition
from prosper_coop.people.forms import fill_study_details
from tests.helpers import assert_unchanged, clean_head, commit_subjects, join_here, last_author
from tests.people.helpers import bump_version, write_definition

SHIPPED = [
    "consent-co-researcher",
    "consent-participant",
    "offboarding",
    "onboarding-co-researcher",
    "safeguarding-pre-session",
]

MINIMAL = """\
id: tiny
version: 1
title: A tiny checklist
kind: onboarding
applies_to:
  subject: person
items:
  - id: first
    text: The first thing
  - id: second
    text: The second thing
"""


@pytest.fixture
def co_researcher(empty_study):
    people.add_person(empty_study, roles=["co-researcher"], alias="Co-researcher A")
    join_here(empty_study, "CR-01")
    return empty_study


def test_shipped_definitions_are_valid_and_copied_into_the_study(empty_study) -> None:
    found = checklists.load_definitions(empty_study)
    assert sorted(found) == SHIPPED
    for name in SHIPPED:
        shipped = default_path("protocols", "checklists", f"{name}.yaml").read_text()
        copied = (empty_study.root / "protocols" / "checklists" / f"{name}.yaml").read_text()
        assert copied == fill_study_details(shipped, empty_study.settings.model_dump())
        assert found[name].source, f"{name} should say where its wording comes from"
    onboarding = found["onboarding-co-researcher"]
    assert onboarding.item("dbs-check").required is False
    assert onboarding.item("dbs-check").only_if
    assert [i.id for i in found["consent-participant"].items if i.answer] == [
        "recording",
        "quotes",
        "future-use",
        "withdrawal-window",
    ]


def test_duplicate_item_ids_name_the_file_and_line() -> None:
    text = MINIMAL.replace("id: second", "id: first")
    with pytest.raises(ValidationError) as caught:
        parse_definition(text, "protocols/checklists/tiny.yaml", "tiny")
    error = caught.value
    assert error.exit_code == ExitCode.INVALID
    assert "item id 'first' is used twice" in error.message
    assert error.location == "protocols/checklists/tiny.yaml:10"


def test_missing_item_text_names_the_file_and_line() -> None:
    text = MINIMAL.replace("    text: The second thing\n", "")
    with pytest.raises(ValidationError) as caught:
        parse_definition(text, "protocols/checklists/tiny.yaml", "tiny")
    assert caught.value.message.startswith("items.1.text: this field is required")
    assert caught.value.location == "protocols/checklists/tiny.yaml:10"


def test_a_yes_no_item_cannot_be_required() -> None:
    text = MINIMAL.replace("    text: The second thing\n", "    text: Two\n    answer: true\n")
    with pytest.raises(ValidationError) as caught:
        parse_definition(text, "tiny.yaml", "tiny")
    assert "must have 'required: false'" in caught.value.message


def test_definition_id_must_match_its_file_name() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_definition(MINIMAL, "protocols/checklists/other.yaml", "other")
    assert "file is named other.yaml" in caught.value.message
    assert caught.value.line == 1


def test_fingerprint_changes_with_wording_only() -> None:
    one = parse_definition(MINIMAL, "a", "tiny")
    described = parse_definition(MINIMAL + "description: more words\n", "a", "tiny")
    reworded = parse_definition(MINIMAL.replace("The first thing", "The 1st thing"), "a", "tiny")
    assert one.fingerprint == described.fingerprint
    assert one.fingerprint != reworded.fingerprint


def test_start_tick_untick_each_one_commit_by_the_actor(co_researcher, monkeypatch) -> None:
    study = co_researcher
    started = checklists.start(study, "onboarding-co-researcher", "CR-01")
    assert started.run.id == "C-0001"
    assert (
        commit_subjects(study)[0] == "checklist: start onboarding-co-researcher for CR-01 (C-0001)"
    )
    monkeypatch.setenv("PROSPER_COOP_AS", "CR-01")
    result = checklists.tick(
        study, "C-0001", "payment-expenses", Evidence(note="Agreed at the study rate")
    )
    assert commit_subjects(study)[0] == "checklist: tick payment-expenses (C-0001)"
    assert last_author(study) == "CR-01"
    assert result.tick.by == "CR-01"
    assert result.tick.note == "Agreed at the study rate"
    saved = checklists.load_run(study, "C-0001")
    assert saved.tick_for("payment-expenses") is not None
    assert "payment-expenses" not in result.missing
    checklists.untick(study, "C-0001", "payment-expenses")
    assert commit_subjects(study)[0] == "checklist: untick payment-expenses (C-0001)"
    assert checklists.load_run(study, "C-0001").ticks == []


def test_date_evidence_defaults_to_today_and_document_is_required(co_researcher) -> None:
    study = co_researcher
    checklists.start(study, "onboarding-co-researcher", "CR-01")
    checklists.start(study, "offboarding", "CR-01")
    tick = checklists.tick(study, "C-0001", "it-access", Evidence()).tick
    assert tick.date == dt.date(2026, 11, 26)
    head = clean_head(study)
    with pytest.raises(InvalidInputError, match="needs a reference to the document"):
        checklists.tick(study, "C-0001", "role-description", Evidence())
    with pytest.raises(InvalidInputError, match="needs a short note"):
        checklists.tick(study, "C-0001", "named-contact", Evidence(note="  "))
    with pytest.raises(InvalidInputError, match="records a yes/no answer"):
        checklists.tick(study, "C-0002", "keep-in-touch", Evidence())
    assert_unchanged(study, head)


def test_run_completes_when_every_required_item_is_ticked(co_researcher) -> None:
    study = co_researcher
    checklists.start(study, "onboarding-co-researcher", "CR-01")
    definition = checklists.get_definition(study, "onboarding-co-researcher")
    result = None
    for item in definition.items:
        if not item.required:
            continue
        result = checklists.tick(
            study, "C-0001", item.id, Evidence(note="WB-01", document="Drive: folder 3")
        )
    assert result is not None and result.completed_now
    view = checklists.view_run(study, "C-0001")
    assert view.state == RunState.COMPLETE
    assert view.progress == "11/11"
    # The optional DBS item can still be ticked; untick of a required item reopens.
    checklists.tick(study, "C-0001", "dbs-check", Evidence())
    checklists.untick(study, "C-0001", "buddy")
    view = checklists.view_run(study, "C-0001")
    assert view.state == RunState.OPEN and view.missing == ["buddy"]
    assert view.run.completed is None


def test_bad_ticks_change_nothing(co_researcher) -> None:
    study = co_researcher
    checklists.start(study, "onboarding-co-researcher", "CR-01")
    checklists.tick(study, "C-0001", "it-access", Evidence())
    head = clean_head(study)
    with pytest.raises(ConflictError, match="already ticked by CO-01"):
        checklists.tick(study, "C-0001", "it-access", Evidence())
    with pytest.raises(NotFoundError, match="has no item 'nope'"):
        checklists.tick(study, "C-0001", "nope", Evidence())
    with pytest.raises(NotFoundError, match="checklist run C-0009 not found"):
        checklists.tick(study, "C-0009", "it-access", Evidence())
    with pytest.raises(ConflictError, match="is not ticked"):
        checklists.untick(study, "C-0001", "buddy")
    with pytest.raises(InvalidInputError, match="ticked, not answered"):
        checklists.tick(study, "C-0001", "buddy", Evidence(note="x", answer=True))
    with pytest.raises(InvalidInputError, match="does not look right"):
        checklists.tick(study, "CR-01", "buddy", Evidence())
    assert_unchanged(study, head)


def test_start_refuses_unknowns_and_mismatches(co_researcher) -> None:
    study = co_researcher
    head = clean_head(study)
    with pytest.raises(NotFoundError, match="no checklist called 'nope'") as caught:
        checklists.start(study, "nope", "CR-01")
    assert "onboarding-co-researcher" in (caught.value.hint or "")
    with pytest.raises(NotFoundError, match="person CR-09 not found"):
        checklists.start(study, "onboarding-co-researcher", "CR-09")
    with pytest.raises(InvalidInputError, match="is for co-researcher, not for CO-01"):
        checklists.start(study, "onboarding-co-researcher", "CO-01")
    with pytest.raises(InvalidInputError, match="is for sessions"):
        checklists.start(study, "safeguarding-pre-session", "CR-01")
    with pytest.raises(InvalidInputError, match="not a person, session or participant"):
        checklists.start(study, "offboarding", "X-1")
    with pytest.raises(NotFoundError, match="session S-0001 not found"):
        checklists.start(study, "safeguarding-pre-session", "S-0001")
    assert_unchanged(study, head)
    checklists.start(study, "onboarding-co-researcher", "CR-01")
    head = clean_head(study)
    with pytest.raises(ConflictError, match="already open for CR-01") as caught:
        checklists.start(study, "onboarding-co-researcher", "CR-01")
    assert caught.value.hint == "Carry on with: prosper-coop checklist run C-0001"
    assert_unchanged(study, head)


def test_new_version_flags_old_runs_for_review_and_refuses_ticks(co_researcher) -> None:
    study = co_researcher
    checklists.start(study, "onboarding-co-researcher", "CR-01")
    bump_version(study, "onboarding-co-researcher", "IT access set up", "IT access ready")
    view = checklists.view_run(study, "C-0001")
    assert view.state == RunState.NEEDS_REVIEW
    head = clean_head(study)
    with pytest.raises(ConflictError, match="version 1 of onboarding-co-researcher") as caught:
        checklists.tick(study, "C-0001", "it-access", Evidence())
    assert "checklist start onboarding-co-researcher --for CR-01" in (caught.value.hint or "")
    assert_unchanged(study, head)
    started = checklists.start(study, "onboarding-co-researcher", "CR-01")
    assert started.run.version == 2
    states = {v.run.id: v.state for v in checklists.status(study)}
    assert states == {"C-0001": RunState.SUPERSEDED, "C-0002": RunState.OPEN}
    assert [v.run.id for v in checklists.status(study, only_open=True)] == ["C-0002"]


def test_doctor_catches_wording_changed_without_a_new_version(co_researcher) -> None:
    study = co_researcher
    checklists.start(study, "onboarding-co-researcher", "CR-01")
    path = study.root / "protocols" / "checklists" / "onboarding-co-researcher.yaml"
    path.write_text(path.read_text().replace("IT access set up", "IT access maybe set up"))
    problems = [str(p) for p in doctor.check_study(study)]
    assert any(
        p.startswith("protocols/checklists/onboarding-co-researcher.yaml:")
        and "give it version 2" in p
        for p in problems
    ), problems


def test_doctor_reports_bad_definitions_and_unknown_references(co_researcher) -> None:
    study = co_researcher
    run = checklists.start(study, "onboarding-co-researcher", "CR-01").run
    write_definition(study, "tiny", MINIMAL.replace("id: second", "id: first"))
    run.subject = "CR-07"
    run.definition = "gone"
    path = study.path_of(get("checklist"), run.id)
    from prosper_coop.core.study import to_yaml

    path.write_text(to_yaml(run))
    problems = [str(p) for p in doctor.check_study(study)]
    assert "protocols/checklists/tiny.yaml:10: items.1.id: item id 'first' is used twice" in (
        " ".join(problems)
    )
    assert any(
        "checklists/C-0001.yaml:2: definition: unknown checklist gone" in p for p in problems
    )


def test_start_refuses_a_complete_run_and_people_who_left(co_researcher) -> None:
    study = co_researcher
    people.add_person(study, roles=["co-researcher"], alias="Co-researcher B")
    people.leave(study, "CR-02")
    checklists.start(study, "offboarding", "CR-01")
    definition = checklists.get_definition(study, "offboarding")
    for item in definition.required_ids:
        checklists.tick(study, "C-0002", item, Evidence(note="done"))
    head = clean_head(study)
    with pytest.raises(ConflictError, match="already complete for CR-01") as caught:
        checklists.start(study, "offboarding", "CR-01")
    assert caught.value.hint == "See it with: prosper-coop checklist show C-0002"
    with pytest.raises(ConflictError, match="has left the study"):
        checklists.start(study, "onboarding-co-researcher", "CR-02")
    assert_unchanged(study, head)
