"""Progress against recruitment targets and survey responses: the early warning.

For each target: how many are recruited, how many the planned curve expects by
today, how much of the time has gone, and whether it is *behind*: short of the
planned curve by more than the study's margin (``study.yaml``, ``recruitment:``;
see :class:`~prosper_coop.core.models.RecruitmentSettings`). The planned curve is
even (a straight line from none on the start date to the target on the due
date) or runs straight between the dated points the study gave.

These functions are what ``recruit status``, ``survey status``, the ``status``
dashboard and the study report read; they hold counts and dates only.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from prosper_coop.recruitment import labels

if TYPE_CHECKING:
    from prosper_coop.core.models import RecruitmentSettings
    from prosper_coop.core.study import Study
    from prosper_coop.recruitment.models import Participant, Site, Survey, SurveyCount, Target

# Where a target stands (``TargetProgress.state``).
NOT_STARTED = "not-started"
COMPLETE = "complete"
AHEAD = "ahead"
ON_PLAN = "on-plan"
SLIGHTLY_BEHIND = "slightly-behind"  # below the curve, within the study's margin
BEHIND = "behind"  # below the curve by more than the margin: ``status`` warns


@dataclass(frozen=True)
class TargetProgress:
    """One target's progress: against the target, against the time, against the plan."""

    target_id: str
    label: str
    wp: str
    group: str
    site: str | None
    target: int
    recruited: int
    start: dt.date
    due: dt.date
    planned: list[tuple[dt.date, int]]  # planned cumulative curve points, start..due
    # cumulative recruited by date (participants' recruited dates)
    actual: list[tuple[dt.date, int]]
    expected_now: int
    time_fraction: float
    behind: bool
    # Added: where it stands (see the constants above), participants who withdrew
    # consent (counted in ``recruited``), and the site's name.
    state: str = ON_PLAN
    withdrawn: int = 0
    site_name: str | None = None

    @property
    def percent(self) -> int:
        """Recruited as a whole percentage of the target (may pass 100)."""
        return round(100 * self.recruited / self.target)

    @property
    def time_percent(self) -> int:
        """The share of the time from start to due that has gone, as a whole percentage."""
        return round(100 * self.time_fraction)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` (dates as ISO text)."""
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["due"] = self.due.isoformat()
        data["planned"] = [[day.isoformat(), count] for day, count in self.planned]
        data["actual"] = [[day.isoformat(), count] for day, count in self.actual]
        data["percent"] = self.percent
        data["time_percent"] = self.time_percent
        return data


# -- the curve ----------------------------------------------------------------------------
def planned_points(target: Target) -> list[tuple[dt.date, int]]:
    """The planned cumulative curve, from ``(start, 0)`` to ``(due, count)``."""
    points = [(target.start, 0), *((point.date, point.count) for point in target.curve)]
    if points[-1][0] != target.due:
        points.append((target.due, target.count))
    return points


def expected_on(points: Sequence[tuple[dt.date, int]], day: dt.date) -> float:
    """How many the curve through ``points`` expects by ``day`` (straight between points)."""
    if day <= points[0][0]:
        return float(points[0][1])
    for (start, low), (end, high) in itertools.pairwise(points):
        if day <= end:
            return low + (high - low) * (day - start).days / (end - start).days
    return float(points[-1][1])


def expected_count(points: Sequence[tuple[dt.date, int]], day: dt.date) -> int:
    """The whole number of participants the curve expects by ``day`` (rounded down)."""
    return math.floor(expected_on(points, day) + 1e-9)


def time_fraction(start: dt.date, due: dt.date, day: dt.date) -> float:
    """The share of the time from ``start`` to ``due`` gone by ``day`` (0 to 1)."""
    span = (due - start).days
    return min(1.0, max(0.0, (day - start).days / span)) if span > 0 else 1.0


def margin(target: int, settings: RecruitmentSettings) -> float:
    """How far below the curve a target may be before it counts as behind."""
    if settings.behind_by_count is not None:
        return float(settings.behind_by_count)
    return settings.behind_by_points * target / 100


def is_behind(target: int, recruited: int, expected: int, settings: RecruitmentSettings) -> bool:
    """Whether ``recruited`` is below ``expected`` by more than the study's margin."""
    if recruited >= target:
        return False
    shortfall = expected - recruited
    if settings.behind_by_count is not None:
        return shortfall > settings.behind_by_count
    return shortfall * 100 > settings.behind_by_points * target


def state_of(
    target: int,
    recruited: int,
    expected: int,
    *,
    started: bool,
    behind: bool,
) -> str:
    """Where a target stands, in one word (see the constants of this module)."""
    if recruited >= target:
        return COMPLETE
    if not started:
        return NOT_STARTED
    if behind:
        return BEHIND
    if recruited < expected:
        return SLIGHTLY_BEHIND
    return AHEAD if recruited > expected else ON_PLAN


def cumulative(days: Iterable[dt.date]) -> list[tuple[dt.date, int]]:
    """``(day, how many by then)`` for each distinct day, in order."""
    total = 0
    points: list[tuple[dt.date, int]] = []
    for day, count in sorted(Counter(days).items()):
        total += count
        points.append((day, total))
    return points


# -- targets ------------------------------------------------------------------------------
def counts_towards(participant: Participant, target: Target) -> bool:
    """Whether ``participant`` counts towards ``target``: the same group, the target's site
    (any site when the target has none) and its work package (or none given)."""
    return (
        labels.key(participant.group) == labels.key(target.group)
        and (target.site is None or participant.site == target.site)
        and (participant.wp is None or participant.wp == target.wp)
    )


def label_of(target: Target, sites: dict[str, Site]) -> str:
    """How a target is named: ``WP3 survivors (focus groups)``, with its site if it has one."""
    label = f"{target.wp} {target.group}"
    if target.site is not None:
        site = sites.get(target.site)
        label += f", {site.name if site is not None else target.site}"
    return label


def progress_of(
    target: Target,
    participants: Iterable[Participant],
    today: dt.date,
    settings: RecruitmentSettings,
    *,
    sites: dict[str, Site] | None = None,
    withdrawn: frozenset[str] = frozenset(),
) -> TargetProgress:
    """One target's progress on ``today`` (see :class:`TargetProgress`)."""
    sites = sites or {}
    mine = [p for p in participants if counts_towards(p, target)]
    points = planned_points(target)
    recruited = len(mine)
    expected = expected_count(points, today)
    behind = today >= target.start and is_behind(target.count, recruited, expected, settings)
    site = sites.get(target.site) if target.site is not None else None
    return TargetProgress(
        target_id=target.id,
        label=label_of(target, sites),
        wp=target.wp,
        group=target.group,
        site=target.site,
        target=target.count,
        recruited=recruited,
        start=target.start,
        due=target.due,
        planned=points,
        actual=cumulative(p.recruited for p in mine),
        expected_now=expected,
        time_fraction=time_fraction(target.start, target.due, today),
        behind=behind,
        state=state_of(
            target.count, recruited, expected, started=today >= target.start, behind=behind
        ),
        withdrawn=sum(1 for p in mine if p.id in withdrawn),
        site_name=site.name if site is not None else None,
    )


def target_progress(study: Study, today: dt.date) -> list[TargetProgress]:
    """Every target's progress on ``today``, by work package, then target ID."""
    from prosper_coop.core import ids
    from prosper_coop.core.records import get
    from prosper_coop.recruitment.consent import withdrawn_participants

    targets: list[Target] = study.load_all(get("target"))
    if not targets:
        return []
    participants: list[Participant] = study.load_all(get("participant"))
    sites = {site.id: site for site in study.load_all(get("site"))}
    withdrawn = withdrawn_participants(study) if participants else frozenset()
    settings = study.settings.recruitment
    found = [
        progress_of(target, participants, today, settings, sites=sites, withdrawn=withdrawn)
        for target in targets
    ]
    return sorted(found, key=lambda p: (ids.number_of(p.wp) or 0, ids.number_of(p.target_id) or 0))


# -- surveys ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SurveyProgress:
    """One survey's invitations and responses, in all, by organisation type and by region."""

    survey_id: str
    title: str
    invited: int
    responded: int
    by_org_type: dict[str, tuple[int, int]]  # invited, responded
    by_region: dict[str, tuple[int, int]]
    over_time: list[tuple[dt.date, int]]  # cumulative responses by date
    # Added: the work package and round, and invitations over time.
    wp: str | None = None
    round: int | None = None
    invited_over_time: tuple[tuple[dt.date, int], ...] = ()

    @property
    def rate(self) -> float | None:
        """Responses as a share of invitations (None before any invitation)."""
        return self.responded / self.invited if self.invited else None

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` (dates as ISO text)."""
        return {
            "survey_id": self.survey_id,
            "title": self.title,
            "wp": self.wp,
            "round": self.round,
            "invited": self.invited,
            "responded": self.responded,
            "rate": self.rate,
            "by_org_type": {k: list(v) for k, v in self.by_org_type.items()},
            "by_region": {k: list(v) for k, v in self.by_region.items()},
            "over_time": [[day.isoformat(), count] for day, count in self.over_time],
            "invited_over_time": [[d.isoformat(), count] for d, count in self.invited_over_time],
        }


def _by(
    invitations: Sequence[SurveyCount], responses: Sequence[SurveyCount], field: str
) -> dict[str, tuple[int, int]]:
    """(invited, responded) for each value of ``field``, in the order first recorded."""
    names: dict[str, str] = {}
    sent: Counter[str] = Counter()
    got: Counter[str] = Counter()
    for counter, entries in ((sent, invitations), (got, responses)):
        for entry in entries:
            name = getattr(entry, field)
            names.setdefault(labels.key(name), name)
            counter[labels.key(name)] += entry.count
    return {names[k]: (sent[k], got[k]) for k in names}


def _over_time(entries: Sequence[SurveyCount]) -> list[tuple[dt.date, int]]:
    totals: Counter[dt.date] = Counter()
    for entry in entries:
        totals[entry.date] += entry.count
    running = 0
    points = []
    for day in sorted(totals):
        running += totals[day]
        points.append((day, running))
    return points


def progress_of_survey(survey: Survey) -> SurveyProgress:
    """One survey's counts (see :class:`SurveyProgress`)."""
    return SurveyProgress(
        survey_id=survey.id,
        title=survey.title,
        invited=sum(entry.count for entry in survey.invitations),
        responded=sum(entry.count for entry in survey.responses),
        by_org_type=_by(survey.invitations, survey.responses, "org_type"),
        by_region=_by(survey.invitations, survey.responses, "region"),
        over_time=_over_time(survey.responses),
        wp=survey.wp,
        round=survey.round,
        invited_over_time=tuple(_over_time(survey.invitations)),
    )


def survey_progress(study: Study) -> list[SurveyProgress]:
    """Every survey's invitations and responses, by survey ID."""
    from prosper_coop.core.records import get

    return [progress_of_survey(survey) for survey in study.load_all(get("survey"))]
