"""Recruitment targets: how many of one group a work package should recruit, by when.

A target (``RT1``) names a work package, a participant group and, optionally, a
site; how many, from which day and by which day; and the planned curve: ``even``
(a straight line) or dated cumulative counts (``2027-01-31:4,2027-03-31:10``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from prosper_coop.core.errors import ConflictError, InvalidInputError
from prosper_coop.recruitment import labels
from prosper_coop.recruitment.participants import check_site_id, check_wp_id, known_groups
from prosper_coop.trust import permissions

if TYPE_CHECKING:
    from prosper_coop.core.study import Study
    from prosper_coop.recruitment.models import CurvePoint, Target

EVEN = "even"
CURVE_EXAMPLE = "2027-01-31:4,2027-03-31:10"
MAX_POINTS = 60  # a point a month for five years


def parse_curve(text: str) -> list[CurvePoint]:
    """The planned curve typed as ``even`` (no points) or ``DATE:COUNT,DATE:COUNT``."""
    from prosper_coop.core import clock
    from prosper_coop.recruitment.models import MAX_COUNT, CurvePoint

    if text.strip().lower() in ("", EVEN):
        return []
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if len(parts) > MAX_POINTS:
        raise InvalidInputError(
            f"the curve has {len(parts)} points; at most {MAX_POINTS} are kept",
            "Give a point a month or fewer, e.g. --curve " + CURVE_EXAMPLE,
        )
    points: list[CurvePoint] = []
    for part in parts:
        day_text, sep, count_text = part.rpartition(":")
        count_text = count_text.strip()
        if not sep or not count_text.isascii() or not count_text.isdigit():
            raise InvalidInputError(
                f"the curve point {part!r} is not DATE:COUNT",
                f"Write the curve as even, or as dated totals: --curve {CURVE_EXAMPLE}",
            )
        count = int(count_text)
        if count > MAX_COUNT:
            raise InvalidInputError(
                f"the curve point {part!r} is too large (at most {MAX_COUNT:,})",
                f"Write the curve as dated totals: --curve {CURVE_EXAMPLE}",
            )
        points.append(CurvePoint(date=clock.parse_date(day_text, "a curve date"), count=count))
    return points


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors(include_url=False)[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = str(first.get("msg", "not valid")).removeprefix("Value error, ")
        return f"{where}: {message}" if where else message
    return str(exc)


def add_target(
    study: Study,
    *,
    wp: str,
    group: str,
    count: int,
    due: dt.date,
    start: dt.date | None = None,
    site: str | None = None,
    curve: str = EVEN,
) -> Target:
    """Add a recruitment target: one commit.

    ``start`` defaults to the work package's start. The group is matched to the
    groups the study already uses. A second target for the same work package,
    group and site is refused (change the first by hand, then ``save``).
    """
    from pydantic import ValidationError as PydanticError

    from prosper_coop.core.records import get
    from prosper_coop.recruitment.models import MAX_COUNT, Target
    from prosper_coop.recruitment.participants import load_site

    wp_id = check_wp_id(wp)
    site_id = check_site_id(site) if site is not None else None
    if not 1 <= count <= MAX_COUNT:
        raise InvalidInputError(
            f"the target must be from 1 to {MAX_COUNT:,} (got {count})",
            "Give how many to recruit, e.g. --count 16",
        )
    points = parse_curve(curve)
    rtype = get("target")
    with study.change("recruitment", "add a target", []) as change:
        permissions.require(study, "recruitment.manage", what="set recruitment targets")
        package = study.load(get("workpackage"), wp_id)
        if site_id is not None:
            load_site(study, site_id)
        chosen = labels.match_group(group, known_groups(study))
        for other in study.load_all(rtype):
            if (
                other.wp == wp_id
                and labels.key(other.group) == labels.key(chosen)
                and other.site == site_id
            ):
                raise ConflictError(
                    f"{other.id} is already the target for {chosen!r} in {wp_id}"
                    + (f" at {site_id}" if site_id else ""),
                    f"To change it, edit targets/{other.id}.yaml, then run: prosper-coop save "
                    '-m "New recruitment target"',
                )
        try:
            target = Target(
                id=study.next_id(rtype),
                wp=wp_id,
                group=chosen,
                site=site_id,
                count=count,
                start=start or package.start,
                due=due,
                curve=points,
                added=study.today(),
                added_by=change.author,
            )
        except PydanticError as exc:
            raise InvalidInputError(
                f"the target does not fit: {_first_error(exc)}",
                "Check --start, --by and --curve: the curve's dates run after the start and "
                "up to the due date, and its totals only rise. Nothing was changed.",
            ) from None
        change.what = f"add target {chosen!r} for {wp_id}"
        change.record_ids.append(target.id)
        change.save(target, rtype)
    return target


def list_targets(study: Study) -> list[Target]:
    """Every target, by ID."""
    from prosper_coop.core.records import get

    return list(study.load_all(get("target")))
