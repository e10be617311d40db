"""Consent: versioned forms, optional answers, withdrawal follow-up, re-consent, credit."""

from __future__ import annotations

import datetime as dt

import pytest

from prosper_coop.core.errors import ConflictError, InvalidInputError, NotFoundError
from prosper_coop.core.models import CreditAs, CreditStyle, Role
from prosper_coop.core.records import get
from prosper_coop.people import checklists, consent
from prosper_coop.people import team as people
from prosper_coop.people.checklists import RunState
from prosper_coop.people.models import WithdrawalScope
from tests.helpers import assert_unchanged, clean_head, commit_subjects
from tests.people.helpers import add_work, bump_version

CR_ANSWERS = {"yes": ["quotes", "reflections"], "no": ["recording,future-contact"]}


@pytest.fixture
def study(empty_study):
    people.add_person(empty_study, roles=["co-researcher"], alias="Co-researcher A")
    return empty_study


def test_record_keeps_form_version_and_every_answer(study) -> None:
    recorded = consent.record(
        study, "CR-01", "consent-co-researcher", **CR_ANSWERS, given=dt.date(2026, 11, 20)
    )
    assert commit_subjects(study)[0] == "consent: record consent-co-researcher v1 (CR-01, C-0001)"
    run = checklists.load_run(study, recorded.run.id)
    assert (run.definition, run.version, run.subject) == ("consent-co-researcher", 1, "CR-01")
    answers = {t.item: t.answer for t in run.ticks if t.answer is not None}
    assert answers == {
        "quotes": True,
        "reflections": True,
        "recording": False,
        "future-contact": False,
    }
    assert {t.date for t in run.ticks} == {dt.date(2026, 11, 20)}
    assert checklists.view_run(study, run.id).state == RunState.COMPLETE


def test_record_fills_a_run_started_by_hand(study) -> None:
    checklists.start(study, "consent-co-researcher", "CR-01")
    recorded = consent.record(study, "CR-01", "consent-co-researcher", **CR_ANSWERS)
    assert recorded.run.id == "C-0001"
    assert checklists.view_run(study, "C-0001").state == RunState.COMPLETE


def test_record_for_a_participant(study) -> None:
    recorded = consent.record(
        study,
        "P-0014",
        "consent-participant",
        yes=["recording", "quotes", "withdrawal-window"],
        no=["future-use"],
    )
    assert recorded.run.subject == "P-0014"


def test_bad_consent_changes_nothing(study) -> None:
    consent.record(study, "CR-01", "consent-co-researcher", **CR_ANSWERS)
    head = clean_head(study)
    with pytest.raises(
        InvalidInputError, match="not answered: recording, future-use, withdrawal-window"
    ):
        consent.record(study, "P-0001", "consent-participant", yes=["quotes"], no=[])
    with pytest.raises(InvalidInputError, match="given both --yes and --no"):
        consent.record(study, "P-0001", "consent-participant", yes=["quotes"], no=["quotes"])
    with pytest.raises(InvalidInputError, match="agree is a statement of the form"):
        consent.record(study, "P-0001", "consent-participant", yes=["agree"])
    with pytest.raises(NotFoundError, match="has no item 'video'"):
        consent.record(study, "P-0001", "consent-participant", yes=["video"])
    with pytest.raises(InvalidInputError, match="is a onboarding checklist, not a consent form"):
        consent.record(study, "CR-01", "onboarding-co-researcher")
    with pytest.raises(InvalidInputError, match="is for research participants"):
        consent.record(study, "CR-01", "consent-participant", yes=["quotes"])
    with pytest.raises(ConflictError, match="already consented on version 1"):
        consent.record(study, "CR-01", "consent-co-researcher", **CR_ANSWERS)
    with pytest.raises(InvalidInputError, match="in the future"):
        consent.record(
            study,
            "P-0002",
            "consent-participant",
            yes=["recording,quotes,future-use"],
            no=["withdrawal-window"],
            given=dt.date(2027, 1, 1),
        )
    assert_unchanged(study, head)


def test_withdraw_keeps_the_record_and_creates_follow_up_tasks(study) -> None:
    people.add_person(study, roles=["coordinator"], alias="Second coordinator")
    add_work(study, owner="CR-01", tasks=1)
    consent.record(study, "CR-01", "consent-co-researcher", **CR_ANSWERS)
    result = consent.withdraw(study, "CR-01", scope="all-not-yet-anonymised", note="By phone")
    assert [t.id for t in result.tasks] == ["T-0002", "T-0003", "T-0004", "T-0005"]
    assert commit_subjects(study)[0] == (
        "consent: withdraw (all-not-yet-anonymised) (CR-01, C-0001, T-0002, T-0003, T-0004, T-0005)"
    )
    tasks = [study.load(get("task"), t.id) for t in result.tasks]
    assert {t.owner for t in tasks} == {"CO-01"}
    assert {t.wp for t in tasks} == {"WP1"}
    assert tasks[2].title.startswith("Find CR-01's data that is not yet anonymised")
    assert tasks[2].due == dt.date(2026, 12, 10)
    assert tasks[0].tags == ["consent", "withdrawal"]
    run = checklists.load_run(study, "C-0001")
    assert run.withdrawal is not None
    assert run.withdrawal.scope == WithdrawalScope.ALL_NOT_YET_ANONYMISED
    assert run.withdrawal.tasks == ["T-0002", "T-0003", "T-0004", "T-0005"]
    assert len(run.ticks) == 9  # the consent itself is kept
    assert checklists.view_run(study, "C-0001").state == RunState.WITHDRAWN


