"""The ``status`` section on the study's history: changes that do not verify."""

from __future__ import annotations

from typing import Any

from prosper_coop.core.sections import SectionContext

SHOWN = 5


def history_section(ctx: SectionContext) -> dict[str, Any]:
    """How many changes in the history do not verify, and the first few (shared data only)."""
    from prosper_coop.trust.state import verified

    findings = [f for f in verified(ctx.study).findings if f.level == "error"]
    return {
        "unverified": len(findings),
        "first": [finding.describe() for finding in findings[:SHOWN]],
    }


def history_count_section(ctx: SectionContext) -> dict[str, Any]:
    """How many changes do not verify, without them (for the personal view)."""
    from prosper_coop.trust.state import verified

    count = sum(1 for f in verified(ctx.study).findings if f.level == "error")
    return {"unverified": count, "first": []}
