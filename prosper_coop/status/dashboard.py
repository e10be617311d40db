"""The ``status`` dashboard: what needs attention, computed from the records.

:data:`SECTIONS` lists every feature's sections in the order they are shown. Each is
a function ``(SectionContext) -> dict``; sections hold only shared data, never
sensitive content.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from prosper_coop.core.sections import Section, SectionContext
from prosper_coop.core.study import Study
from prosper_coop.outputs.status import outputs_section
from prosper_coop.people import status as people_status
from prosper_coop.status.readiness import readiness_section
from prosper_coop.sync.conflicts import conflicts_section
from prosper_coop.tasks import status as tasks_status
from prosper_coop.trust.status import history_section
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


SECTIONS: tuple[tuple[str, Section], ...] = (
    # Incidents no safeguarding lead can read yet: a safeguarding matter of now, so first.
    ("incidents_waiting", incidents_section),
    ("readiness", readiness_section),  # first: what the study needs before it is safe to run
    ("study", study_section),
    ("history", history_section),
    ("tasks", tasks_status.tasks_section),
    ("progress", tasks_status.work_packages_section),
    ("onboarding", people_status.onboarding_section),
    ("open_checklists", people_status.open_checklists_section),
    ("reconsent", people_status.reconsent_section),
    ("sessions", people_status.sessions_section),
    ("wellbeing", wellbeing_section),
    ("outputs", outputs_section),
    ("conflicts", conflicts_section),
)


def build(study: Study, today: dt.date) -> dict[str, Any]:
    """Every dashboard section, as plain data."""
    ctx = SectionContext(study, today)
    return {name: section(ctx) for name, section in SECTIONS}
