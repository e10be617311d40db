"""Consent: versioned forms, optional items, withdrawal, and credit preferences.

A recorded consent is a complete run of a consent checklist (``kind: consent``)
for a person or participant: it names the form and its version, has every
statement agreed, and every optional item answered yes or no. Withdrawal is kept
on that run (never deleted) and creates the follow-up tasks the form lists under
``withdrawal_tasks`` for the coordinator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prosper_coop.core import choices
from prosper_coop.core.errors import ConflictError, InvalidInputError, NotFoundError
from prosper_coop.core.models import PERSON_ID, Credit, CreditAs, CreditStyle, Person
from prosper_coop.people import checklists
from prosper_coop.people.checklists import ChecklistDefinition, ChecklistKind, RunState, RunView
from prosper_coop.people.models import ChecklistRun, Tick, Withdrawal, WithdrawalScope
from prosper_coop.tasks import followup
from prosper_coop.tasks.models import Task
from prosper_coop.trust import permissions

if TYPE_CHECKING:
    from prosper_coop.core.study import Study


def consent_form(study: Study, form_id: str) -> ChecklistDefinition:
    """A consent form definition, or a clear error if ``form_id`` is something else."""
    definition = checklists.get_definition(study, form_id)
    if definition.kind != ChecklistKind.CONSENT:
        forms = [
            d.id
            for d in checklists.load_definitions(study).values()
            if d.kind == ChecklistKind.CONSENT
        ]
        raise InvalidInputError(
            f"{form_id} is a {definition.kind} checklist, not a consent form",
            "Consent forms: " + (", ".join(forms) or "none yet"),
        )
    return definition


def _answers(
    definition: ChecklistDefinition, yes: Sequence[str], no: Sequence[str]
) -> dict[str, bool]:
    optional = [item.id for item in definition.items if item.answer]
    answers: dict[str, bool] = {}
    for value, items in ((True, yes), (False, no)):
        for item_id in choices.split_list(items):
            item = definition.item(item_id)
            if not item.answer:
                raise InvalidInputError(
                    f"{item_id} is a statement of the form, not an optional item",
                    "Statements are agreed by recording the form. Optional items: "
                    + ", ".join(optional),
                )
            if item_id in answers and answers[item_id] != value:
                raise InvalidInputError(
                    f"{item_id} is given both --yes and --no",
                    "Give each optional item one answer.",
                )
            answers[item_id] = value
    unanswered = [item_id for item_id in optional if item_id not in answers]
    if unanswered:
        raise InvalidInputError(
            "every optional item needs an answer; not answered: " + ", ".join(unanswered),
            "Add --yes ITEM or --no ITEM for each (nothing is assumed on anyone's behalf).",
        )
    return answers


def _person_or_none(subject_id: str) -> str | None:
    """``subject_id`` when it names a person of the team (not a participant or session)."""
    return subject_id if PERSON_ID.fullmatch(subject_id) else None


def _participant_wp(study: Study, subject_id: str) -> str | None:
    """The work package a research participant was recruited to, if they are recorded."""
    from prosper_coop.core.ids import PARTICIPANT_ID
    from prosper_coop.core.records import get

    participants = get("participant")
    if not PARTICIPANT_ID.fullmatch(subject_id) or not study.exists(participants, subject_id):
        return None
    wp: str | None = study.load(participants, subject_id).wp
    return wp


@dataclass(frozen=True)
class Recorded:
    """A consent that was recorded."""

    run: ChecklistRun
    definition: ChecklistDefinition
    answers: dict[str, bool]


def record(
    study: Study,
    subject_id: str,
    form_id: str,
    *,
    yes: Sequence[str] = (),
    no: Sequence[str] = (),
    given: dt.date | None = None,
    note: str = "",
) -> Recorded:
    """Record that ``subject_id`` consented on the current version of a form: one commit.

    Fills the open run of the form if one was started (``checklist start``),
    otherwise creates a complete run.
    """
    definition = consent_form(study, form_id)
    subject = checklists.resolve_subject(study, subject_id)
    checklists.check_applies(definition, subject)
    answers = _answers(definition, yes, no)
    day = given or study.today()
    if day > study.today():
        raise InvalidInputError(
            f"the consent date {day} is in the future",
            "Record consent on or after the day it was given.",
        )
    with study.change("consent", f"record {form_id} v{definition.version}", subject_id) as change:
        permissions.require(study, "consent.record", subject=_person_or_none(subject_id))
        current = checklists.current_run_for(study, definition, subject_id)
        if current is not None and current.state == RunState.COMPLETE:
            raise ConflictError(
                f"{subject.label} already consented on version {definition.version} of "
                f"{form_id} ({current.run.id})",
                f"To change an optional answer: prosper-coop checklist untick {current.run.id} "
                f"ITEM, then tick it again with --answer yes|no",
            )
        actor = change.author or study.actor()
        run = (
            current.run
            if current is not None
            else checklists.new_run(study, definition, subject_id, actor)
        )
        now = study.now()
        ticks = list(run.ticks)
        for item in definition.items:
            if run.tick_for(item.id) is not None:
                continue
            ticks.append(
                Tick(
                    item=item.id,
                    by=actor,
                    at=now,
                    answer=answers.get(item.id) if item.answer else None,
                    date=day,
                    note=note.strip(),
                )
            )
        run.ticks = ticks
        run.completed = now
        change.record_ids.append(run.id)
        change.save(run)
    return Recorded(run, definition, answers)


@dataclass
class Withdrawn:
    """A recorded withdrawal and the follow-up tasks it created."""

    run: ChecklistRun
    scope: WithdrawalScope
    tasks: list[Task] = field(default_factory=list)


def parse_scope(value: str) -> WithdrawalScope:
    """A withdrawal scope from its name, or a clear error."""
    return choices.parse_choice(WithdrawalScope, value, f"there is no withdrawal scope {value!r}")


def active_consents(study: Study, subject_id: str) -> list[RunView]:
    """The subject's consents that stand: complete (or needing re-consent), not withdrawn."""
    return [
        view
        for view in checklists.runs_for(study, subject_id)
        if view.definition is not None
        and view.definition.kind == ChecklistKind.CONSENT
        and view.state in (RunState.COMPLETE, RunState.NEEDS_REVIEW)
    ]


