"""The wellbeing part of the PROSPER example: keys, check-ins, reflections, an incident.

DEMO KEYS. So that ``make demo`` can show a lead reading an alert, this section
makes age keys for the example's leads and co-researchers and keeps the private
halves where real keys live, in the user's config directory (0600 files in a 0700
folder), each marked "DEMO KEY" in its file and in ``keys show``. Nothing private
is ever written into the study folder or into git. Real studies are untouched:
their people make their own keys with ``prosper-coop keys init``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from prosper_coop.core.models import Person
from prosper_coop.core.study import StudyContent
from prosper_coop.tasks.models import Task, TaskStatus

# The example's one resolved alert (a real resolution gets a random ID).
RESOLUTION_ID = "AR-5d0c2b7e91a4f366"

# People who get a demo key (CR-05 joined recently and has not set one up yet).
KEYED = ("CO-01", "AC-01", "AC-04", "SG-01", "WB-01", "CR-01", "CR-02", "CR-03", "CR-04")

# person, days ago, hour, distress, wants contact, note
CHECKINS: list[tuple[str, int, int, int, bool, str]] = [
    ("CR-01", 9, 16, 3, False, "Tiring session, but I felt supported by my interview partner."),
    ("CR-04", 6, 18, 5, True, "Could we talk about pacing the next batch of interviews?"),
    ("CR-03", 3, 17, 2, False, ""),
    ("CR-02", 1, 19, 8, False, "The last interview brought back a lot. Going to rest tonight."),
]

REFLECTIONS: list[tuple[str, int, bool, str | None, list[str], str]] = [
    (
        "CR-01",
        9,
        False,
        "WP4",
        ["interviews"],
        "I noticed how much the participant valued being believed by the service.\n"
        "I want to remember to slow down when people talk about waiting lists.",
    ),
    (
        "CR-03",
        5,
        True,
        "WP4",
        ["analysis", "funding"],
        "Several accounts describe services stretched by short-term funding. Worth a "
        "code of its own in the co-analysis workshop.",
    ),
    (
        "AC-04",
        4,
        True,
        "WP3",
        ["case-study"],
        "Site 2 staff spoke about partnership working with statutory services as "
        "relationship-based rather than contractual.",
    ),
]


def _at(today: dt.date, days_ago: int, hour: int) -> dt.datetime:
    day = today - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=dt.UTC)


def _people(content: StudyContent) -> dict[str, Person]:
    return {r.id: r for r in content.records if isinstance(r, Person)}


def _next_task_number(content: StudyContent) -> int:
    numbers = [int(r.id[2:]) for r in content.records if isinstance(r, Task)]
    return max(numbers, default=0) + 1


def add_wellbeing(content: StudyContent) -> None:
    """Demo keys, check-ins (one over the threshold), reflections and a resolved incident."""
    from prosper_coop.core.study import to_yaml
    from prosper_coop.crypto import keys
    from prosper_coop.crypto.policy import reader_policy
    from prosper_coop.crypto.sealed import readers_for, seal
    from prosper_coop.wellbeing.config import checkin_settings
    from prosper_coop.wellbeing.models import (
        Alert,
        AlertLevel,
        AlertResolution,
        CheckIn,
        Identity,
        Incident,
        IncidentStep,
        Reflection,
        WellbeingPlan,
    )

    today = content.today
    people = _people(content)
    for person_id in KEYED:
        made = keys.generate(comment=f"{person_id} in the PROSPER example study", demo=True)
        people[person_id].age_recipient = made.recipient
    rules = reader_policy(None)
    settings = checkin_settings(None)
    everyone = list(people.values())

    def sealed_text(record: Any, kind: str, owner: str | None) -> str:
        readers = readers_for(None, kind, owner, everyone, rules)
        return seal(to_yaml(record).encode("utf-8"), readers).decode("ascii")

    for number, (person, days_ago, hour, distress, contact, note) in enumerate(CHECKINS, 1):
        checkin = CheckIn(
            id=f"CI-{number:04d}",
            person=person,
            at=_at(today, days_ago, hour),
            distress=distress,
            contact=contact,
            note=note,
        )
        content.files[f"checkins/{person}/{checkin.id}.age"] = sealed_text(
            checkin, "checkin", person
        )
        # Every check-in has its alert file (an alert, or none), as a real one would.
        raised = settings.needs_alert(distress, contact)
        alert = Alert(
            id=f"A-{number:04d}",
            person=person,
            checkin=checkin.id,
            raised=checkin.at,
            level=(AlertLevel.HIGH if distress >= settings.threshold else AlertLevel.CONTACT)
            if raised
            else None,
            contact_requested=contact and raised,
        )
        content.files[f"alerts/{person}/{alert.id}.age"] = sealed_text(alert, "alert", person)
        if raised and contact:  # the earlier one was followed up and resolved by the lead
            resolution = AlertResolution(
                id=RESOLUTION_ID,
                alert=alert.id,
                person=person,
                checkin=checkin.id,
                resolved_by="WB-01",
                resolved_at=checkin.at + dt.timedelta(hours=20),
                note="Spoke by phone. Agreed a lighter interview schedule for two weeks.",
            )
            content.files[f"resolutions/{resolution.id}.age"] = sealed_text(
                resolution, "alert", person
            )

    for number, (person, days_ago, shared, wp, tags, text) in enumerate(REFLECTIONS, 1):
        reflection = Reflection(
            id=f"RF-{number:04d}",
            person=person,
            at=_at(today, days_ago, 20),
            shared=shared,
            wp=wp,
            tags=tags,
            text=text,
        )
        kind = "reflection-shared" if shared else "reflection-private"
        content.files[f"reflections/{person}/{reflection.id}.age"] = sealed_text(
            reflection, kind, person
        )

    plan = WellbeingPlan(
        id="CR-01",
        what_helps="A short walk after interviews, and talking things through with my mentor.",
        early_signs="Sleeping badly and avoiding messages from the team.",
        who_to_contact="The wellbeing lead first; please do not contact my family.",
        in_a_crisis="Call me once; if I do not answer, text and give me a day.",
        updated=today - dt.timedelta(days=200),
    )
    content.files["plans/CR-01.age"] = sealed_text(plan, "plan", "CR-01")

    identity = Identity(
        id="CR-01",
        real_name="Sam Example (invented for the demo)",
        email="cr01@example.invalid",
        updated=today - dt.timedelta(days=330),
    )
    content.files["identities/CR-01.age"] = sealed_text(identity, "identity", "CR-01")

    # A researcher-distress incident during paired interviews, followed up and done.
    task_id = f"T-{_next_task_number(content):04d}"
    happened = _at(today, 20, 15)
    content.add(
        Task(
            id=task_id,
            wp="WP4",
            title="Follow-up after a distress protocol (I-0001)",
            owner="SG-01",
            status=TaskStatus.DONE,
            due=happened.date() + dt.timedelta(days=1),
            tags=["safeguarding", "follow-up"],
            created=happened.date(),
            done_on=happened.date() + dt.timedelta(days=1),
        )
    )
    answers = [
        ("signs", "signs", "Are they showing or telling you about high distress?", "yes"),
        ("pause", "stage 1", "Pause the work and offer time and a quiet space.", ""),
        ("thoughts", "stage 1", "Ask: What thoughts are you having?", "It felt close to home."),
        ("feelings", "stage 1", "Ask: What are you feeling right now?", "Shaky, tired."),
        ("able", "stage 1", "Ask: Do you feel able to go on with your day?", "yes"),
        ("safe", "stage 1", "Ask: Do you feel safe?", "yes"),
        ("continue", "stage 1", "Would they like to go back to the work today?", "no"),
        ("stage2", "stage 2", "Stop the work for today; offer a debrief.", ""),
        ("debrief", "stage 2", "Would they like a debrief?", "yes"),
        ("follow-up", "follow-up", "Did they agree to a follow-up call?", "yes"),
        ("end", "follow-up", "Thank you.", ""),
    ]
    incident = Incident(
        id="I-0001",
        protocol="distress-researcher",
        protocol_version=1,
        at=happened,
        recorded_by="SG-01",
        person="CR-03",
        session="S-0002",
        outcome="protocol-followed",
        steps=[IncidentStep(step=s, stage=g, prompt=p, answer=a) for s, g, p, a in answers],
        follow_up_call=True,
        follow_up_task=task_id,
        note="Debrief held with WB-01 next day; CR-03 chose to continue with batch 2.",
    )
    content.files["incidents/I-0001.age"] = sealed_text(incident, "incident", None)
