"""Checking a study: every record, every cross-reference, the hook and the data line.

:func:`check_study` returns one :class:`~prosper_coop.core.checks.Problem` per
finding; the CLI prints ``file:line: field: problem`` for each. Each feature keeps
its own checks; :data:`CHECKS` lists them all, lowest layer first.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from prosper_coop.core import guard, yamlio
from prosper_coop.core.checks import Check, Loaded, Problem, problem_from_error
from prosper_coop.core.errors import UserError, ValidationError
from prosper_coop.core.fsutil import read_regular_file
from prosper_coop.core.records import RECORD_TYPES, RecordType, by_folder
from prosper_coop.core.study import STUDY_FILE, Study, parse_model
from prosper_coop.outputs import checks as outputs_checks
from prosper_coop.people import status as people_status
from prosper_coop.recruitment import checks as recruitment_checks
from prosper_coop.sync import conflicts
from prosper_coop.tasks import checks as tasks_checks
from prosper_coop.trust import table as permission_table
from prosper_coop.wellbeing import checks as wellbeing_checks

__all__ = ["CHECKS", "Problem", "check_study", "load_records"]

# Every cross-record check, by feature (each takes the loaded records, yields problems).
CHECKS: tuple[Check, ...] = (
    permission_table.check_table,
    tasks_checks.check_references,
    tasks_checks.check_milestones,
    tasks_checks.check_task_dates,
    people_status.check_checklists,
    people_status.check_sessions,
    *wellbeing_checks.CHECKS,
    recruitment_checks.check_recruitment,
    outputs_checks.check_outputs,
    outputs_checks.check_output_settings,
    conflicts.check_conflicts,
)


def _record_sources(
    study: Study, staged: bool
) -> Iterator[tuple[RecordType, str, bytes | UserError]]:
    """(type, relative path, bytes or why they cannot be read) of every record file to check.

    Links are left out: :func:`check_guard` reports each one (a link is never read).
    """
    if staged:
        repo = study.repo
        folders = by_folder()
        for rel_path, mode in repo.staged_modes().items():
            top, _, _rest = rel_path.partition("/")
            rtype = folders.get(top)
            if rtype is None or not rel_path.endswith(".yaml") or rtype.sensitive:
                continue
            if guard.check_mode(rel_path, mode) is None:
                yield rtype, rel_path, repo.staged_bytes(rel_path)
        return
    for rtype in RECORD_TYPES:
        if rtype.sensitive:
            continue
        for path in _record_files(study, rtype):
            if not path.is_symlink():
                rel = study.rel(path)
                yield rtype, rel, _read(path, rel)


def _record_files(study: Study, rtype: RecordType) -> list[Path]:
    """The record files of a type; none when its folder is a link (reported as a link)."""
    try:
        return study.record_files(rtype)
    except UserError:
        return []


def _read(path: Path, rel: str) -> bytes | UserError:
    """A record file's bytes (never through a link), or why it cannot be read."""
    try:
        return read_regular_file(path, rel)
    except UserError as exc:
        return exc
    except OSError as exc:
        return ValidationError(f"cannot be read ({exc.strerror or exc})")


