"""Who is looking at ``status``, and so which view of the study they are shown.

The dashboard differs by role. Other people's lateness, consent and onboarding
are for the coordinator and the leads; a co-researcher (or anyone else without a
lead role) sees their own tasks, sessions and check-ins, and the team's progress
in general terms; someone this computer does not know sees only the general view.

Roles are taken from the person records that verify
(:func:`prosper_coop.trust.state.trusted_people`), never from the files as they
stand, and only for someone who has joined the study on this computer (their
signing key is here): setting ``PROSPER_COOP_AS`` to someone else's ID is not
enough to be shown their view.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prosper_coop.core.study import Study


class View(StrEnum):
    """How much of the study a viewer's dashboard shows."""

    COORDINATOR = "coordinator"  # everything, with what the study needs before it is safe to run
    LEAD = "lead"  # everything about the team, without that
    PERSONAL = "personal"  # one's own work and check-ins, and the team's progress in general
    GENERAL = "general"  # nobody known here: the team's progress in general only


# Roles that see other people's lateness, consent and onboarding. A person holding
# any of them, or leading a work package, sees the whole team; anyone else sees the
# personal view.
LEAD_ROLES = frozenset({"safeguarding-lead", "wellbeing-lead", "ppi-lead"})
COORDINATOR_ROLE = "coordinator"


@dataclass(frozen=True)
class Viewer:
    """The person looking (``None`` when nobody is known here), their roles and view."""

    person: str | None
    roles: tuple[str, ...]
    view: View

    def as_dict(self) -> dict[str, object]:
        """Plain data for ``status --json``."""
        return {"person": self.person, "roles": list(self.roles), "view": str(self.view)}


NOBODY = Viewer(None, (), View.GENERAL)


def view_for(roles: tuple[str, ...], *, leads_work_package: bool = False) -> View:
    """The view a person holding ``roles`` (and perhaps leading a work package) is shown."""
    if COORDINATOR_ROLE in roles:
        return View.COORDINATOR
    if LEAD_ROLES.intersection(roles) or leads_work_package:
        return View.LEAD
    return View.PERSONAL


def identify(study: Study) -> Viewer:
    """Who is looking: the study's acting person, if they joined here and are active.

    A work package's lead is as the study's files say (it decides only what the
    dashboard shows: the task records it lists are readable by everyone anyway).

    Anything short of that (nobody chosen, someone not joined on this computer, a
    person whose record does not verify, or who has left) gives :data:`NOBODY`.
    """
    from prosper_coop.core.configdir import joined_here
    from prosper_coop.core.errors import UserError
    from prosper_coop.tasks.workpackages import load_work_packages
    from prosper_coop.trust.state import trusted_people

    try:
        person = study.acting().person
        uid, _default = study.uid_and_default_actor()
    except UserError:
        return NOBODY
    if person not in joined_here(uid):
        return NOBODY
    record = trusted_people(study).get(person)
    if record is None or str(record.status) != "active":
        return NOBODY
    roles = tuple(str(role) for role in record.roles)
    leads = any(wp.lead == person for wp in load_work_packages(study))
    return Viewer(person, roles, view_for(roles, leads_work_package=leads))
