"""``doctor``: recruitment records name work packages, sites and participants that exist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prosper_coop.core.ids import PARTICIPANT_ID

if TYPE_CHECKING:
    from prosper_coop.core.checks import Loaded, Problem


def check_recruitment(loaded: Loaded) -> Iterator[Problem]:
    """Targets, participants and surveys name known work packages and sites; sessions
    name known participants; consent runs about a participant name a recorded one.
    """
    wps = loaded.ids("workpackage")
    sites = loaded.ids("site")
    participants = loaded.ids("participant")
    people = loaded.ids("person")
    for kind in ("target", "participant", "survey"):
        for record_id, (record, _, _) in loaded.of(kind).items():
            if record.wp is not None and record.wp not in wps:
                yield loaded.problem(kind, record_id, "wp", f"unknown work package {record.wp}")
            site = getattr(record, "site", None)
            if site is not None and site not in sites:
                yield loaded.problem(
                    kind, record_id, "site", f"unknown site {site} (see: prosper-coop site list)"
                )
    for survey_id, (survey, _, _) in loaded.of("survey").items():
        for field_name in ("invitations", "responses"):
            for entry in getattr(survey, field_name):
                if entry.by not in people:
                    yield loaded.problem(
                        "survey", survey_id, field_name, f"unknown person {entry.by}", "warning"
                    )
    for session_id, (session, _, _) in loaded.of("session").items():
        for participant in session.participants:
            if participant not in participants:
                yield loaded.problem(
                    "session",
                    session_id,
                    "participants",
                    f"unknown participant {participant} (see: prosper-coop participant list)",
                )
    if not participants:
        return  # a study that does not record participants (yet) may still record consent
    for run_id, (run, _, _) in loaded.of("checklist").items():
        if PARTICIPANT_ID.fullmatch(run.subject) and run.subject not in participants:
            yield loaded.problem(
                "checklist",
                run_id,
                "subject",
                f"{run.subject} is not a recorded participant (see: prosper-coop participant list)",
                "warning",
            )
