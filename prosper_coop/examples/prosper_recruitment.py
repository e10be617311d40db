"""The PROSPER example: recruitment and data collection, with dates relative to today.

As in the study, recruitment to the case studies (WP3) did not reach its intended
thresholds: the focus groups with victim-survivors are well behind their planned
curve (6 of 16 with 70% of the time gone), none at all yet in Area D, while the
interviews with commissioners and providers are only a little behind. The
co-research interviews (WP4) are on plan. The four case-study areas have invented
names. WP2 ran two rounds of a national survey of providers and commissioners,
with invitations and responses over time by organisation type and region.
Participants' consent is at different stages: most consented, P-0003 withdrew (see
``prosper_people``), and P-0005, recruited three days ago, has not yet consented.
Data collection moved online (COVID-19), so the WP4 sessions are held online.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from prosper_coop.core.defaults import default_path
from prosper_coop.core.study import StudyContent
from prosper_coop.people.checklists import ChecklistDefinition, parse_definition
from prosper_coop.people.models import ChecklistRun, Session, SessionMode, Tick
from prosper_coop.recruitment.models import (
    CurvePoint,
    Participant,
    Site,
    Survey,
    SurveyCount,
    Target,
)

CONSENT_FORM = "consent-participant"
FOCUS_GROUPS = "victim-survivors (focus groups)"
INTERVIEWS = "commissioners and providers (interviews)"
CO_RESEARCH = "victim-survivors (co-research interviews)"

# id, name, region: the four case-study areas (invented names).
SITES = [
    ("SITE1", "Area A (North)", "North West"),
    ("SITE2", "Area B (Midlands)", "West Midlands"),
    ("SITE3", "Area C (South)", "South East"),
    ("SITE4", "Area D (London)", "London"),
]

# id, wp, group, site, count, start, due (days from today), curve (days, total)
TARGETS: list[tuple[str, str, str, str | None, int, int, int, list[tuple[int, int]]]] = [
    ("RT1", "WP3", FOCUS_GROUPS, None, 16, -196, 84, []),
    ("RT2", "WP3", INTERVIEWS, None, 24, -196, 84, [(-140, 6), (-84, 12), (-28, 18)]),
    ("RT3", "WP3", FOCUS_GROUPS, "SITE4", 4, -196, 84, []),
    ("RT4", "WP4", CO_RESEARCH, None, 10, -40, 60, []),
]

# The co-research interviews' participants: their consent runs are made with the
# people section (P-0001 to P-0004, recruited 19 to 16 days ago).
CO_RESEARCH_PARTICIPANTS = 4

# WP3 participants from P-0005 on: group, site, recruited (days from today). P-0005
# was recruited three days ago and has not consented yet.
WP3_PARTICIPANTS: list[tuple[str, str, int]] = [
    (INTERVIEWS, "SITE3", -3),
    (FOCUS_GROUPS, "SITE1", -150),
    (FOCUS_GROUPS, "SITE1", -148),
    (FOCUS_GROUPS, "SITE2", -120),
    (FOCUS_GROUPS, "SITE1", -90),
    (FOCUS_GROUPS, "SITE2", -61),
    (FOCUS_GROUPS, "SITE3", -30),
    (INTERVIEWS, "SITE1", -170),
    (INTERVIEWS, "SITE1", -160),
    (INTERVIEWS, "SITE2", -150),
    (INTERVIEWS, "SITE1", -141),
    (INTERVIEWS, "SITE3", -130),
    (INTERVIEWS, "SITE2", -118),
    (INTERVIEWS, "SITE4", -100),
    (INTERVIEWS, "SITE4", -92),
    (INTERVIEWS, "SITE1", -80),
    (INTERVIEWS, "SITE2", -66),
    (INTERVIEWS, "SITE3", -52),
    (INTERVIEWS, "SITE4", -40),
    (INTERVIEWS, "SITE2", -31),
    (INTERVIEWS, "SITE3", -20),
    (INTERVIEWS, "SITE1", -9),
]
NOT_YET_CONSENTED = "P-0005"

# Sessions of the co-research interviews (see prosper_people): who took part.
SESSION_PARTICIPANTS = {"S-0001": ["P-0001", "P-0002"], "S-0002": ["P-0004"]}
ONLINE_SESSIONS = ("S-0001", "S-0002", "S-0003")

# Survey rounds: id, title, round, invitations sent (days from today), reply days.
SURVEYS = [
    (
        "SV1",
        "National survey of providers and commissioners",
        1,
        -330,
        (-326, -318, -305),
    ),
    (
        "SV2",
        "National survey of providers and commissioners",
        2,
        -285,
        (-281, -270, -255),
    ),
]
# region -> (providers, commissioners) invited in round 1; round 2 goes to fewer.
INVITED = {
    "North West": (40, 12),
    "North East": (25, 8),
    "Midlands": (45, 14),
    "London": (50, 16),
    "South East": (40, 12),
    "South West": (30, 10),
}
# How much more (or less) readily each region replied, in percent of the usual share.
REGION_REPLY = {
    "North West": 120,
    "North East": 70,
    "Midlands": 100,
    "London": 130,
    "South East": 90,
    "South West": 60,
}
# Share of those invited who replied on each reply day, in percent, by organisation type.
REPLIES = {"provider": (18, 12, 6), "commissioner": (12, 8, 5)}
SURVEY_LEAD = "AC-02"


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=dt.UTC)


def _consent_form() -> ChecklistDefinition:
    path = default_path("protocols", "checklists", f"{CONSENT_FORM}.yaml")
    text = path.read_text(encoding="utf-8")
    return parse_definition(text, f"protocols/checklists/{CONSENT_FORM}.yaml", CONSENT_FORM)


def _consent(form: ChecklistDefinition, run_id: str, subject: str, day: dt.date) -> ChecklistRun:
    """A consent run started on ``day``: complete, unless the participant has not consented."""
    answers = {"recording": True, "quotes": True, "future-use": False, "withdrawal-window": True}
    ticks = []
    if subject != NOT_YET_CONSENTED:
        for offset, item in enumerate([*form.required_ids, *answers]):
            ticks.append(
                Tick(
                    item=item,
                    by="AC-03",
                    at=_at(day, 11 + min(offset, 6)),
                    answer=answers.get(item),
                    date=day,
                )
            )
    return ChecklistRun(
        id=run_id,
        definition=form.id,
        version=form.version,
        fingerprint=form.fingerprint,
        subject=subject,
        started=_at(day, 10),
        started_by="AC-03",
        completed=_at(day, 18) if ticks else None,
        ticks=ticks,
    )


def _survey_counts(day: dt.date, scale: float, percents: tuple[int, int]) -> list[SurveyCount]:
    """Counts on ``day`` for every region and both organisation types."""
    found = []
    for hour, (region, invited) in enumerate(INVITED.items()):
        for (org_type, share), base in zip(
            (("provider", percents[0]), ("commissioner", percents[1])), invited, strict=True
        ):
            if share == 100:  # invitations: everyone on the list
                count = round(base * scale)
            else:
                count = round(base * scale * share * REGION_REPLY[region] / 10_000)
            if count:
                what = f"{day}/{org_type}/{region}/{share}".encode()
                found.append(
                    SurveyCount(
                        id=hashlib.sha256(what).hexdigest()[:12],
                        date=day,
                        count=count,
                        org_type=org_type,
                        region=region,
                        by=SURVEY_LEAD,
                        at=_at(day, 9 + hour),
                    )
                )
    return found


def add_recruitment(content: StudyContent) -> None:
    """Sites, targets, participants with their consent, online sessions and two surveys."""
    today = content.today

    def day(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    for site_id, name, region in SITES:
        content.add(Site(id=site_id, name=name, region=region, added=day(-200), added_by="AC-03"))
    for target_id, wp, group, site, count, start, due, curve in TARGETS:
        content.add(
            Target(
                id=target_id,
                wp=wp,
                group=group,
                site=site,
                count=count,
                start=day(start),
                due=day(due),
                curve=[CurvePoint(date=day(when), count=total) for when, total in curve],
                added=day(-200),
                added_by="CO-01",
            )
        )
    for number in range(1, CO_RESEARCH_PARTICIPANTS + 1):
        content.add(
            Participant(
                id=f"P-{number:04d}",
                group=CO_RESEARCH,
                wp="WP4",
                recruited=day(-20 + number),
                added_by="AC-04",
            )
        )
    form = _consent_form()
    runs = [int(r.id.split("-")[1]) for r in content.records if isinstance(r, ChecklistRun)]
    next_run = max(runs, default=0) + 1
    for offset, (group, site, recruited) in enumerate(WP3_PARTICIPANTS):
        participant_id = f"P-{CO_RESEARCH_PARTICIPANTS + 1 + offset:04d}"
        content.add(
            Participant(
                id=participant_id,
                group=group,
                site=site,
                wp="WP3",
                recruited=day(recruited),
                added_by="AC-03",
            ),
            _consent(form, f"C-{next_run:04d}", participant_id, day(recruited)),
        )
        next_run += 1
    for record in content.records:
        if isinstance(record, Session) and record.id in ONLINE_SESSIONS:
            record.mode = SessionMode.ONLINE
            record.participants = SESSION_PARTICIPANTS.get(record.id, [])
    for survey_id, title, round_number, sent, reply_days in SURVEYS:
        scale = 1.0 if round_number == 1 else 0.8
        responses = []
        for index, reply_day in enumerate(reply_days):
            shares = (REPLIES["provider"][index], REPLIES["commissioner"][index])
            responses += _survey_counts(day(reply_day), scale, shares)
        content.add(
            Survey(
                id=survey_id,
                title=title,
                wp="WP2",
                round=round_number,
                added=day(sent - 10),
                added_by=SURVEY_LEAD,
                invitations=_survey_counts(day(sent), scale, (100, 100)),
                responses=responses,
            )
        )
