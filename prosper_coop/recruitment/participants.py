"""Research participants: pseudonymous records, their consent, and their contacts.

``add_participant`` records a participant (``P-0001``: a group, a site, a work
package, the day they were recruited) and starts their run of the
``consent-participant`` checklist in the same commit; ``consent record P-0001``
completes it and ``consent withdraw P-0001`` withdraws it, as for anyone else.
A participant's name and contacts, when the study needs them, are kept only in
their encrypted identity record (``identities/P-0001.age``, readable by the
coordinators), never in the shared record.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prosper_coop.core import ids
from prosper_coop.core.errors import InvalidInputError, NotFoundError
from prosper_coop.recruitment import labels
from prosper_coop.recruitment.consent import NOT_STARTED, consent_stages
from prosper_coop.trust import permissions

if TYPE_CHECKING:
    from prosper_coop.core.study import Study
    from prosper_coop.crypto.sealed import Keyring, Readers
    from prosper_coop.people.models import ChecklistRun
    from prosper_coop.recruitment.models import Participant, Target

CONSENT_FORM = "consent-participant"


def check_participant_id(value: str) -> str:
    """A participant's ID as stored (``p-0001`` -> ``P-0001``), or a clear error."""
    return ids.check_pattern(value.strip().upper(), ids.PARTICIPANT_ID, "participant ID", "P-0001")


def check_site_id(value: str) -> str:
    """A site's ID as stored (``site2`` -> ``SITE2``), or a clear error."""
    return ids.check_pattern(value.strip().upper(), ids.SITE_ID, "site ID", "SITE1")


def check_wp_id(value: str) -> str:
    """A work package's ID as stored (``wp3`` -> ``WP3``), or a clear error."""
    return ids.check_pattern(value.strip().upper(), ids.WP_ID, "work package", "WP3")


def load_participant(study: Study, participant_id: str) -> Participant:
    """One participant, or a NotFoundError saying how to list them."""
    from prosper_coop.core.records import get

    wanted = check_participant_id(participant_id)
    if not study.exists(get("participant"), wanted):
        raise NotFoundError(
            f"participant {wanted} not found",
            "List participants with: prosper-coop participant list",
        )
    participant: Participant = study.load(get("participant"), wanted)
    return participant


def known_groups(study: Study) -> list[str]:
    """Every participant group the study uses: its targets' first, then participants'."""
    from prosper_coop.core.records import get

    found: dict[str, str] = {}
    for record in [*study.load_all(get("target")), *study.load_all(get("participant"))]:
        found.setdefault(labels.key(record.group), record.group)
    return list(found.values())


@dataclass(frozen=True)
class Added:
    """A participant who was recorded, their consent run, and anything to look at."""

    participant: Participant
    run: ChecklistRun | None
    warnings: list[str] = field(default_factory=list)


def _wp_of_group(targets: list[Target], group: str, site: str | None) -> str | None:
    """The one work package whose targets count this group (at this site), if only one."""
    wps = {
        t.wp
        for t in targets
        if labels.key(t.group) == labels.key(group) and (t.site is None or t.site == site)
    }
    return wps.pop() if len(wps) == 1 else None


def add_participant(
    study: Study,
    *,
    group: str,
    site: str | None = None,
    wp: str | None = None,
    recruited: dt.date | None = None,
) -> Added:
    """Record a participant and start their consent checklist: one commit.

    ``group`` is matched to the groups the study already uses (case and spacing do
    not matter, and the start of a group's name is enough when only one group
    starts so). Without ``wp``, the work package whose targets count the group is
    used, when there is only one.
    """
    from prosper_coop.core.records import get
    from prosper_coop.people import checklists
    from prosper_coop.recruitment.models import Participant
    from prosper_coop.recruitment.progress import counts_towards

    site_id = check_site_id(site) if site is not None else None
    wp_id = check_wp_id(wp) if wp is not None else None
    day = recruited or study.today()
    if day > study.today():
        raise InvalidInputError(
            f"the recruitment date {day} is in the future",
            "Record a participant on or after the day they were recruited.",
        )
    rtype = get("participant")
    with study.change("recruitment", "add a participant", []) as change:
        permissions.require(study, "recruitment.manage", what="record research participants")
        if site_id is not None:
            load_site(study, site_id)
        if wp_id is not None:
            study.load(get("workpackage"), wp_id)
        targets: list[Target] = study.load_all(get("target"))
        chosen_group = labels.match_group(group, known_groups(study))
        wp_id = wp_id or _wp_of_group(targets, chosen_group, site_id)
        participant = Participant(
            id=study.next_id(rtype),
            group=chosen_group,
            site=site_id,
            wp=wp_id,
            recruited=day,
            added_by=change.author,
        )
        change.record_ids.append(participant.id)
        change.save(participant, rtype)
        warnings: list[str] = []
        if not any(counts_towards(participant, target) for target in targets):
            warnings.append(
                f"no recruitment target counts the group {chosen_group!r}"
                + (f" at {site_id}" if site_id else "")
                + "; add one with: prosper-coop recruit target"
            )
        run = None
        try:
            form = checklists.get_definition(study, CONSENT_FORM)
        except NotFoundError:
            warnings.append(
                f"the study has no {CONSENT_FORM} checklist, so no consent was started; "
                "record consent with: prosper-coop consent record " + participant.id
            )
        else:
            run = checklists.new_run(study, form, participant.id, change.author or study.actor())
            change.record_ids.append(run.id)
            change.save(run, get("checklist"))
    return Added(participant, run, warnings)


