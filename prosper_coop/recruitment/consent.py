"""Where each research participant's consent stands, from their consent checklist runs.

A participant's consent is a run of a consent form (``consent-participant``) about
them; these functions only read the runs (``consent record`` and ``consent
withdraw`` change them, as for anyone else).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prosper_coop.core.study import Study

# Where a participant's consent stands (from their runs of consent forms).
NOT_STARTED = "not started"
OPEN = "open"
CONSENTED = "consented"
RECONSENT = "re-consent needed"
WITHDRAWN = "withdrawn"
STAGES = (NOT_STARTED, OPEN, CONSENTED, RECONSENT, WITHDRAWN)


def consent_stages(study: Study) -> dict[str, str]:
    """Where each participant's consent stands (participants with no run are left out)."""
    from prosper_coop.core.ids import PARTICIPANT_ID
    from prosper_coop.people import checklists
    from prosper_coop.people.checklists import ChecklistKind, RunState

    runs = [r for r in checklists.load_runs(study) if PARTICIPANT_ID.fullmatch(r.subject)]
    if not runs:
        return {}
    views = checklists.view_runs(runs, checklists.load_definitions(study))
    states: dict[str, set[RunState]] = {}
    for view in views:
        if view.definition is not None and view.definition.kind == ChecklistKind.CONSENT:
            states.setdefault(view.run.subject, set()).add(view.state)
    order = (
        (RunState.COMPLETE, CONSENTED),
        (RunState.NEEDS_REVIEW, RECONSENT),
        (RunState.OPEN, OPEN),
        (RunState.WITHDRAWN, WITHDRAWN),
    )
    return {
        subject: next((stage for state, stage in order if state in found), NOT_STARTED)
        for subject, found in states.items()
    }


def withdrawn_participants(study: Study) -> frozenset[str]:
    """Participants whose consent is withdrawn (and not given again)."""
    return frozenset(pid for pid, stage in consent_stages(study).items() if stage == WITHDRAWN)