def withdraw(
    study: Study,
    subject_id: str,
    *,
    scope: str = "future",
    form_id: str | None = None,
    wp: str | None = None,
    note: str = "",
) -> Withdrawn:
    """Record a consent withdrawal and create its follow-up tasks: one commit.

    The consent run is kept, with the withdrawal (who, when, scope) added to it.
    """
    from prosper_coop.core.records import get

    chosen_scope = parse_scope(scope)
    checklists.resolve_subject(study, subject_id)
    with study.change("consent", f"withdraw ({chosen_scope})", subject_id) as change:
        # Anyone may always withdraw their own consent (the permission table says who else).
        permissions.require(study, "consent.withdraw", subject=_person_or_none(subject_id))
        standing = active_consents(study, subject_id)
        if form_id is not None:
            consent_form(study, form_id)
            standing = [v for v in standing if v.run.definition == form_id]
        if not standing:
            withdrawn = [
                v
                for v in checklists.runs_for(study, subject_id, form_id)
                if v.state == RunState.WITHDRAWN
            ]
            if withdrawn:
                last = withdrawn[-1].run
                assert last.withdrawal is not None
                raise ConflictError(
                    f"{subject_id} already withdrew consent ({last.id}, on "
                    f"{last.withdrawal.at.date()}, scope {last.withdrawal.scope})",
                    f"See it with: prosper-coop checklist show {last.id}",
                )
            raise NotFoundError(
                f"{subject_id} has no recorded consent"
                + (f" on {form_id}" if form_id else "")
                + " to withdraw",
                f"See their checklists with: prosper-coop checklist status --for {subject_id}",
            )
        forms = sorted({v.run.definition for v in standing})
        if len(forms) > 1:
            raise InvalidInputError(
                f"{subject_id} has consent on more than one form: {', '.join(forms)}",
                "Say which with --form FORM.",
            )
        view = standing[-1]
        run = view.run
        definition = view.definition
        assert definition is not None
        actor = change.author or study.actor()
        target_wp = followup.choose_wp(
            study, wp=wp, session_wp=_participant_wp(study, subject_id), person=subject_id
        )
        if target_wp is None:
            raise NotFoundError(
                "the study has no work packages to put the follow-up tasks in",
                "Add one first (prosper-coop wp add), then withdraw again with --wp WP1.",
            )
        owner = followup.first_holder(study.load_all(get("person")), "coordinator") or actor
        today = study.today()
        change.record_ids.append(run.id)
        created = followup.add_follow_ups(
            study,
            change,
            target_wp,
            [
                followup.FollowUp(
                    title=item.title.replace("{subject}", subject_id),
                    owner=owner,
                    due=today + dt.timedelta(days=item.due_days),
                    tags=("consent", "withdrawal"),
                )
                for item in definition.withdrawal_tasks
                if chosen_scope in item.scopes
            ],
        )
        run.withdrawal = Withdrawal(
            at=study.now(),
            by=actor,
            scope=chosen_scope,
            note=note.strip(),
            tasks=[task.id for task in created],
        )
        change.save(run)
    return Withdrawn(run, chosen_scope, created)


