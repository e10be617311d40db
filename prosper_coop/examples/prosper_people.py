"""The PROSPER example: onboarding, consent, credit, offboarding and sessions.

Shows co-researchers at different onboarding stages (CR-05 joined recently and is
part-way through), consent recorded on versioned forms (the co-researcher form is
now at version 2, so two co-researchers need to re-consent), a participant who
withdrew, credit preferences, a co-researcher who left (six were appointed; the
outputs report five), and sessions: one closed with debriefs offered, one due in
three days whose safeguarding checklist is not finished, one ready.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prosper_coop.core.defaults import default_path
from prosper_coop.core.models import Credit, CreditAs, CreditStyle, Person, PersonStatus, Role
from prosper_coop.core.study import StudyContent
from prosper_coop.people.checklists import ChecklistDefinition, parse_definition
from prosper_coop.people.models import (
    ChecklistRun,
    Debrief,
    DebriefChoice,
    Session,
    SessionStatus,
    SessionType,
    Tick,
    Withdrawal,
    WithdrawalScope,
)
from prosper_coop.tasks.models import Task, TaskStatus

CONSENT_FORM = "consent-co-researcher"

# id -> (style, display, listed as). The credit choices of the current team are set
# with the outputs (example/prosper_outputs.py); here only CR-06, who left.
CREDIT: dict[str, tuple[CreditStyle, str, CreditAs]] = {
    "CR-06": (CreditStyle.GROUP, "The PROSPER co-researcher group", CreditAs.ACKNOWLEDGEMENT),
}

EVIDENCE_NOTES = {
    "payment-expenses": "Paid at the study's involvement rate; benefits advice offered.",
    "named-contact": "WB-01",
    "buddy": "AC-04",
    "handover": "Interview notes passed to AC-04; no open tasks.",
    "dsl-reachable": "SG-01 (deputy AC-01)",
    "online-leaving-plan": "AC-04 calls the participant back within 15 minutes, if they agree.",
}
EVIDENCE_DOCUMENTS = {
    "role-description": "Study drive: Involvement/role-descriptions (signed copy)",
    "confidentiality-agreement": "Study drive: Involvement/agreements (signed copy)",
}


def _load(name: str) -> tuple[str, ChecklistDefinition]:
    path = default_path("protocols", "checklists", f"{name}.yaml")
    text = path.read_text(encoding="utf-8")
    return text, parse_definition(text, f"protocols/checklists/{name}.yaml", name)


def consent_form_v2(text: str) -> str:
    """Version 2 of the shipped co-researcher consent form: a new information sheet."""
    updated = text
    for old, new in (
        ("version: 1\n", "version: 2\n"),
        (
            "Form version 1. Information sheet: version 1.0.",
            "Form version 2. Information sheet: version 2.0.",
        ),
        (
            "information sheet (version 1.0)",
            "information sheet (version 2.0, data collection online)",
        ),
    ):
        if old not in updated:
            raise ValueError(f"the shipped {CONSENT_FORM} form changed; update the example")
        updated = updated.replace(old, new, 1)
    return updated


@dataclass
class _Builder:
    content: StudyContent
    next_run: int = 1
    next_task: int = 0

    def at(self, days: int, hour: int = 10) -> dt.datetime:
        day = self.content.today + dt.timedelta(days=days)
        return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=dt.UTC)

    def day(self, days: int) -> dt.date:
        return self.content.today + dt.timedelta(days=days)

    def run(
        self,
        definition: ChecklistDefinition,
        subject: str,
        days: int,
        by: str,
        items: list[str] | None = None,
        answers: dict[str, bool] | None = None,
    ) -> ChecklistRun:
        """A run started ``days`` from today, with ``items`` ticked (all required if None)."""
        chosen = definition.required_ids if items is None else items
        answers = answers or {}
        ticks = []
        for offset, item_id in enumerate([*chosen, *answers]):
            item = definition.item(item_id)
            ticks.append(
                Tick(
                    item=item_id,
                    by=by,
                    at=self.at(days, 10 + min(offset, 8)),
                    answer=answers.get(item_id) if item.answer else None,
                    date=self.day(days) if str(item.evidence) == "date" else None,
                    document=EVIDENCE_DOCUMENTS.get(item_id, "")
                    if str(item.evidence) == "document"
                    else "",
                    note=EVIDENCE_NOTES.get(item_id, "") if str(item.evidence) == "note" else "",
                )
            )
        complete = all(any(t.item == r for t in ticks) for r in definition.required_ids)
        run = ChecklistRun(
            id=f"C-{self.next_run:04d}",
            definition=definition.id,
            version=definition.version,
            fingerprint=definition.fingerprint,
            subject=subject,
            started=self.at(days, 9),
            started_by=by,
            completed=self.at(days, 18) if complete else None,
            ticks=ticks,
        )
        self.next_run += 1
        self.content.add(run)
        return run

    def task(self, title: str, owner: str, due: int) -> Task:
        """A follow-up task in WP4 numbered after every task already in the example."""
        if not self.next_task:
            numbers = [int(r.id.split("-")[1]) for r in self.content.records if isinstance(r, Task)]
            self.next_task = max(numbers, default=0) + 1
        task = Task(
            id=f"T-{self.next_task:04d}",
            wp="WP4",
            title=title,
            owner=owner,
            status=TaskStatus.TODO,
            due=self.day(due),
            tags=["consent", "withdrawal"],
            created=self.day(-2),
        )
        self.next_task += 1
        self.content.add(task)
        return task


def add_people_checklists(content: StudyContent) -> None:
    """Onboarding, consent, credit, offboarding and sessions for the PROSPER example."""
    b = _Builder(content)
    _, onboarding = _load("onboarding-co-researcher")
    _, offboarding = _load("offboarding")
    consent_text, consent_v1 = _load(CONSENT_FORM)
    v2_text = consent_form_v2(consent_text)
    consent_v2 = parse_definition(v2_text, f"protocols/checklists/{CONSENT_FORM}.yaml")
    content.files[f"protocols/checklists/{CONSENT_FORM}.yaml"] = v2_text
    _, participant_form = _load("consent-participant")
    _, safeguarding = _load("safeguarding-pre-session")

    # Six co-researchers were appointed; one (CR-06) left early on, so outputs report five.
    content.add(
        Person(
            id="CR-06",
            alias="Co-researcher F",
            roles=[Role.CO_RESEARCHER],
            status=PersonStatus.LEFT,
            joined=b.day(-330),
            left=b.day(-240),
        )
    )
    for person in content.records:
        if isinstance(person, Person) and person.id in CREDIT:
            style, display, listed = CREDIT[person.id]
            person.credit = Credit(
                style=style, display=display, credit_as=listed, updated=b.day(-100)
            )

    # Onboarding: CR-01..CR-04 and CR-06 complete; CR-05 part-way (joined 120 days ago).
    for person_id in ("CR-01", "CR-02", "CR-03", "CR-04", "CR-06"):
        b.run(onboarding, person_id, -300, "CO-01")
    b.run(
        onboarding,
        "CR-05",
        -110,
        "CO-01",
        items=[
            "role-description",
            "payment-expenses",
            "training-research-methods",
            "confidentiality-agreement",
            "named-contact",
        ],
    )
    b.run(offboarding, "CR-06", -240, "CO-01", answers={"keep-in-touch": True})

    # Consent: version 1 for the first co-researchers; the form moved to version 2
    # (a new information sheet when data collection moved online). CR-01, CR-02,
    # CR-05 and CA-01 agreed to version 2; CR-03 and CR-04 still need to re-consent.
    answers = {"recording": True, "reflections": True, "quotes": True, "future-contact": False}
    for person_id in ("CR-01", "CR-02", "CR-03", "CR-04", "CA-01"):
        b.run(consent_v1, person_id, -300, "CO-01", answers=answers)
    for person_id in ("CR-01", "CR-02", "CA-01"):
        b.run(consent_v2, person_id, -150, "CO-01", answers=answers)
    b.run(consent_v2, "CR-05", -105, "CO-01", answers={**answers, "reflections": False})

    # Participants in the co-research interviews; P-0003 withdrew, asking for their
    # not-yet-anonymised data to be removed.
    participant_answers = {
        "recording": True,
        "quotes": True,
        "future-use": False,
        "withdrawal-window": True,
    }
    for number in range(1, 5):
        b.run(
            participant_form, f"P-{number:04d}", -20 + number, "AC-04", answers=participant_answers
        )
    withdrawn = next(
        r for r in content.records if isinstance(r, ChecklistRun) and r.subject == "P-0003"
    )
    tasks = [
        b.task(t.title.replace("{subject}", "P-0003"), "CO-01", t.due_days - 2)
        for t in participant_form.withdrawal_tasks
    ]
    withdrawn.withdrawal = Withdrawal(
        at=b.at(-2),
        by="CO-01",
        scope=WithdrawalScope.ALL_NOT_YET_ANONYMISED,
        tasks=[t.id for t in tasks],
    )

    # Sessions: one closed (debriefs offered), one in three days not yet safeguarded,
    # one in ten days ready, and a co-analysis workshop later on.
    sessions = [
        ("S-0001", SessionType.INTERVIEW, -18, ["CR-02", "AC-04"], "Paired interview, batch 1"),
        ("S-0002", SessionType.INTERVIEW, 3, ["CR-02", "AC-04"], "Paired interview, batch 1"),
        ("S-0003", SessionType.INTERVIEW, 10, ["CR-03", "AC-04"], "Paired interview, batch 2"),
        ("S-0004", SessionType.WORKSHOP, 45, ["CR-04", "CR-01", "AC-01"], "Co-analysis workshop"),
    ]
    for session_id, kind, days, facilitators, title in sessions:
        session = Session(
            id=session_id,
            type=kind,
            date=b.day(days),
            title=title,
            wp="WP4",
            facilitators=facilitators,
            created_by="AC-04",
        )
        if session_id == "S-0001":
            b.run(safeguarding, session_id, days - 7, "SG-01")
            session.status = SessionStatus.CLOSED
            session.started, session.started_by = b.at(days, 10), "AC-04"
            session.closed, session.closed_by = b.at(days, 12), "AC-04"
            session.debriefs = [
                Debrief(
                    facilitator="CR-02",
                    offered_at=b.at(days, 12),
                    offered_by="AC-04",
                    choice=DebriefChoice.NOW,
                ),
                Debrief(
                    facilitator="AC-04",
                    offered_at=b.at(days, 12),
                    offered_by="AC-04",
                    choice=DebriefChoice.DECLINED,
                ),
            ]
        elif session_id == "S-0002":
            b.run(
                safeguarding,
                session_id,
                -4,
                "SG-01",
                items=["dsl-reachable", "helplines-ready", "confidentiality-limits"],
            )
        elif session_id == "S-0003":
            b.run(safeguarding, session_id, -1, "SG-01")
        else:
            b.run(safeguarding, session_id, -1, "SG-01", items=[])
        content.add(session)


def seal_debrief_choices(content: StudyContent) -> None:
    """Debrief choices are wellbeing data: encrypt each for its facilitator and the
    wellbeing lead, as ``session close`` does (once people have keys: after the
    wellbeing section)."""
    from prosper_coop.core.models import Person
    from prosper_coop.crypto.policy import reader_policy
    from prosper_coop.crypto.sealed import readers_for, seal
    from prosper_coop.people.sessions import DEBRIEF_READERS, choice_plaintext

    people = [r for r in content.records if isinstance(r, Person)]
    rules = reader_policy(None)
    for record in content.records:
        if not isinstance(record, Session):
            continue
        for debrief in record.debriefs:
            if debrief.choice is None:
                continue
            readers = readers_for(None, DEBRIEF_READERS, debrief.facilitator, people, rules)
            plain = choice_plaintext(record.id, debrief.facilitator, debrief.choice)
            debrief.choice_sealed = seal(plain, readers).decode("ascii")
            debrief.choice = None