def load_records(study: Study, staged: bool = False) -> tuple[Loaded, list[Problem]]:
    """Parse every record (or the staged ones); return what loaded and the problems."""
    loaded = Loaded(study)
    problems: list[Problem] = []
    sources: list[tuple[RecordType, str, bytes | UserError]] = list(_record_sources(study, staged))
    staged_paths = {rel for _, rel, _ in sources}
    if staged:
        # Cross-references are checked against the rest of the study as it is on disk.
        for rtype in RECORD_TYPES:
            if rtype.sensitive:
                continue
            for path in _record_files(study, rtype):
                rel = study.rel(path)
                if rel not in staged_paths and not path.is_symlink() and path.is_file():
                    sources.append((rtype, rel, _read(path, rel)))
    for rtype, rel_path, data in sources:
        stem = rel_path.rsplit("/", 1)[-1].removesuffix(".yaml")
        try:
            if isinstance(data, UserError):
                raise data
            text = yamlio.decode(data, rel_path)
            record = parse_model(rtype.model, text, rel_path)
        except UserError as exc:
            if not staged or rel_path in staged_paths:
                problems.append(problem_from_error(exc, rel_path))
            loaded.exists_invalid(rtype.name, stem, rel_path)  # reported here, and only here
            continue
        record_id = getattr(record, "id", stem)
        if record_id != stem:
            loaded.exists_invalid(rtype.name, stem, rel_path)
            problems.append(
                Problem(
                    rel_path,
                    yamlio.line_of(text, ("id",)),
                    "id",
                    f"the record says {record_id!r} but the file is named "
                    f"{stem}.yaml; make them agree",
                )
            )
            continue
        bucket = loaded.of(rtype.name)
        if record_id in bucket:
            problems.append(
                Problem(rel_path, 1, "id", f"{record_id} also exists at {bucket[record_id][1]}")
            )
            continue
        expected = study.rel(study.path_of(rtype, record_id))
        if expected != rel_path:
            problems.append(
                Problem(rel_path, 1, "id", f"this file belongs at {expected}", "warning")
            )
        bucket[record_id] = (record, rel_path, text)
    return loaded, problems


def check_guard(study: Study, staged: bool) -> Iterator[Problem]:
    """No plaintext where an encrypted file belongs, no private key, no link anywhere.

    With ``staged``, the files staged for the next commit (a staged link is
    refused by its mode); else every file in the study folder, not following links.
    """
    if staged:
        folders = guard.sensitive_folders()
        for rel_path, mode in study.repo.staged_modes().items():
            leak = guard.check_mode(rel_path, mode)
            if leak is None:
                leak = guard.check_blob(rel_path, study.repo.staged_bytes(rel_path), folders)
            if leak:
                yield Problem(leak.path, None, "(file)", leak.problem)
        return
    for leak in guard.unsafe_files(study.root):
        yield Problem(leak.path, None, "(file)", leak.problem)


def check_setup(study: Study) -> Iterator[Problem]:
    """study.yaml is valid and the pre-commit hook is installed."""
    try:
        study.settings  # noqa: B018 - validates study.yaml
    except UserError as exc:
        yield problem_from_error(exc, STUDY_FILE)
    hook = study.root / ".git" / "hooks" / "pre-commit"
    if not hook.is_file() or "doctor --staged" not in hook.read_text(errors="replace"):
        yield Problem(
            ".git/hooks/pre-commit",
            None,
            "(hook)",
            "the safety hook is missing; reinstall it with: prosper-coop doctor --fix",
            "warning",
        )


def check_history(study: Study) -> Iterator[Problem]:
    """Every change in the history that does not verify (see :mod:`prosper_coop.trust.verify`).

    Such a change does not count (no role, reader or key comes from it), so it blocks
    nobody; it is reported on every clone until someone allowed to make it does.
    """
    from prosper_coop.trust.state import verified

    for finding in verified(study).findings:
        yield Problem(
            finding.paths[0] if finding.paths else "(history)",
            None,
            "(signature)",
            finding.describe()
            + (
                ". It does not count: ask the study coordinator to look at it "
                if finding.level == "error"
                else ". "
            )
            + "(git show "
            + finding.commit[:10]
            + ")",
            finding.level,
        )


def check_study(study: Study, *, staged: bool = False) -> list[Problem]:
    """Every problem in the study (or in what is staged for the next commit)."""
    problems: list[Problem] = []
    if not staged:
        problems += check_setup(study)
        problems += check_history(study)
    loaded, load_problems = load_records(study, staged)
    problems += load_problems
    unsafe = list(check_guard(study, staged))
    cross: list[Problem] = []
    for check in CHECKS:
        try:
            cross += check(loaded)
        except UserError:
            if not unsafe:
                raise
            # e.g. a linked folder the check could not read: reported above, as the cause
    if staged:
        staged_set = set(study.repo.staged_paths())
        cross = [p for p in cross if p.path in staged_set]
    # A link is reported once, as a link: not again by each check that could not read it.
    links = {p.path for p in unsafe if guard.is_link_problem(p.message)}
    return [
        *(p for p in problems if p.path not in links),
        *unsafe,
        *(p for p in cross if p.path not in links),
    ]
