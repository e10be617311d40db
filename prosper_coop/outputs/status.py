"""The ``outputs`` section of the ``status`` dashboard (shared data only)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prosper_coop.core.sections import SectionContext


def outputs_section(ctx: SectionContext) -> dict[str, Any]:
    """Counts of themes and recommendations, hours logged, and the latest render of each."""
    from prosper_coop.core.records import get

    study = ctx.study
    themes = study.load_all(get("theme"))
    recs = study.load_all(get("recommendation"))
    entries = study.load_all(get("involvement"))
    latest: dict[str, Any] = {}
    for render in study.load_all(get("render")):
        latest[render.template] = render
    return {
        "themes": len(themes),
        "recommendations": len(recs),
        "recommendations_by_audience": dict(sorted(Counter(str(r.audience) for r in recs).items())),
        "involvement_hours": round(sum(e.hours for e in entries), 2),
        "involvement_people": len({e.person for e in entries}),
        "latest_renders": [
            {
                "template": name,
                "id": render.id,
                "rendered_on": render.rendered_on.isoformat(),
                "readable": bool(render.readability.get("passed")),
            }
            for name, render in sorted(latest.items())
        ],
    }
