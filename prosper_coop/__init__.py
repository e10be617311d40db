"""prosper-coop: coordinate co-produced research studies in a git-backed workspace.
``Study``, ``create_study``, the record types and the errors are imported on first use.
"""

from __future__ import annotations

from prosper_coop.core.version import __version__

# Not typing.TYPE_CHECKING: importing typing alone costs several milliseconds.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from prosper_coop.core.errors import (
        BusyError,
        ConflictError,
        ExitCode,
        GitError,
        InvalidInputError,
        KeyProblemError,
        NoActorError,
        NotAStudyError,
        NotFoundError,
        ThresholdError,
        UserError,
        ValidationError,
    )
    from prosper_coop.core.models import Note, Person, StudySettings
    from prosper_coop.core.study import Study
    from prosper_coop.outputs.findings import Recommendation, Theme
    from prosper_coop.outputs.involvement import InvolvementEntry
    from prosper_coop.outputs.render import Render
    from prosper_coop.people.models import ChecklistRun, Session
    from prosper_coop.recruitment.models import Participant, Site, Survey, Target
    from prosper_coop.tasks.models import Milestone, Task, WorkPackage
    from prosper_coop.wellbeing.models import (
        Alert,
        AlertResolution,
        CheckIn,
        Identity,
        Incident,
        Reflection,
        WellbeingPlan,
    )
    from prosper_coop.workspace import create_study

__all__ = [
    "Alert",
    "AlertResolution",
    "BusyError",
    "CheckIn",
    "ChecklistRun",
    "ConflictError",
    "ExitCode",
    "GitError",
    "Identity",
    "Incident",
    "InvalidInputError",
    "InvolvementEntry",
    "KeyProblemError",
    "Milestone",
    "NoActorError",
    "NotAStudyError",
    "NotFoundError",
    "Note",
    "Participant",
    "Person",
    "Recommendation",
    "Reflection",
    "Render",
    "Session",
    "Site",
    "Study",
    "StudySettings",
    "Survey",
    "Target",
    "Task",
    "Theme",
    "ThresholdError",
    "UserError",
    "ValidationError",
    "WellbeingPlan",
    "WorkPackage",
    "__version__",
    "create_study",
]

# Where each export lives. They are imported on first use, so that
# ``import prosper_coop`` (which every command does) stays instant.
_MODULES = {
    "prosper_coop.core.study": ("Study",),
    "prosper_coop.workspace": ("create_study",),
    "prosper_coop.core.models": ("StudySettings", "Person", "Note"),
    "prosper_coop.tasks.models": ("WorkPackage", "Milestone", "Task"),
    "prosper_coop.people.models": ("ChecklistRun", "Session"),
    "prosper_coop.recruitment.models": ("Site", "Target", "Participant", "Survey"),
    "prosper_coop.wellbeing.models": (
        "CheckIn",
        "Reflection",
        "Incident",
        "WellbeingPlan",
        "Identity",
        "Alert",
        "AlertResolution",
    ),
    "prosper_coop.outputs.findings": ("Theme", "Recommendation"),
    "prosper_coop.outputs.involvement": ("InvolvementEntry",),
    "prosper_coop.outputs.render": ("Render",),
    "prosper_coop.core.errors": (
        "ExitCode",
        "UserError",
        "NotAStudyError",
        "NotFoundError",
        "InvalidInputError",
        "NoActorError",
        "ValidationError",
        "ConflictError",
        "BusyError",
        "ThresholdError",
        "KeyProblemError",
        "GitError",
    ),
}
_EXPORTS = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    """Import an export on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
