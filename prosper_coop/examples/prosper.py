"""The PROSPER example study (docs/domain.md section 1), with dates relative to today.

The study is shown mid-way: WP1 and WP2 done, WP3 and WP4 under way, WP5 ahead,
with some tasks overdue. Each later feature adds a section to ``SECTIONS``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from prosper_coop.core.models import Note, Person, Role
from prosper_coop.core.study import StudyContent
from prosper_coop.examples import (
    prosper_outputs,
    prosper_people,
    prosper_recruitment,
    prosper_wellbeing,
)
from prosper_coop.examples.base import Example
from prosper_coop.tasks.models import Milestone, Task, TaskStatus, WorkPackage

TITLE = (
    "Exploring voluntary sector specialist services for victim-survivors of sexual "
    "violence in England: the PROSPER co-production study"
)

PEOPLE: list[tuple[str, str, list[Role], int]] = [
    # id, pseudonymous alias, roles, joined (days before today)
    ("CO-01", "Study coordinator", [Role.COORDINATOR], 560),
    ("AC-01", "Chief investigator", [Role.ACADEMIC], 560),
    ("AC-02", "Survey lead (WP2)", [Role.ACADEMIC], 560),
    ("AC-03", "Case study lead (WP3)", [Role.ACADEMIC], 540),
    ("AC-04", "Research associate", [Role.ACADEMIC], 420),
    ("SG-01", "Designated safeguarding lead", [Role.SAFEGUARDING_LEAD, Role.ACADEMIC], 560),
    ("WB-01", "Wellbeing lead", [Role.WELLBEING_LEAD], 540),
    ("PPI-01", "PPI lead", [Role.PPI_LEAD], 540),
    ("CA-01", "Survivor co-applicant", [Role.CO_APPLICANT], 560),
    ("CR-01", "Co-researcher A", [Role.CO_RESEARCHER], 330),
    ("CR-02", "Co-researcher B", [Role.CO_RESEARCHER], 330),
    ("CR-03", "Co-researcher C", [Role.CO_RESEARCHER], 330),
    ("CR-04", "Co-researcher D", [Role.CO_RESEARCHER], 330),
    ("CR-05", "Co-researcher E", [Role.CO_RESEARCHER], 120),
]

# id, title, summary, lead, start, end (days from today), milestones (id, title, due, done?)
WORK_PACKAGES: list[tuple[str, str, str, str, int, int, list[tuple[str, str, int, bool]]]] = [
    (
        "WP1",
        "Exploratory interviews and focus groups",
        "Interviews with commissioners and providers; focus groups with victim-survivors.",
        "AC-01",
        -540,
        -360,
        [
            ("M1", "Ethics approval granted", -520, True),
            ("M2", "Interviews complete", -420, True),
            ("M3", "Focus groups complete", -370, True),
        ],
    ),
    (
        "WP2",
        "National survey of providers and commissioners",
        "An online survey of voluntary sector providers and commissioners in England.",
        "AC-02",
        -390,
        -200,
        [
            ("M1", "Survey live", -330, True),
            ("M2", "Survey closed", -250, True),
            ("M3", "Survey analysis complete", -205, True),
        ],
    ),
    (
        "WP3",
        "In-depth case studies in four areas of England",
        "Case studies of specialist services and their commissioning in four areas.",
        "AC-03",
        -240,
        120,
        [
            ("M1", "Case study sites agreed", -200, True),
            ("M2", "Case study fieldwork complete", 30, False),
            ("M3", "Case study reports drafted", 110, False),
        ],
    ),
    (
        "WP4",
        "Co-research with victim-survivors",
        "Expert-by-experience co-researchers interview victim-survivors, in pairs with an "
        "academic, and co-analyse the data.",
        "AC-04",
        -300,
        150,
        [
            ("M1", "Co-researchers appointed and trained", -290, True),
            ("M2", "Co-research interviews complete", 60, False),
            ("M3", "Co-analysis workshops held", 130, False),
        ],
    ),
    (
        "WP5",
        "Data integration",
        "Bring the findings of WP1-WP4 together into one model of specialist provision.",
        "AC-01",
        60,
        270,
        [
            ("M1", "Integration workshop", 150, False),
            ("M2", "Final model agreed", 240, False),
            ("M3", "Final report submitted", 270, False),
        ],
    ),
]

# number, wp, title, owner, status, due (days from today), depends, tags
TASKS: list[tuple[int, str, str, str, TaskStatus, int, list[int], list[str]]] = [
    (1, "WP1", "Submit ethics application", "AC-01", TaskStatus.DONE, -525, [], ["ethics"]),
    (2, "WP1", "Draft interview topic guide", "AC-04", TaskStatus.DONE, -500, [1], ["materials"]),
    (
        3,
        "WP1",
        "Interview commissioners and providers",
        "AC-04",
        TaskStatus.DONE,
        -425,
        [2],
        ["fieldwork"],
    ),
    (
        4,
        "WP1",
        "Run victim-survivor focus groups (online)",
        "AC-01",
        TaskStatus.DONE,
        -375,
        [2],
        ["fieldwork", "safeguarding"],
    ),
    (
        5,
        "WP1",
        "Thematic analysis of WP1 data",
        "AC-04",
        TaskStatus.DONE,
        -362,
        [3, 4],
        ["analysis"],
    ),
    (
        6,
        "WP2",
        "Design the national survey with co-applicant",
        "AC-02",
        TaskStatus.DONE,
        -340,
        [5],
        ["materials"],
    ),
    (7, "WP2", "Pilot the survey", "CA-01", TaskStatus.DONE, -335, [6], ["materials"]),
    (
        8,
        "WP2",
        "Distribute the survey to providers and commissioners",
        "AC-02",
        TaskStatus.DONE,
        -250,
        [7],
        ["fieldwork"],
    ),
    (9, "WP2", "Analyse survey responses", "AC-02", TaskStatus.DONE, -205, [8], ["analysis"]),
    (10, "WP3", "Agree four case study sites", "AC-03", TaskStatus.DONE, -200, [9], ["sites"]),
    (
        11,
        "WP3",
        "Site 1: interviews with service staff",
        "AC-03",
        TaskStatus.DONE,
        -60,
        [10],
        ["fieldwork"],
    ),
    (
        12,
        "WP3",
        "Site 2: interviews with service staff",
        "AC-03",
        TaskStatus.DOING,
        -10,
        [10],
        ["fieldwork"],
    ),
    (
        13,
        "WP3",
        "Site 3: arrange access with the local commissioner",
        "AC-04",
        TaskStatus.BLOCKED,
        -5,
        [10],
        ["sites"],
    ),
    (
        14,
        "WP3",
        "Site 4: interviews with service staff",
        "AC-03",
        TaskStatus.TODO,
        25,
        [10],
        ["fieldwork"],
    ),
    (
        15,
        "WP3",
        "Draft cross-case analysis",
        "AC-03",
        TaskStatus.TODO,
        100,
        [11, 12, 13, 14],
        ["analysis"],
    ),
    (
        16,
        "WP4",
        "Recruit expert-by-experience co-researchers",
        "CO-01",
        TaskStatus.DONE,
        -298,
        [],
        ["recruitment"],
    ),
    (
        17,
        "WP4",
        "Deliver co-researcher training (methods, trauma-informed practice)",
        "AC-04",
        TaskStatus.DONE,
        -290,
        [16],
        ["training"],
    ),
    (
        18,
        "WP4",
        "Set up one-to-one mentoring for co-researchers",
        "WB-01",
        TaskStatus.DONE,
        -280,
        [16],
        ["support"],
    ),
    (
        19,
        "WP4",
        "Co-design the co-research interview guide",
        "CR-01",
        TaskStatus.DONE,
        -200,
        [17],
        ["materials"],
    ),
    (
        20,
        "WP4",
        "Paired interviews: batch 1",
        "CR-02",
        TaskStatus.DOING,
        -3,
        [19],
        ["fieldwork", "safeguarding"],
    ),
    (
        21,
        "WP4",
        "Paired interviews: batch 2",
        "CR-03",
        TaskStatus.TODO,
        40,
        [20],
        ["fieldwork", "safeguarding"],
    ),
    (
        22,
        "WP4",
        "Transcribe and anonymise interviews (batch 1)",
        "AC-04",
        TaskStatus.TODO,
        5,
        [20],
        ["data"],
    ),
    (23, "WP4", "Plan co-analysis workshops", "CR-04", TaskStatus.TODO, 6, [19], ["analysis"]),
    (24, "WP4", "Onboard co-researcher E", "CO-01", TaskStatus.DOING, -14, [], ["onboarding"]),
    (
        25,
        "WP5",
        "Plan the integration workshop",
        "AC-01",
        TaskStatus.TODO,
        90,
        [15, 23],
        ["integration"],
    ),
    (
        26,
        "WP5",
        "Draft lay summary with co-researchers",
        "PPI-01",
        TaskStatus.TODO,
        200,
        [25],
        ["outputs", "ppi"],
    ),
    (
        27,
        "WP5",
        "Draft recommendations for commissioners and providers",
        "CA-01",
        TaskStatus.TODO,
        230,
        [25],
        ["outputs"],
    ),
]


# Dated notes on some tasks: number -> (days from today, by, text).
TASK_NOTES: dict[int, list[tuple[int, str, str]]] = {
    13: [
        (-12, "AC-04", "Emailed the commissioner's office to ask for a meeting about access."),
        (-4, "AC-04", "No reply yet. Asked the site's service manager to mention it too."),
    ],
    20: [
        (-9, "CR-02", "First two interviews done with AC-04; debriefs booked after each one."),
    ],
    24: [
        (-7, "CO-01", "Payment agreed; training starts once the role description is signed."),
    ],
}


def settings(today: dt.date) -> dict[str, Any]:  # noqa: ARG001 - the Example interface
    """study.yaml values for the example."""
    return {
        "title": TITLE,
        "short_title": "PROSPER",
        "funder": "NIHR Health and Social Care Delivery Research",
        "award": "18/02/27",
        "doi": "10.3310/WWKT3077",
        "registration": "researchregistry5144",
        # Invented stand-ins (marked as examples): the real study's are not reproduced here.
        "iras_id": "999999",
        "ethics_committee": "Example Research Ethics Committee (example only)",
        "ethics_reference": "00/EX/0000 (example only)",
        "sponsor": "The sponsoring university (example only)",
        "default_actor": "CO-01",
    }


def add_people(content: StudyContent) -> None:
    """The study team under pseudonymous IDs (no real names anywhere)."""
    for person_id, alias, roles, joined in PEOPLE:
        content.add(
            Person(
                id=person_id,
                alias=alias,
                roles=roles,
                joined=content.today - dt.timedelta(days=joined),
            )
        )


def add_work(content: StudyContent) -> None:
    """WP1-WP5 with milestones, and the tasks inside them."""
    today = content.today

    def day(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    for wp_id, title, summary, lead, start, end, milestones in WORK_PACKAGES:
        content.add(
            WorkPackage(
                id=wp_id,
                title=title,
                summary=summary,
                lead=lead,
                start=day(start),
                end=day(end),
                milestones=[
                    Milestone(id=m_id, title=m_title, due=day(due), done=day(due) if done else None)
                    for m_id, m_title, due, done in milestones
                ],
            )
        )
    for number, wp_id, title, owner, status, due, depends, tags in TASKS:
        blocked = "Waiting for the commissioner to agree access." if status == "blocked" else ""
        content.add(
            Task(
                id=f"T-{number:04d}",
                wp=wp_id,
                title=title,
                owner=owner,
                status=status,
                due=day(due),
                depends=[f"T-{dep:04d}" for dep in depends],
                tags=tags,
                blocked_reason=blocked,
                created=day(min(due - 30, -1)),
                done_on=day(due) if status == TaskStatus.DONE else None,
                notes=[
                    Note(
                        at=dt.datetime.combine(day(offset), dt.time(10, 30), tzinfo=dt.UTC),
                        by=by,
                        text=text,
                    )
                    for offset, by, text in TASK_NOTES.get(number, [])
                ],
            )
        )


SECTIONS = (
    add_people,
    add_work,
    prosper_people.add_people_checklists,
    prosper_wellbeing.add_wellbeing,
    prosper_people.seal_debrief_choices,
    prosper_outputs.add_outputs,
    prosper_recruitment.add_recruitment,
)

EXAMPLE = Example(name="prosper", settings=settings, sections=SECTIONS)
