"""PROSPER example: findings, recommendations, involvement log and credit choices.

The six themes are those of the final PROSPER model (docs/domain.md section 1); key
messages and recommendations are written in plain words for commissioners,
providers, policy and practice. Involvement entries are dated relative to today.
Credit choices are set for the co-researchers and the survivor co-applicant only;
every name here is invented.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prosper_coop.core.study import StudyContent

# id, title, summary, key messages, evidence
THEMES: list[tuple[str, str, str, list[str], list[str]]] = [
    (
        "TH1",
        "Precarious funding landscape",
        "Most specialist services rely on short grants from many funders. This makes it "
        "hard to plan, keep staff and meet demand.",
        [
            "Most services live on short grants, so they cannot plan ahead.",
            "When funding ends, staff leave and survivors lose workers they trust.",
        ],
        ["WP1", "WP2", "WP3"],
    ),
    (
        "TH2",
        "Competition for funding and contracts",
        "Services have to bid against each other, and against large general charities, "
        "for the same money. Bids are often judged on cost more than on skill.",
        [
            "Services have to compete for money, and this can harm working together.",
            "Small specialist services often lose bids to large general charities.",
        ],
        ["WP2", "WP3"],
    ),
    (
        "TH3",
        "Partnership working",
        "Good links with the police, health services and other charities help survivors "
        "get the right help. These links often rest on goodwill between a few people.",
        [
            "Working well with other services helps survivors, but it rests on goodwill.",
        ],
        ["WP1", "WP3"],
    ),
    (
        "TH4",
        "Pressured environments",
        "Demand keeps rising, waiting lists are long, and staff hear about harm every "
        "day. Services and staff are under strain.",
        [
            "Waiting lists are long, and staff carry a heavy emotional load.",
        ],
        ["WP2", "WP3", "WP4"],
    ),
    (
        "TH5",
        "Roles, scope and eligibility of voluntary vs statutory services",
        "It is not always clear what charities and public services each should do. Rules "
        "about who can get help leave some survivors with nowhere to go.",
        [
            "Rules about who can get help leave some survivors with nowhere to go.",
        ],
        ["WP1", "WP3", "WP4"],
    ),
    (
        "TH6",
        "Service organisation and delivery underpinned by values and philosophies",
        "Specialist services are built on the belief that survivors should be believed, "
        "listened to and in control of their own support.",
        [
            "Survivors value services that believe them and let them go at their own pace.",
        ],
        ["WP1", "WP4"],
    ),
]

# text, audience, theme, priority, evidence
RECOMMENDATIONS: list[tuple[str, str, str, str, list[str]]] = [
    (
        "Fund specialist services for at least three years at a time, so they can plan, "
        "keep staff and cut waiting times.",
        "commissioners",
        "TH1",
        "high",
        ["WP2", "WP3"],
    ),
    (
        "Judge bids on skill and on what survivors say they need, not on cost alone.",
        "commissioners",
        "TH2",
        "high",
        ["WP2", "WP3"],
    ),
    (
        "Pay the full cost of a service, including time for staff to have support and supervision.",
        "commissioners",
        "TH4",
        "medium",
        ["WP3"],
    ),
    (
        "Build links with the police, health services and councils in your area, so "
        "survivors can move between services with ease.",
        "providers",
        "TH3",
        "medium",
        ["WP3"],
    ),
    (
        "Give staff regular supervision and time to rest, to help them cope with hard work.",
        "providers",
        "TH4",
        "high",
        ["WP3", "WP4"],
    ),
    (
        "Say clearly who your service is for, and help people find other support when you "
        "cannot see them.",
        "providers",
        "TH5",
        "medium",
        ["WP4"],
    ),
    (
        "Set up a national fund for specialist sexual violence services in England, with "
        "long-term deals.",
        "policy",
        "TH1",
        "high",
        ["WP2"],
    ),
    (
        "Agree national guidance on what charities and public services each do, so no "
        "survivor falls between them.",
        "policy",
        "TH5",
        "medium",
        ["WP1", "WP3"],
    ),
    (
        "Keep survivors' views at the heart of how services are planned and run.",
        "practice",
        "TH6",
        "medium",
        ["WP4"],
    ),
    (
        "Let survivors come back for support when they are ready, without a long wait.",
        "practice",
        "TH6",
        "low",
        ["WP4"],
    ),
]

# person, days before today, hours, activity, expenses, impact
INVOLVEMENT: list[tuple[str, int, float, str, float, str]] = [
    (
        "CA-01",
        380,
        3.0,
        "Reviewing the survey questions",
        0.0,
        "Survey questions about who services are for were reworded so they did not "
        "blame survivors.",
    ),
    ("CA-01", 300, 2.0, "Study steering group meeting", 12.40, ""),
    ("CR-01", 290, 6.0, "Co-researcher training", 8.50, ""),
    ("CR-02", 290, 6.0, "Co-researcher training", 0.0, ""),
    ("CR-03", 290, 6.0, "Co-researcher training", 0.0, ""),
    ("CR-04", 290, 6.0, "Co-researcher training", 15.00, ""),
    (
        "CR-01",
        205,
        3.5,
        "Designing the interview guide",
        0.0,
        "Questions about waiting for support were added to the interview guide.",
    ),
    ("CR-04", 205, 3.5, "Designing the interview guide", 0.0, ""),
    ("CA-01", 180, 2.0, "Study steering group meeting", 12.40, ""),
    ("CR-05", 100, 6.0, "Co-researcher training", 0.0, ""),
    (
        "CR-02",
        60,
        4.0,
        "Paired interviews with victim-survivors",
        0.0,
        "Interviews moved to evenings, so more survivors in work could take part.",
    ),
    ("CR-03", 45, 4.0, "Paired interviews with victim-survivors", 0.0, ""),
    ("CR-01", 30, 2.5, "Paired interviews with victim-survivors", 0.0, ""),
    (
        "CR-04",
        14,
        5.0,
        "Co-analysis workshop",
        9.80,
        "The theme on values was renamed in the words survivors used.",
    ),
    ("CR-05", 14, 5.0, "Co-analysis workshop", 0.0, ""),
    ("CR-02", 3, 1.5, "Paired interviews with victim-survivors", 0.0, ""),
]

# person, style, display, credit_as  (invented names only)
CREDITS: list[tuple[str, str, str, str]] = [
    ("CR-01", "pseudonym", "Rowan", "author"),
    ("CR-02", "initials", "J. K.", "acknowledgement"),
    ("CR-03", "none", "", "acknowledgement"),
    ("CR-04", "group", "", "author"),
    # CR-05 has not chosen yet: counted in the co-researcher group.
    ("CA-01", "name", "Alex Morgan", "author"),
]

WORDING = """\
# PROSPER's own sentences for its plain-language outputs (see templates/README.md).

