"""The ``status`` section for recruitment: the early warning of targets behind their plan.

A target is listed when it is behind its planned curve by more than the study's
margin (``study.yaml``, ``recruitment:``; 20 percentage points of the target unless
the study says otherwise). Counts and dates only. It is a team section: the
dashboard shows it to the coordinator and the leads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prosper_coop.core.sections import SectionContext


def recruitment_section(ctx: SectionContext) -> dict[str, Any]:
    """Targets behind their planned curve, and how many targets there are in all."""
    if not (ctx.study.root / "targets").is_dir():  # no targets: nothing to load
        return {"targets": 0, "behind": []}
    from prosper_coop.recruitment.progress import target_progress

    found = target_progress(ctx.study, ctx.today)
    settings = ctx.study.settings.recruitment
    return {
        "targets": len(found),
        "behind": [
            {
                "target": item.target_id,
                "label": item.label,
                "recruited": item.recruited,
                "count": item.target,
                "percent": item.percent,
                "time_percent": item.time_percent,
                "expected_now": item.expected_now,
                "due": item.due.isoformat(),
            }
            for item in found
            if item.behind
        ],
        "margin_points": settings.behind_by_points,
        "margin_count": settings.behind_by_count,
    }