def test_withdraw_future_only_creates_fewer_tasks(study) -> None:
    add_work(study)
    consent.record(study, "CR-01", "consent-co-researcher", **CR_ANSWERS)
    result = consent.withdraw(study, "CR-01", wp="WP1")
    assert result.scope == WithdrawalScope.FUTURE
    assert len(result.tasks) == 2


def test_bad_withdrawals_change_nothing(study) -> None:
    add_work(study)
    head = clean_head(study)
    with pytest.raises(NotFoundError, match="CR-01 has no recorded consent"):
        consent.withdraw(study, "CR-01")
    consent.record(study, "CR-01", "consent-co-researcher", **CR_ANSWERS)
    head = clean_head(study)
    with pytest.raises(InvalidInputError, match="no withdrawal scope 'everything'"):
        consent.withdraw(study, "CR-01", scope="everything")
    with pytest.raises(NotFoundError, match="workpackage WP9 not found"):
        consent.withdraw(study, "CR-01", wp="WP9")
    with pytest.raises(NotFoundError, match="person CR-04 not found"):
        consent.withdraw(study, "CR-04")
    assert_unchanged(study, head)
    consent.withdraw(study, "CR-01")
    head = clean_head(study)
    with pytest.raises(ConflictError, match="CR-01 already withdrew consent"):
        consent.withdraw(study, "CR-01")
    assert_unchanged(study, head)


def test_withdraw_needs_a_work_package(study) -> None:
    consent.record(study, "CR-01", "consent-co-researcher", **CR_ANSWERS)
    head = clean_head(study)
    with pytest.raises(NotFoundError, match="no work packages"):
        consent.withdraw(study, "CR-01")
    assert_unchanged(study, head)


def test_new_form_version_lists_who_needs_to_re_consent(study) -> None:
    people.add_person(study, roles=["co-researcher"], alias="Co-researcher B")
    consent.record(study, "CR-01", "consent-co-researcher", **CR_ANSWERS)
    consent.record(study, "CR-02", "consent-co-researcher", **CR_ANSWERS)
    bump_version(study, "consent-co-researcher", "version 1.0", "version 2.0")
    views = checklists.status(study)
    flagged = consent.needing_reconsent(views)
    assert [(r.subject, r.agreed_version, r.current_version) for r in flagged] == [
        ("CR-01", 1, 2),
        ("CR-02", 1, 2),
    ]
    consent.record(study, "CR-01", "consent-co-researcher", **CR_ANSWERS)
    flagged = consent.needing_reconsent(checklists.status(study))
    assert [r.subject for r in flagged] == ["CR-02"]
    # Consent on the old version still stands (and can be withdrawn) until re-consent.
    add_work(study)
    consent.withdraw(study, "CR-02")
    assert consent.needing_reconsent(checklists.status(study)) == []


def test_credit_preferences(study) -> None:
    person = consent.set_credit(
        study, "CR-01", style="pseudonym", display="Rowan", listed_as="author"
    )
    assert person.credit is not None
    assert (person.credit.style, person.credit.display, person.credit.credit_as) == (
        CreditStyle.PSEUDONYM,
        "Rowan",
        CreditAs.AUTHOR,
    )
    assert person.credit.updated == dt.date(2026, 11, 26)
    assert commit_subjects(study)[0] == "consent: credit as pseudonym (CR-01)"
    changed = consent.set_credit(study, "CR-01", style="initials")
    assert changed.credit is not None
    assert changed.credit.credit_as == CreditAs.AUTHOR  # kept from before
    saved = study.load(get("person"), "CR-01")
    assert saved.credit.style == CreditStyle.INITIALS and saved.credit.display == ""
    assert Role.CO_RESEARCHER in saved.roles


def test_credit_by_name_stores_the_chosen_text(study) -> None:
    named = consent.set_credit(study, "CR-01", style="name", display="Alex  Morgan")
    assert named.credit is not None and named.credit.display == "Alex Morgan"
    head = clean_head(study)
    with pytest.raises(InvalidInputError, match="needs the pseudonym"):
        consent.set_credit(study, "CR-01", style="pseudonym")
    with pytest.raises(InvalidInputError, match="no credit style 'full-name'"):
        consent.set_credit(study, "CR-01", style="full-name")
    with pytest.raises(InvalidInputError, match="not a way to be listed"):
        consent.set_credit(study, "CR-01", style="group", listed_as="editor")
    with pytest.raises(NotFoundError, match="person CR-02 not found"):
        consent.set_credit(study, "CR-02", style="group")
    assert_unchanged(study, head)
