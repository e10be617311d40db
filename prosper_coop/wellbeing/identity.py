"""The identity map (real names and contacts behind study IDs) and erasure.

Identities are encrypted to the coordinator(s). ``erase_person`` removes a
person's identity and sensitive records from the study after a withdrawal, in
one commit, and says plainly what stays in git history and who could read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prosper_coop.core.errors import InvalidInputError, NotFoundError
from prosper_coop.core.study import Study
from prosper_coop.crypto.sealed import Keyring, Readers
from prosper_coop.trust import permissions

if TYPE_CHECKING:
    from prosper_coop.core.records import RecordType

IDENTITY_FIELDS = ("real_name", "email", "phone", "other")


def owner_type(record_id: str) -> RecordType:
    """Whose identity ``record_id`` names: a person of the team, or a research participant."""
    from prosper_coop.core.ids import PARTICIPANT_ID
    from prosper_coop.core.records import get

    return get("participant") if PARTICIPANT_ID.fullmatch(record_id) else get("person")


def set_identity(
    study: Study, keyring: Keyring, person: str, changes: dict[str, str]
) -> tuple[Any, Readers]:
    """Create or update the encrypted identity of ``person`` (readable by coordinators)."""
    from pydantic import ValidationError as PydanticError

    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.models import Identity

    if not any(value.strip() for value in changes.values()):
        raise InvalidInputError(
            "there is nothing to save: give at least one of name, email, phone or other",
            f"Run prosper-coop people identity set {person} to be asked for each, or pipe "
            f"them in: printf 'name: Full Name\\n' | prosper-coop people identity set {person}",
        )
    identities = get("identity")
    with study.change("people", "update identity", person) as change:
        study.load(owner_type(person), person)  # must exist
        readers = sealed.readers_for(study, "identity", None)
        data: dict[str, Any] = {"id": person}
        if sealed.files_of(study, identities, person):
            current = show_identity(study, keyring, person)
            data = current.model_dump()
        data.update({k: v.strip() for k, v in changes.items() if v is not None})
        data["updated"] = study.today()
        try:
            record = Identity.model_validate(data)
        except PydanticError as exc:
            problem = exc.errors(include_url=False)[0]
            field = ".".join(str(p) for p in problem.get("loc", ()))
            raise InvalidInputError(
                f"{field}: {problem.get('msg', 'not valid')}", "Nothing was saved."
            ) from None
        sealed.write(change, identities, record, readers)
    return record, readers


def show_identity(study: Study, keyring: Keyring, person: str) -> Any:
    """The decrypted identity of ``person`` (a clear error if your key cannot read it)."""
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing.models import Identity

    study.load(owner_type(person), person)
    try:
        path = sealed.find(study, get("identity"), person)
    except NotFoundError:
        raise NotFoundError(
            f"no identity is stored for {person}",
            f"Add one with: prosper-coop people identity set {person} (it asks for the details)",
        ) from None
    return keyring.read_or_explain(path, Identity, f"the identity of {person}")


@dataclass(frozen=True)
class EraseReport:
    """What ``people erase`` removed, and what it could not."""

    person: str
    removed: list[str]
    alerts_removed: list[str]
    incidents_kept: int
    commit: str | None
    history_commits: int
    readers_then: dict[str, str]


def erase_person(study: Study, person: str) -> EraseReport:
    """Remove ``person``'s identity, plan, check-ins, reflections and alerts (one commit).

    Nothing needs decrypting: the files are found by where they live. The commit
    also records the erasure (``erased/ID.yaml``, the study ID only), so that
    ``sync`` removes any copy another computer still holds (:mod:`.erasure`). Older
    (encrypted) versions remain in git history; the report says how many commits
    hold them and who, by the current rules, could read them.
    """
    from prosper_coop.core.records import get
    from prosper_coop.crypto import sealed
    from prosper_coop.wellbeing import erasure

    study.load(get("person"), person)
    removed: list[str] = []
    alerts_removed: list[str] = []
    alert_folder = get("alert").folder + "/"
    with study.change("people", "erase sensitive records", person) as change:
        permissions.require(study, "people.erase", subject=person)
        for rel in erasure.person_files(study, person):
            change.delete(rel)
            removed.append(rel)
            if rel.startswith(alert_folder):
                name = rel.rsplit("/", 1)[-1]
                alerts_removed.append(name.removesuffix(".yaml").removesuffix(".age"))
        # Recorded so that a copy coming back from another computer is removed again.
        change.write_text(erasure.record_path(person), erasure.record_text(person))
    history = 0
    if removed and change.sha:
        # Commits before the erasure that hold (encrypted) copies of what was removed.
        history = len(study.repo.commits_before(f"{change.sha}~1", removed))
    people = sealed.people_of(study)
    rules = sealed.policy(study)
    readers_then = {
        kind: sealed.readers_for(study, kind, person, people, rules).describe()
        for kind in ("identity", "plan", "checkin", "reflection-private", "reflection-shared")
    }
    incidents = len(study.record_files(get("incident")))
    return EraseReport(
        person, removed, alerts_removed, incidents, change.sha, history, readers_then
    )
