"""Wellbeing plans: what helps, early signs, who to contact, what to do in a crisis.

Each person writes their own; it is readable by them and the wellbeing lead(s).
"""

from __future__ import annotations

from typing import Any

from prosper_coop.core.errors import KeyProblemError, NotFoundError
from prosper_coop.core.study import Study
from prosper_coop.crypto.sealed import Keyring, Readers

PLAN_FIELDS: dict[str, str] = {
    "what_helps": "What helps you when things feel difficult?",
    "early_signs": "What are the early signs that you might be struggling?",
    "who_to_contact": "Who would you like us to contact, or not contact, if you need support?",
    "in_a_crisis": "What would you like to happen in a crisis?",
    "other": "Anything else you would like the wellbeing lead to know?",
}


def plan_readers(study: Study, person: str | None = None) -> Readers:
    """Who can read ``person``'s wellbeing plan (default: the acting person)."""
    from prosper_coop.crypto.sealed import readers_for

    return readers_for(study, "plan", person or study.actor())


def load_plan(study: Study, keyring: Keyring, person: str | None = None) -> Any | None:
    """A wellbeing plan, decrypted; ``None`` if the person has not written one."""
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.models import WellbeingPlan

    owner = person or study.actor()
    study.load(get("person"), owner)  # must exist
    try:
        path = sealed.find(study, get("plan"), owner)
    except NotFoundError:
        return None
    return keyring.read_or_explain(path, WellbeingPlan, f"the wellbeing plan of {owner}")


def save_plan(study: Study, keyring: Keyring, changes: dict[str, str]) -> tuple[Any, Readers]:
    """Update the acting person's wellbeing plan with ``changes`` (field -> text)."""
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.models import WellbeingPlan

    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"unknown plan fields: {sorted(unknown)}")
    plans = get("plan")
    with study.change("wellbeing", "update wellbeing plan") as change:
        actor = change.author or study.actor()
        change.record_ids = [actor]
        readers = plan_readers(study, actor)
        if readers.owner_without_key:
            raise KeyProblemError(
                "you need a key before saving your wellbeing plan, so you can read it later",
                "Set one up with: prosper-coop keys init. Nothing was saved.",
            )
        current = load_plan(study, keyring, actor) if sealed.files_of(study, plans, actor) else None
        data = current.model_dump() if current is not None else {"id": actor}
        data.update({key: value.strip() for key, value in changes.items()})
        data["updated"] = study.today()
        plan = WellbeingPlan.model_validate(data)
        sealed.write(change, plans, plan, readers)
    return plan, readers
