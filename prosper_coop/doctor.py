"""Checking a study: every record, every cross-reference, the hook and the data line.

:func:`check_study` returns one :class:`~prosper_coop.core.checks.Problem` per
finding; the CLI prints ``file:line: field: problem`` for each. Each feature keeps
its own checks; :data:`CHECKS` lists them all, lowest layer first.
"""

from __future__ import annotations

from collections.abc import Iterator

from prosper_coop.core import guard, yamlio
from prosper_coop.core.checks import Check, Loaded, Problem, problem_from_error
from prosper_coop.core.errors import UserError
from prosper_coop.core.records import RECORD_TYPES, RecordType, by_folder
from prosper_coop.core.study import STUDY_FILE, Study, parse_model
from prosper_coop.outputs import checks as outputs_checks
from prosper_coop.people import status as people_status
from prosper_coop.sync import conflicts
from prosper_coop.tasks import checks as tasks_checks
from prosper_coop.wellbeing import checks as wellbeing_checks

__all__ = ["CHECKS", "Problem", "check_study", "load_records"]

# Every cross-record check, by feature (each takes the loaded records, yields problems).
CHECKS: tuple[Check, ...] = (
    tasks_checks.check_references,
    tasks_checks.check_milestones,
    tasks_checks.check_task_dates,
    people_status.check_checklists,
    people_status.check_sessions,
    *wellbeing_checks.CHECKS,
    outputs_checks.check_outputs,
    outputs_checks.check_output_settings,
    conflicts.check_conflicts,
)


def _record_sources(study: Study, staged: bool) -> Iterator[tuple[RecordType, str, bytes]]:
    """(type, relative path, bytes) of every record file to check."""
    if staged:
        repo = study.repo
        folders = by_folder()
        for rel_path in repo.staged_paths():
            top, _, _rest = rel_path.partition("/")
            rtype = folders.get(top)
            if rtype is None or not rel_path.endswith(".yaml") or rtype.sensitive:
                continue
            yield rtype, rel_path, repo.staged_bytes(rel_path)
        return
    for rtype in RECORD_TYPES:
        if rtype.sensitive:
            continue
        for path in study.record_files(rtype):
            yield rtype, study.rel(path), path.read_bytes()


def load_records(study: Study, staged: bool = False) -> tuple[Loaded, list[Problem]]:
    """Parse every record (or the staged ones); return what loaded and the problems."""
    loaded = Loaded(study)
    problems: list[Problem] = []
    sources = list(_record_sources(study, staged))
    staged_paths = {rel for _, rel, _ in sources}
    if staged:
        # Cross-references are checked against the rest of the study as it is on disk.
        for rtype in RECORD_TYPES:
            if rtype.sensitive:
                continue
            for path in study.record_files(rtype):
                rel = study.rel(path)
                if rel not in staged_paths and path.is_file():
                    sources.append((rtype, rel, path.read_bytes()))
    for rtype, rel_path, data in sources:
        stem = rel_path.rsplit("/", 1)[-1].removesuffix(".yaml")
        try:
            text = yamlio.decode(data, rel_path)
            record = parse_model(rtype.model, text, rel_path)
        except UserError as exc:
            if not staged or rel_path in staged_paths:
                problems.append(problem_from_error(exc, rel_path))
            continue
        record_id = getattr(record, "id", stem)
        if record_id != stem:
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
    """No plaintext where an encrypted file belongs (staged files, or tracked files)."""
    folders = guard.sensitive_folders()
    if staged:
        for rel_path in study.repo.staged_paths():
            leak = guard.check_blob(rel_path, study.repo.staged_bytes(rel_path), folders)
            if leak:
                yield Problem(leak.path, None, "(file)", leak.problem)
        return
    for folder in folders:
        base = study.root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file():
                rel = study.rel(path)
                leak = guard.check_blob(rel, path.read_bytes(), folders)
                if leak:
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


def check_study(study: Study, *, staged: bool = False) -> list[Problem]:
    """Every problem in the study (or in what is staged for the next commit)."""
    problems: list[Problem] = []
    if not staged:
        problems += check_setup(study)
    loaded, load_problems = load_records(study, staged)
    problems += load_problems
    problems += check_guard(study, staged)
    cross: list[Problem] = []
    for check in CHECKS:
        cross += check(loaded)
    if staged:
        staged_set = set(study.repo.staged_paths())
        cross = [p for p in cross if p.path in staged_set]
    problems += cross
    return problems
