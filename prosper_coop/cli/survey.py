"""``prosper-coop survey ...``: survey rounds, invitations, responses and response rates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from prosper_coop.cli.common import AsJson, Quiet, open_study, output
from prosper_coop.cli.groups import group_app

if TYPE_CHECKING:
    from prosper_coop.recruitment.surveys import Recorded

app = group_app("survey")

SurveyId = Annotated[str, typer.Argument(help="A survey's ID, e.g. SV1.")]
Count = Annotated[int, typer.Option("--count", help="How many on that day, e.g. 120.")]
OrgType = Annotated[
    str, typer.Option("--org-type", help="The organisation type, e.g. commissioner or provider.")
]
Region = Annotated[str, typer.Option("--region", help='The region, e.g. "North West".')]
On = Annotated[str | None, typer.Option("--on", help="The day (YYYY-MM-DD; default: today).")]


@app.command()
def add(
    title: Annotated[str, typer.Argument(help='Its title, e.g. "National survey of providers".')],
    wp: Annotated[str | None, typer.Option("--wp", help="The work package, e.g. WP2.")] = None,
    round_number: Annotated[
        int | None, typer.Option("--round", help="Which round of the survey, e.g. 2.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Add a survey, or one round of it (SV1, SV2, ...): one commit.

    Example: prosper-coop survey add "National survey of providers" --wp WP2 --round 1
    """
    from prosper_coop.recruitment.surveys import add_survey

    survey = add_survey(open_study(), title, wp=wp, round_number=round_number)
    out = output(quiet=quiet)
    out.line(survey.id)
    out.success(f"Added survey {survey.id}: {survey.title}.")


def _record(
    kind: str, survey_id: str, count: int, org_type: str, region: str, on: str | None
) -> Recorded:
    from prosper_coop.core import clock
    from prosper_coop.recruitment.surveys import record_count

    return record_count(
        open_study(),
        survey_id,
        kind,
        count=count,
        org_type=org_type,
        region=region,
        on=clock.parse_date(on, "--on") if on is not None else None,
    )


@app.command()
def invite(
    survey_id: SurveyId, count: Count, org_type: OrgType, region: Region, on: On = None,
    quiet: Quiet = False,
) -> None:  # fmt: skip
    """Record invitations sent on a day, for one organisation type and region (they add up).

    Example: prosper-coop survey invite SV1 --count 120 --org-type commissioner
    --region "North West" --on 2026-03-02
    """
    from prosper_coop.recruitment.surveys import INVITATIONS

    done = _record(INVITATIONS, survey_id, count, org_type, region, on)
    out = output(quiet=quiet)
    entry = done.entry
    out.success(
        f"Recorded {entry.count} invitation(s) to {entry.org_type} in {entry.region} on "
        f"{entry.date} for {done.survey.id}."
    )
    for warning in done.warnings:
        out.warn(warning)


@app.command()
def responses(
    survey_id: SurveyId, count: Count, org_type: OrgType, region: Region, on: On = None,
    quiet: Quiet = False,
) -> None:  # fmt: skip
    """Record responses received on a day, for one organisation type and region (they add up).

    Example: prosper-coop survey responses SV1 --count 14 --org-type commissioner
    --region "North West"
    """
    from prosper_coop.recruitment.surveys import RESPONSES

    done = _record(RESPONSES, survey_id, count, org_type, region, on)
    out = output(quiet=quiet)
    entry = done.entry
    out.success(
        f"Recorded {entry.count} response(s) from {entry.org_type} in {entry.region} on "
        f"{entry.date} for {done.survey.id}."
    )
    for warning in done.warnings:
        out.warn(warning)


@app.command()
def status(
    survey_id: Annotated[
        str | None, typer.Argument(help="Only this survey, e.g. SV1 (default: all).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Show response rates: in all, by organisation type and by region.

    Example: prosper-coop survey status SV1
    """
    from prosper_coop.cli import recruitment_tables
    from prosper_coop.recruitment.progress import progress_of_survey, survey_progress
    from prosper_coop.recruitment.surveys import load_survey

    study = open_study()
    found = (
        survey_progress(study)
        if survey_id is None
        else [progress_of_survey(load_survey(study, survey_id))]
    )
    out = output(as_json)
    data = [item.as_dict() for item in found]
    if as_json:
        out.json(data)
    else:
        recruitment_tables.surveys(out, data)
