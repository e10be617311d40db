"""``save``: validate files edited by hand, then commit them as one change."""

from __future__ import annotations

from dataclasses import dataclass

from prosper_coop import doctor
from prosper_coop.core.errors import ValidationError
from prosper_coop.core.fsutil import read_regular_file, symlink_error
from prosper_coop.core.records import by_folder
from prosper_coop.core.study import Study
from prosper_coop.trust import permissions

# Hand edits that need a permission (protocols/permissions.yaml) before they are saved.
PERMISSIONS_FILE = permissions.TABLE_PATH
SETTINGS_FOLDERS = ("protocols/", "wellbeing/")
STUDY_FILE = "study.yaml"
PEOPLE_FOLDER = "people/"
# Fields of a person record whose change is a change of what they may do (roles, leaving),
# and those a person may change in their own record (their keys, how they are credited),
# as the verified history counts them (prosper_coop.trust.verify).
ROLE_FIELDS = {"roles", "status"}
OWN_FIELDS = {"signing_key", "age_recipient", "credit"}


@dataclass(frozen=True)
class SaveResult:
    """What ``save`` committed."""

    commit: str | None
    paths: list[str]
    records: list[str]


def save_hand_edits(study: Study, message: str) -> SaveResult:
    """Commit every uncommitted change in the study after validating it.

    Refuses (naming file, line and field) if any changed record is invalid or any
    cross-reference breaks, or a file is a link or holds a private key (see
    :func:`doctor.check_guard`); the files are left as they are for the user to fix.
    Refuses too (exit 9) a change the acting person may not make: the permission table,
    protocols, wellbeing settings, ``study.yaml`` or person records
    (:func:`require_for_hand_edits`).
    """
    message = " ".join(message.split())
    if not message:
        raise ValidationError(
            "the save message is empty",
            "Say what you changed: prosper-coop save -m 'fixed due dates'",
        )
    with study.lock():
        changed = study.repo.changed_paths()
    paths = sorted(changed)
    if not paths:
        return SaveResult(None, [], [])
    problems = [p for p in doctor.check_study(study) if p.severity == "error"]
    relevant = [p for p in problems if p.path in changed or p.path == "study.yaml"]
    blocking = relevant or problems
    if blocking:
        first = blocking[0]
        more = ""
        if len(blocking) > 1:
            more = f" (and {len(blocking) - 1} more: run prosper-coop doctor)"
        raise ValidationError(
            f"{first.field}: {first.message}{more}",
            "Nothing was saved. Fix the file, then run prosper-coop save again.",
            file=first.path,
            line=first.line,
        )
    folders = by_folder()
    records = sorted(
        {
            path.rsplit("/", 1)[-1].removesuffix(".yaml").removesuffix(".age")
            for path in paths
            if path.split("/", 1)[0] in folders and path.endswith((".yaml", ".age"))
        }
    )
    change = study.change("save", message, records[:5] + (["..."] if len(records) > 5 else []))
    change.allow_unsaved.update(paths)
    with change:
        require_for_hand_edits(study, paths)
        for path in paths:
            target = study.root / path
            if target.is_symlink():  # doctor reports it above; never follow one
                raise symlink_error(path)
            if target.is_file():
                change.write_bytes(path, read_regular_file(target, path))
            else:
                change.delete(path)
    return SaveResult(change.sha, paths, records)


def require_for_hand_edits(study: Study, paths: list[str]) -> None:
    """Refuse (NotPermittedError, exit 9) unless the acting person may make every change in
    ``paths``: the permission table itself, the study's protocols and wellbeing settings,
    ``study.yaml``, and people (added, roles changed, details changed, removed).

    Judged by the table in force (as verified), so an edit of the table cannot allow
    itself.
    """
    needed = [need for path in paths for need in _actions_for(study, path)]
    if needed:
        acting = permissions.acting(study)
        for action, subject in needed:
            acting.require(action, subject=subject)


def _actions_for(study: Study, path: str) -> list[tuple[str, str | None]]:
    """The permissions a hand edit of ``path`` needs, with the person it is about."""
    from prosper_coop.core.ids import PERSON_ID

    if path == PERMISSIONS_FILE:
        return [("permissions.edit", None)]
    if path.startswith(SETTINGS_FOLDERS):
        return [("protocols.edit", None)]
    if path == STUDY_FILE:
        return [("study.edit", None)]
    name = path.removeprefix(PEOPLE_FOLDER)
    if name == path or "/" in name or not PERSON_ID.fullmatch(name.removesuffix(".yaml")):
        return []
    person = name.removesuffix(".yaml")
    before = _person_data(study.repo.file_bytes_or_none("HEAD", path), path)
    if before is None:
        return [("people.add", None)]
    target = study.root / path
    if not target.is_file() or target.is_symlink():
        return [("people.erase", person)]
    after = _person_data(read_regular_file(target, path), path) or {}
    changed = {key for key in set(before) | set(after) if before.get(key) != after.get(key)}
    needed: list[tuple[str, str | None]] = []
    if changed & ROLE_FIELDS:
        needed.append(("people.roles", person))
    if changed - ROLE_FIELDS - (OWN_FIELDS if person == study.actor() else set()):
        needed.append(("people.edit", person))
    return needed


def _person_data(data: bytes | None, where: str) -> dict[str, object] | None:
    """A person file's fields (None when there is no file)."""
    from prosper_coop.core import yamlio

    if data is None:
        return None
    record = yamlio.loads(yamlio.decode(data, where), where)
    return dict(record) if isinstance(record, dict) else {}
