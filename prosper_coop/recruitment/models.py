"""Record models for recruitment and data collection (shared, plain YAML).

Sites (``SITE1``) are where fieldwork happens, named as the study chooses. A target
(``RT1``) says how many of one participant group a work package (optionally at one
site) should recruit, from when, by when, and along which planned curve. A
participant (``P-0001``) is pseudonymous: a group, a site, a work package and the
day they were recruited, never a name or a contact (those go in their encrypted
identity record). A survey (``SV1``) keeps its dated invitation and response
counts, each by organisation type and region.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from prosper_coop.core import ids
from prosper_coop.core.models import Date, DateTime, LongText, PersonRef, Record, WpRef

SiteRef = Annotated[str, StringConstraints(pattern=ids.SITE_ID.pattern)]
SurveyRef = Annotated[str, StringConstraints(pattern=ids.SURVEY_ID.pattern)]
# One line of text, no control characters: a name as the study chooses it.
Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
# A participant group, an organisation type or a region: short, one line, one spelling
# for one name (see :mod:`prosper_coop.recruitment.labels`).
Label = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=80, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
# The most anyone could recruit or invite in one record: anything above is a typo.
MAX_COUNT = 100_000
Count = Annotated[int, Field(ge=1, le=MAX_COUNT)]


class Site(Record):
    """A place where fieldwork happens (a case-study area, a service), named by the study."""

    id: Annotated[str, StringConstraints(pattern=ids.SITE_ID.pattern)]
    name: Name
    region: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)] = ""
    added: Date | None = None
    added_by: PersonRef | None = None
    notes: LongText = ""


class CurvePoint(BaseModel):
    """A point of a planned recruitment curve: ``count`` recruited in all by ``date``."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    date: Date
    count: Annotated[int, Field(ge=0, le=MAX_COUNT)]


class Target(Record):
    """How many of one group a work package (optionally at one site) should recruit.

    ``curve`` empty means an even curve: a straight line from none on ``start`` to
    ``count`` on ``due``. Otherwise it lists dated cumulative counts between them,
    rising or level, the line running straight between points.
    """

    id: Annotated[str, StringConstraints(pattern=ids.TARGET_ID.pattern)]
    wp: WpRef
    group: Label
    site: SiteRef | None = None
    count: Count
    start: Date
    due: Date
    curve: list[CurvePoint] = Field(default_factory=list)
    added: Date | None = None
    added_by: PersonRef | None = None
    notes: LongText = ""

    @model_validator(mode="after")
    def _curve_fits(self) -> Target:
        if self.due <= self.start:
            raise ValueError(f"due ({self.due}) must be after start ({self.start})")
        previous: CurvePoint | None = None
        for point in self.curve:
            if not self.start < point.date <= self.due:
                raise ValueError(
                    f"the curve point on {point.date} is not after start ({self.start}) and "
                    f"on or before due ({self.due})"
                )
            if point.count > self.count:
                raise ValueError(
                    f"the curve point on {point.date} ({point.count}) is above the target "
                    f"({self.count})"
                )
            if previous is not None and point.date <= previous.date:
                raise ValueError("the curve's dates must be in order, each once")
            if previous is not None and point.count < previous.count:
                raise ValueError(
                    f"the curve goes down on {point.date} ({previous.count} -> {point.count}); "
                    "it counts everyone recruited so far, so it only rises or stays level"
                )
            previous = point
        if previous is not None and previous.date == self.due and previous.count != self.count:
            raise ValueError(
                f"the curve ends on the due date at {previous.count}, not at the target "
                f"({self.count}); leave that point out, or make it {self.count}"
            )
        return self


class Participant(Record):
    """A research participant under a pseudonymous ID. No name or contact here, ever."""

    id: Annotated[str, StringConstraints(pattern=ids.PARTICIPANT_ID.pattern)]
    group: Label
    site: SiteRef | None = None
    wp: WpRef | None = None
    recruited: Date
    added_by: PersonRef | None = None


class SurveyCount(BaseModel):
    """Invitations sent, or responses received, on one day for one organisation type and
    region, with who recorded it and when. ``id`` is random, so that two counts recorded
    on two computers are both kept when they meet, even when they are alike.
    """

    model_config = ConfigDict(defer_build=True, extra="forbid")

    id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{12}$")]
    date: Date
    count: Count
    org_type: Label
    region: Label
    by: PersonRef
    at: DateTime


class Survey(Record):
    """A survey round, with its invitations and responses over time."""

    id: Annotated[str, StringConstraints(pattern=ids.SURVEY_ID.pattern)]
    title: Name
    wp: WpRef | None = None
    round: Annotated[int, Field(ge=1, le=99)] | None = None
    added: Date | None = None
    added_by: PersonRef | None = None
    invitations: list[SurveyCount] = Field(default_factory=list)
    responses: list[SurveyCount] = Field(default_factory=list)
    notes: LongText = ""