def parse_credit_style(value: str) -> CreditStyle:
    """A credit style from its name, or a clear error."""
    return choices.parse_choice(CreditStyle, value, f"there is no credit style {value!r}")


def parse_credit_as(value: str) -> CreditAs:
    """Author or acknowledgement, or a clear error."""
    return choices.parse_choice(CreditAs, value, f"{value!r} is not a way to be listed")


def set_credit(
    study: Study,
    person_id: str,
    *,
    style: str,
    display: str | None = None,
    listed_as: str | None = None,
) -> Person:
    """Record how a person wants to be credited in outputs (changeable any time): one commit.

    ``display`` is the exact text the person chose to have printed in outputs (a
    name, initials or a pseudonym). It becomes part of the shared study and of every
    rendered output, so record a name only when the person has agreed to be named.
    Without it, a name or initials credit is shown as the group (outputs say so).
    A pseudonym needs its ``display`` text; a group may name the group.
    """
    from prosper_coop.people.team import load_person

    chosen = parse_credit_style(style)
    text = " ".join((display or "").split())
    if chosen == CreditStyle.NONE and text:
        raise InvalidInputError(
            "--display is not used with --as none", "Leave out --display: nothing is shown."
        )
    if chosen == CreditStyle.PSEUDONYM and not text:
        raise InvalidInputError(
            "a pseudonym credit needs the pseudonym to show",
            "Add it with --display 'the pseudonym they chose'.",
        )
    if len(text) > 120:
        raise InvalidInputError("--display is too long (at most 120 characters)")
    with study.change("consent", f"credit as {chosen}", person_id) as change:
        person = load_person(study, person_id)
        acting = permissions.acting(study)
        if acting.actor != person_id:  # your own credit is yours to choose
            acting.require("people.edit", subject=person_id, what="change how others are credited")
        previous = person.credit
        position = (
            parse_credit_as(listed_as)
            if listed_as is not None
            else (previous.credit_as if previous is not None else CreditAs.ACKNOWLEDGEMENT)
        )
        if chosen == CreditStyle.NONE:
            position = CreditAs.ACKNOWLEDGEMENT
        person.credit = Credit(
            style=chosen, display=text, credit_as=position, updated=study.today()
        )
        change.save(person)
    return person


@dataclass(frozen=True)
class Reconsent:
    """A subject whose consent is on an older version of the form."""

    subject: str
    alias: str | None
    form: str
    agreed_version: int
    current_version: int
    run: str

    def as_dict(self) -> dict[str, object]:
        """Plain data for ``--json``."""
        return dict(self.__dict__)


def needing_reconsent(
    views: list[RunView], people: dict[str, Person] | None = None
) -> list[Reconsent]:
    """Subjects whose standing consent is on an older version of its form."""
    people = people or {}
    found: list[Reconsent] = []
    for view in views:
        definition = view.definition
        if (
            definition is None
            or definition.kind != ChecklistKind.CONSENT
            or view.state != RunState.NEEDS_REVIEW
            or view.run.completed is None
        ):
            continue
        person = people.get(view.run.subject)
        if person is not None and person.status != "active":
            continue
        found.append(
            Reconsent(
                subject=view.run.subject,
                alias=person.alias if person else None,
                form=definition.id,
                agreed_version=view.run.version,
                current_version=definition.version,
                run=view.run.id,
            )
        )
    return sorted(found, key=lambda r: (r.subject, r.form))
