"""``save``: validate files edited by hand, then commit them as one change."""

from __future__ import annotations

from dataclasses import dataclass

from prosper_coop import doctor
from prosper_coop.core.errors import ValidationError
from prosper_coop.core.fsutil import read_regular_file, symlink_error
from prosper_coop.core.records import by_folder
from prosper_coop.core.study import Study


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
        for path in paths:
            target = study.root / path
            if target.is_symlink():  # doctor reports it above; never follow one
                raise symlink_error(path)
            if target.is_file():
                change.write_bytes(path, read_regular_file(target, path))
            else:
                change.delete(path)
    return SaveResult(change.sha, paths, records)