question: >-
  Charities run most of the specialist support for victim-survivors of sexual
  violence in England. We wanted to know how these services are set up and paid
  for, and what this means for the help survivors get.
what_we_did: >-
  We talked to people who run and pay for services. We ran a survey across England.
  We looked closely at services in four areas. Survivors worked on the study as paid
  co-researchers, and they helped at every step. They talked with other survivors
  about the help they got.
findings_intro: >-
  We found six main things.
what_it_means: >-
  Survivors get good help from these services, but the way they are paid for puts
  that help at risk. Services need funding that lasts. Services and the people who
  pay for them need to work together, with survivors, to plan the support people need.
recommendations_intro: >-
  These are the changes we think would help most. Each one comes from what we found.
  Survivors helped to write them.
newsletter_intro: >-
  Thank you for all your work on the study this year. Here is our latest news.
newsletter_next: >-
  Next year we will bring all our findings together. You are welcome to join the
  workshops, but you do not have to. Tell your named contact what you would like to do.
newsletter_care: >-
  Reading about this topic can bring up difficult feelings. Please take care of
  yourself. You can talk to your named contact or the wellbeing lead at any time.
easy_read_intro: >-
  This is about our study. Some people have been raped or sexually hurt. Charities
  help them. We wanted to find out how these charities work. We also asked how they
  get money.
easy_read_what_next: >-
  We will tell the people in charge what we found. We will ask them to make
  things better. We will share this with the people who took part.
involvement_aim: >-
  We wanted people with lived experience to share power in the study. They helped to
  shape what we asked, how we asked it and what we made of the answers.
involvement_methods: >-
  A survivor joined the team when we asked for funding. Five survivors worked with us
  as paid co-researchers. They had training and a mentor, and they were paid for their
  time and costs. They ran interviews in pairs with a researcher, and they helped to
  make sense of what people told us.
involvement_discussion: >-
  Co-researchers changed the questions we asked and the words we used. They helped us
  hear things that survivors might not have told a researcher alone. Working online
  made it easier for some people to take part, but harder to build trust.
involvement_reflections: >-
  Paid roles, training and support made it possible for survivors to take part safely.
  Some co-researchers found the work hard at times. Support they could choose, and
  time to rest, helped. Next time we would plan more time for this from the start.
"""


def add_outputs(content: StudyContent) -> None:
    """Themes, recommendations, involvement log, credit choices and wording."""
    from prosper_coop.core.models import Credit, CreditAs, CreditStyle, Person
    from prosper_coop.outputs.findings import Audience, Priority, Recommendation, Theme
    from prosper_coop.outputs.involvement import InvolvementEntry

    today = content.today
    created = today - dt.timedelta(days=20)
    for theme_id, title, summary, messages, evidence in THEMES:
        content.add(
            Theme(
                id=theme_id,
                title=title,
                summary=summary,
                key_messages=messages,
                evidence=evidence,
                created=created,
            )
        )
    for number, (text, audience, theme, priority, evidence) in enumerate(RECOMMENDATIONS, 1):
        content.add(
            Recommendation(
                id=f"R-{number:03d}",
                text=text,
                audience=Audience(audience),
                theme=theme,
                priority=Priority(priority),
                evidence=evidence,
                created=created,
            )
        )
    for number, (person, days_ago, hours, activity, expenses, impact) in enumerate(INVOLVEMENT, 1):
        day = today - dt.timedelta(days=days_ago)
        content.add(
            InvolvementEntry(
                id=f"INV-{number:05d}",
                person=person,
                date=day,
                hours=hours,
                activity=activity,
                expenses=expenses,
                impact=impact,
                logged_by="PPI-01",
                logged_on=day,
            )
        )
    choices = {person: (style, display, as_) for person, style, display, as_ in CREDITS}
    for record in content.records:
        if isinstance(record, Person) and record.id in choices:
            style, display, credit_as = choices[record.id]
            record.credit = Credit(
                style=CreditStyle(style),
                display=display,
                credit_as=CreditAs(credit_as),
                updated=created,
            )
    content.files["templates/wording.yaml"] = WORDING
