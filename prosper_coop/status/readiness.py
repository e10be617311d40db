"""What a study still needs before it is safe to run: the first thing ``status`` shows.

A lead role nobody holds, a lead or team member without a key (so nothing private
can be shared with them), and consent forms with blanks still to fill in. Roles
and keys are taken from the person records that verify
(:func:`prosper_coop.trust.state.trusted_people`), never from files as they stand.
Nothing is listed when all is well.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prosper_coop.core.models import Person
    from prosper_coop.core.sections import SectionContext
    from prosper_coop.core.study import Study

# The roles whose records matter most come first; other required roles follow.
LEAD_ORDER = ("safeguarding-lead", "wellbeing-lead", "coordinator")
# Used when wellbeing/recipients.yaml cannot be read (doctor names its problem).
DEFAULT_REQUIRED = LEAD_ORDER
# Why a study needs each role, said when nobody holds it.
WHY_NEEDED = {
    "safeguarding-lead": "Sessions and the distress protocol need one to turn to.",
    "wellbeing-lead": "Check-ins that ask for contact, and alerts, go to them.",
    "coordinator": "Someone needs to be able to add people and record consent.",
}
JOIN = "prosper-coop join"


@dataclass(frozen=True)
class Need:
    """One thing the study still needs: what, what to do, and who or where it is about."""

    kind: str  # no-lead | lead-without-key | form-blanks | people-without-keys | records-waiting
    message: str
    hint: str
    role: str | None = None
    people: tuple[str, ...] = ()
    file: str | None = None
    line: int | None = None


def needs(study: Study) -> list[Need]:
    """Everything the study still needs before it is safe to run, most important first."""
    from prosper_coop.people.forms import consent_forms_with_blanks
    from prosper_coop.trust.state import trusted_people

    active = [p for p in trusted_people(study).values() if p.status == "active"]
    found = _leads(active, _required_roles(study))
    for form in consent_forms_with_blanks(study):
        found.append(
            Need(
                "form-blanks",
                f"The consent form {form.form} still has blanks to fill in: "
                f"{', '.join(form.blanks)}.",
                'Fill them in, then run: prosper-coop save -m "Consent form details"',
                file=form.file,
                line=form.line,
            )
        )
    mentioned = {person for need in found for person in need.people}
    keyless = tuple(p.id for p in active if not p.age_recipient and p.id not in mentioned)
    if keyless:
        who = (
            f"{keyless[0]} has no key yet"
            if len(keyless) == 1
            else f"{', '.join(keyless)} have no keys yet"
        )
        found.append(
            Need(
                "people-without-keys",
                f"{who}, so they cannot keep private check-ins or reflections, and nothing "
                "private can be shared with them.",
                _how_to_make_keys(
                    active,
                    keyless,
                    "Each can make one on their own computer, when they are ready, with",
                ),
                people=keyless,
            )
        )
    return found + _waiting(study)


def _waiting(study: Study) -> list[Need]:
    """Records written before one of their readers could read them: told to that reader,
    and to whoever can share them (a lead who reads them, or their writer)."""
    from prosper_coop.core.errors import UserError
    from prosper_coop.wellbeing.rekey import counted, waiting

    try:
        actor = study.actor()
    except UserError:
        return []  # nobody acts here, so there is nobody to tell
    see = "See them with: prosper-coop keys waiting"
    found: list[Need] = []
    for item in waiting(study, noted_incidents=False):
        if not item.records:
            continue
        total = item.total
        message = (
            f"{total} record{'s were' if total != 1 else ' was'} written before "
            f"{item.person} could read {'them' if total != 1 else 'it'} ({counted(item.records)})."
        )
        if actor in item.leads:
            hint = f"You can share {item.lead_records} of them with: prosper-coop keys rekey."
        elif actor in item.writers:
            mine = item.writers[actor]
            message = (
                f"{mine} of your record{'s were' if mine != 1 else ' was'} written before "
                f"{item.person} could read {'them' if mine != 1 else 'it'}."
            )
            hint = (
                "If you would like them to, share them with: prosper-coop keys rekey --mine "
                "(it shows who would read them, and asks first)."
            )
        elif actor == item.person:
            parts = []
            if item.leads:
                parts.append(f"{', '.join(item.leads)} can share them (prosper-coop keys rekey).")
            if item.writers:
                parts.append(
                    f"Their writers ({', '.join(item.writers)}) can share their own "
                    "(prosper-coop keys rekey --mine)."
                )
            hint = " ".join(parts) or "Nobody can share them now: the keys that read them changed."
        else:
            continue
        found.append(Need("records-waiting", message, f"{hint} {see}", people=(item.person,)))
    return found


def _how_to_make_keys(active: list[Person], who: tuple[str, ...], lead_in: str) -> str:
    """``join`` for people who have not joined; ``keys init`` for those who joined without one."""
    joined = {p.id for p in active if p.signing_key}
    if all(person in joined for person in who):
        return f"{lead_in}: prosper-coop keys init"
    if not any(person in joined for person in who):
        return f"{lead_in}: {JOIN}"
    return f"{lead_in}: {JOIN} (or, if they have joined already: prosper-coop keys init)"


def _required_roles(study: Study) -> list[str]:
    from prosper_coop.core.errors import UserError
    from prosper_coop.crypto.policy import reader_policy

    try:
        required = list(reader_policy(study.root).required_roles)
    except UserError:
        required = list(DEFAULT_REQUIRED)
    ordered = [role for role in LEAD_ORDER if role in required]
    return ordered + [role for role in required if role not in ordered]


def _leads(active: list[Person], roles: list[str]) -> list[Need]:
    """A need for each required role nobody holds, then each whose holders have no key."""
    missing: list[Need] = []
    keyless: list[Need] = []
    mentioned: set[str] = set()
    for role in roles:
        words = role.replace("-", " ")
        holders = [p for p in active if role in map(str, p.roles)]
        if not holders:
            missing.append(
                Need(
                    "no-lead",
                    f"There is no {words} yet. {WHY_NEEDED.get(role, '')}".strip(),
                    f"Add one with: prosper-coop people add --role {role} "
                    f'--alias "{words.capitalize()}"',
                    role=role,
                )
            )
            continue
        without = tuple(p.id for p in holders if not p.age_recipient and p.id not in mentioned)
        if without:
            mentioned.update(without)
            who = (
                f"The {words} {without[0]} has"
                if len(without) == 1
                else f"The {words}s {', '.join(without)} have"
            )
            keyless.append(
                Need(
                    "lead-without-key",
                    f"{who} no key yet, so the records a {words} reads cannot be shared with them.",
                    _how_to_make_keys(
                        active, without, "They can make one on their own computer with"
                    ),
                    role=role,
                    people=without,
                )
            )
    return missing + keyless


def readiness_section(ctx: SectionContext) -> dict[str, Any]:
    """The ``status`` section: what the study still needs (an empty list when all is well)."""
    return {"needs": [asdict(need) for need in needs(ctx.study)]}


def records_waiting_section(ctx: SectionContext) -> dict[str, Any]:
    """Only the records waiting for a key that the viewer can do something about (or are
    theirs to read), for views without the whole readiness list."""
    return {"needs": [asdict(need) for need in _waiting(ctx.study)]}
