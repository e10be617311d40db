"""The ``status`` dashboard: what needs attention, computed from the records, for who is looking.

Each view lists its sections in the order they are shown (see
:mod:`prosper_coop.status.viewer` for who is shown which):

- :data:`SECTIONS`: the whole team, for the coordinator; a lead is shown the same
  with only the records waiting for their key in place of the readiness list (what
  the study needs before it is safe to run);
- :data:`PERSONAL_SECTIONS`: one's own tasks, sessions, check-ins, onboarding and
  consent, and the team's progress in general terms, with nobody else's name or ID
  next to lateness, consent, onboarding or wellbeing;
- :data:`GENERAL_SECTIONS`: the team's progress only, for someone this computer does
  not know.

Each section is a function ``(SectionContext) -> dict``; sections hold only shared
data (and the viewer's own dates), never sensitive content.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from prosper_coop.core.sections import Section, SectionContext
from prosper_coop.core.study import Study
from prosper_coop.outputs.status import outputs_section
from prosper_coop.people import status as people_status
from prosper_coop.status.personal import checkin_section
from prosper_coop.status.readiness import readiness_section, records_waiting_section
from prosper_coop.status.recruitment_section import recruitment_section
from prosper_coop.status.viewer import View, Viewer, identify
from prosper_coop.sync.conflicts import conflicts_section
from prosper_coop.tasks import status as tasks_status
from prosper_coop.trust.status import history_count_section, history_section
from prosper_coop.wellbeing.checks import wellbeing_section


def incidents_section(ctx: SectionContext) -> dict[str, Any]:
    """Incidents no safeguarding lead can read yet (the distress module loads only if any)."""
    if not (ctx.study.root / "waiting" / "incidents").is_dir():
        return {"incidents": []}
    from prosper_coop.wellbeing import distress

    return distress.incidents_section(ctx)


def study_section(ctx: SectionContext) -> dict[str, Any]:
    """Title, today, and counts of people and tasks."""
    settings = ctx.study.settings
    roles: Counter[str] = Counter()
    for person in ctx.people:
        if person.status == "active":
            roles.update(str(role) for role in person.roles)
    rows = tasks_status.task_index(ctx).rows
    return {
        "title": settings.title,
        "short_title": settings.short_title,
        "today": ctx.today.isoformat(),
        "people_active": sum(1 for p in ctx.people if p.status == "active"),
        "people_by_role": dict(sorted(roles.items())),
        "tasks_by_status": dict(Counter(row.status for row in rows)),
    }


def viewer_section(ctx: SectionContext) -> dict[str, Any]:
    """Who is looking, and so which view this is."""
    viewer: Viewer = ctx.memo["status.viewer"]
    return viewer.as_dict()


SECTIONS: tuple[tuple[str, Section], ...] = (
    # Incidents no safeguarding lead can read yet: a safeguarding matter of now, so first.
    ("incidents_waiting", incidents_section),
    ("readiness", readiness_section),  # first: what the study needs before it is safe to run
    ("study", study_section),
    ("viewer", viewer_section),
    ("history", history_section),
    ("tasks", tasks_status.tasks_section),
    ("progress", tasks_status.work_packages_section),
    ("recruitment", recruitment_section),  # targets behind their planned curve
    ("onboarding", people_status.onboarding_section),
    ("open_checklists", people_status.open_checklists_section),
    ("reconsent", people_status.reconsent_section),
    ("sessions", people_status.sessions_section),
    ("wellbeing", wellbeing_section),
    ("outputs", outputs_section),
    ("conflicts", conflicts_section),
)


PERSONAL_SECTIONS: tuple[tuple[str, Section], ...] = (
    ("study", study_section),
    ("viewer", viewer_section),
    ("records_waiting", records_waiting_section),  # the viewer's own records, or theirs to share
    ("my_tasks", tasks_status.my_tasks_section),
    ("my_sessions", people_status.my_sessions_section),
    ("checkin", checkin_section),
    ("my_checklists", people_status.my_checklists_section),
    ("wellbeing", wellbeing_section),  # the viewer's own open alerts only
    ("team_progress", tasks_status.team_progress_section),
    ("outputs", outputs_section),
    ("history", history_count_section),
    ("conflicts", conflicts_section),  # on this computer, for whoever syncs here
)

GENERAL_SECTIONS: tuple[tuple[str, Section], ...] = (
    ("study", study_section),
    ("viewer", viewer_section),
    ("team_progress", tasks_status.team_progress_section),
    ("outputs", outputs_section),
)


def sections_for(view: View) -> tuple[tuple[str, Section], ...]:
    """The sections a view shows, in order."""
    if view is View.COORDINATOR:
        return SECTIONS
    if view is View.LEAD:
        # Instead of the whole readiness list: the records waiting for a key that this
        # lead can read or share (a lead who joined late is told what waits for them).
        return tuple(
            ("records_waiting", records_waiting_section) if name == "readiness" else (name, section)
            for name, section in SECTIONS
        )
    if view is View.PERSONAL:
        return PERSONAL_SECTIONS
    return GENERAL_SECTIONS


def build(study: Study, today: dt.date, viewer: Viewer | None = None) -> dict[str, Any]:
    """The dashboard ``viewer`` is shown, as plain data (by default, the study's acting
    person's, if they joined on this computer: see :func:`~prosper_coop.status.viewer.identify`).
    """
    viewer = identify(study) if viewer is None else viewer
    ctx = SectionContext(study, today, viewer.person)
    ctx.memo["status.viewer"] = viewer
    return {name: section(ctx) for name, section in sections_for(viewer.view)}
