"""Surveys: rounds of a survey, with invitations sent and responses received over time.

Each count is dated and names an organisation type and a region, so response
rates can be read for each. Counts add up: recording 14 responses twice means 28.
A count recorded on two computers before they sync is kept from both (each
carries who recorded it and when).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prosper_coop.core import ids
from prosper_coop.core.errors import InvalidInputError, NotFoundError
from prosper_coop.recruitment import labels
from prosper_coop.recruitment.participants import check_wp_id
from prosper_coop.trust import permissions

if TYPE_CHECKING:
    from prosper_coop.core.study import Study
    from prosper_coop.recruitment.models import Survey, SurveyCount

INVITATIONS = "invitations"
RESPONSES = "responses"
ORG_EXAMPLE = "commissioner"
REGION_EXAMPLE = '"North West"'
MAX_TITLE = 120


def check_survey_id(value: str) -> str:
    """A survey's ID as stored (``sv1`` -> ``SV1``), or a clear error."""
    return ids.check_pattern(value.strip().upper(), ids.SURVEY_ID, "survey ID", "SV1")


def load_survey(study: Study, survey_id: str) -> Survey:
    """One survey, or a NotFoundError saying how to list them."""
    from prosper_coop.core.records import get

    wanted = check_survey_id(survey_id)
    if not study.exists(get("survey"), wanted):
        raise NotFoundError(
            f"survey {wanted} not found", "List surveys with: prosper-coop survey status"
        )
    survey: Survey = study.load(get("survey"), wanted)
    return survey


def add_survey(
    study: Study, title: str, *, wp: str | None = None, round_number: int | None = None
) -> Survey:
    """Add a survey (or one round of it): one commit."""
    from prosper_coop.core.records import get
    from prosper_coop.recruitment.models import Survey

    clean = " ".join(title.split())
    if not clean or len(clean) > MAX_TITLE or not clean.isprintable():
        raise InvalidInputError(
            f"a survey's title is one line of at most {MAX_TITLE} characters",
            'Give a short title, for example "National survey of providers".',
        )
    if round_number is not None and not 1 <= round_number <= 99:
        raise InvalidInputError(
            f"the round must be from 1 to 99 (got {round_number})", "For example --round 2"
        )
    wp_id = check_wp_id(wp) if wp is not None else None
    rtype = get("survey")
    with study.change("surveys", "add a survey", []) as change:
        permissions.require(study, "surveys.manage", what="add surveys")
        if wp_id is not None:
            study.load(get("workpackage"), wp_id)
        survey = Survey(
            id=study.next_id(rtype),
            title=clean,
            wp=wp_id,
            round=round_number,
            added=study.today(),
            added_by=change.author,
        )
        change.record_ids.append(survey.id)
        change.save(survey, rtype)
    return survey


@dataclass(frozen=True)
class Recorded:
    """A count that was recorded on a survey, and anything to look at."""

    survey: Survey
    entry: SurveyCount
    warnings: list[str] = field(default_factory=list)


def record_count(
    study: Study,
    survey_id: str,
    kind: str,
    *,
    count: int,
    org_type: str,
    region: str,
    on: dt.date | None = None,
) -> Recorded:
    """Add invitations sent or responses received (``kind``) on a day: one commit.

    The organisation type and region are spelt as they were first recorded on this
    survey, whatever the case and spacing typed. More responses than invitations
    for an organisation type and region is recorded, with a warning.
    """
    from prosper_coop.recruitment.models import MAX_COUNT, SurveyCount

    if kind not in (INVITATIONS, RESPONSES):
        raise ValueError(f"unknown kind of survey count {kind!r}")
    if not 1 <= count <= MAX_COUNT:
        raise InvalidInputError(
            f"the count must be from 1 to {MAX_COUNT:,} (got {count})",
            "Give how many on that day, e.g. --count 14 (counts add up).",
        )
    day = on or study.today()
    if day > study.today():
        raise InvalidInputError(
            f"the date {day} is in the future", "Record counts on or after the day, e.g. --on today"
        )
    organisation = labels.match_label(org_type, [], "organisation type", ORG_EXAMPLE)
    area = labels.match_label(region, [], "region", REGION_EXAMPLE)
    wanted = check_survey_id(survey_id)
    words = "invitations" if kind == INVITATIONS else "responses"
    with study.change("surveys", f"{count} {words}", wanted) as change:
        permissions.require(study, "surveys.manage", what="record survey counts")
        survey = load_survey(study, wanted)
        every = [*survey.invitations, *survey.responses]
        organisation = labels.match_label(
            organisation, [e.org_type for e in every], "organisation type", ORG_EXAMPLE
        )
        area = labels.match_label(area, [e.region for e in every], "region", REGION_EXAMPLE)
        entry = SurveyCount(
            id=secrets.token_hex(6),
            date=day,
            count=count,
            org_type=organisation,
            region=area,
            by=change.author or study.actor(),
            at=study.now(),
        )
        setattr(survey, kind, [*getattr(survey, kind), entry])
        change.save(survey)
    warnings = []
    same = (labels.key(organisation), labels.key(area))

    def total(items: list[SurveyCount]) -> int:
        return sum(e.count for e in items if (labels.key(e.org_type), labels.key(e.region)) == same)

    sent, got = total(survey.invitations), total(survey.responses)
    if got > sent:
        warnings.append(
            f"{survey.id} now has more responses ({got}) than invitations ({sent}) from "
            f"{organisation} in {area}; check the counts (survey status {survey.id})"
        )
    return Recorded(survey, entry, warnings)