def load_site(study: Study, site_id: str) -> Any:
    """One site, or a NotFoundError saying how to list them."""
    from prosper_coop.core.records import get

    wanted = check_site_id(site_id)
    if not study.exists(get("site"), wanted):
        raise NotFoundError(f"site {wanted} not found", "List sites with: prosper-coop site list")
    return study.load(get("site"), wanted)


# -- listing --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParticipantRow:
    """A participant with where their consent stands."""

    participant: Participant
    consent: str

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            **self.participant.model_dump(mode="json", exclude={"conflicts"}),
            "consent": self.consent,
        }


@dataclass(frozen=True)
class Listing:
    """Participants, and how many there are by group, site and consent stage."""

    rows: list[ParticipantRow]

    def counts(self, what: str) -> dict[str, int]:
        """How many by ``group``, ``site`` (``-`` for none) or ``consent`` stage."""
        found: Counter[str] = Counter()
        for row in self.rows:
            if what == "consent":
                found[row.consent] += 1
            else:
                found[getattr(row.participant, what) or "-"] += 1
        return dict(sorted(found.items()))

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "participants": [row.as_dict() for row in self.rows],
            "by_group": self.counts("group"),
            "by_site": self.counts("site"),
            "by_consent": self.counts("consent"),
        }


def list_participants(
    study: Study,
    *,
    group: str | None = None,
    site: str | None = None,
    wp: str | None = None,
) -> Listing:
    """Participants (optionally of one group, site or work package), with their consent."""
    from prosper_coop.core.records import get

    participants: list[Participant] = study.load_all(get("participant"))
    if group is not None:
        wanted = labels.match_group(group, known_groups(study))
        participants = [p for p in participants if labels.key(p.group) == labels.key(wanted)]
    if site is not None:
        site_id = check_site_id(site)
        participants = [p for p in participants if p.site == site_id]
    if wp is not None:
        wp_id = check_wp_id(wp)
        participants = [p for p in participants if p.wp == wp_id]
    stages = consent_stages(study) if participants else {}
    return Listing([ParticipantRow(p, stages.get(p.id, NOT_STARTED)) for p in participants])


# -- contacts (encrypted) ---------------------------------------------------------------------
CONTACT_FIELDS = ("real_name", "email", "phone", "other")


def set_contact(
    study: Study, keyring: Keyring, participant_id: str, changes: dict[str, str]
) -> tuple[Any, Readers]:
    """Keep a participant's name and contacts in their encrypted identity record: one commit.

    Readable only by the coordinator(s) (``wellbeing/recipients.yaml``, ``identity``);
    the shared participant record never holds them.
    """
    from prosper_coop.wellbeing.identity import set_identity

    participant = load_participant(study, participant_id)
    if not any((value or "").strip() for value in changes.values()):
        raise InvalidInputError(
            "there is nothing to save: give at least one of name, email, phone or other",
            f"Run prosper-coop participant contact set {participant.id} to be asked for each.",
        )
    permissions.require(study, "recruitment.manage", what="keep participants' contacts")
    return set_identity(study, keyring, participant.id, changes)


def show_contact(study: Study, keyring: Keyring, participant_id: str) -> Any:
    """A participant's decrypted name and contacts, if the acting person's key reads them."""
    from prosper_coop.wellbeing.identity import show_identity

    participant = load_participant(study, participant_id)
    try:
        return show_identity(study, keyring, participant.id)
    except NotFoundError:
        raise NotFoundError(
            f"no contact details are kept for {participant.id}",
            f"Add them with: prosper-coop participant contact set {participant.id} "
            "(it asks for each detail)",
        ) from None
